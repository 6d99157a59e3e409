"""Writing a batch's winning copies: set-wise upserts, only where newer than the held copy and its
tombstone. On PostgreSQL the rows are COPYed into a temporary staging table first, then written by
one INSERT … ON CONFLICT per entity type; elsewhere (the embedded demo) through the ORM."""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass

import orjson
from django.db import connection, models
from django.utils import timezone

from ..models import Node, Tombstone


def write_copies(model, node: Node, rows: list[tuple]) -> int:
    """Upsert (uuid, version, field values) rows, each only if newer than the held copy and than its
    tombstone, and lift the tombstones of what was written; returns how many rows were written.
    The uuids are distinct (one winner per record)."""
    if connection.vendor == "postgresql":
        return _copy_upsert(model, node, rows)
    uuids = [u for u, _version, _values in rows]
    held = dict(model.objects.filter(node=node, entity_uuid__in=uuids).values_list("entity_uuid", "version"))
    buried = dict(Tombstone.objects.filter(node=node, entity_uuid__in=uuids).values_list("entity_uuid", "version"))
    fresh = [model(node=node, entity_uuid=u, version=version, **values) for u, version, values in rows
             if buried.get(u, -1) < version and held.get(u, -1) < version]
    if fresh:
        value_fields = [f.name for f in model._meta.concrete_fields if f.name not in ("id", "node", "entity_uuid")]
        model.objects.bulk_create(fresh, batch_size=500, update_conflicts=True,
                                  unique_fields=["node", "entity_uuid"], update_fields=value_fields)
        Tombstone.objects.filter(node=node, entity_uuid__in=[c.entity_uuid for c in fresh]).delete()
    return len(fresh)


def _json_text(value) -> str:
    try:
        return orjson.dumps(value).decode()
    except TypeError:  # what orjson refuses (integers beyond 64 bits) goes through json
        return json.dumps(value)


@dataclass(frozen=True)
class _CopyPlan:
    stage: str  # a temporary table shaped like the copy table, emptied at commit
    create: str
    copy: str
    apply: str
    fields: tuple  # (keys the field values may use, default factory or None, converter or None) per column


def _row_layout(plan: _CopyPlan, values: dict) -> list[tuple]:
    """Where each column of a row comes from: (0, key) the field values, (1, key) the entry's uuid or
    version, (2, key) the same for every row, (3, default factory) the field's default."""
    layout = []
    for (attname, name), default, convert in plan.fields:
        if attname in values or name in values:
            layout.append((0, attname if attname in values else name, convert))
        elif attname in ("entity_uuid", "version"):
            layout.append((1, attname, None))
        elif default is None:
            layout.append((2, attname, None))
        else:
            layout.append((3, default, None))
    return layout


@functools.cache
def _copy_plan(model) -> _CopyPlan:
    quote = connection.ops.quote_name
    table, fields = model._meta.db_table, [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(quote(f.column) for f in fields)
    # Named after its columns too: a connection that outlives a migration never COPYs into an old shape.
    stage = quote(f"kyodo_stage_{table}_{hashlib.sha256(columns.encode()).hexdigest()[:8]}")
    updates = ", ".join(f"{quote(f.column)} = EXCLUDED.{quote(f.column)}" for f in fields
                        if f.attname not in ("node_id", "entity_uuid"))
    tombs = quote(Tombstone._meta.db_table)
    # Received when written under the lock (a batch staged earlier may wait for its predecessor).
    picked = ", ".join("statement_timestamp()" if f.attname == "received_at" else f"s.{quote(f.column)}" for f in fields)
    apply = (
        f"WITH written AS (INSERT INTO {quote(table)} AS held ({columns}) SELECT {picked} FROM {stage} AS s"
        f" WHERE NOT EXISTS (SELECT 1 FROM {tombs} AS t WHERE t.node_id = s.node_id"
        f" AND t.entity_uuid = s.entity_uuid AND t.version >= s.version)"
        f" ON CONFLICT (node_id, entity_uuid) DO UPDATE SET {updates} WHERE held.version < EXCLUDED.version"
        f" RETURNING held.entity_uuid),"
        f" unburied AS (DELETE FROM {tombs} AS t USING written AS w WHERE t.node_id = %s"
        f" AND t.entity_uuid = w.entity_uuid)"
        f" SELECT count(*) FROM written")
    plan = []
    for f in fields:
        convert = None
        if isinstance(f, models.JSONField):  # jsonb takes JSON text in a text-format COPY
            convert = functools.partial(json.dumps, cls=f.encoder) if f.encoder else _json_text
        plan.append(((f.attname, f.name), f.get_default if f.attname not in ("node_id", "entity_uuid", "version",
                                                                            "received_at") else None, convert))
    return _CopyPlan(
        stage=stage,
        create=(f"CREATE TEMPORARY TABLE IF NOT EXISTS {stage} ON COMMIT DELETE ROWS"
                f" AS SELECT {columns} FROM {quote(table)} WITH NO DATA"),
        copy=f"COPY {stage} ({columns}) FROM STDIN", apply=apply, fields=tuple(plan))


def _copy_upsert(model, node: Node, rows: list[tuple]) -> int:
    """PostgreSQL: COPY the rows into a temporary table, then one INSERT … SELECT … ON CONFLICT DO
    UPDATE … WHERE the held version is older, skipping records whose tombstone is as new or newer.
    Same outcome as the ORM path, without building a model instance and a quoted literal per value."""
    stage_rows(model, node, rows)
    return apply_stage(model, node)


def stage_rows(model, node: Node, rows: list[tuple]) -> None:
    """COPY (uuid, version, field values) rows into the type's staging table, emptied first."""
    if not connection.in_atomic_block:
        raise RuntimeError("copies are written inside the batch's transaction")  # ON COMMIT DELETE ROWS
    plan = _copy_plan(model)
    fixed = {"node_id": node.pk, "received_at": timezone.now()}
    layouts: dict = {}  # the field values of one type have the same keys row after row: resolve them once
    with connection.cursor() as cursor:
        cursor.execute(plan.create)
        cursor.execute(f"DELETE FROM {plan.stage}")  # empty unless an enclosing transaction is still open
        with cursor.copy(plan.copy) as copy:
            for entity_uuid, version, values in rows:
                shape = tuple(values)
                layout = layouts.get(shape)
                if layout is None:
                    layout = layouts[shape] = _row_layout(plan, values)
                own = {"entity_uuid": entity_uuid, "version": version}
                copy.write_row([
                    (convert(values[key]) if convert else values[key]) if source == 0
                    else own[key] if source == 1 else fixed[key] if source == 2 else key()
                    for source, key, convert in layout])


def apply_stage(model, node: Node) -> int:
    with connection.cursor() as cursor:
        cursor.execute(_copy_plan(model).apply, [node.pk])
        return cursor.fetchone()[0]

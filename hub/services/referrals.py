"""Centers as a network (issue 17): relations declared by both centers through their nodes, and
referrals between centers — a node asks, for one of its centers, another center for advice or to sit
in on a consultation (同席); the receiving node moves the status forward. The hub passes both on
through the feed, to the two nodes concerned only."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from permissions.audit import audit_record
from sync.wire import referrals as wire

from ..models import AggregateSnapshot, CenterRelation, Node, NodeCenter, Referral
from . import checks
from .feed import feed_publish


class NetworkRefused(Exception):
    def __init__(self, code: str, message: str, *, status: int = 422):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


def _keys(payload, keys: frozenset[str]) -> dict:
    if not isinstance(payload, dict) or set(payload) != keys:
        raise NetworkRefused("payload_invalid", f"expected exactly the keys {sorted(keys)}")
    return payload


def _own_center(node: Node, center_uuid) -> NodeCenter:
    center = NodeCenter.objects.filter(center_uuid=center_uuid, node=node).first()
    if center is None:
        raise NetworkRefused("outside_partition", "the center does not belong to the signing node", status=403)
    return center


def _other_center(node: Node, center_uuid) -> NodeCenter:
    center = NodeCenter.objects.filter(center_uuid=center_uuid).select_related("node").first()
    if center is None:
        raise NetworkRefused("center_not_found", "no center of the hub has this uuid", status=404)
    if center.node_id == node.pk:
        raise NetworkRefused("own_center", "a center of the asking node itself")
    return center


def center_name(center_uuid) -> str:
    return NodeCenter.objects.filter(center_uuid=center_uuid).values_list("name", flat=True).first() or ""


def _names() -> dict[str, str]:
    return {str(u): name for u, name in NodeCenter.objects.values_list("center_uuid", "name")}


# --- Center relations -------------------------------------------------------------------------------


def relation_payload(relation: CenterRelation, names: dict[str, str] | None = None) -> dict:
    """The feed payload of `center_relation` (sync.wire.referrals.RELATION_FEED_KEYS)."""
    names = names if names is not None else _names()
    return {"uuid": str(relation.uuid), "backing_center": str(relation.backing_center_uuid),
            "backing_center_name": names.get(str(relation.backing_center_uuid), ""),
            "backed_center": str(relation.backed_center_uuid),
            "backed_center_name": names.get(str(relation.backed_center_uuid), ""),
            "backing_declared": relation.backing_declared_at is not None,
            "backed_declared": relation.backed_declared_at is not None,
            "confirmed_at": relation.confirmed_at.isoformat() if relation.confirmed_at else None}


@transaction.atomic
def relation_declare(*, node: Node, payload) -> tuple[CenterRelation, bool]:
    """One of the node's centers declares its side: it backs the other center, or is backed by it.
    The relation holds once the other side has declared too. Declaring again changes nothing."""
    payload = _keys(payload, wire.RELATION_KEYS)
    try:
        center_uuid, other_uuid = checks.uuid(payload["center"], "center"), checks.uuid(payload["other_center"],
                                                                                         "other_center")
        role = checks.choice(payload["role"], "role", wire.ROLES)
    except ValueError as error:
        raise NetworkRefused("payload_invalid", f"field {error} is not acceptable") from error
    own, other = _own_center(node, center_uuid), _other_center(node, other_uuid)
    backing, backed = (own, other) if role == wire.ROLE_BACKS else (other, own)
    relation, created = CenterRelation.objects.select_for_update().get_or_create(
        backing_center_uuid=backing.center_uuid, backed_center_uuid=backed.center_uuid,
        defaults={"backing_node_id": backing.node_id, "backed_node_id": backed.node_id,
                  "backing_declared_at" if role == wire.ROLE_BACKS else "backed_declared_at": timezone.now()})
    side = "backing_declared_at" if role == wire.ROLE_BACKS else "backed_declared_at"
    changed = created
    if getattr(relation, side) is None:
        setattr(relation, side, timezone.now())
        changed = True
    if relation.confirmed_at is None and relation.backing_declared_at and relation.backed_declared_at:
        relation.confirmed_at = timezone.now()
    if not changed:
        return relation, False
    relation.save()
    audit_record(actor=None, action="hub.center_relation_declare", target=relation,
                 detail={"node": node.slug, "role": role, "confirmed": relation.confirmed_at is not None})
    payload = relation_payload(relation)
    for target in {relation.backing_node_id, relation.backed_node_id}:
        feed_publish(acting_user=None, kind=wire.RELATION_KIND, node=Node.objects.get(pk=target), payload=payload)
    return relation, True


def backed_figures(*, node: Node) -> list[dict]:
    """The aggregate counts (AggregateSnapshot: counts only) of the centers the node's centers back,
    by confirmed relations only — never their records."""
    relations = list(CenterRelation.objects.filter(backing_node=node, confirmed_at__isnull=False))
    names = _names()
    snapshots = {str(s.center.center_uuid): s for s in AggregateSnapshot.objects.select_related("center").filter(
        center__center_uuid__in=[r.backed_center_uuid for r in relations])}
    rows = []
    for relation in relations:
        snapshot = snapshots.get(str(relation.backed_center_uuid))
        rows.append({"backing_center": str(relation.backing_center_uuid),
                     "backed_center": str(relation.backed_center_uuid),
                     "backed_center_name": names.get(str(relation.backed_center_uuid), ""),
                     "data": snapshot.data if snapshot else {},
                     "received_at": snapshot.received_at.isoformat() if snapshot else None})
    return rows


def centers_for_node(*, node: Node) -> list[dict]:
    """Every other center on the hub (name and municipality: the directory), with this node's relations."""
    relations = CenterRelation.objects.filter(Q(backing_node=node) | Q(backed_node=node), confirmed_at__isnull=False)
    backing = {str(r.backing_center_uuid) for r in relations if r.backed_node_id == node.pk}
    backed = {str(r.backed_center_uuid) for r in relations if r.backing_node_id == node.pk}
    return [{"uuid": str(c.center_uuid), "name": c.name, "municipality": c.municipality_name,
             "backs_us": str(c.center_uuid) in backing, "backed_by_us": str(c.center_uuid) in backed}
            for c in NodeCenter.objects.exclude(node=node).order_by("municipality_code", "name")]


# --- Referrals --------------------------------------------------------------------------------------


@transaction.atomic
def referral_create(*, node: Node, payload) -> tuple[Referral, bool]:
    """A node asks, for one of its centers, another center for advice or to sit in. Idempotent by the
    referral's uuid (the asking node may send it again after a lost answer)."""
    payload = _keys(payload, wire.REQUEST_KEYS)
    try:
        referral_uuid, center_uuid, to_uuid = (checks.uuid(payload[name], name) for name in ("uuid", "center",
                                                                                               "to_center"))
        kind = checks.choice(payload["kind"], "kind", wire.KINDS)
        summary = checks.text(payload, "summary", wire.MAX_SUMMARY, required=True)
        question = checks.text(payload, "question", wire.MAX_QUESTION, required=True)
    except ValueError as error:
        raise NetworkRefused("payload_invalid", f"field {error} is not acceptable") from error
    from_center = _own_center(node, center_uuid)
    existing = Referral.objects.filter(uuid=referral_uuid).first()
    if existing is not None:
        if existing.from_node_id != node.pk or existing.to_center_uuid != to_uuid:
            raise NetworkRefused("uuid_conflict", "this referral uuid is already used", status=409)
        return existing, False
    to_center = _other_center(node, to_uuid)
    referral = Referral.objects.create(
        uuid=referral_uuid, from_node=node, from_center_uuid=center_uuid, from_center_name=from_center.name,
        to_node_id=to_center.node_id, to_center_uuid=to_uuid, kind=kind, summary=summary, question=question)
    audit_record(actor=None, action="hub.referral_create", target=referral,
                 detail={"from_node": node.slug, "to_node": to_center.node.slug, "kind": kind})
    feed_publish(acting_user=None, kind=wire.REQUEST_KIND, node=to_center.node, payload={
        "uuid": str(referral.uuid), "to_center": str(to_uuid), "from_center": str(center_uuid),
        "from_center_name": from_center.name, "kind": kind, "summary": summary, "question": question,
        "created_at": referral.created_at.isoformat()})
    return referral, True


@transaction.atomic
def referral_status(*, node: Node, referral_uuid, payload) -> tuple[Referral, bool]:
    """The receiving node moves the status forward (受けた → 回答した / 同席する / お断り), with a message
    and, to sit in, a date; the asking node learns it through the feed. The same status again changes
    nothing; a step back or sideways is refused."""
    referral = Referral.objects.select_for_update().filter(uuid=referral_uuid).first()
    if referral is None or referral.to_node_id != node.pk:
        # Only the receiving node moves it; to any other node the referral does not exist.
        raise NetworkRefused("not_found", "no referral to this node has this uuid", status=404)
    payload = _keys(payload, wire.STATUS_KEYS)
    try:
        status = checks.choice(payload["status"], "status", wire.STATUSES[1:])
        message = checks.text(payload, "message", wire.MAX_MESSAGE)
        joint_on = checks.date(payload, "joint_on") if status == wire.JOINING else None
    except ValueError as error:
        raise NetworkRefused("payload_invalid", f"field {error} is not acceptable") from error
    if status != wire.JOINING and payload["joint_on"] is not None:
        raise NetworkRefused("payload_invalid", "field joint_on is not acceptable")
    if referral.status == status:
        return referral, False
    if not wire.may_move(referral.status, status):
        raise NetworkRefused("status_backwards", f"a referral {referral.status} cannot become {status}", status=409)
    referral.status, referral.joint_on = status, joint_on
    if message:
        referral.answer_message = message
    if status in wire.FINAL_STATUSES:
        referral.answered_at = timezone.now()
    referral.save(update_fields=["status", "answer_message", "joint_on", "answered_at"])
    audit_record(actor=None, action="hub.referral_status", target=referral,
                 detail={"uuid": str(referral.uuid), "status": status})
    feed_publish(acting_user=None, kind=wire.STATUS_KIND, node=referral.from_node, payload={
        "uuid": str(referral.uuid), "status": status, "message": message,
        "joint_on": joint_on.isoformat() if joint_on else None, "changed_at": timezone.now().isoformat()})
    return referral, True

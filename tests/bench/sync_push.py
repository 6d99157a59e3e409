"""Push 100,000 and 1,000,000 outbox entries node → hub through the real processes, against `COPY`.

A hub and one node run as separate processes (gunicorn, Celery worker and beat) on PostgreSQL and
Redis, started by the federation runner. The node's outbox is filled with 100,000 directory
entries (written with COPY: building them through the services is not what is measured here); the
clock runs from asking the worker for a push until the hub has applied the last seq. The
reference is COPY of the same 100,000 rows, read back from the hub exactly as it stores them, into
an empty copy of the hub's table with its indexes, in the same run: the floor of what any way of
getting these rows into the hub's database could cost. (Until 2026-11-23 the reference wrote only
the name as search text, so its trigram index had a fraction of the work the hub's has: a floor
below the real one, which made every ratio look about half of what it was.)
"""

from __future__ import annotations

import io
import os
import time
import uuid
from pathlib import Path

import psycopg

from .common import ROOT, record

# The rate at each size (fresh deployments each time); flatness = rate at the last ÷ rate at the first.
SIZES = [int(n) for n in os.environ.get("KYODO_BENCH_SYNC_ENTRIES", "100000,1000000").split(",")]
BASE_PORT = 8310 + int(os.environ.get("KYODO_TEST_PORT_OFFSET", "0"))


def _url(deployment) -> str:
    return deployment.env["DATABASE_URL"].replace("postgres://", "postgresql://", 1)


def _payloads(center: str, entries: int) -> list[tuple[str, dict]]:
    areas = ["南湖", "浜竹", "鶴が台", "香川", "萩園", "本町"]
    return [(str(uuid.uuid4()), {
        "center": center, "name": f"ベンチ同期団体{n:06d}", "name_kana": f"ベンチドウキダンタイ{n:06d}",
        "kind": "citizen_group", "legal_form": "voluntary", "fields": sorted({1 + n % 20, 1 + (n * 7) % 20}),
        "area": areas[n % len(areas)], "description": "海岸清掃と子どもの居場所づくりに取り組む団体です。" * 2,
    }) for n in range(entries)]


def _fill_outbox(node, rows: list[tuple[str, dict]]) -> None:
    from sync.outbox import canonical_json, payload_digest

    buffer, now = io.StringIO(), time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    for entity_uuid, payload in rows:
        text = canonical_json(payload).decode().replace("\\", "\\\\")
        buffer.write(f"{now}\tdirectory_group\t{entity_uuid}\tupsert\t1\t1\t{text}\t{payload_digest(payload)}\t0\n")
    with psycopg.connect(_url(node)) as connection, connection.cursor() as cursor:
        with cursor.copy("COPY sync_outboxentry (created_at, entity_type, entity_uuid, op, schema_version, version,"
                         " payload, payload_sha256, priority) FROM STDIN") as copy:
            copy.write(buffer.getvalue())


def _copy_reference(hub) -> float:
    """Seconds for COPY of the hub's 100,000 group rows, read back exactly as the hub stores them
    (normalized search text included), into an empty copy of hub_directorygroup with its indexes."""
    columns = ("node_id, center_id, entity_uuid, version, received_at, search_text, name, name_kana, kind,"
               " legal_form, field_codes, field_index, area, description, search_indexed")
    with psycopg.connect(_url(hub)) as connection, connection.cursor() as cursor:
        rows = io.BytesIO()
        with cursor.copy(f"COPY (SELECT {columns} FROM hub_directorygroup) TO STDOUT") as copy:
            for chunk in copy:
                rows.write(chunk)
        cursor.execute("CREATE TABLE bench_copy (LIKE hub_directorygroup INCLUDING ALL)")
        connection.commit()
        try:
            started = time.perf_counter()
            with cursor.copy(f"COPY bench_copy ({columns}) FROM STDIN") as copy:
                copy.write(rows.getvalue())
            connection.commit()
            return time.perf_counter() - started
        finally:
            cursor.execute("DROP TABLE bench_copy")
            connection.commit()


def _peak_mb(pid_group: int) -> float:
    """Largest VmHWM among the processes of the worker's process group (the pool child does the push)."""
    peak = 0
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            if os.getpgid(int(status.parent.name)) != pid_group:
                continue
            for line in status.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]))
        except (OSError, ValueError):
            continue
    return peak / 1024


def _indexed_after(hub, pushed_at: float) -> float:
    """Seconds from the end of the push until the hub's indexing task has put every group into the
    substring index (the push leaves that off its path; until then search scans those rows)."""
    with psycopg.connect(_url(hub), autocommit=True) as connection:
        while connection.execute("SELECT count(*) FROM hub_directorygroup WHERE NOT search_indexed").fetchone()[0]:
            if time.time() - pushed_at > 1800:
                raise SystemExit("the groups were not indexed 30 minutes after the push")
            time.sleep(0.2)
    return time.time() - pushed_at


def _measure(entries: int) -> tuple[float, float, float, float]:
    """(push seconds, COPY seconds, worker peak MB, index lag seconds) for `entries` directory entries."""
    from deploy import federation

    base = os.environ.get("DATABASE_URL", "")
    os.environ["DATABASE_URL"] = base.rsplit("/", 1)[0] + "/postgres"  # the runner derives per-deployment DBs
    os.environ["KYODO_FEDERATION_DIR"] = str(ROOT / "var" / "bench-federation")
    os.environ["KYODO_REDIS_DB_BASE"] = "12"
    print(f"sync push: {entries:,} entries node → hub (gunicorn, Celery worker, PostgreSQL, Redis)")
    hub_box: dict = {}

    def prepare(deployment):
        if deployment.role == "hub":
            hub_box["hub"] = deployment
            return
        federation.enroll(hub_box["hub"], deployment, name="ベンチ市民活動センター", municipality_code="142077",
                          municipality_name="茅ヶ崎市")
        federation.manage(deployment, "shell", "-c", (
            "from permissions.services import organization_create;"
            "organization_create(acting_user=None, name='ベンチ市民活動センター', kind='center',"
            " municipality_code='142077', municipality_name='茅ヶ崎市')"))

    # A long interval keeps beat out of the way: the bench asks for the push itself.
    deployments = federation.up([("b-hub", "hub", "ベンチハブ"), ("b-node", "node", "ベンチノード")], prepare=prepare,
                                base_port=BASE_PORT, web_workers=2, fresh=True,
                                extra_env={"KYODO_SYNC_INTERVAL": "3600"})
    hub, node = deployments
    try:
        federation.manage(node, "shell", "-c", "from sync.client import push; push()")  # the profile first
        with psycopg.connect(_url(node)) as connection:
            center = connection.execute("SELECT uuid FROM permissions_organization WHERE kind = 'center'").fetchone()[0]
        rows = _payloads(str(center), entries)
        _fill_outbox(node, rows)
        with psycopg.connect(_url(hub)) as connection:
            start_seq = connection.execute("SELECT last_applied_seq FROM hub_node").fetchone()[0]
        # The clock starts when the task is enqueued (wall time printed by the enqueuing process), not
        # when `manage.py shell` starts: Django's start-up there is about a second, not the push.
        asked = federation.manage(node, "shell", "-c", "import time; from sync.tasks import sync_push;"
                                  " asked = time.time(); sync_push.delay(); print(asked)", capture=True)
        started = float(asked.split()[-1])
        with psycopg.connect(_url(hub), autocommit=True) as connection:
            while connection.execute("SELECT last_applied_seq FROM hub_node").fetchone()[0] < start_seq + entries:
                if time.time() - started > 1800:
                    raise SystemExit("the push did not finish in 30 minutes")
                time.sleep(0.05)
        pushed_at = time.time()
        seconds = pushed_at - started
        peak = _peak_mb(node.pids["worker"])
        print(f"  pushed in {seconds:.1f} s (load {os.getloadavg()[0]:.1f}); waiting for the substring index")
        # The reference copies the rows as the hub keeps them once indexed (in the trigram index).
        lag = _indexed_after(hub, pushed_at)
        with psycopg.connect(_url(hub)) as connection:
            held = connection.execute("SELECT count(*) FROM hub_directorygroup").fetchone()[0]
        if held != entries:
            raise SystemExit(f"the hub holds {held} groups, expected {entries}")
        copy_seconds = _copy_reference(hub)
    finally:
        federation.stop(deployments)
    return seconds, copy_seconds, peak, lag


def run() -> None:
    rates = []
    for entries in SIZES:
        seconds, copy_seconds, peak, lag = _measure(entries)
        rate, copy_rate = entries / seconds, entries / copy_seconds
        rates.append(rate)
        size = "1m" if entries >= 1_000_000 else f"{entries // 1000}k"
        print(f"  push {seconds:.1f} s ({rate:,.0f}/s); COPY of the same rows {copy_seconds:.2f} s"
              f" ({copy_rate:,.0f}/s); worker peak {peak:.0f} MB; all in the substring index {lag:.1f} s later;"
              f" load {os.getloadavg()[0]:.1f}")
        record(f"sync.push.records_per_s_{size}", rate, "records/s", "—")
        record(f"sync.push.worker_peak_mb_{size}", peak, "MB", "flat")
        record(f"sync.push.ratio_to_copy_{size}", rate / copy_rate, "ratio", "≥ 0.5")
        record(f"sync.push.index_lag_s_{size}", lag, "s", "—")
    record("sync.push.ratio_to_copy", rates[-1] / copy_rate, "ratio", "≥ 0.5")
    if len(rates) > 1:
        record("sync.push.flatness", rates[-1] / rates[0], "ratio", "≥ 0.8")


if __name__ == "__main__":
    from .common import use_bench_database

    use_bench_database()
    run()

"""Disaster latency with 5 nodes while every one of them pushes a 50,000-entry catch-up at once.

A hub and five nodes run as real processes (gunicorn, two Celery workers, beat) on PostgreSQL and a
Redis server of the bench's own. Two figures, each also measured first with no catch-up running
(the reference, same run):

- need → hub: staff post a need on a node's tablet form; the clock stops when the hub's database
  holds it (what the coordinators' board reads).
- declaration → nodes: a coordinator posts a whole-prefecture declaration (or its closing) on the
  hub; the clock stops when all five nodes' databases hold that version (what switches their
  emergency mode).

Samples under load are taken only while all five catch-ups run: the first starts once every node's
catch-up has started, and sampling stops as soon as one node has drained, so every sample lies
inside the catch-up (`disaster.samples_during_catch_up` counts those that started after the last
node started and ended before the last node drained).

The 5 s emergency tick is set to 300 s here, so the figures measure the push and poke paths alone
rather than the fallback.
"""

from __future__ import annotations

import io
import json
import logging
import os
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
import psycopg
from celery import Celery

from .common import federation_environment, percentile, record

ENTRIES = int(os.environ.get("KYODO_BENCH_DISASTER_ENTRIES", "50000"))
IDLE_NEEDS = int(os.environ.get("KYODO_BENCH_DISASTER_IDLE_NEEDS", "15"))
IDLE_DECLARATIONS = int(os.environ.get("KYODO_BENCH_DISASTER_IDLE_DECLARATIONS", "2"))  # each also closed
MIN_SAMPLES = 20  # fewer under load, and the run says the catch-up was too short to judge
OFFSET = int(os.environ.get("KYODO_TEST_PORT_OFFSET", "0"))
BASE_PORT, REDIS_PORT = 9400 + OFFSET, 6420 + OFFSET
PASSWORD = "bench-disaster-pw"
CENTERS = [("茅ヶ崎市民活動サポートセンター", "142077", "茅ヶ崎市"), ("小田原市市民活動交流センター", "142069", "小田原市"),
           ("平塚市民活動センター", "142034", "平塚市"), ("横須賀市市民活動サポートセンター", "142018", "横須賀市"),
           ("藤沢市市民活動推進センター", "142051", "藤沢市")]
HUB_SETUP = """
from django.contrib.auth import get_user_model
from permissions.services import organization_create, membership_grant
prefecture = organization_create(acting_user=None, name="神奈川県", kind="prefecture", municipality_code="140007")
user = get_user_model().objects.create_user("coordinator", password={password!r})
membership_grant(acting_user=None, user=user, organization=prefecture, role="hub_admin")
"""
TIMEOUT = 120.0


def _url(deployment) -> str:
    return deployment.env["DATABASE_URL"].replace("postgres://", "postgresql://", 1)


class Sessions:
    """Logged-in browser-like sessions and database connections of the federation."""

    def __init__(self, hub, nodes, centers: dict):
        self.hub, self.nodes, self.centers = hub, nodes, centers
        self.web = {d.name: self._login(d, "coordinator" if d is hub else "staff") for d in [hub, *nodes]}

    @staticmethod
    def _login(deployment, username: str) -> httpx.Client:
        session = httpx.Client(base_url=deployment.url, timeout=30, follow_redirects=False)
        session.get("/login/")
        response = session.post("/login/", data={"username": username, "password": PASSWORD,
                                                 "csrfmiddlewaretoken": session.cookies["csrftoken"]})
        if response.status_code != 302:
            raise SystemExit(f"{deployment.name}: login failed ({response.status_code})")
        return session

    def post(self, name: str, path: str, data: dict) -> httpx.Response:
        session = self.web[name]
        response = session.post(path, data={**data, "csrfmiddlewaretoken": session.cookies["csrftoken"]})
        if response.status_code != 302:
            raise SystemExit(f"{name}: POST {path} answered {response.status_code}: {response.text[:300]}")
        return response


def _poll(connection, query: str, params, timeout: float = TIMEOUT):
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        row = connection.execute(query, params).fetchone()
        if row is not None:
            return row
        time.sleep(0.02)
    raise SystemExit(f"timed out after {timeout:.0f} s: {query} {params}")


def declare(sessions: Sessions, name: str) -> str:
    response = sessions.post(sessions.hub.name, "/disasters/new/", {
        "name": name, "hazard": "storm_flood", "whole_prefecture": "on", "municipality_codes": ""})
    return response.headers["location"].strip("/").split("/")[-1]


def measure_declarations(sessions: Sessions, label: str, *, count: int | None = None, until=None,
                         pause: float = 0.5) -> list[tuple[float, float, float]]:
    """[(start, end, seconds)] for each declaration and each closing to be held by every node: `count`
    declarations, or as many as fit until `until()` says stop."""
    samples = []
    connections = [psycopg.connect(_url(node), autocommit=True) for node in sessions.nodes]
    try:
        declaration, n = "", 0
        while (n < count) if count is not None else not until():
            n += 1
            for closing in (False, True):
                started = time.perf_counter()
                if closing:
                    sessions.post(sessions.hub.name, f"/disasters/{declaration}/close/", {})
                    query = ("SELECT 1 FROM emergency_disasterdeclaration WHERE uuid = %s"
                             " AND closed_at IS NOT NULL")
                else:
                    declaration = declare(sessions, f"ベンチ風水害{label}{n}")
                    query = "SELECT 1 FROM emergency_disasterdeclaration WHERE uuid = %s AND closed_at IS NULL"
                for connection in connections:
                    _poll(connection, query, (declaration,))
                ended = time.perf_counter()
                samples.append((started, ended, ended - started))
                time.sleep(pause)
    finally:
        for connection in connections:
            connection.close()
    return samples


def measure_needs(sessions: Sessions, declaration: str, *, count: int | None = None, until=None, on=None,
                  pause: float = 0.3) -> list[tuple[float, float, float]]:
    """[(start, end, seconds)] from posting a need on a node's form to the hub's database holding it:
    `count` needs, or as many as fit until `until()` says stop; the nodes `on` (default all) take turns."""
    samples = []
    posting = on or sessions.nodes
    hub = psycopg.connect(_url(sessions.hub), autocommit=True)
    nodes = {node.name: psycopg.connect(_url(node), autocommit=True) for node in posting}
    try:
        n = -1
        while (n + 1 < count) if count is not None else not until():
            n += 1
            node = posting[n % len(posting)]
            center, code = sessions.centers[node.name]
            started = time.perf_counter()
            sessions.post(node.name, f"/emergency/{declaration}/centers/{center}/needs/", {
                "sector": ["wash", "food", "shelter", "health"][n % 4], "priority": "high", "municipality_code": code,
                "place_name": "市民体育館", "kind_1": "item", "description_1": "飲料水", "quantity_1": str(10 + n),
                "unit_1": "箱"})
            # Each node's needs are posted one at a time, so the node's newest need is this one.
            (need,) = nodes[node.name].execute("SELECT uuid FROM emergency_disasterneed ORDER BY id DESC LIMIT 1"
                                               ).fetchone()
            _poll(hub, "SELECT 1 FROM hub_disasterneedcopy WHERE entity_uuid = %s", (need,))
            ended = time.perf_counter()
            samples.append((started, ended, ended - started))
            time.sleep(pause)
    finally:
        hub.close()
        for connection in nodes.values():
            connection.close()
    return samples


def _outbox_rows(center: str) -> str:
    """ENTRIES directory entries as COPY rows for a node's outbox (building them is not measured)."""
    from sync.outbox import canonical_json, payload_digest

    buffer, now = io.StringIO(), time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    for n in range(ENTRIES):
        payload = {"center": center, "name": f"ベンチ災害時団体{n:06d}", "name_kana": f"ベンチサイガイジダンタイ{n:06d}",
                   "kind": "citizen_group", "legal_form": "voluntary", "fields": sorted({1 + n % 20, 1 + (n * 7) % 20}),
                   "area": "海岸", "description": "防災訓練と避難所運営の手伝いに取り組む団体です。"}
        text = canonical_json(payload).decode().replace("\\", "\\\\")
        buffer.write(f"{now}\tdirectory_group\t{uuid.uuid4()}\tupsert\t1\t1\t{text}\t{payload_digest(payload)}\t0\n")
    return buffer.getvalue()


def _fill_outboxes(nodes, centers: dict) -> None:
    """Every node's backlog, COPYed in one transaction per node, all committed together at the end:
    no node's scheduled push can start on its backlog while the next node's is still being written."""
    rows = {node.name: _outbox_rows(centers[node.name][0]) for node in nodes}
    connections = [psycopg.connect(_url(node)) for node in nodes]
    try:
        for node, connection in zip(nodes, connections, strict=True):
            with connection.cursor() as cursor, cursor.copy(
                    "COPY sync_outboxentry (created_at, entity_type, entity_uuid, op, schema_version, version,"
                    " payload, payload_sha256, priority) FROM STDIN") as copy:
                copy.write(rows[node.name])
        for connection in connections:
            connection.commit()
    finally:
        for connection in connections:
            connection.close()


class CatchUp:
    """Watches the hub apply every node's backlog: when each started and when each drained."""

    def __init__(self, hub, before: dict[str, int], targets: dict[str, int]):
        self.hub, self.before, self.targets = hub, before, targets
        self.started: dict[str, float] = {}
        self.finished: dict[str, float] = {}
        self.stopped = False
        self.thread = threading.Thread(target=self._watch, daemon=True)

    def _applied(self, connection) -> dict[str, int]:
        return dict(connection.execute("SELECT slug, last_applied_seq FROM hub_node WHERE slug = ANY(%s)",
                                       (list(self.targets),)).fetchall())

    def _watch(self) -> None:
        first = self.before
        with psycopg.connect(_url(self.hub), autocommit=True) as connection:
            while not self.stopped and len(self.finished) < len(self.targets):
                now = time.perf_counter()
                for slug, applied in self._applied(connection).items():
                    if slug not in self.started and applied > first[slug]:
                        self.started[slug] = now
                    if slug not in self.finished and applied >= self.targets[slug]:
                        self.finished[slug] = now
                time.sleep(0.1)

    @property
    def all_started(self) -> float | None:
        return max(self.started.values()) if len(self.started) == len(self.targets) else None

    @property
    def first_drained(self) -> bool:
        return bool(self.finished)

    @property
    def last_finished(self) -> float | None:
        return max(self.finished.values()) if len(self.finished) == len(self.targets) else None

    def covers(self, start: float, end: float) -> bool:
        """Whether a sample lies inside the catch-up: after every node started, before the last drained."""
        begun, ended = self.all_started, self.last_finished
        return begun is not None and start >= begun and (ended is None or end <= ended)


def _figures(samples: list[tuple[float, float, float]]) -> tuple[float, float]:
    seconds = [s for _start, _end, s in samples]
    return percentile(seconds, 50), percentile(seconds, 95)


def run() -> None:
    from deploy import federation
    from tests.federation.common import CENTER_SETUP

    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per poll otherwise
    redis_server = federation_environment("disaster", REDIS_PORT)
    print(f"disaster latency: hub + {len(CENTERS)} nodes, each catching up {ENTRIES:,} entries at once")
    specs = [("bd-hub", "hub", "ベンチハブ")] + [(f"bd-node{i + 1}", "node", c[0]) for i, c in enumerate(CENTERS)]
    hub_box, centers = {}, {}

    def prepare(deployment):
        if deployment.role == "hub":
            hub_box["hub"] = deployment
            federation.manage(deployment, "shell", "-c", HUB_SETUP.format(password=PASSWORD))
            return
        name, code, municipality = CENTERS[int(deployment.name.removeprefix("bd-node")) - 1]
        federation.enroll(hub_box["hub"], deployment, name=name, municipality_code=code, municipality_name=municipality)
        out = federation.manage(deployment, "shell", "-c", CENTER_SETUP.format(
            name=name, code=code, municipality=municipality, password=PASSWORD), capture=True)
        centers[deployment.name] = (json.loads(out.strip().splitlines()[-1])["center"], code)

    deployments, catch_up = [], None
    try:
        deployments = federation.up(specs, prepare=prepare, base_port=BASE_PORT, web_workers=2, fresh=True,
                                    extra_env={"KYODO_SYNC_INTERVAL": "60", "KYODO_EMERGENCY_SYNC_SECONDS": "300"})
        hub, nodes = deployments[0], deployments[1:]
        with psycopg.connect(_url(hub), autocommit=True) as connection:
            _poll(connection, "SELECT 1 FROM hub_nodecenter HAVING count(*) >= %s", (len(nodes),), timeout=180)
        sessions = Sessions(hub, nodes, centers)

        # The reference: nothing else running.
        idle_declare = measure_declarations(sessions, "（参照）", count=IDLE_DECLARATIONS)
        base_declaration = declare(sessions, "ベンチ県域災害")
        for node in nodes:
            with psycopg.connect(_url(node), autocommit=True) as connection:
                _poll(connection, "SELECT 1 FROM emergency_disasterdeclaration WHERE uuid = %s", (base_declaration,))
        idle_needs = measure_needs(sessions, base_declaration, count=IDLE_NEEDS)

        # The catch-up: ENTRIES entries on every node, each pushed by the node's ordinary worker.
        with psycopg.connect(_url(hub), autocommit=True) as connection:
            applied = dict(connection.execute("SELECT slug, last_applied_seq FROM hub_node").fetchall())
        targets = {}
        for node in nodes:
            with psycopg.connect(_url(node), autocommit=True) as connection:
                unsent = connection.execute("SELECT count(*) FROM sync_outboxentry WHERE publish_seq IS NULL"
                                            " OR publish_seq > %s", (applied[node.name],)).fetchone()[0]
            targets[node.name] = applied[node.name] + unsent + ENTRIES
        catch_up = CatchUp(hub, applied, targets)
        catch_up.thread.start()
        _fill_outboxes(nodes, centers)
        for node in nodes:  # straight to each node's broker: all five start within milliseconds
            with Celery(broker=node.env["REDIS_URL"]) as app:
                app.send_task("sync.tasks.sync_push", queue="default")
        deadline = time.perf_counter() + 120
        while catch_up.all_started is None and time.perf_counter() < deadline:
            time.sleep(0.1)
        if catch_up.all_started is None:
            raise SystemExit(f"catch-up did not start on every node: started {sorted(catch_up.started)}")
        # Sampling stops once a node has drained, so no sample is taken while fewer than five catch up.
        # Staff of all five centers post needs at once, each center one after another.
        results: dict = {}
        with ThreadPoolExecutor(max_workers=len(nodes) + 1) as pool:
            declaring = pool.submit(measure_declarations, sessions, "", until=lambda: catch_up.first_drained, pause=0.2)
            posting = [pool.submit(measure_needs, sessions, base_declaration, until=lambda: catch_up.first_drained,
                                   on=[node], pause=0.2) for node in nodes]
            results["declare"] = declaring.result()
            results["needs"] = [sample for future in posting for sample in future.result()]
        deadline = time.perf_counter() + 1800
        while catch_up.last_finished is None and time.perf_counter() < deadline:
            time.sleep(0.5)
    finally:
        if catch_up is not None:
            catch_up.stopped = True
        federation.stop(deployments)
        redis_server.kill()
    needs, declarations = results["needs"], results["declare"]
    if not needs or not declarations:
        raise SystemExit(f"no sample fitted in the catch-up ({len(needs)} needs, {len(declarations)} declarations):"
                         f" all five running from {catch_up.all_started}, drained {catch_up.finished}")
    if catch_up.last_finished is None:
        raise SystemExit(f"catch-up not drained within 30 minutes: drained {sorted(catch_up.finished)}")
    during = {key: sum(catch_up.covers(start, end) for start, end, _s in samples)
              for key, samples in (("needs", needs), ("declare", declarations))}
    if min(len(needs), len(declarations)) < MIN_SAMPLES // 4 or len(needs) + len(declarations) < MIN_SAMPLES:
        print(f"  WARNING: only {len(needs)} needs and {len(declarations)} declarations fit in the catch-up")
    need50, need95 = _figures(needs)
    decl50, decl95 = _figures(declarations)
    ref_need50, ref_need95 = _figures(idle_needs)
    ref_decl50, ref_decl95 = _figures(idle_declare)
    first_start = min(catch_up.started.values())
    seconds = catch_up.last_finished - first_start
    total = ENTRIES * len(targets)
    print(f"  catch-up: {len(targets)} × {ENTRIES:,} entries in {seconds:.1f} s ({total / max(seconds, 0.001):,.0f}/s"
          f" at the hub); all five running for {min(catch_up.finished.values()) - catch_up.all_started:.1f} s")
    print(f"  need → hub: {len(needs)} needs ({during['needs']} inside the catch-up): p50 {need50:.2f} s, "
          f"p95 {need95:.2f} s; with nothing running ({len(idle_needs)}): p50 {ref_need50:.2f} s, p95 {ref_need95:.2f} s")
    print(f"  declaration → 5 nodes: {len(declarations)} ({during['declare']} inside the catch-up): "
          f"p50 {decl50:.2f} s, p95 {decl95:.2f} s; with nothing running ({len(idle_declare)}): "
          f"p50 {ref_decl50:.2f} s, p95 {ref_decl95:.2f} s")
    record("disaster.need_to_hub.p50_s", need50, "s", "—")
    record("disaster.need_to_hub.p95_s", need95, "s", "≤ 1")
    record("disaster.need_to_hub.p95_ratio_to_idle", need95 / ref_need95, "ratio", "—")
    record("disaster.declare_to_nodes.p50_s", decl50, "s", "—")
    record("disaster.declare_to_nodes.p95_s", decl95, "s", "≤ 2")
    record("disaster.declare_to_nodes.p95_ratio_to_idle", decl95 / ref_decl95, "ratio", "—")
    record("disaster.samples_during_catch_up", (during["needs"] + during["declare"]) / (len(needs) + len(declarations)),
           "share", "1.0")
    record("disaster.catch_up.entries_per_s", total / max(seconds, 0.001), "entries/s", "—")


if __name__ == "__main__":
    from .common import use_bench_database

    use_bench_database()
    run()

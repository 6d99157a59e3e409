"""Hub pages under load: 50 coordinators at once on the library (with searches), the statistics and the
disaster board while a node pushes a catch-up.

A hub and one node run as real processes (deploy/federation.py: gunicorn, Celery workers, beat) on
PostgreSQL and a Redis server of the bench's own; Locust (tests/bench/locust_hub.py) drives the
coordinators over loopback HTTP, headless and bounded in time. The node first shares CASES cases
(the library and statistics read them), a coordinator declares a disaster, then:

- the reference: the same pages read by one coordinator, back to back, nothing else running;
- the load: USERS coordinators signing in one a second, then each reading a page for 5–15 s before the
  next, while the node pushes ENTRIES directory entries; the pages are measured from the last sign-in
  on, and the push must run for the whole load (`hub.load.samples_during_push`).

Figures: p95 of the page requests (sign-in excluded) and every failed request (status other than
200, a page without its content, or a sign-in refused).
"""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
import time
import uuid

import httpx
import psycopg

from .common import ROOT, federation_environment, percentile, record

USERS = int(os.environ.get("KYODO_BENCH_LOAD_USERS", "50"))
SECONDS = int(os.environ.get("KYODO_BENCH_LOAD_SECONDS", "60"))
REFERENCE_SECONDS = int(os.environ.get("KYODO_BENCH_LOAD_REFERENCE_SECONDS", "20"))
# Coordinators signing in per second. A sign-in hashes the password (PBKDF2, about a second of CPU on
# this machine): fifty at once keep both cores busy for a minute, and every page waits behind them.
# An office signs in over the morning; the pages are measured once the last has signed in.
SIGN_INS_PER_S = float(os.environ.get("KYODO_BENCH_LOAD_SIGN_INS_PER_S", "1"))
CASES = int(os.environ.get("KYODO_BENCH_LOAD_CASES", "5000"))
ENTRIES = int(os.environ.get("KYODO_BENCH_LOAD_ENTRIES", "100000"))
OFFSET = int(os.environ.get("KYODO_TEST_PORT_OFFSET", "0"))
BASE_PORT, REDIS_PORT = 9420 + OFFSET, 6421 + OFFSET
PASSWORD = "bench-load-pw"
CENTER = ("茅ヶ崎市民活動サポートセンター", "142077", "茅ヶ崎市")
WORDS = ["猫", "子育て", "防災", "高齢者", "環境", "清掃", "まちづくり", "国際交流", "図書館", "公園", "見守り", "食堂"]
HUB_SETUP = """
from django.contrib.auth import get_user_model
from permissions.services import organization_create, membership_grant
prefecture = organization_create(acting_user=None, name="神奈川県", kind="prefecture", municipality_code="140007")
for n in range(1, {users} + 1):
    user = get_user_model().objects.create_user(f"coordinator{{n:02d}}", password={password!r})
    membership_grant(acting_user=None, user=user, organization=prefecture, role="hub_admin" if n == 1 else "coordinator")
"""


def _url(deployment) -> str:
    return deployment.env["DATABASE_URL"].replace("postgres://", "postgresql://", 1)


def _applied(hub) -> int:
    with psycopg.connect(_url(hub), autocommit=True) as connection:
        return connection.execute("SELECT last_applied_seq FROM hub_node").fetchone()[0]


def _fill_outbox(node, rows) -> int:
    """(entity type, payload) rows straight into the node's outbox (COPY: building them is not measured)."""
    from sync.outbox import canonical_json, payload_digest

    buffer, now, count = io.StringIO(), time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), 0
    for entity_type, payload in rows:
        text = canonical_json(payload).decode().replace("\\", "\\\\")
        buffer.write(f"{now}\t{entity_type}\t{uuid.uuid4()}\tupsert\t1\t1\t{text}\t{payload_digest(payload)}\t0\n")
        count += 1
    with psycopg.connect(_url(node)) as connection, connection.cursor() as cursor:
        with cursor.copy("COPY sync_outboxentry (created_at, entity_type, entity_uuid, op, schema_version, version,"
                         " payload, payload_sha256, priority) FROM STDIN") as copy:
            copy.write(buffer.getvalue())
    return count


def _cases(center: str):
    from tests.hub import payloads

    forms = ["kyodo_suishin_gyosei", "kyodo_suishin_shimin", "jigyo_kyoryoku", "kyosai", "koen", "itaku"]
    for n in range(CASES):
        first, second = WORDS[n % len(WORDS)], WORDS[(n * 7 + 3) % len(WORDS)]
        start = 2016 + n % 9
        yield "shared_case", payloads.case(
            center, title=f"{first}と{second}の協働事業{n:05d}", summary=f"{first}に取り組む団体と市が{second}の活動を進めた。",
            lessons="関係者への丁寧な説明が欠かせない。", form=forms[n % len(forms)], fields=sorted({1 + n % 20, 1 + n * 3 % 20}),
            fiscal_year_start=start, fiscal_year_end=start + n % 3, outcome=["continued", "ended", "reduced"][n % 3])


def _groups(center: str):
    for n in range(ENTRIES):
        yield "directory_group", {
            "center": center, "name": f"ベンチ負荷団体{n:06d}", "name_kana": f"ベンチフカダンタイ{n:06d}",
            "kind": "citizen_group", "legal_form": "voluntary", "fields": sorted({1 + n % 20, 1 + (n * 7) % 20}),
            "area": "海岸", "description": "地域の清掃と見守りに取り組む団体です。"}


def _push(node) -> None:
    from deploy import federation

    federation.manage(node, "shell", "-c", "from sync.tasks import sync_push; sync_push.delay()")


def _wait_applied(hub, target: int, timeout: float) -> None:
    deadline = time.perf_counter() + timeout
    while _applied(hub) < target:
        if time.perf_counter() > deadline:
            raise SystemExit(f"the hub applied {_applied(hub)} of {target} entries in {timeout:.0f} s")
        time.sleep(0.5)


def _declare(hub) -> str:
    session = httpx.Client(base_url=hub.url, timeout=30)
    session.get("/login/")
    session.post("/login/", data={"username": "coordinator01", "password": PASSWORD,
                                  "csrfmiddlewaretoken": session.cookies["csrftoken"]})
    response = session.post("/disasters/new/", data={
        "name": "ベンチ負荷試験の風水害", "hazard": "storm_flood", "whole_prefecture": "on", "municipality_codes": "",
        "csrfmiddlewaretoken": session.cookies["csrftoken"]})
    if response.status_code != 302:
        raise SystemExit(f"declaring the disaster answered {response.status_code}")
    return response.headers["location"].strip("/").split("/")[-1]


def locust(hub, *, users: int, seconds: int, disaster: str, label: str, wait: str = "5,15") -> list[dict]:
    """Run Locust headless against the hub: the users sign in SIGN_INS_PER_S a second, then read for
    `seconds`; the raw samples of every request."""
    samples = ROOT / "var" / "bench-load" / f"samples-{label}.jsonl"
    samples.unlink(missing_ok=True)
    env = {**os.environ, "KYODO_LOAD_PASSWORD": PASSWORD, "KYODO_LOAD_DISASTER": disaster,
           "KYODO_LOAD_QUERIES": ",".join(WORDS), "KYODO_LOAD_SAMPLES": str(samples), "KYODO_LOAD_WAIT": wait}
    locust_bin = os.path.join(os.path.dirname(sys.executable), "locust")
    signing_in = int(users / SIGN_INS_PER_S)
    subprocess.run([locust_bin, "-f", str(ROOT / "tests" / "bench" / "locust_hub.py"), "--headless",
                    "--users", str(users), "--spawn-rate", str(SIGN_INS_PER_S),
                    "--run-time", f"{signing_in + seconds}s",
                    "--host", hub.url, "--only-summary", "--loglevel", "WARNING", "--stop-timeout", "10",
                    "--exit-code-on-error", "0"], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL,
                   timeout=signing_in + seconds + 120)
    return [json.loads(line) for line in samples.read_text(encoding="utf-8").splitlines()]


def _figures(samples: list[dict]) -> dict:
    # Pages read once everyone has signed in (sign-ins themselves are not pages).
    signed_in = max((s["at"] for s in samples if s["name"] == "login"), default=0)
    pages = [s for s in samples if s["name"] != "login" and s["at"] >= signed_in]
    errors = [s for s in samples if s["error"]]
    by_page = {}
    for sample in pages:
        by_page.setdefault(sample["name"], []).append(sample["ms"])
    return {"p50": percentile([s["ms"] for s in pages], 50), "p95": percentile([s["ms"] for s in pages], 95),
            "requests": len(pages), "errors": len(errors), "first_errors": [s["error"] for s in errors[:3]],
            "pages": {name: percentile(ms, 95) for name, ms in sorted(by_page.items())},
            "span": (min(s["at"] for s in samples), max(s["at"] for s in samples)), "seconds": _span(pages)}


def _span(pages: list[dict]) -> float:
    return max(pages[-1]["at"] - pages[0]["at"], 1.0) if len(pages) > 1 else 1.0


def run() -> None:
    from deploy import federation
    from tests.federation.common import CENTER_SETUP

    logging.getLogger("httpx").setLevel(logging.WARNING)
    redis_server = federation_environment("load", REDIS_PORT)
    print(f"hub under load: {USERS} coordinators for {SECONDS} s while a node pushes {ENTRIES:,} entries"
          f" ({CASES:,} shared cases in the library)")
    hub_box, center_box = {}, {}

    def prepare(deployment):
        if deployment.role == "hub":
            hub_box["hub"] = deployment
            federation.manage(deployment, "shell", "-c", HUB_SETUP.format(users=USERS, password=PASSWORD))
            return
        name, code, municipality = CENTER
        federation.enroll(hub_box["hub"], deployment, name=name, municipality_code=code, municipality_name=municipality)
        out = federation.manage(deployment, "shell", "-c", CENTER_SETUP.format(
            name=name, code=code, municipality=municipality, password=PASSWORD), capture=True)
        center_box["center"] = json.loads(out.strip().splitlines()[-1])["center"]

    deployments = []
    try:
        deployments = federation.up([("bl-hub", "hub", "ベンチハブ（負荷）"), ("bl-node", "node", CENTER[0])],
                                    prepare=prepare, base_port=BASE_PORT, web_workers=2, fresh=True,
                                    # Every coordinator signs in from 127.0.0.1 here; the per-address
                                    # limit (20 a minute) is for one person's address, not a whole office.
                                    extra_env={"KYODO_SYNC_INTERVAL": "60", "KYODO_LOGIN_ATTEMPTS_PER_ADDRESS": "500"})
        hub, node = deployments
        started = time.perf_counter()
        _wait_applied(hub, 1, 120)  # the node's own profile and center first
        target = _applied(hub) + _fill_outbox(node, _cases(center_box["center"]))
        _push(node)
        _wait_applied(hub, target, 900)
        print(f"  library: {CASES:,} cases shared in {time.perf_counter() - started:.0f} s")
        disaster = _declare(hub)

        reference = _figures(locust(hub, users=1, seconds=REFERENCE_SECONDS, disaster=disaster, label="reference",
                                    wait="0.2,0.5"))
        target = _applied(hub) + _fill_outbox(node, _groups(center_box["center"]))
        before = _applied(hub)
        _push(node)
        deadline = time.perf_counter() + 60
        while _applied(hub) == before and time.perf_counter() < deadline:
            time.sleep(0.2)
        push_started = time.time()
        loaded = _figures(locust(hub, users=USERS, seconds=SECONDS, disaster=disaster, label="load"))
        applied_after = _applied(hub)
        still_pushing = applied_after < target
    finally:
        federation.stop(deployments)
        redis_server.kill()
    first, last = loaded["span"]
    during = 1.0 if still_pushing and first >= push_started else 0.0
    print(f"  reference, 1 coordinator: {reference['requests']} pages, p50 {reference['p50']:.0f} ms,"
          f" p95 {reference['p95']:.0f} ms, {reference['errors']} errors")
    print(f"  {USERS} coordinators (signed in {SIGN_INS_PER_S:g}/s, then {SECONDS} s of reading):"
          f" {loaded['requests']} pages ({loaded['requests'] / loaded['seconds']:.1f}/s),"
          f" p50 {loaded['p50']:.0f} ms, p95 {loaded['p95']:.0f} ms, {loaded['errors']} errors {loaded['first_errors']}")
    print("  p95 by page: " + ", ".join(f"{name} {ms:.0f} ms" for name, ms in loaded["pages"].items()))
    print(f"  the push: {applied_after - before:,} of {target - before:,} entries applied during the load"
          f" ({'still running at the end' if still_pushing else 'FINISHED before the load ended'})")
    record("hub.load.p95_ms", loaded["p95"], "ms", "≤ 500")
    record("hub.load.errors", loaded["errors"], "requests", "0")
    record("hub.load.p95_ms_reference", reference["p95"], "ms", "—")
    record("hub.load.p95_ratio", loaded["p95"] / reference["p95"], "ratio", "—")
    record("hub.load.pages_per_s", loaded["requests"] / loaded["seconds"], "pages/s", "—")
    record("hub.load.samples_during_push", during, "share", "1.0")


if __name__ == "__main__":
    from .common import use_bench_database

    use_bench_database()
    run()

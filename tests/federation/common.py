"""The federation under test: a hub and two nodes as real processes on PostgreSQL and a Redis of
their own, with helpers to reach their databases, APIs and the `kyodo` command."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import time
from pathlib import Path

import httpx
import psycopg
import pytest

from deploy import federation

BASE_PORT = 8210
REDIS_PORT = 6391
PASSWORD = "federation-test-pw"

# The node's key (what `kyodo sync keygen` makes), its center and a staff login, in one process: each
# Django start-up costs seconds of a busy core, and every module's federation enrolls its nodes.
CENTER_SETUP = """
import io
import json
from django.contrib.auth import get_user_model
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from permissions.services import organization_create, membership_grant
keygen = io.StringIO()
call_command("sync_keygen", stdout=keygen)
center = organization_create(acting_user=None, name={name!r}, kind="center", municipality_code={code!r},
                             municipality_name={municipality!r})
user = get_user_model().objects.create_user("staff", password={password!r})
membership_grant(acting_user=None, user=user, organization=center, role="center_staff")
print(json.dumps({{"center": str(center.uuid), "token": Token.objects.create(user=user).key,
                  "public_key": json.loads(keygen.getvalue().strip().splitlines()[-1])["public_key"]}}))
"""


def enroll_center(hub, deployment, name: str, code: str, municipality: str) -> dict:
    """Give a node its key, its center and a staff login, and enroll it with the hub (as
    deploy.federation.enroll does): {"center", "token"}."""
    out = federation.manage(deployment, "shell", "-c", CENTER_SETUP.format(
        name=name, code=code, municipality=municipality, password=PASSWORD), capture=True)
    made = json.loads(out.strip().splitlines()[-1])
    federation.manage(hub, "hub_enroll_node", "--name", name, "--slug", deployment.name, "--municipality-code", code,
                      "--municipality-name", municipality, "--base-url", deployment.url,
                      "--public-key", made.pop("public_key"))
    return made


def wait(predicate, timeout: float = 60.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


class Federation:
    def __init__(self, deployments, nodes: dict, redis_server: PrivateRedis):
        self.by_name = {d.name: d for d in deployments}
        self.nodes = nodes
        self.redis = redis_server

    def sql(self, name: str, query: str, params=()):
        url = self.by_name[name].env["DATABASE_URL"].replace("postgres://", "postgresql://", 1)
        with psycopg.connect(url) as connection:
            return connection.execute(query, params).fetchall()

    def api(self, node: str) -> httpx.Client:
        return httpx.Client(base_url=self.by_name[node].url, timeout=20,
                            headers={"Authorization": f"Token {self.nodes[node]['token']}"})

    def directory(self) -> set[str]:
        return {row[0] for row in self.sql("t-hub", "SELECT name FROM hub_directorygroup")}


class PrivateRedis:
    """A Redis server of the federation's own, so a test can restart it without touching anyone else's."""

    def __init__(self, port: int, folder: Path):
        self.port, self.folder, self.process = port, folder, None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait(lambda: subprocess.run(["redis-cli", "-p", str(self.port), "ping"], capture_output=True,
                                     text=True).stdout.strip() == "PONG", timeout=20, what="redis to start")

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()


CENTERS = {"chigasaki": ("茅ヶ崎市民活動サポートセンター", "142077", "茅ヶ崎市"),
           "odawara": ("小田原市市民活動交流センター UMECO", "142069", "小田原市")}


def start_federation(tmp_path_factory, *, base_port: int = BASE_PORT, redis_port: int = REDIS_PORT,
                     prefix: str = "t", env: dict | None = None, centers: dict | None = None):
    """A hub `<prefix>-hub` and nodes `<prefix>-chigasaki`, `<prefix>-odawara` (or one node per entry of
    `centers`: name → (center, municipality code, municipality)). Modules that run their own
    federation pass other ports and prefix, so they never meet another module's processes or databases."""
    with federation_environment(tmp_path_factory, redis_port, "federation") as (redis_server, offset):
        yield from _federation(redis_server, base_port + offset, prefix, env, centers)


def _federation(redis_server, base_port: int, prefix: str, env: dict | None, centers: dict | None):
    centers = {f"{prefix}-{name}": center for name, center in (centers or CENTERS).items()}
    specs = [(f"{prefix}-hub", "hub", "テストハブ"), *((name, "node", center[2]) for name, center in centers.items())]
    nodes: dict = {}
    hub_box: dict = {}

    def prepare(deployment):
        if deployment.role == "hub":
            hub_box["hub"] = deployment
            return
        nodes[deployment.name] = enroll_center(hub_box["hub"], deployment, *centers[deployment.name])

    # Small batches and a short lease make a killed worker's push observable and recoverable in a test.
    deployments = federation.up(specs, prepare=prepare, base_port=base_port, web_workers=1, fresh=True,
                                extra_env={"KYODO_SYNC_INTERVAL": "3", "KYODO_SYNC_BATCH_ENTRIES": "100",
                                           "KYODO_SYNC_LEASE_SECONDS": "10", **(env or {})})
    try:
        yield Federation(deployments, nodes, redis_server)
    finally:
        # Killed, not shut down gracefully: the next module starts on fresh databases anyway.
        federation.stop(deployments, grace=0)


@contextlib.contextmanager
def federation_environment(tmp_path_factory, redis_port: int, folder: str):
    """A Redis server of the federation's own and the environment its processes read (restored after);
    yields the server and the port offset (KYODO_TEST_PORT_OFFSET lets two checkouts run federation
    modules side by side on one machine)."""
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")) or not os.environ.get(
            "REDIS_URL"):
        pytest.fail("federation tests run on PostgreSQL and Redis: set DATABASE_URL and REDIS_URL (make test does)")
    offset = int(os.environ.get("KYODO_TEST_PORT_OFFSET", "0"))
    redis_server = PrivateRedis(redis_port + offset, tmp_path_factory.mktemp("redis"))
    redis_server.start()
    saved = {name: os.environ.get(name) for name in ("REDIS_URL", "KYODO_FEDERATION_DIR", "KYODO_REDIS_DB_BASE")}
    os.environ.update(REDIS_URL=redis_server.url, KYODO_FEDERATION_DIR=str(tmp_path_factory.mktemp(folder)),
                      KYODO_REDIS_DB_BASE="0")
    try:
        yield redis_server, offset
    finally:
        redis_server.kill()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


# Federations that several modules share, started once for all of them (a start costs a minute or two
# of both cores). A module joins one with `pytestmark = pytest.mark.xdist_group(NAME)` and a module-scoped
# `fed` fixture returning `shared_federation(NAME, tmp_path_factory)`; its tests then keep to their own
# records (their own centers, names and uuids) and never assume the hub holds theirs alone.
# tests/conftest.py runs a group's modules one after another, tests/parallel.py on one worker, and
# tests/federation/conftest.py stops the federation after the group's last test.
SHARED = {
    # Centers of 横浜市 and the 湘南・県西 area, the centers' network and the prefectural library:
    # referral, training, network, introduction, case library, shared library, privacy.
    "network": {"base_port": 9300, "redis_port": 6410, "prefix": "net", "centers": {
        "yokohama": ("横浜市市民協働推進センター", "141003", "横浜市"),
        "nishiku": ("にしく市民活動支援センター", "141038", "横浜市西区"),
        "kohoku": ("港北区区民活動支援センター", "141097", "横浜市港北区"),
        "chigasaki": ("茅ヶ崎市民活動サポートセンター", "142077", "茅ヶ崎市"),
        "odawara": ("小田原市市民活動交流センター UMECO", "142069", "小田原市"),
        "kawasaki": ("かわさき市民活動センター", "141305", "川崎市")}},
}
_running: dict[str, tuple] = {}


def shared_federation(name: str, tmp_path_factory) -> Federation:
    """The running federation `name` of SHARED, started on first use."""
    if name not in _running:
        run = start_federation(tmp_path_factory, **SHARED[name])
        _running[name] = (run, next(run))
    return _running[name][1]


def stop_shared(*, keep: str | None = None) -> None:
    """Stop every shared federation but `keep`."""
    for name in [name for name in _running if name != keep]:
        run, _fed = _running.pop(name)
        run.close()  # start_federation's `finally`: the processes killed, the environment restored


def group(client: httpx.Client, name: str, **extra) -> dict:
    response = client.post("/api/v1/groups/", json={
        "name": name, "name_kana": "テスト", "activity_fields": [7], "area": "海岸",
        "representative_name": "石井 花子", "contact_phone": "0467-99-1234", "contact_email": "rep@example.jp",
        **extra})
    assert response.status_code == 201, response.text
    return response.json()


def status(fed, node: str) -> dict:
    out = subprocess.run([federation._bin("kyodo"), "sync", "status", "--node", node, "--json"], capture_output=True,
                         text=True, check=True, env={**os.environ}).stdout
    return json.loads(out)




def login(deployment, username: str = "staff", password: str = PASSWORD) -> httpx.Client:
    session = httpx.Client(base_url=deployment.url, timeout=30, follow_redirects=False)
    session.get("/login/")
    response = session.post("/login/", data={"username": username, "password": password,
                                             "csrfmiddlewaretoken": session.cookies["csrftoken"]})
    assert response.status_code == 302, response.text[:500]
    return session


def post(session: httpx.Client, path: str, data: dict) -> httpx.Response:
    return session.post(path, data={**data, "csrfmiddlewaretoken": session.cookies["csrftoken"]})


def shell(fed, name: str, script: str):
    """Run `script` in the deployment's Django shell; its last printed line is JSON."""
    out = federation.manage(fed.by_name[name], "shell", "-c", script, capture=True)
    return json.loads(out.strip().splitlines()[-1])

"""Local federation runner: real processes (gunicorn, Celery worker and beat) per deployment.

Embedded by default (one SQLite database and one file-system Celery queue per deployment under
var/federation/); with DATABASE_URL set, one PostgreSQL database per deployment on that server,
and with REDIS_URL set, one Redis database number per deployment.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx

ROOT = Path(__file__).resolve().parent.parent
BASE_PORT = 8100


def state_dir() -> Path:
    return Path(os.environ.get("KYODO_FEDERATION_DIR", ROOT / "var" / "federation")).resolve()


@dataclass
class Deployment:
    name: str
    role: str
    port: int
    title: str
    data_dir: str
    env: dict[str, str] = field(default_factory=dict)
    pids: dict[str, int] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def _python() -> str:
    return sys.executable


def _bin(name: str) -> str:
    candidate = Path(sys.executable).with_name(name)
    return str(candidate) if candidate.exists() else name


# The databases this process has just created as copies of a migrated template: nothing to migrate.
_COPIED_FROM_TEMPLATE: set[str] = set()


def _database_url_for(base_url: str, name: str, role: str, *, fresh: bool) -> str:
    """Same server as `base_url`, database kyodo_fed_<name>; created when missing (re-created if fresh)
    as a copy of the role's migrated template (deploy.pg_templates)."""
    import psycopg

    from deploy import pg_templates

    parts = urlsplit(base_url)
    database = f"kyodo_fed_{name.replace('-', '_')}"
    admin = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        if fresh:
            connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,)).fetchone()
    if not exists:
        template = pg_templates.template_for(admin, lambda other: urlunsplit(parts._replace(path=f"/{other}")), role)
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{database}" TEMPLATE "{template}"')
        _COPIED_FROM_TEMPLATE.add(urlunsplit(parts._replace(path=f"/{database}")))
    return urlunsplit(parts._replace(path=f"/{database}"))


def _copied_from_template(deployment: Deployment) -> bool:
    """Whether the deployment's database is a fresh copy of a migrated template, so `migrate` would
    find nothing to do. On the embedded default, a deployment without a database gets its copy here
    (deploy.sqlite_templates): migrating SQLite costs most of a minute a deployment."""
    if "DATABASE_URL" in deployment.env:
        return deployment.env["DATABASE_URL"] in _COPIED_FROM_TEMPLATE
    from deploy import sqlite_templates

    database = Path(deployment.data_dir) / "db.sqlite3"
    if database.exists():
        return False
    sqlite_templates.copy_to(database, deployment.env["KYODO_ROLE"])
    return True


def _redis_url_for(base_url: str, index: int, *, fresh: bool) -> str:
    """Database number KYODO_REDIS_DB_BASE + index (default 1 + index) on the same Redis server."""
    parts = urlsplit(base_url)
    url = urlunsplit(parts._replace(path=f"/{int(os.environ.get('KYODO_REDIS_DB_BASE', '1')) + index}"))
    if fresh:
        import redis

        redis.Redis.from_url(url).flushdb()
    return url


def _kyodo_role(role: str) -> str:
    """A national hub is the hub role at the national level (KYODO_HUB_LEVEL)."""
    return "hub" if role == "national" else role


def plan(specs: list[tuple], *, base_port: int = BASE_PORT, fresh: bool = False) -> list[Deployment]:
    """[(name, role, title[, parent])] → deployments with ports, folders and environments. Roles:
    `node`, `hub` (a prefectural hub) and `national`."""
    database_url, redis_url = os.environ.get("DATABASE_URL", ""), os.environ.get("REDIS_URL", "")
    deployments = []
    for index, (name, role, title, *_parent) in enumerate(specs):
        data_dir = state_dir() / name
        data_dir.mkdir(parents=True, exist_ok=True)
        secret_file = data_dir / "secret-key"
        if not secret_file.exists():
            secret_file.write_text(secrets.token_urlsafe(48))
            secret_file.chmod(0o600)
        port = base_port + index
        env = {
            "KYODO_ROLE": _kyodo_role(role),
            "SECRET_KEY": secret_file.read_text().strip(),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "CSRF_TRUSTED_ORIGINS": f"http://127.0.0.1:{port},http://localhost:{port}",
            "KYODO_DATA_DIR": str(data_dir),
            "KYODO_SITE_NAME": title,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "KYODO_HTTPS": "0",  # plain HTTP on loopback: no redirect to https, cookies sent over http
        }
        if role == "national":
            env["KYODO_HUB_LEVEL"] = "national"
        if database_url:
            env["DATABASE_URL"] = _database_url_for(database_url, name, _kyodo_role(role), fresh=fresh)
        if redis_url:
            env["REDIS_URL"] = _redis_url_for(redis_url, index, fresh=fresh)
        deployments.append(Deployment(name=name, role=role, port=port, title=title, data_dir=str(data_dir), env=env))
    return deployments


def _environ(deployment: Deployment) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL")}
    return {**clean, **deployment.env, "PYTHONUNBUFFERED": "1"}


def _run(deployment: Deployment, command: list[str], what: str, capture: bool) -> str:
    result = subprocess.run(command, env=_environ(deployment), cwd=ROOT, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{deployment.name}: {what} failed:\n{result.stderr[-3000:]}")
    return result.stdout if capture else ""


def manage(deployment: Deployment, *args: str, capture: bool = False) -> str:
    return _run(deployment, [_python(), str(ROOT / "manage.py"), *args], f"manage.py {' '.join(args)}", capture)


def run_module(deployment: Deployment, module: str, *args: str, capture: bool = False) -> str:
    """`python -m module …` in the deployment's environment: the demo's seeder (deploy.demo), which is
    no management command because no app may import deploy."""
    return _run(deployment, [_python(), "-m", module, *args], f"python -m {module} {' '.join(args)}", capture)


def _spawn(deployment: Deployment, label: str, command: list[str]) -> int:
    log = open(Path(deployment.data_dir) / f"{label}.log", "ab")
    process = subprocess.Popen(
        command, env=_environ(deployment), cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL, start_new_session=True,
    )
    return process.pid


def _supervised(command: list[str]) -> list[str]:
    """Restart `command` when it fails, as the compose files' `restart: unless-stopped` does.

    A Celery worker can exit on a lost broker connection (kombu fails while restoring unacked
    messages); the outbox keeps the work, so starting it again is all recovery needs. A clean exit
    ends the loop, and stopping the process group stops both.
    """
    return ["/bin/sh", "-c", 'until "$@"; do echo "exited ($?); restarting in 2 s" >&2; sleep 2; done',
            "supervise", *command]


HUB_WEB_WORKERS = 2


def process_commands(deployment: Deployment, *, web_workers: int = 2, hub_workers: int = 1) -> dict[str, list[str]]:
    """What runs for one deployment: label → command line. A hub with `hub_workers` > 1 gets more
    Celery workers on the default queue (worker-2 …), sharing it as worker hosts would in production."""
    # The hub serves every coordinator of the prefecture, a node one center's staff: two processes at
    # least, so that a page computing in one (the GIL) does not hold up the pages of the other's threads.
    web_workers = max(web_workers, HUB_WEB_WORKERS) if deployment.role == "hub" else web_workers
    commands = {
        "web": [_bin("gunicorn"), "config.wsgi:application", "--bind", f"127.0.0.1:{deployment.port}",
                "--workers", str(web_workers), "--threads", "4", "--timeout", "120", "--graceful-timeout", "5",
                "--access-logfile", "-"],
        "worker": _supervised([_bin("celery"), "-A", "config", "worker", "--loglevel", "INFO", "--concurrency", "1",
                               "--queues", "disaster,default", "--without-gossip", "--without-mingle",
                               "--hostname", f"{deployment.name}@%h"]),
        # Disaster traffic only: a 50,000-entry catch-up on `worker` never sits in front of a need,
        # a status report or a poked feed pull.
        "worker-disaster": _supervised([_bin("celery"), "-A", "config", "worker", "--loglevel", "INFO",
                                        "--concurrency", "1", "--queues", "disaster", "--without-gossip",
                                        "--without-mingle", "--hostname", f"{deployment.name}-disaster@%h"]),
        "beat": _supervised([_bin("celery"), "-A", "config", "beat", "--loglevel", "INFO",
                             "--schedule", str(Path(deployment.data_dir) / "beat-schedule")]),
    }
    for n in range(2, hub_workers + 1 if deployment.role == "hub" else 2):
        commands[f"worker-{n}"] = _supervised([
            _bin("celery"), "-A", "config", "worker", "--loglevel", "INFO", "--concurrency", "1", "--queues", "default",
            "--without-gossip", "--without-mingle", "--hostname", f"{deployment.name}-{n}@%h"])
    return commands


def start_processes(deployment: Deployment, *, web_workers: int = 2, hub_workers: int = 1) -> None:
    for label, command in process_commands(deployment, web_workers=web_workers, hub_workers=hub_workers).items():
        deployment.pids[label] = _spawn(deployment, label, command)


def restart(deployment: Deployment, label: str, *, web_workers: int = 1) -> int:
    """Start one process of a deployment again (after it was stopped or killed)."""
    workers = int(label.removeprefix("worker-")) if label.removeprefix("worker-").isdigit() else 1
    command = process_commands(deployment, web_workers=web_workers, hub_workers=workers)[label]
    deployment.pids[label] = _spawn(deployment, label, command)
    return deployment.pids[label]


def health(deployment: Deployment, timeout: float = 2.0) -> dict:
    try:
        response = httpx.get(f"{deployment.url}/healthz", timeout=timeout)
        return {"ok": response.status_code == 200, **response.json()}
    except (httpx.HTTPError, ValueError) as error:
        return {"ok": False, "error": type(error).__name__}


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def deployment_running(deployment: Deployment) -> bool:
    return any(_group_alive(pid) for pid in deployment.pids.values())


def wait_healthy(deployments: list[Deployment], timeout: float = 180.0) -> None:
    deadline = time.monotonic() + timeout
    pending = list(deployments)
    while pending and time.monotonic() < deadline:
        for deployment in list(pending):
            dead = [label for label, pid in deployment.pids.items() if not _alive(pid)]
            if dead:
                log = Path(deployment.data_dir) / f"{dead[0]}.log"
                tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
                raise RuntimeError(f"{deployment.name}: {dead[0]} exited during start-up:\n{tail}")
            if health(deployment)["ok"]:
                pending.remove(deployment)
        time.sleep(0.5)
    if pending:
        raise RuntimeError("not healthy in time: " + ", ".join(d.name for d in pending))


def save_state(deployments: list[Deployment], extra: dict | None = None) -> None:
    state = {"deployments": [asdict(d) for d in deployments], **(extra or {})}
    path = state_dir() / "state.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(state, ensure_ascii=False, indent=2))
    path.chmod(0o600)  # it holds each deployment's secret key


def load_state() -> dict:
    path = state_dir() / "state.json"
    if not path.exists():
        return {"deployments": []}
    return json.loads(path.read_text())


def load_deployments() -> list[Deployment]:
    return [Deployment(**d) for d in load_state()["deployments"]]


def stop(deployments: list[Deployment], grace: float = 10.0) -> list[str]:
    """SIGTERM every process group, then SIGKILL what is left after `grace` seconds."""
    stopped = []
    pids = [pid for d in deployments for pid in d.pids.values()]
    for pid in pids:
        try:
            os.killpg(pid, signal.SIGTERM)
            stopped.append(str(pid))
        except (ProcessLookupError, PermissionError):
            pass
    # Each process leads its own group; the group is what must be gone: a Celery worker in warm
    # shutdown outlives the `until` loop that started it.
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and any(_group_alive(pid) for pid in pids):
        time.sleep(0.2)
    for pid in pids:
        if _group_alive(pid):
            try:
                os.killpg(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
    return stopped


def _group_alive(pgid: int) -> bool:
    try:
        # Reap what we started ourselves: an exited child stays a zombie member of its group.
        while os.waitpid(-pgid, os.WNOHANG)[0]:
            pass
    except ChildProcessError:
        pass
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def up(specs: list[tuple], *, prepare=None, base_port: int = BASE_PORT,
       timeout: float = 240.0, web_workers: int = 2, extra_env: dict | None = None,
       fresh: bool = False, hub_workers: int = 1) -> list[Deployment]:
    """Migrate and `prepare` every deployment (a national hub first, then the hubs, then the nodes,
    side by side within a tier), start its processes, and wait until all are healthy.

    A node syncs with the hub its spec names as parent (4th item), else the first hub; every hub
    syncs with the national hub when there is one."""
    existing = load_deployments()
    if existing:
        stop(existing)
    deployments = plan(specs, base_port=base_port, fresh=fresh)
    by_name = {d.name: d for d in deployments}
    parents = {spec[0]: spec[3] for spec in specs if len(spec) > 3}
    national = next((d for d in deployments if d.role == "national"), None)
    hubs = [d for d in deployments if d.role == "hub"]
    for deployment in deployments:
        deployment.env.update(extra_env or {})
        if deployment.role == "node" and hubs:
            deployment.env["KYODO_HUB_URL"] = by_name[parents.get(deployment.name, hubs[0].name)].url
        if deployment.role == "hub" and national is not None:
            deployment.env["KYODO_PARENT_HUB_URL"] = national.url

    def ready(deployment: Deployment) -> None:
        if not _copied_from_template(deployment):
            manage(deployment, "migrate", "--noinput", "-v", "0")
        if deployment.role in ("hub", "national"):
            # The key that signs pokes (its public half goes out in the feed) and, below a national
            # hub, this hub's requests to it.
            manage(deployment, "sync_keygen")
        if prepare is not None:
            prepare(deployment)

    # Each tier is prepared after the one it enrolls with.
    first = [national] if national is not None else hubs[:1]
    tiers = [first, hubs, [d for d in deployments if d.role == "node"]] if national is not None else [
        first, [d for d in deployments if d not in first]]
    with ThreadPoolExecutor(max_workers=3) as pool:
        for tier in tiers:
            list(pool.map(ready, tier))
    for deployment in deployments:
        start_processes(deployment, web_workers=web_workers, hub_workers=hub_workers)
    save_state(deployments)
    try:
        wait_healthy(deployments, timeout=timeout)
    except RuntimeError:
        stop(deployments)
        raise
    return deployments


def enroll_hub(national: Deployment, hub: Deployment, *, name: str, prefecture_code: str,
               prefecture_name: str = "") -> dict:
    """Register a prefectural hub's signing key (made by `sync_keygen` in `ready`) on the national hub."""
    hub.env["KYODO_PREFECTURE_CODE"] = prefecture_code[:2]  # before its processes start
    key = json.loads(manage(hub, "sync_keygen", capture=True).strip().splitlines()[-1])
    answer = manage(national, "hub_enroll_hub", "--name", name, "--slug", hub.name,
                    "--prefecture-code", prefecture_code, "--prefecture-name", prefecture_name,
                    "--base-url", hub.url, "--public-key", key["public_key"], capture=True)
    return json.loads(answer.strip().splitlines()[-1])


def enroll(hub: Deployment, node: Deployment, *, name: str, municipality_code: str, municipality_name: str = "") -> dict:
    """Give the node a key (on the node) and register its public half on the hub."""
    key = json.loads(manage(node, "sync_keygen", capture=True).strip().splitlines()[-1])
    answer = manage(hub, "hub_enroll_node", "--name", name, "--slug", node.name,
                    "--municipality-code", municipality_code, "--municipality-name", municipality_name,
                    "--base-url", node.url, "--public-key", key["public_key"], capture=True)
    return json.loads(answer.strip().splitlines()[-1])

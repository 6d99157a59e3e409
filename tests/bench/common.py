"""Shared bench plumbing: a dedicated database, percentiles and bench-results.jsonl lines."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import statistics
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench-results.jsonl"


def machine() -> str:
    try:
        memory_kb = next(int(line.split()[1]) for line in open("/proc/meminfo") if line.startswith("MemTotal"))
        memory = f"{round(memory_kb / 1024 / 1024)} GB"
    except (OSError, StopIteration):
        memory = "?"
    cpu = platform.processor() or platform.machine()
    return f"{platform.system()} {cpu}, {os.cpu_count()} cores, {memory}, Python {platform.python_version()}"


def record(name: str, value: float, unit: str, target: str) -> dict:
    line = {"name": name, "value": round(value, 4), "unit": unit, "target": target, "machine": machine(),
            "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
    with RESULTS.open("a", encoding="utf-8") as out:
        out.write(json.dumps(line, ensure_ascii=False) + "\n")
    print(f"  {name} = {line['value']} {unit}  (target {target})")
    return line


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return statistics.quantiles(ordered, n=100, method="inclusive")[p - 1] if len(ordered) > 1 else ordered[0]


def use_bench_database() -> None:
    """Point Django at <server>/kyodo_bench (created when missing) so benches never touch dev data."""
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://")):
        raise SystemExit("make bench needs DATABASE_URL of a PostgreSQL server (the Makefile sets a local default)")
    import psycopg

    parts = urlsplit(base)
    with psycopg.connect(urlunsplit(parts._replace(scheme="postgresql", path="/postgres")), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = 'kyodo_bench'").fetchone():
            conn.execute("CREATE DATABASE kyodo_bench")
    os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path="/kyodo_bench"))
    os.environ.setdefault("KYODO_ROLE", "node")
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def federation_environment(name: str, redis_port: int):
    """Point the federation runner at the bench's own folder and PostgreSQL server (it derives one
    database per deployment) and start a Redis server of the bench's own; returns that server."""
    from tests.federation.common import PrivateRedis

    base = os.environ.get("DATABASE_URL", "")
    os.environ["DATABASE_URL"] = base.rsplit("/", 1)[0] + "/postgres"
    os.environ["KYODO_FEDERATION_DIR"] = str(ROOT / "var" / f"bench-{name}")
    os.environ["KYODO_REDIS_DB_BASE"] = "0"
    redis_dir = ROOT / "var" / f"bench-{name}-redis"
    redis_dir.mkdir(parents=True, exist_ok=True)
    redis_server = PrivateRedis(redis_port, redis_dir)
    redis_server.start()
    os.environ["REDIS_URL"] = redis_server.url
    return redis_server

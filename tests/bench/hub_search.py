"""Japanese search in the hub's case library over 100,000 shared cases, against the same page unfiltered.

The hub is another role (other apps, other tables), so the measuring runs in a child process with
`KYODO_ROLE=hub` on its own database `kyodo_bench_hub`. Each query is what the library page does:
count the matches and fetch the first page of 25, through `hub.selectors.library.case_library`. The
reference is the same count and page without a search term, measured in the same run.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from urllib.parse import urlsplit, urlunsplit

from .common import ROOT, percentile, record

CASES = int(os.environ.get("KYODO_BENCH_HUB_CASES", "100000"))
PAGE = 25
ROUNDS = 5
QUERIES = ["猫", "ﾈｺ", "子育て", "防災 訓練", "協働推進", "みるっこ", "ボランティア 育成", "多文化共生", "里山",
           "居場所", "プログラム", "高齢者 見守り", "海岸", "講座", "ｺﾄﾞﾓ", "地域 課題", "NPO", "交流会", "見つからない語",
           "環境学習"]
WORDS = ["野良猫の不妊去勢手術", "子育てひろば", "防災訓練", "協働推進事業", "美術「みるっこ」プログラム", "里山保全",
         "多文化共生の交流サロン", "高齢者の見守り", "海岸清掃", "居場所づくり", "環境学習", "ボランティア育成",
         "子どもの学習支援", "地域の課題", "交流会", "NPO法人", "講座", "まちづくり", "商店街", "フードバンク"]


def _database_url() -> str:
    import psycopg

    parts = urlsplit(os.environ["DATABASE_URL"])
    with psycopg.connect(urlunsplit(parts._replace(scheme="postgresql", path="/postgres")), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = 'kyodo_bench_hub'").fetchone():
            conn.execute("CREATE DATABASE kyodo_bench_hub")
    return urlunsplit(parts._replace(path="/kyodo_bench_hub"))


def run() -> None:
    env = {**os.environ, "KYODO_ROLE": "hub", "DATABASE_URL": _database_url(), "SECRET_KEY": "bench-only",
           "ALLOWED_HOSTS": "localhost", "DJANGO_SETTINGS_MODULE": "config.settings"}
    print(f"hub case search over {CASES:,} shared cases (count + first page of {PAGE})")
    out = subprocess.run([sys.executable, "-m", "tests.bench.hub_search", "--inner"], env=env, cwd=ROOT,
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(out.stderr[-3000:])
    result = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"  search p50 {result['p50']:.1f} ms, p95 {result['p95']:.1f} ms; unfiltered page p95 "
          f"{result['reference_p95']:.1f} ms; slowest query: {result['slowest']}")
    record("hub.search.p95_ms", result["p95"], "ms", "≤ 150")
    record("hub.search.p95_ratio_to_unfiltered", result["p95"] / result["reference_p95"], "ratio", "—")


def _fill() -> None:
    import uuid as uuid_module

    from django.db import transaction

    from common.japanese import search_key
    from hub.models import Node, NodeCenter, SharedCase, field_index

    have = SharedCase.objects.count()
    if have >= CASES:
        return
    rng = random.Random(11)
    with transaction.atomic():
        node = Node.objects.create(name="ベンチノード", slug=f"bench-{uuid_module.uuid4().hex[:6]}",
                                   municipality_code="142077")
        centers = [NodeCenter.objects.create(node=node, center_uuid=uuid_module.uuid4(), name=f"ベンチセンター{i}",
                                             version=1) for i in range(5)]
        rows = []
        for n in range(have, CASES):
            title = f"{rng.choice(WORDS)}事業{n}"
            summary = "、".join(rng.sample(WORDS, 4)) + "に取り組み、〔人名〕さんが地域の団体と協働した。" * 2
            lessons = f"{rng.choice(WORDS)}には担い手の育成が課題。"
            fields = sorted(rng.sample(range(1, 21), 2))
            rows.append(SharedCase(
                node=node, center=rng.choice(centers), entity_uuid=uuid_module.uuid4(), version=1, level="anonymized",
                title=title, summary=summary, lessons=lessons, form=rng.choice(["itaku", "kyosai", "hojo"]),
                field_codes=fields, field_index=field_index(fields), fiscal_year_start=rng.randint(2005, 2025),
                outcome=rng.choice(["continued", "reduced", "ended"]), published_month="2026-01-01", parties=[],
                search_text=search_key(title, summary, lessons)))
            if len(rows) == 5000:
                SharedCase.objects.bulk_create(rows)
                rows = []
        SharedCase.objects.bulk_create(rows)


def _page(q: str) -> None:
    from hub.selectors.library import case_library

    cases = case_library(q=q)
    cases.count()
    list(cases[:PAGE])


def _inner() -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    _fill()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE hub_sharedcase")
    samples, reference, slowest = [], [], ("", 0.0)
    for _ in range(ROUNDS):
        for q in QUERIES:
            started = time.perf_counter()
            _page(q)
            ms = (time.perf_counter() - started) * 1000
            samples.append(ms)
            slowest = max(slowest, (q, ms), key=lambda s: s[1])
            started = time.perf_counter()
            _page("")
            reference.append((time.perf_counter() - started) * 1000)
    print(json.dumps({"p50": percentile(samples, 50), "p95": percentile(samples, 95),
                      "reference_p95": percentile(reference, 95), "slowest": f"{slowest[0]} {slowest[1]:.0f} ms"},
                     ensure_ascii=False))


if __name__ == "__main__":
    if "--inner" in sys.argv:
        _inner()
    else:
        run()

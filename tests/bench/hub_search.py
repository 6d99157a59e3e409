"""Japanese search in the hub's case library over a million shared cases, and whether words typed
in hiragana find the kanji words they are the reading of.

The hub is another role (other apps, other tables), so the measuring runs in a child process with
`KYODO_ROLE=hub` on its own database `kyodo_bench_hub`, kept between runs. Each query is what the
library page does: count the matches and fetch the first ranked page of 25, through
`hub.selectors.library.case_library`. The reference is the same count and page without a search
term, measured in the same run.

The cases are written from the vocabulary of the seed documents and the demo data, with COPY (the
indexes dropped and built again after), their words and readings made by the production function
`common.japanese_tokens.index_terms` (sentences repeat, so its per-sentence cache does most of it).
"""

from __future__ import annotations

import collections
import json
import os
import random
import subprocess
import sys
import time
import uuid as uuid_module
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from .common import ROOT, percentile, record

CASES = int(os.environ.get("KYODO_BENCH_HUB_CASES", "1000000"))
PAGE = 25
ROUNDS = 3
SEEDS = Path(os.environ.get("KYODO_SEEDS_DIR", "/work/shared/seeds"))
# One- and two-character words in kanji, hiragana, katakana and half-width kana, longer words, AND.
QUERIES = ["猫", "ねこ", "ネコ", "ﾈｺ", "防災", "ぼうさい", "子育て", "こそだて", "ｺｿﾀﾞﾃ", "里山", "居場所", "協働推進",
           "多文化共生", "高齢者 見守り", "ボランティア 育成", "地域 課題", "NPO", "交流会", "見つからない語", "環境学習"]
WORDS = ["野良猫の不妊去勢手術", "子育てひろば", "防災訓練", "協働推進事業", "美術「みるっこ」プログラム", "里山保全",
         "多文化共生の交流サロン", "高齢者の見守り", "海岸清掃", "居場所づくり", "環境学習", "ボランティア育成",
         "子どもの学習支援", "地域の課題", "交流会", "NPO法人", "講座", "まちづくり", "商店街", "フードバンク"]
# Readings typed by hand (not Sudachi's): the recall is also reported over these alone.
TYPED = {"猫": "ねこ", "子育て": "こそだて", "防災": "ぼうさい", "訓練": "くんれん", "高齢者": "こうれいしゃ",
         "見守り": "みまもり", "居場所": "いばしょ", "海岸": "かいがん", "清掃": "せいそう", "講座": "こうざ",
         "地域": "ちいき", "協働": "きょうどう", "交流": "こうりゅう", "里山": "さとやま", "環境": "かんきょう",
         "福祉": "ふくし", "相談": "そうだん", "支援": "しえん", "課題": "かだい", "商店街": "しょうてんがい"}
RECALL_WORDS = 150


def vocabulary() -> list[str]:
    """Kanji nouns of the seed documents and the demo data (Sudachi's C-mode words), most frequent
    first, then the words of WORDS: what the cases are written from."""
    from sudachipy import dictionary, tokenizer

    sudachi = dictionary.Dictionary(dict="core").tokenizer()
    texts = [path.read_text(encoding="utf-8", errors="ignore") for path in sorted(SEEDS.glob("*.txt"))]
    texts += [path.read_text(encoding="utf-8") for path in sorted((ROOT / "deploy" / "demo").rglob("*.yaml"))]
    counts: collections.Counter = collections.Counter()
    for text in texts:
        for line in text.splitlines():
            for m in sudachi.tokenize(line[:2000], tokenizer.Tokenizer.SplitMode.C):
                surface = m.surface()
                if (m.part_of_speech()[0] == "名詞" and 1 <= len(surface) <= 4
                        and all("\u4e00" <= c <= "\u9fff" for c in surface)):
                    counts[surface] += 1
    words = [w for w, n in counts.most_common() if n >= 2][:600]
    return words + [w for w in WORDS if w not in words]


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
    print(f"hub case search over {CASES:,} shared cases (count + first ranked page of {PAGE})")
    out = subprocess.run([sys.executable, "-m", "tests.bench.hub_search", "--inner"], env=env, cwd=ROOT,
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(out.stderr[-3000:])
    print(out.stderr[-1500:].strip())
    result = json.loads(out.stdout.strip().splitlines()[-1])
    size = "1m" if CASES >= 1_000_000 else f"{CASES // 1000}k"
    print(f"  search p50 {result['p50']:.1f} ms, p95 {result['p95']:.1f} ms, max {result['max']:.1f} ms; unfiltered"
          f" page p95 {result['reference_p95']:.1f} ms; slowest queries: {result['slowest']}")
    print(f"  readings: {result['recall_found']}/{result['recall_words']} words typed in hiragana find their cases"
          f" (hand-typed {result['typed_found']}/{result['typed_words']}); missed: {result['missed']}")
    record(f"hub.search.p95_ms_{size}", result["p95"], "ms", "≤ 150")
    record(f"hub.search.max_ms_{size}", result["max"], "ms", "≤ 500")
    record(f"hub.search.p95_ratio_to_unfiltered_{size}", result["p95"] / result["reference_p95"], "ratio", "—")
    record("hub.search.reading_recall", result["recall_found"] / result["recall_words"], "share", "≥ 0.95")


def _sentences(rng: random.Random, words: list[str], count: int) -> list[str]:
    shapes = ["{}と{}の{}に取り組み、〔人名〕さんが{}の団体と協働した。", "{}では{}が課題で、{}と{}を進めた。",
              "{}の{}を通じて{}の{}を支えた。", "{}に{}が参加し、{}について{}で話し合った。"]
    # Common words more often, as in real text (the seeds' order is by frequency).
    weights = [1 / (1 + rank / 50) for rank in range(len(words))]
    return [rng.choice(shapes).format(*rng.choices(words, weights, k=4)) for _ in range(count)]


def _fill(words: list[str]) -> None:
    from django.db import connection

    from common.japanese import search_key
    from common.japanese_tokens import index_terms
    from hub.models import Node, NodeCenter, SharedCase, field_index

    have = SharedCase.objects.count()
    if have >= CASES and not SharedCase.objects.filter(search_tokens__isnull=True).exists():
        return
    started = time.perf_counter()
    rng = random.Random(11)
    sentences, titles = _sentences(rng, words, 4000), [f"{w}{rng.choice(['事業', '講座', '支援', '交流会'])}"
                                                       for w in words for _ in range(3)]
    node = Node.objects.create(name="ベンチノード", slug=f"bench-{uuid_module.uuid4().hex[:6]}", municipality_code="142077")
    centers = [NodeCenter.objects.create(node=node, center_uuid=uuid_module.uuid4(), name=f"ベンチセンター{i}",
                                         version=1).pk for i in range(5)]
    fields = [f for f in SharedCase._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(f.column for f in fields)
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE hub_sharedcase CASCADE")
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'hub_sharedcase'"
                       " AND indexname NOT IN (SELECT conname FROM pg_constraint)")
        indexes = cursor.fetchall()
        for name, _definition in indexes:  # built once after the COPY: far faster than row by row
            cursor.execute(f"DROP INDEX {name}")
        with cursor.copy(f"COPY hub_sharedcase ({columns}) FROM STDIN") as copy:
            for _ in range(CASES):
                title, summary = rng.choice(titles), "".join(rng.sample(sentences, 3))
                lessons = rng.choice(sentences)
                codes = sorted(rng.sample(range(1, 21), 2))
                tokens, readings = index_terms(title, summary, lessons)
                row = {"node_id": node.pk, "center_id": rng.choice(centers), "entity_uuid": uuid_module.uuid4(),
                       "version": 1, "received_at": "2026-01-01T00:00:00Z", "search_text": search_key(title, summary, lessons),
                       "level": "anonymized", "title": title, "summary": summary, "lessons": lessons,
                       "form": rng.choice(["itaku", "kyosai", "hojo"]), "field_codes": json.dumps(codes),
                       "field_index": field_index(codes), "fiscal_year_start": rng.randint(2005, 2025),
                       "fiscal_year_end": None, "outcome": rng.choice(["continued", "reduced", "ended"]),
                       "total_cost": None, "city_share": None, "published_month": "2026-01-01", "parties": "[]",
                       "search_tokens": tokens, "search_readings": readings}
                copy.write_row([row[f.attname] for f in fields])
        cursor.execute("SET maintenance_work_mem = '512MB'")
        for _name, definition in indexes:
            cursor.execute(definition)
    print(f"filled {CASES:,} cases in {time.perf_counter() - started:.0f} s", file=sys.stderr)


def _page(q: str) -> None:
    from hub.selectors.library import case_library

    cases = case_library(q=q)
    cases.count()
    list(cases[:PAGE])


def _recall(words: list[str]) -> dict:
    """Kanji words of the vocabulary typed as their reading: found when the first cases holding the
    word (up to 10, by the word index) are all among the reading's results."""
    from django.db.models import BooleanField
    from django.db.models.expressions import RawSQL

    from common.japanese import normalize_for_search
    from common.japanese_tokens import _tokenizer
    from common.search import VECTOR_SQL, _tsquery
    from hub.models import SharedCase
    from hub.selectors.library import case_library

    def reading(word: str) -> str:
        return normalize_for_search("".join(m.reading_form() for m in _tokenizer().tokenize(word)))

    def holding(word: str):  # through the word index: a LIKE on the lists would scan a million rows
        return SharedCase.objects.filter(RawSQL(f"{VECTOR_SQL.format(table='hub_sharedcase')} @@ %s::tsquery",
                                                [_tsquery([(word,)])], output_field=BooleanField()))

    def finds(word: str, typed: str) -> bool:
        ids = list(holding(word).values_list("id", flat=True)[:10])
        return bool(ids) and case_library(q=typed).filter(id__in=ids).count() == len(ids)

    # Words of two kanji or more: a single kanji of the seeds is mostly a suffix (会, 課, 年) read
    # differently in every compound; 猫 and the like are in TYPED.
    held = [w for w in words if 2 <= len(w) <= 4 and all("\u4e00" <= c <= "\u9fff" for c in w)
            and holding(w).exists()]
    chosen = held[:RECALL_WORDS]
    missed = [w for w in chosen if not finds(w, reading(w))]
    typed = [w for w in TYPED if w in held]
    typed_found = sum(finds(w, TYPED[w]) for w in typed)
    return {"recall_words": len(chosen), "recall_found": len(chosen) - len(missed), "missed": " ".join(
        f"{w}({reading(w)})" for w in missed[:10]), "typed_words": len(typed), "typed_found": typed_found}


def _inner() -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    words = vocabulary()
    _fill(words)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE hub_sharedcase")
    samples, reference, per_query = [], [], collections.defaultdict(float)
    for _ in range(ROUNDS):
        for q in QUERIES:
            started = time.perf_counter()
            _page(q)
            ms = (time.perf_counter() - started) * 1000
            samples.append(ms)
            per_query[q] = max(per_query[q], ms)
            started = time.perf_counter()
            _page("")
            reference.append((time.perf_counter() - started) * 1000)
    slowest = sorted(per_query.items(), key=lambda item: -item[1])[:3]
    print(json.dumps({"p50": percentile(samples, 50), "p95": percentile(samples, 95), "max": max(samples),
                      "reference_p95": percentile(reference, 95),
                      "slowest": ", ".join(f"{q} {ms:.0f} ms" for q, ms in slowest), **_recall(words)},
                     ensure_ascii=False))


if __name__ == "__main__":
    if "--inner" in sys.argv:
        _inner()
    else:
        run()

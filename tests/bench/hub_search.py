"""Japanese search in the hub's case library over a million shared cases, and whether words typed
in hiragana find the kanji words they are the reading of.

The hub is another role (other apps, other tables), so the measuring runs in a child process with
`KYODO_ROLE=hub` on its own database `kyodo_bench_hub`, kept between runs. Each query is what the
library page does: count the matches up to the cap and fetch the first ranked page of 25, through
`hub.selectors.library.case_library_results`. The reference is the same count and page without a
search term, measured in the same run.

The cases are drawn in SQL (INSERT … SELECT over generate_series, the indexes dropped and built again
after) from TEMPLATES distinct texts written from the vocabulary of the seed documents and the demo
data, each text's words and readings made once by the production function
`common.japanese_tokens.index_terms`. The filled database is kept between runs: it is used again when
its row count and fingerprint (fill version, size, columns, vocabulary) match.
"""

from __future__ import annotations

import collections
import hashlib
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
    print(f"hub case search over {CASES:,} shared cases (count up to the cap + first ranked page of {PAGE})")
    out = subprocess.run([sys.executable, "-m", "tests.bench.hub_search", "--inner"], env=env, cwd=ROOT,
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(out.stderr[-3000:])
    print(out.stderr[-1500:].strip())
    print("  load average (1, 5, 15 min) after the run: " + " ".join(f"{x:.1f}" for x in os.getloadavg()))
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


# Bump when the filled data changes: a database holding another version is filled again.
FILL_VERSION = 4
# Distinct case texts: each one's words and readings are made once (by the production function) and
# the million rows are drawn from them in SQL, with their own uuid, year, center, form and outcome.
TEMPLATES = int(os.environ.get("KYODO_BENCH_HUB_TEMPLATES", "60000"))


def _fingerprint(words: list[str]) -> str:
    from hub.models import SharedCase

    columns = ",".join(f.column for f in SharedCase._meta.concrete_fields)
    text = f"{FILL_VERSION}|{CASES}|{TEMPLATES}|{columns}|{'|'.join(words)}"
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _filled(cursor, fingerprint: str) -> bool:
    """Whether the database already holds this fill (its fingerprint and row count): kept between runs."""
    cursor.execute("CREATE TABLE IF NOT EXISTS bench_hub_fill (fingerprint text NOT NULL, cases bigint NOT NULL)")
    cursor.execute("SELECT fingerprint, cases FROM bench_hub_fill")
    kept = cursor.fetchone()
    if kept is None or kept[0] != fingerprint:
        return False
    cursor.execute("SELECT count(*) FROM hub_sharedcase")
    return cursor.fetchone()[0] == kept[1] == CASES


def _templates(words: list[str]):
    """(title, summary, lessons, search_text, search_tokens, search_readings) of the distinct texts."""
    from common.japanese import search_key
    from common.japanese_tokens import index_terms

    rng = random.Random(11)
    sentences, titles = _sentences(rng, words, 4000), [f"{w}{rng.choice(['事業', '講座', '支援', '交流会'])}"
                                                       for w in words for _ in range(3)]
    for _ in range(TEMPLATES):
        title, summary, lessons = rng.choice(titles), "".join(rng.sample(sentences, 3)), rng.choice(sentences)
        yield (title, summary, lessons, search_key(title, summary, lessons), *index_terms(title, summary, lessons))


def _fill(words: list[str]) -> None:
    from django.db import connection

    from hub.models import Node, NodeCenter, SharedCase

    fingerprint = _fingerprint(words)
    with connection.cursor() as cursor:
        if _filled(cursor, fingerprint):
            print(f"kept the {CASES:,} cases of an earlier run (fingerprint {fingerprint[:8]})", file=sys.stderr)
            return
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE hub_sharedcase, hub_nodecenter, hub_node, bench_hub_fill CASCADE")
    node = Node.objects.create(name="ベンチノード", slug=f"bench-{uuid_module.uuid4().hex[:6]}", municipality_code="142077")
    centers = [NodeCenter.objects.create(node=node, center_uuid=uuid_module.uuid4(), name=f"ベンチセンター{i}",
                                         version=1).pk for i in range(5)]
    fields = {f.column for f in SharedCase._meta.concrete_fields if not f.primary_key}
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'hub_sharedcase'"
                       " AND indexname NOT IN (SELECT conname FROM pg_constraint)")
        indexes = cursor.fetchall()
        for name, _definition in indexes:  # built once after the load: far faster than row by row
            cursor.execute(f"DROP INDEX {name}")
        cursor.execute("CREATE TEMP TABLE bench_template (id serial PRIMARY KEY, title text, summary text,"
                       " lessons text, search_text text, search_tokens text, search_readings text)")
        with cursor.copy("COPY bench_template (title, summary, lessons, search_text, search_tokens,"
                         " search_readings) FROM STDIN") as copy:
            for row in _templates(words):
                copy.write_row(row)
        made = time.perf_counter()
        # Every row drawn in SQL: a template, two field codes, a year, a center, a form and an outcome.
        rows = {
            "node_id": "%(node)s", "center_id": "(%(centers)s::bigint[])[1 + (g %% 5)]", "entity_uuid": "gen_random_uuid()",
            "version": "1", "received_at": "'2026-01-01T00:00:00Z'", "reach": "'prefecture'",
            "search_text": "t.search_text",
            "level": "'anonymized'", "title": "t.title", "summary": "t.summary", "lessons": "t.lessons",
            "form": "(ARRAY['itaku','kyosai','hojo'])[1 + (h %% 3)]",
            "field_codes": "format('[%%s, %%s]', f1, f2)::jsonb", "field_index": "format(',%%s,%%s,', f1, f2)",
            "fiscal_year_start": "2005 + (h / 3) %% 21", "fiscal_year_end": "NULL",
            "outcome": "(ARRAY['continued','reduced','ended'])[1 + (h / 63) %% 3]", "total_cost": "NULL",
            "city_share": "NULL", "published_month": "'2026-01-01'", "parties": "'[]'::jsonb",
            "search_tokens": "t.search_tokens", "search_readings": "t.search_readings"}
        missing = fields - rows.keys()
        if missing:
            raise SystemExit(f"the bench fill does not know the columns {sorted(missing)}: add them to hub_search._fill")
        columns = sorted(fields)
        cursor.execute(
            f"INSERT INTO hub_sharedcase ({', '.join(columns)})"
            f" SELECT {', '.join(rows[c] for c in columns)} FROM ("
            "   SELECT g, h, 1 + h %% 10 AS f1, 11 + (h / 10) %% 10 AS f2, 1 + (h / 7) %% %(templates)s AS template"
            "   FROM (SELECT g, abs(hashint4(g)::bigint) AS h FROM generate_series(1, %(cases)s) AS g) AS drawn) AS d"
            " JOIN bench_template AS t ON t.id = d.template",
            {"node": node.pk, "centers": centers, "templates": TEMPLATES, "cases": CASES})
        loaded = time.perf_counter()
        cursor.execute("SET maintenance_work_mem = '1GB'")
        for _name, definition in indexes:
            cursor.execute(definition)
        cursor.execute("INSERT INTO bench_hub_fill VALUES (%s, %s)", [fingerprint, CASES])
    print(f"filled {CASES:,} cases in {time.perf_counter() - started:.0f} s ({TEMPLATES:,} texts tokenized in"
          f" {made - started:.0f} s, rows in {loaded - made:.0f} s, indexes in {time.perf_counter() - loaded:.0f} s)",
          file=sys.stderr)


def _page(q: str) -> None:
    from django.core.paginator import Paginator

    from hub.selectors.library import case_library_results

    page = Paginator(case_library_results(q=q), PAGE).get_page(1)  # what the library page and its API do
    list(page)


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
    if "--fill-only" in sys.argv:
        return
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

"""Free-text scrubber on the labelled corpus: recall, precision and throughput against plain NFKC.

Definitions (per kind and overall):
- recall: a labelled span counts as recalled when every character of it lies inside some replacement,
  whatever placeholder kind the replacement got. Reported for all spans and for spans whose value the
  item's `known` data holds (the node's own records: target ≥ 0.99).
- precision (spans): the fraction of replacements that overlap at least one labelled span; a
  replacement of 茅ヶ崎市 or 令和5年度 overlaps none and counts against it. Per kind by the kind the
  scrubber gave.
- precision (characters): the fraction of replaced characters that lie inside labelled spans, which also
  charges a replacement for swallowing words around the data (住所は… taken with the address).
Throughput is texts per second for the whole scrubber, with the regex layer alone and with plain NFKC
over the same texts measured in the same run; the ratio is what the full pipeline costs. No database.

`python -m tests.bench.scrubber` runs it alone; `run()` is for tests/bench/run.py.
"""

from __future__ import annotations

import json
import time
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from .common import record

CORPUS = Path(__file__).resolve().parents[1] / "anonymize" / "corpus.jsonl"
ROUNDS = 3


def load_corpus(path: Path = CORPUS) -> list[dict]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def evaluate(items: list[dict], scrub_item: Callable[[dict], list[tuple[int, int, str]]]) -> dict:
    """Counts per kind for recall and precision; scrub_item returns (start, end, kind) replacements."""
    stats: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    # (item id, kind, start, end): positions, so a report can show them without copying the texts.
    misses: list[tuple[str, str, int, int]] = []
    false_hits: list[tuple[str, str, int, int]] = []
    for item in items:
        text = item["text"]
        replaced = scrub_item(item)
        covered = bytearray(len(text))
        for start, end, _kind in replaced:
            covered[start:end] = b"\x01" * (end - start)
        truth = bytearray(len(text))
        for span in item["spans"]:
            truth[span["start"]:span["end"]] = b"\x01" * (span["end"] - span["start"])
        for span in item["spans"]:
            hit = all(covered[span["start"]:span["end"]])
            for kind in (span["kind"], "all"):
                stats[kind]["spans"] += 1
                stats[kind]["recalled"] += hit
                if span.get("known"):
                    stats[kind]["known_spans"] += 1
                    stats[kind]["known_recalled"] += hit
            if not hit:
                misses.append((item["id"], span["kind"], span["start"], span["end"]))
        for start, end, kind in replaced:
            overlaps = any(truth[start:end])
            inside = sum(truth[start:end])
            for k in (kind, "all"):
                stats[k]["replacements"] += 1
                stats[k]["correct"] += overlaps
                stats[k]["replaced_chars"] += end - start
                stats[k]["correct_chars"] += inside
            if not overlaps:
                false_hits.append((item["id"], kind, start, end))
    return {"stats": stats, "misses": misses, "false_hits": false_hits}


def ratios(counts: dict[str, int]) -> dict[str, float | None]:
    def div(a: str, b: str) -> float | None:
        return counts[a] / counts[b] if counts.get(b) else None

    return {"recall": div("recalled", "spans"), "recall_known": div("known_recalled", "known_spans"),
            "precision": div("correct", "replacements"), "precision_chars": div("correct_chars", "replaced_chars")}


def print_table(stats: dict[str, dict[str, int]]) -> None:
    def fmt(value: float | None) -> str:
        return "   —  " if value is None else f"{value:6.3f}"

    print(f"  {'kind':<13}{'spans':>6}{'recall':>8}{'known':>6}{'r.known':>8}{'repl.':>7}{'prec.':>8}{'p.chars':>8}")
    order = ["person", "phone", "email", "address", "postal_code", "url", "organization", "all"]
    for kind in sorted(stats, key=lambda k: order.index(k) if k in order else len(order)):
        c = stats[kind]
        r = ratios(c)
        print(f"  {kind:<13}{c['spans']:>6}{fmt(r['recall']):>8}{c['known_spans']:>6}{fmt(r['recall_known']):>8}"
              f"{c['replacements']:>7}{fmt(r['precision']):>8}{fmt(r['precision_chars']):>8}")


def scrubber_for(layers=None, person_finder=None) -> Callable[[dict], list[tuple[int, int, str]]]:
    from sync.anonymize import KnownPersonalData, scrub
    from sync.anonymize.text import ALL_LAYERS

    chosen = ALL_LAYERS if layers is None else layers
    known_by_id: dict[str, KnownPersonalData] = {}

    def scrub_item(item: dict) -> list[tuple[int, int, str]]:
        known = known_by_id.get(item["id"])
        if known is None:
            known = known_by_id[item["id"]] = KnownPersonalData.from_dict(item.get("known"))
        result = scrub(item["text"], known, layers=chosen, person_finder=person_finder)
        return [(r.start, r.end, r.kind) for r in result.replacements]

    return scrub_item


def throughput(texts: list[str], work: Callable[[str], object]) -> float:
    best = float("inf")
    for _ in range(ROUNDS):  # best of a few rounds: the machine's noise is not the scrubber's cost
        started = time.perf_counter()
        for text in texts:
            work(text)
        best = min(best, time.perf_counter() - started)
    return len(texts) / best


def run() -> None:
    from sync.anonymize import KnownPersonalData, scrub
    from sync.anonymize.names import tokenizer

    items = load_corpus()
    started = time.perf_counter()
    tokenizer()
    print(f"scrubber on {len(items)} texts ({sum(len(i['spans']) for i in items)} labelled spans); "
          f"Sudachi loaded in {time.perf_counter() - started:.2f} s")
    result = evaluate(items, scrubber_for())
    stats = result["stats"]
    print_table(stats)
    overall = ratios(stats["all"])
    record("anonymize.scrubber.recall", overall["recall"], "ratio", "≥ 0.95")
    record("anonymize.scrubber.recall_known", overall["recall_known"], "ratio", "≥ 0.99")
    record("anonymize.scrubber.precision", overall["precision"], "ratio", "≥ 0.9")
    record("anonymize.scrubber.precision_chars", overall["precision_chars"], "ratio", "—")

    texts = [i["text"] for i in items]
    known = {i["text"]: KnownPersonalData.from_dict(i.get("known")) for i in items}
    # Known data is compiled once per node in real use, so compiling is not part of the per-text cost.
    compiled = [k.matcher for k in known.values()]
    full = throughput(texts, lambda t: scrub(t, known[t]))
    patterns_only = throughput(texts, lambda t: scrub(t, layers={"pattern"}))
    nfkc = throughput(texts, lambda t: unicodedata.normalize("NFKC", t))
    del compiled
    # A node passes everything it holds, not one case's people: all items' known data in one set.
    merged: dict[str, list[str]] = defaultdict(list)
    for item in items:
        for field, values in (item.get("known") or {}).items():
            merged[field].extend(values)
    node_known = KnownPersonalData.from_dict(merged)
    started = time.perf_counter()
    _matcher = node_known.matcher
    compile_s = time.perf_counter() - started
    node = throughput(texts, lambda t: scrub(t, node_known))
    print(f"  throughput: full {full:,.0f} texts/s, regex layer alone {patterns_only:,.0f}/s, NFKC {nfkc:,.0f}/s; "
          f"with the node's {len(node_known.person_names):,} names and {len(node_known.phones):,} phones at once "
          f"{node:,.0f}/s (compiled in {compile_s:.2f} s)")
    record("anonymize.scrubber.texts_per_s", full, "texts/s", "—")
    record("anonymize.scrubber.cost_vs_regex", patterns_only / full, "ratio", "—")
    record("anonymize.scrubber.cost_vs_nfkc", nfkc / full, "ratio", "—")
    record("anonymize.scrubber.texts_per_s_node_known", node, "texts/s", "—")
    if result["misses"]:
        print(f"  {len(result['misses'])} missed spans, {len(result['false_hits'])} false replacements "
              "(kinds only here; the corpus ids locate them)")


if __name__ == "__main__":
    run()

"""Free-text scrubber on the labelled corpus: recall and precision per kind, and throughput.

Kinds are the acceptance's: `phone`, `email`, `postal` (the scrubber's postal_code), `name` (its
person), `address`, plus `url` and `organization` (printed, not recorded) and `known`:
- recall: a labelled span counts as recalled when every character of it lies inside some replacement,
  whatever placeholder kind the replacement got. `known` recall is over the spans whose value the
  item's `known` data holds (the node's own records), of any kind: target 100%.
- precision: the fraction of replacements that overlap at least one labelled span; a replacement of
  茅ヶ崎市 or 令和5年度 overlaps none and counts against it. Per kind by the kind the scrubber gave;
  `known` precision is over the replacements the known-data layer made (after merging with spans of
  the same kind from later layers), counted correct when they overlap any labelled span.
- precision (characters, printed only): the fraction of replaced characters that lie inside labelled
  spans, which also charges a replacement for swallowing words around the data (住所は… taken with
  the address).
Throughput is texts per second per core: the benchmark runs in one thread of one process, so the
figure is what one core does (a node with n cores scrubs up to n times as many in n workers). The
regex layer alone and plain NFKC are measured over the same texts in the same run; their ratios to
the full pipeline say what the layers cost. No database.

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
# The scrubber's and the corpus's kinds under the names the benchmark reports.
KIND_NAMES = {"person": "name", "postal_code": "postal"}
KNOWN = "known"
# (kind, recall target, precision target): recall targets from the acceptance; precision keeps the
# benchmark's earlier overall target for every kind.
TARGETS = [("phone", 0.99, 0.9), ("email", 0.99, 0.9), ("postal", 0.99, 0.9), ("name", 0.97, 0.9),
           ("address", 0.97, 0.9), (KNOWN, 1.0, 0.9)]
ORDER = ["name", "phone", "email", "address", "postal", "url", "organization", KNOWN, "all"]

# One replacement: (start, end, scrubber kind, layer).
Replaced = tuple[int, int, str, str]


def load_corpus(path: Path = CORPUS) -> list[dict]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def kind_name(kind: str) -> str:
    return KIND_NAMES.get(kind, kind)


def evaluate(items: list[dict], scrub_item: Callable[[dict], list[Replaced]]) -> dict:
    """Counts per reported kind (and `known`, `all`) for recall and precision."""
    stats: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    # (item id, kind, start, end): positions, so a report can show them without copying the texts.
    misses: list[tuple[str, str, int, int]] = []
    false_hits: list[tuple[str, str, int, int]] = []
    for item in items:
        text = item["text"]
        replaced = scrub_item(item)
        covered = bytearray(len(text))
        for start, end, _kind, _layer in replaced:
            covered[start:end] = b"\x01" * (end - start)
        truth = bytearray(len(text))
        for span in item["spans"]:
            truth[span["start"]:span["end"]] = b"\x01" * (span["end"] - span["start"])
        for span in item["spans"]:
            hit = all(covered[span["start"]:span["end"]])
            kinds = [kind_name(span["kind"]), "all"] + ([KNOWN] if span.get("known") else [])
            for kind in kinds:
                stats[kind]["spans"] += 1
                stats[kind]["recalled"] += hit
            if not hit:
                misses.append((item["id"], span["kind"], span["start"], span["end"]))
        for start, end, kind, layer in replaced:
            overlaps = any(truth[start:end])
            inside = sum(truth[start:end])
            for k in [kind_name(kind), "all"] + ([KNOWN] if layer == KNOWN else []):
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

    return {"recall": div("recalled", "spans"), "precision": div("correct", "replacements"),
            "precision_chars": div("correct_chars", "replaced_chars")}


def print_table(stats: dict[str, dict[str, int]]) -> None:
    def fmt(value: float | None) -> str:
        return "   —  " if value is None else f"{value:6.3f}"

    print(f"  {'kind':<13}{'spans':>6}{'recall':>8}{'repl.':>7}{'prec.':>8}{'p.chars':>8}")
    for kind in sorted(stats, key=lambda k: ORDER.index(k) if k in ORDER else len(ORDER)):
        c = stats[kind]
        r = ratios(c)
        print(f"  {kind:<13}{c['spans']:>6}{fmt(r['recall']):>8}{c['replacements']:>7}{fmt(r['precision']):>8}"
              f"{fmt(r['precision_chars']):>8}")


def scrubber_for(layers=None, person_finder=None) -> Callable[[dict], list[Replaced]]:
    from sync.anonymize import KnownPersonalData, scrub
    from sync.anonymize.text import ALL_LAYERS

    chosen = ALL_LAYERS if layers is None else layers
    known_by_id: dict[str, KnownPersonalData] = {}

    def scrub_item(item: dict) -> list[Replaced]:
        known = known_by_id.get(item["id"])
        if known is None:
            known = known_by_id[item["id"]] = KnownPersonalData.from_dict(item.get("known"))
        result = scrub(item["text"], known, layers=chosen, person_finder=person_finder)
        return [(r.start, r.end, r.kind, r.layer) for r in result.replacements]

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
    for kind, recall_target, _ in TARGETS:
        record(f"anonymizer.recall.{kind}", ratios(stats[kind])["recall"] or 0.0, "ratio",
               "= 1.00" if recall_target == 1 else f"≥ {recall_target:.2f}")
    for kind, _, precision_target in TARGETS:
        record(f"anonymizer.precision.{kind}", ratios(stats[kind])["precision"] or 0.0, "ratio",
               f"≥ {precision_target:.2f}")

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
    print(f"  throughput, one thread: full {full:,.0f} texts/s, regex layer alone {patterns_only:,.0f}/s, "
          f"NFKC {nfkc:,.0f}/s; with the node's {len(node_known.person_names):,} names and "
          f"{len(node_known.phones):,} phones at once {node:,.0f}/s (compiled in {compile_s:.2f} s)")
    record("anonymizer.texts_per_s", full, "texts/s", "—")
    record("anonymizer.cost_vs_regex", patterns_only / full, "ratio", "—")
    record("anonymizer.cost_vs_nfkc", nfkc / full, "ratio", "—")
    if result["misses"] or result["false_hits"]:
        print(f"  {len(result['misses'])} missed spans, {len(result['false_hits'])} false replacements "
              "(kinds only here; the corpus ids locate them)")


if __name__ == "__main__":
    run()

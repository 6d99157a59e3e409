"""The free-text scrubber for collaboration cases: personal data out, typed placeholders in.

Layers run in order on one NFKC view of the text: known data the node holds, regular expressions,
Sudachi names, then an optional named-entity hook. Every replacement keeps its span in the original
text so the publish screen can show both sides; an earlier layer wins where two disagree on the kind,
except that an address, email or URL takes in a name lying inside it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from .known import KnownPersonalData
from .names import find_person_names
from .normalize import Projection, invisible, normalize
from .patterns import find_contacts

PLACEHOLDERS = {
    "person": "〔人名〕",
    "phone": "〔電話番号〕",
    "email": "〔メールアドレス〕",
    "address": "〔住所〕",
    "postal_code": "〔郵便番号〕",
    "url": "〔URL〕",
    "organization": "〔団体名〕",
}
KNOWN, PATTERN, SUDACHI, NER = "known", "pattern", "sudachi", "ner"
ALL_LAYERS = frozenset({KNOWN, PATTERN, SUDACHI, NER})

# Gets the NFKC text, returns [start, end) spans of person names in it. Off unless configured.
PersonFinder = Callable[[str], Iterable[tuple[int, int]]]
_person_finder: PersonFinder | None = None


def set_person_finder(finder: PersonFinder | None) -> None:
    """Switch the last layer on (e.g. `sync.anonymize.ner.ginza_person_finder()`) or off with None."""
    global _person_finder
    _person_finder = finder


@dataclass(frozen=True)
class Replacement:
    start: int  # in the original text
    end: int
    original: str = field(repr=False)  # personal data: shown on the publish screen, never logged
    placeholder: str
    kind: str
    layer: str
    scrubbed_start: int = 0  # where the placeholder sits in ScrubResult.text
    scrubbed_end: int = 0


@dataclass(frozen=True)
class ScrubResult:
    text: str
    replacements: list[Replacement]

    def kinds(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for r in self.replacements:
            counts[r.kind] = counts.get(r.kind, 0) + 1
        return counts


@dataclass
class _Span:
    start: int
    end: int
    kind: str
    layer: str


# Kinds whose span may hold a name: 渡辺 of 渡辺3丁目12-5 (a town named like a known person) is the address.
_HOLDS_NAMES = frozenset({"address", "email", "url"})


def _accept(accepted: list[_Span], start: int, end: int, kind: str, layer: str) -> None:
    """Add a span; one overlapping spans of its own kind merges with them, one overlapping another
    kind is dropped (the earlier layer, or the earlier pattern in a layer, was more specific), except
    that an address, email or URL takes in the names that lie wholly inside it."""
    overlapping = [s for s in accepted if s.start < end and start < s.end]
    if kind in _HOLDS_NAMES and overlapping and all(s.kind == "person" and start <= s.start and s.end <= end
                                                    for s in overlapping):
        for s in overlapping:
            accepted.remove(s)
        overlapping = []
    if any(s.kind != kind for s in overlapping):
        return
    if overlapping:
        first = overlapping[0]
        first.start = min([start, *(s.start for s in overlapping)])
        first.end = max([end, *(s.end for s in overlapping)])
        for s in overlapping[1:]:
            accepted.remove(s)
        return
    accepted.append(_Span(start, end, kind, layer))


# Between the parts of one name: 山田 太郎 found as two names, 宮本/由美, 山田・太郎.
_NAME_GAP = frozenset(" \u3000・･/／·‧∙⋅•")


def _joined_names(text: str, spans: list[_Span]) -> list[_Span]:
    """Person spans with only a space or a name dot between them are one placeholder: two would leave
    the separator, and say how the name was split."""
    joined: list[_Span] = []
    for span in spans:
        previous = joined[-1] if joined else None
        if previous is not None and previous.kind == span.kind == "person" and 0 < span.start - previous.end <= 3 \
                and all(c in _NAME_GAP or invisible(c) for c in text[previous.end:span.start]):
            previous.end = span.end
            continue
        joined.append(span)
    return joined


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _layer_spans(normalized: Projection, known: KnownPersonalData, layers: frozenset[str],
                 person_finder: PersonFinder | None) -> Iterable[tuple[str, list[tuple[int, int, str]]]]:
    if KNOWN in layers and known:
        yield KNOWN, known.matcher.find(normalized)
    if PATTERN in layers:
        yield PATTERN, find_contacts(normalized)
    if SUDACHI in layers:
        yield SUDACHI, find_person_names(normalized)
    finder = person_finder if person_finder is not None else _person_finder
    if NER in layers and finder is not None:
        yield NER, [(*normalized.origin(s, e), "person") for s, e in finder(normalized.text) if e > s]


def scrub(text: str, known: KnownPersonalData | None = None, *, layers: Iterable[str] = ALL_LAYERS,
          person_finder: PersonFinder | None = None) -> ScrubResult:
    """Replace personal data in `text` with typed placeholders (〔人名〕, 〔電話番号〕 …)."""
    known = known or KnownPersonalData()
    normalized = normalize(text)
    accepted: list[_Span] = []
    for layer, spans in _layer_spans(normalized, known, frozenset(layers), person_finder):
        for start, end, kind in spans:
            start, end = _trim(text, start, end)
            if end > start:
                _accept(accepted, start, end, kind, layer)
    accepted.sort(key=lambda s: s.start)
    accepted = _joined_names(text, accepted)
    pieces: list[str] = []
    replacements: list[Replacement] = []
    position = length = 0
    for span in accepted:
        pieces.append(text[position:span.start])
        length += span.start - position
        placeholder = PLACEHOLDERS[span.kind]
        replacements.append(Replacement(span.start, span.end, text[span.start:span.end], placeholder, span.kind,
                                        span.layer, length, length + len(placeholder)))
        pieces.append(placeholder)
        length += len(placeholder)
        position = span.end
    pieces.append(text[position:])
    return ScrubResult("".join(pieces), replacements)

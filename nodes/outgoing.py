"""The one door for every text that leaves the node: hub payloads, public pages and feeds, open-data
exports. Free text is scrubbed with everything the node knows (sync.anonymize), and the finished
document is checked again against the node's known personal data — by the scrubber's own matcher and
by an independent check that shares no code with it (sync.leakcheck: its own folding of spellings,
numerals, readings and romaji), so a blind spot of one is not a blind spot of the other. Whatever
either still finds keeps the document (or the text) from leaving.

Two guarantees: projections scrub their own free texts through `Door.text`, and the outbox passes
every payload of every registered type through `gate` (nodes.apps installs it), so a projection
that forgot to scrub a field is still stopped. Only types registered as personal by design (a
group's disaster contact, under consent) skip the gate.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable, Iterator

from sync.anonymize import KnownPersonalData, find_known, scrub
from sync.leakcheck.check import LeakCheck

from .known_data import all_personal_data, allowing, without_organizations

logger = logging.getLogger(__name__)
WITHHELD = "〔非公開〕"
# Strings of a payload that are identifiers, dates or codes, not text anybody wrote: a run of a
# timestamp's digits must not read as a phone number.
_NOT_TEXT = re.compile(
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"  # uuid
    r"|\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?)?"  # ISO date, time
    r"|\d{4}-\d{2}"  # a month
)
# What the gate looks for: organizations are left to the projections, which know which names a
# consent lets through (a listed group names itself; a named case names its parties).
GATE_KINDS = frozenset({"person", "phone", "email", "address", "postal_code"})


# One independent checker per process that only grows (a value registered since is added, never a
# recompile of the node's whole data); people and their contacts only: which organizations a document
# may name depends on consents the scrubber's matcher is given (Door's allowed_organizations).
_independent = LeakCheck()
_independent_lock = threading.Lock()
INDEPENDENT_FIELDS = ("person_names", "phones", "emails", "addresses", "postal_codes")


_extended_with: list = []  # the value tuples the check last grew by: the same ones need no pass


def independent_kinds(texts: list[str], known: KnownPersonalData) -> set[str]:
    with _independent_lock:  # gunicorn threads share it; growing it while another reads would race
        values = [getattr(known, name) for name in INDEPENDENT_FIELDS]
        if len(values) != len(_extended_with) or any(a is not b for a, b in zip(values, _extended_with, strict=False)):
            _independent.extend(dict(zip(INDEPENDENT_FIELDS, values, strict=True)))
            _extended_with[:] = values
        return _independent.kinds(texts)


def final_check(texts: Iterable[str], known: KnownPersonalData) -> set[str]:
    """The kinds of known personal data still present in `texts` (never the values), by either check."""
    texts = [text for text in texts if text]
    if not texts:
        return set()
    return {hit.kind for text in texts for hit in find_known(text, known)} | independent_kinds(texts, known)


class Door:
    """Scrub-and-check for one outgoing document, reading the node's known data once."""

    def __init__(self, known: KnownPersonalData | None = None, *, allowed_organizations=(),
                 organizations: bool = True):
        """`allowed_organizations` may be named (they consented); `organizations=False` names every
        organization (a public calendar or directory entry: organizations are not people)."""
        known = known if known is not None else all_personal_data()
        if not organizations:
            known = without_organizations(known)
        self.known = allowing(known, allowed_organizations) if allowed_organizations else known

    def text(self, value: str | None, limit: int | None = None) -> str:
        """A free text as it may leave: scrubbed, cut to `limit` (placeholders can be longer)."""
        scrubbed = scrub(value or "", self.known).text
        return scrubbed[:limit] if limit is not None else scrubbed

    def public_text(self, value: str | None, limit: int | None = None) -> str:
        """A text for a page or feed anyone may read: scrubbed, and withheld whole if the final check
        still finds personal data in it."""
        scrubbed = self.text(value, limit)
        return WITHHELD if final_check([scrubbed], self.known) else scrubbed

    def leaks(self, document) -> set[str]:
        """The kinds of known personal data the final check finds anywhere in `document`."""
        return final_check(strings_of(document), self.known)


def strings_of(document) -> Iterator[str]:
    """Every text of a payload, however nested; identifiers, dates and codes left out."""
    if isinstance(document, str):
        if not _NOT_TEXT.fullmatch(document):
            yield document
    elif isinstance(document, dict):
        for value in document.values():
            yield from strings_of(value)
    elif isinstance(document, list | tuple):
        for value in document:
            yield from strings_of(value)


def gate(entity_type: str, payload: dict) -> bool:
    """The outbox's last word on a payload about to be written: False keeps it home (the record is
    retracted or never sent), with the kinds found logged — never the values."""
    known = all_personal_data()
    kinds = {kind for kind in final_check(strings_of(payload), known) if kind in GATE_KINDS}
    if kinds:
        logger.warning("outgoing %s held back by the final check: %s", entity_type, ",".join(sorted(kinds)))
    return not kinds

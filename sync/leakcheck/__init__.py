"""The independent final check: known personal data left in an outgoing payload, by kind, never by value.

It shares no code with the scrubber (sync.anonymize; an import-linter contract keeps it so): both
the text and every known value are reduced to skeletons of its own, so whatever spelling slipped past
the scrubber is looked for again another way. Callers run it on the finished payload's texts and
refuse the whole payload when it answers anything:

    if kinds := leaks(texts, known):   # known: the node's KnownPersonalData, or a mapping of lists
        hold back, naming the kinds
"""

from .check import KINDS, LeakCheck, compile_known, leaks

__all__ = ["KINDS", "LeakCheck", "compile_known", "leaks"]

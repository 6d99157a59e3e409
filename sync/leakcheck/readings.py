"""Readings (katakana) of known names and towns for the leak check, from its own Sudachi instance.

The check does not borrow the scrubber's tokenizer: a separate dictionary object (the system
dictionary is memory-mapped, so the second costs little) keeps the two independent.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache

_lock = threading.Lock()
_tokenizer = None
_KANA = re.compile(r"[\u3041-\u3096\u30a1-\u30fcー・\s]+")


def _sudachi():
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                from sudachipy import Dictionary, SplitMode

                _tokenizer = Dictionary(dict="core").tokenizer(mode=SplitMode.C)
    return _tokenizer


def is_kana(text: str) -> bool:
    return bool(_KANA.fullmatch(text))


@lru_cache(maxsize=65536)
def tokens(text: str) -> tuple[tuple[str, str, str], ...]:
    """(surface, reading, name part: 姓/名/"") of each word."""
    out = []
    for m in _sudachi().tokenize(text):
        pos = m.part_of_speech()
        if pos[0] == "空白":
            continue
        part = pos[3] if pos[:3] == ("名詞", "固有名詞", "人名") else ""
        reading = m.reading_form()
        # Out-of-vocabulary words come back with their surface as the reading: only kana is a reading.
        out.append((m.surface(), reading if is_kana(reading) else "", part))
    return tuple(out)


def reading(text: str) -> str:
    """The whole reading in katakana, or "" when some word has none."""
    if is_kana(text):
        return text
    pieces = [r for _, r, _ in tokens(text)]
    return "".join(pieces) if all(pieces) else ""


def name_parts(name: str) -> list[str]:
    """Surname and given name: split at spaces, or where Sudachi reads a surname then a given name
    (山田太郎 → 山田, 太郎; ヤマダタロウ → ヤマダ, タロウ); [name] when neither says."""
    parts = name.split()
    if len(parts) > 1:
        return parts
    words = tokens(name)
    if len(words) == 2 and words[0][2] in ("姓", "一般") and words[1][2] == "名":
        return [words[0][0], words[1][0]]
    return [name]

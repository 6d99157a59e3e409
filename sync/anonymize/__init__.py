"""Anonymization of collaboration cases before they leave the node; pure Python, no models."""

from .known import KnownHit, KnownPersonalData, find_known
from .text import PLACEHOLDERS, Replacement, ScrubResult, scrub, set_person_finder

__all__ = ["PLACEHOLDERS", "KnownHit", "KnownPersonalData", "Replacement", "ScrubResult", "find_known", "scrub",
           "set_person_finder"]

"""What several of the hub's services share: the acting user as a row stores it, and a refusal."""

from __future__ import annotations

from django.core.exceptions import ValidationError


def actor(user):
    """The user to store as creator; None for the system or an anonymous request."""
    return user if getattr(user, "is_authenticated", False) else None


def refusal(field: str | None, message: str, code: str, **params) -> ValidationError:
    """A refusal of staff input, on `field` (None: the whole form)."""
    error = ValidationError(message, code=code, params=params or None)
    return ValidationError({field: error}) if field else error

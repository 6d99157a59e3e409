"""Small helpers the staff views share."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404

from permissions.scoping import get_scoped_or_deny

from .selectors import staff_centers


def get_or_404(user, model, perm: str, uuid):
    """The record if the user may `perm` it; a 404 for anything else (an unknown id included)."""
    try:
        return get_scoped_or_deny(user, model, perm, uuid=uuid)
    except (ObjectDoesNotExist, ValidationError) as error:
        raise Http404 from error


def show_errors(request, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


def staff_centers_or_403(user):
    """The centers the user works for; someone who is staff nowhere (a group, a department) gets a 403."""
    centers = staff_centers(user=user)
    if not centers.exists():
        raise PermissionDenied("permission_denied")
    return centers


def int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None

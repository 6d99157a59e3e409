"""What every view of the hub's staff UI shares: the permission guard and the declaration a URL names."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from permissions.selectors import hub_operator

from ..models import DisasterDeclaration
from ..selectors.access import SCOPE_PAGES, can


def forbidden(request, codename: str):
    """The refusal page: which part of the hub the page belongs to and whom to ask (403)."""
    return render(request, "hub/forbidden.html", {
        "area": SCOPE_PAGES.get(codename, ""), "operator": hub_operator(), "has_role": can(request.user, "view_hub"),
    }, status=403)


def hub_permission(codename: str):
    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not can(request.user, codename):
                return forbidden(request, codename)
            return view(request, *args, **kwargs)

        wrapper.hub_permission = codename  # read by tests/hub/test_hub_roles.py
        return wrapper

    return decorator


def declaration_or_404(uuid) -> DisasterDeclaration:
    return get_object_or_404(DisasterDeclaration, uuid=uuid)

"""What every view of the hub's staff UI shares: the permission guard and the declaration a URL names."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from ..models import DisasterDeclaration
from ..selectors.access import can


def hub_permission(codename: str):
    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not can(request.user, codename):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def declaration_or_404(uuid) -> DisasterDeclaration:
    return get_object_or_404(DisasterDeclaration, uuid=uuid)

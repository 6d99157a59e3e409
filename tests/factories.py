"""Build test data through the services (never by writing rows directly)."""

from __future__ import annotations

import datetime as dt
import itertools

from django.contrib.auth import get_user_model
from django.utils import timezone

from nodes import models as m, services
from permissions.models import OrganizationKind, Role
from permissions.services import membership_grant, organization_create

_seq = itertools.count(1)
PASSWORD = "kyodo-test-password"


def user(username: str | None = None, **extra):
    return get_user_model().objects.create_user(username=username or f"user{next(_seq)}", password=PASSWORD, **extra)


def center(name: str, code: str, municipality: str):
    return organization_create(acting_user=None, name=name, kind=OrganizationKind.CENTER,
                               municipality_code=code, municipality_name=municipality)


def member(username: str, organization, role: str):
    account = user(username)
    membership_grant(acting_user=None, user=account, organization=organization, role=role)
    return account


def fields(*codes: int):
    return list(m.ActivityField.objects.filter(code__in=codes))


def group(acting_user, center, name: str, **values):
    values.setdefault("name_kana", "テスト")
    values.setdefault("registered_on", dt.date(2023, 4, 1))
    return services.group_register(acting_user=acting_user, center=center, name=name, **values)


def event(acting_user, center, title: str, **values):
    values.setdefault("kind", m.EventKind.KORYUKAI)
    values.setdefault("starts_at", timezone.now() + dt.timedelta(days=10))
    return services.event_create(acting_user=acting_user, center=center, title=title, **values)


ROLE = Role

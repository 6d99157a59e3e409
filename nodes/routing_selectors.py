"""Reads of consultation routing: what the consultation page shows of its assignee, experts, 相談日 and
links; the 相談日 list; the monthly review list. Reads of personal data are audited here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone

from permissions.models import Membership
from permissions.roles import ROLE_PERMISSIONS
from permissions.scoping import holds, scoped_queryset

from . import models as m
from .selectors import audit_personal_read

ASSIGN_CONSULTATIONS = "assign_consultations"
STAFF_ROLES = tuple(role for role, perms in ROLE_PERMISSIONS.items() if m.CENTER_CHANGE in perms)


def center_staff(*, center_id: int) -> QuerySet:
    """The active users who work for the center: the ones a consultation may be assigned to."""
    ids = Membership.objects.filter(organization_id=center_id, role__in=STAFF_ROLES).values("user_id")
    return get_user_model().objects.filter(pk__in=ids, is_active=True).order_by("last_name", "first_name", "username")


def may_assign(*, user, center_id: int) -> bool:
    return holds(user, ASSIGN_CONSULTATIONS, center_id)


def consultation_routing(*, user, consultation: m.Consultation, today: dt.date | None = None) -> dict:
    """Everything the consultation page shows of its routing, for a user who may see the consultation."""
    today = today or timezone.localdate()
    experts = list(scoped_queryset(user, m.ExpertReferral, "view").filter(consultation=consultation)
                   .select_related("talent"))
    audit_personal_read(user=user, records=experts, purpose="consultation")
    reviews = list(scoped_queryset(user, m.NotableConsultation, "view").filter(consultation=consultation))
    audit_personal_read(user=user, records=reviews, purpose="consultation")
    center_id = consultation.center_id
    can_change = holds(user, m.CENTER_CHANGE, center_id)
    talents = list(scoped_queryset(user, m.TalentVolunteer, "view").filter(center_id=center_id, is_active=True)
                   .order_by("name_kana", "id")) if can_change else []
    audit_personal_read(user=user, records=talents, purpose="expert_choice")
    return {
        "may_assign": may_assign(user=user, center_id=center_id),
        "can_change": can_change,
        "today": today,
        "staff": list(center_staff(center_id=center_id)) if may_assign(user=user, center_id=center_id) else [],
        "kinds": m.ConsultationKind.choices,
        "experts": experts,
        "talents": talents,
        "bookings": list(consultation.day_bookings.select_related("consultation_day")),
        "open_days": list(scoped_queryset(user, m.ConsultationDay, "view").filter(center_id=center_id, day__gte=today)
                          .order_by("day", "starts_at")[:20]) if can_change else [],
        "reviews": reviews,
        "needs": list(consultation.linked_needs.all()),
        "matches": list(consultation.linked_matches.select_related("need", "offer")),
        "cases": list(consultation.linked_cases.all()),
        "linkable_needs": list(scoped_queryset(user, m.Need, "view").filter(center_id=center_id)
                               .exclude(pk__in=consultation.linked_needs.values("pk")).order_by("-created_at")[:50])
        if can_change else [],
        "linkable_matches": list(scoped_queryset(user, m.Match, "view").filter(center_id=center_id)
                                 .exclude(pk__in=consultation.linked_matches.values("pk"))
                                 .select_related("need", "offer").order_by("-created_at")[:50]) if can_change else [],
        "linkable_cases": list(scoped_queryset(user, m.CollaborationCase, "view").filter(center_id=center_id)
                               .exclude(pk__in=consultation.linked_cases.values("pk")).order_by("-created_at")[:50])
        if can_change else [],
    }


def consultation_days(*, user, since: dt.date | None = None) -> list[m.ConsultationDay]:
    since = since or timezone.localdate()
    return list(scoped_queryset(user, m.ConsultationDay, "view").filter(day__gte=since)
                .select_related("center").prefetch_related("bookings__consultation").order_by("day", "starts_at"))


@dataclass
class ReviewMonth:
    month: dt.date
    items: list[m.NotableConsultation]
    months: list[dt.date]  # the months that have a review, newest first

    @property
    def decided(self) -> int:
        return sum(1 for item in self.items if item.decision)


def review_month(*, user, month: dt.date) -> ReviewMonth:
    """The notable consultations picked for one month's review, with their decisions (audited read)."""
    scoped = scoped_queryset(user, m.NotableConsultation, "view")
    items = list(scoped.filter(month=month).select_related(
        "consultation", "consultation__assignee", "marked_by", "decided_by", "center").order_by("created_at", "id"))
    audit_personal_read(user=user, records=items, purpose="monthly_review")
    months = list(scoped.order_by("-month").values_list("month", flat=True).distinct())
    return ReviewMonth(month=month, items=items, months=months)


def staff_label(user) -> str:
    if user is None:
        return ""
    return f"{user.last_name} {user.first_name}".strip() or user.username

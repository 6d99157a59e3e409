"""Reads of a center's records; every one starts from `scoped_queryset`."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone

from config.charts import bar_chart
from permissions.models import Organization
from permissions.scoping import organizations_where, scoped_queryset
from permissions.services import audit_record

from . import models as m

LIST_RELATIONS: dict[type, dict] = {
    m.GroupRegistration: {"select": ("organization", "center"), "prefetch": ("activity_fields",)},
    m.TalentVolunteer: {"select": ("center",), "prefetch": ("activity_fields",)},
    m.Event: {"select": ("center",), "prefetch": ("activity_fields", "organizers", "participants")},
    m.Consultation: {"select": ("center", "requester_organization", "intake_staff"), "prefetch": ()},
    m.CollaborationCase: {
        "select": ("center", "responsible_department"),
        "prefetch": ("activity_fields", Prefetch("party_roles", queryset=m.CaseParty.objects.select_related("organization"))),
    },
    m.Need: {"select": ("center", "requester"), "prefetch": ("activity_fields",)},
    m.Offer: {"select": ("center", "group__organization"), "prefetch": ("activity_fields",)},
    Organization: {"select": ("center",), "prefetch": ()},
}
DEFAULT_ORDERING: dict[type, tuple[str, ...]] = {
    m.GroupRegistration: ("organization__name_kana", "id"),
    m.TalentVolunteer: ("name_kana", "id"),
    m.Event: ("-starts_at", "id"),
    m.Consultation: ("-intake_at", "id"),
    m.CollaborationCase: ("-fiscal_year_start", "id"),
    m.Need: ("-created_at", "id"),
    m.Offer: ("group__organization__name_kana", "id"),
    Organization: ("kind", "name_kana", "id"),
}


def record_list(*, user, model, perm: str = "view") -> QuerySet:
    """The records the user may see, with the relations a list page shows (no N+1)."""
    relations = LIST_RELATIONS[model]
    return (
        scoped_queryset(user, model, perm)
        .select_related(*relations["select"])
        .prefetch_related(*relations["prefetch"])
        .order_by(*DEFAULT_ORDERING[model])
    )


def record_detail(*, user, model, uuid, purpose: str = "detail"):
    """One record; reading a record that holds personal data leaves an audit row."""
    record = record_list(user=user, model=model).get(uuid=uuid)
    audit_personal_read(user=user, records=[record], purpose=purpose)
    return record


def audit_personal_read(*, user, records, purpose: str) -> None:
    records = list(records)
    if not records:
        return
    model = type(records[0])
    personal = getattr(model, "PERSONAL_FIELDS", ())
    if not personal:
        return
    if len(records) == 1:
        audit_record(actor=user, action=f"{model._meta.model_name}.read_personal", target=records[0],
                     organization=records[0].center, detail={"fields": list(personal), "purpose": purpose})
    else:
        audit_record(actor=user, action=f"{model._meta.model_name}.read_personal", organization=records[0].center,
                     detail={"fields": list(personal), "purpose": purpose, "count": len(records)})


def user_centers(*, user, codename: str = "change_center_records") -> QuerySet:
    """Centers on which the user holds `codename` (by default: may register records)."""
    return organizations_where(user, codename).filter(kind="center")


def dashboard(*, user, today: dt.date | None = None) -> dict:
    today = today or timezone.localdate()
    groups = scoped_queryset(user, m.GroupRegistration, "view")
    consultations = scoped_queryset(user, m.Consultation, "view")
    steps = dict(
        consultations.filter(closed_at__isnull=True).values_list("step").annotate(n=Count("id")).order_by()
    )
    open_steps = [
        (label, steps.get(step, 0)) for step, label in m.ConsultationStep.choices if step != m.ConsultationStep.CLOSED
    ]
    by_field = (
        m.GroupRegistration.activity_fields.through.objects.filter(groupregistration__in=groups)
        .values_list("activityfield__short_name").annotate(n=Count("id")).order_by("-n", "activityfield__code")[:10]
    )
    return {
        "consultation_chart": bar_chart([(str(label), n) for label, n in open_steps]),
        "fields_chart": bar_chart(list(by_field)),
        "renewals_due": groups.filter(status=m.GroupStatus.ACTIVE, renewal_due__lte=today + dt.timedelta(days=90))
        .select_related("organization").order_by("renewal_due")[:20],
        "renewals_due_count": groups.filter(
            status=m.GroupStatus.ACTIVE, renewal_due__lte=today + dt.timedelta(days=90)
        ).count(),
        "upcoming_events": scoped_queryset(user, m.Event, "view")
        .filter(starts_at__gte=timezone.now()).order_by("starts_at")[:8],
        "recent_cases": scoped_queryset(user, m.CollaborationCase, "view").order_by("-updated_at")[:6],
        "counts": {
            "groups": groups.count(),
            "talents": scoped_queryset(user, m.TalentVolunteer, "view").count(),
            "events": scoped_queryset(user, m.Event, "view").count(),
            "cases": scoped_queryset(user, m.CollaborationCase, "view").count(),
        },
        "today": today,
    }

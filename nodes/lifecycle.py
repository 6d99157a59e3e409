"""Reads of the registration lifecycle (the staff renewals page) and of a group's own page
(わたしの団体); every one starts from `scoped_queryset`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.charts import bar_chart
from common.japanese import fiscal_year_of
from permissions.audit import audit_record
from permissions.scoping import organizations_where, scoped_queryset

from . import models as m
from .boxes_selectors import group_box_page
from .proposal_selectors import stage_label
from .spaces_selectors import group_bookings

PENDING = (m.RenewalStatus.OPEN, m.RenewalStatus.CHANGES_REQUESTED)
GROUP_CONSENTS = (
    ("hub_listing", _("ハブ（県域）の団体一覧に掲載")),
    ("named_cases", _("共有する協働事例に団体名を掲載")),
    ("disaster_contact", _("災害時の連絡先共有")),
    ("national_listing", _("全国ハブの団体一覧に掲載（できることメニューも）")),
)


def staff_renewals(*, user) -> QuerySet:
    """The renewals of the centers where the user is staff (group members see only their own, elsewhere)."""
    centers = organizations_where(user, m.CENTER_VIEW).filter(kind="center")
    return (scoped_queryset(user, m.RegistrationRenewal, "view").filter(center__in=centers)
            .select_related("group__organization", "center"))


def renewals_overview(*, user, fiscal_year: int | None = None, today: dt.date | None = None) -> dict:
    """Renewals open / answered / overdue, and the difficulties collected at renewal per 年度."""
    today = today or timezone.localdate()
    renewals = staff_renewals(user=user)
    years = sorted(set(renewals.values_list("fiscal_year", flat=True)), reverse=True)
    if fiscal_year is None:
        fiscal_year = fiscal_year_of(today) if fiscal_year_of(today) in years or not years else years[0]
    answered_in_year = renewals.filter(fiscal_year=fiscal_year, answered_at__isnull=False)
    counts = dict(m.RenewalDifficultyAnswer.objects.filter(renewal__in=answered_in_year)
                  .values_list("difficulty").annotate(n=Count("id")).order_by())
    rows = [(str(label), counts.get(value, 0)) for value, label in m.RenewalDifficulty.choices]
    return {
        "today": today,
        "fiscal_year": fiscal_year,
        "years": years or [fiscal_year],
        "open": list(renewals.filter(status__in=PENDING, due_on__gte=today).order_by("due_on", "pk")),
        "answered": list(renewals.filter(status=m.RenewalStatus.ANSWERED).order_by("due_on", "pk")),
        "overdue": list(renewals.filter(Q(status=m.RenewalStatus.LAPSED, fiscal_year=fiscal_year)
                                        | Q(status__in=PENDING, due_on__lt=today)).order_by("-due_on", "pk")),
        "difficulty_rows": rows,
        "difficulty_chart": bar_chart(rows),
        "answered_count": answered_in_year.count(),
        "continuing_count": answered_in_year.filter(continues=True).count(),
    }


def renewal_detail(*, user, uuid) -> m.RegistrationRenewal:
    """One renewal for staff review; DoesNotExist outside the user's centers."""
    return staff_renewals(user=user).prefetch_related("difficulties").get(uuid=uuid)


# --- わたしの団体 ---------------------------------------------------------------------------


def my_groups(*, user) -> QuerySet:
    """The groups whose member the user is (held through the group's own organization, not a center)."""
    organizations = organizations_where(user, "view_group_profile")
    return (scoped_queryset(user, m.GroupRegistration, "view").filter(organization__in=organizations)
            .select_related("organization", "center").order_by("organization__name"))


@dataclass
class Step:
    label: str
    at: dt.datetime | None


def _consultation_steps(consultation: m.Consultation) -> list[Step]:
    return [Step(str(m.ConsultationStep.INTAKE.label), consultation.intake_at),
            Step(str(m.ConsultationStep.COORDINATE.label), consultation.coordinate_at),
            Step(str(m.ConsultationStep.CLOSING.label), consultation.closing_at),
            Step(str(m.ConsultationStep.CLOSED.label), consultation.closed_at)]




def _with_stage(proposal: m.Proposal) -> m.Proposal:
    proposal.stage = stage_label(proposal)
    return proposal

def group_public_events(group: m.GroupRegistration) -> QuerySet:
    """The public events a group may ask to change: those it organizes, not yet held or cancelled."""
    return m.Event.objects.filter(center_id=group.center_id, is_public=True, organizers=group.organization,
                                  status=m.EventStatus.PLANNED)

def my_group_page(*, user, uuid) -> dict:
    """Everything the group's own page shows. DoesNotExist for any group the user is not a member of
    (a guessed uuid of another group included). The group's contacts are personal data: audited."""
    group = my_groups(user=user).get(uuid=uuid)
    organization = group.organization
    audit_record(actor=user, action="groupregistration.self_view", target=group, organization=group.center,
                 detail={"fields": list(m.GroupRegistration.PERSONAL_FIELDS)})
    renewal = (m.RegistrationRenewal.objects.filter(group=group).prefetch_related("difficulties")
               .order_by("-due_on").first())
    # The group's own history with the center: read for the group, not through a staff scope, and
    # without the staff's notes or the requesters' names (only the topic, the steps and their dates).
    consultations = (m.Consultation.objects.filter(center=group.center)
                     .filter(Q(requester_organization=organization) | Q(linked_organizations=organization))
                     .distinct().order_by("-intake_at")[:30])
    cases = (m.CollaborationCase.objects.filter(center=group.center, party_roles__organization=organization)
             .distinct().order_by("-fiscal_year_start")[:30])
    events = (m.Event.objects.filter(center=group.center)
              .filter(Q(organizers=organization) | Q(participants=organization)).distinct().order_by("-starts_at")[:30])
    return {
        "group": group,
        "activity_fields": list(group.activity_fields.all()),
        "consents": [(key, str(label), getattr(group, f"consent_{key}_at")) for key, label in GROUP_CONSENTS],
        "offers": list(m.Offer.objects.filter(group=group).order_by("title")),
        "events": list(events),
        "editable_event_ids": set(group_public_events(group).values_list("id", flat=True)),
        "proposals": [_with_stage(p) for p in m.Proposal.objects.filter(group=group).select_related("need", "match")
                      .order_by("-created_at")[:30]],
        "renewal": renewal,
        "renewal_answerable": renewal is not None and renewal.status in (*PENDING, m.RenewalStatus.ANSWERED),
        "notices": list(m.GroupNotice.objects.filter(group=group)[:20]),
        "changes": list(m.GroupChangeRequest.objects.filter(group=group).select_related("offer", "event")
                        .order_by("-created_at")[:20]),
        "consultations": [(c, _consultation_steps(c)) for c in consultations],
        "cases": list(cases),
        "upcoming_bookings": list(group_bookings(group).filter(ends_at__gte=timezone.now(),
                                                               status__in=m.HOLDING_STATUSES).order_by("starts_at")[:5]),
        **group_box_page(group),
    }


def pending_changes(*, user) -> QuerySet:
    centers = organizations_where(user, m.CENTER_CHANGE).filter(kind="center")
    return (scoped_queryset(user, m.GroupChangeRequest, "view").filter(center__in=centers, status="pending")
            .select_related("group__organization", "offer", "event").order_by("created_at"))

"""Reads of emergency mode: which open declarations cover this node's centers, and the dashboard."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet

from nodes.models import GroupRegistration
from nodes.selectors import audit_personal_read
from permissions.models import Organization, OrganizationKind
from permissions.scoping import organizations_where, scoped_queryset
from sync import disaster

from .models import (
    CenterStatusReport,
    Commitment,
    DisasterContact,
    DisasterDeclaration,
    DisasterNeed,
    DisasterOffer,
    EmergencySurvey,
    NeedDelivery,
    SurveyAnswer,
)


def declaration_covers(declaration: DisasterDeclaration, center: Organization) -> bool:
    return disaster.covers(municipality_codes=declaration.municipality_codes,
                           whole_prefecture=declaration.whole_prefecture, prefecture=declaration.prefecture,
                           municipality_code=center.municipality_code)


@dataclass
class Activation:
    declaration: DisasterDeclaration
    centers: list[Organization]


@dataclass
class EmergencyState:
    """Real disasters and drills kept apart: a drill never puts the node into a real emergency."""

    real: list[Activation] = field(default_factory=list)
    exercise: list[Activation] = field(default_factory=list)

    @property
    def active(self) -> bool:
        """Emergency mode (banner, dashboard, fast sync): a real disaster or a drill covers us."""
        return bool(self.real or self.exercise)

    @property
    def real_emergency(self) -> bool:
        return bool(self.real)

    @property
    def activations(self) -> list[Activation]:
        return [*self.real, *self.exercise]


def emergency_state(*, centers: QuerySet | None = None) -> EmergencyState:
    """Open declarations that cover at least one of `centers` (default: every center of this node)."""
    state = EmergencyState()
    # Every page asks (the banner): in normal times this is one query on a partial index.
    open_declarations = list(DisasterDeclaration.objects.filter(closed_at__isnull=True).order_by("-started_at", "-id"))
    if not open_declarations:
        return state
    centers = list(centers if centers is not None else Organization.objects.filter(kind=OrganizationKind.CENTER))
    for declaration in open_declarations:
        covered = [center for center in centers if declaration_covers(declaration, center)]
        if covered:
            (state.exercise if declaration.exercise else state.real).append(Activation(declaration, covered))
    return state


def emergency_active() -> bool:
    """Whether an open declaration (or exercise) covers one of this node's centers."""
    return emergency_state().active


def user_centers(*, user, codename: str = "view_center_records") -> QuerySet:
    return organizations_where(user, codename).filter(kind=OrganizationKind.CENTER)


@dataclass
class DashboardRow:
    declaration: DisasterDeclaration
    center: Organization
    report: CenterStatusReport | None
    can_report: bool
    surveys: list = field(default_factory=list)


def dashboard(*, user) -> dict:
    """The emergency dashboard: per covered center of the user, the declaration and its last report."""
    state = emergency_state(centers=user_centers(user=user))
    may_report = set(user_centers(user=user, codename="change_center_records").values_list("pk", flat=True))
    reports = {(r.center_id, r.declaration_id): r for r in scoped_queryset(user, CenterStatusReport, "view")
               .filter(declaration__closed_at__isnull=True)}
    rows = [DashboardRow(declaration=activation.declaration, center=center,
                         report=reports.get((center.pk, activation.declaration.pk)), can_report=center.pk in may_report)
            for activation in state.activations for center in activation.centers]
    recent = DisasterDeclaration.objects.filter(closed_at__isnull=False).order_by("-closed_at")[:5]
    surveys = {activation.declaration.pk: list(open_surveys(declaration=activation.declaration))
               for activation in state.activations}
    for row in rows:
        row.surveys = surveys[row.declaration.pk]
    return {"state": state, "rows": rows, "recent_closed": recent}


def center_needs_page(*, user, declaration: DisasterDeclaration, center: Organization) -> dict:
    """One center's needs, its groups' offers and the commitments addressed to it, for one declaration."""
    return {
        "needs": scoped_queryset(user, DisasterNeed, "view").filter(declaration=declaration, center=center)
        .prefetch_related(Prefetch("deliveries", queryset=NeedDelivery.objects.order_by("reported_at", "id"))),
        "offers": scoped_queryset(user, DisasterOffer, "view").filter(declaration=declaration, center=center)
        .select_related("group__organization"),
        "commitments": scoped_queryset(user, Commitment, "view").filter(declaration=declaration, center=center),
        "groups": GroupRegistration.objects.filter(center=center, status="active").select_related("organization")
        .order_by("organization__name"),
    }


def center_contacts_page(*, user, declaration: DisasterDeclaration, center: Organization) -> dict:
    """The center's groups that consented to share a disaster contact, and what each shared for this
    declaration. Staff see the values they hold anyway; reading them is audited as personal data."""
    contacts = list(scoped_queryset(user, DisasterContact, "view").filter(declaration=declaration, center=center)
                    .select_related("group__organization", "center"))
    audit_personal_read(user=user, records=contacts, purpose="disaster_contacts")
    shared = {contact.group_id: contact for contact in contacts}
    groups = (GroupRegistration.objects.filter(center=center, status="active", consent_disaster_contact_at__isnull=False)
              .select_related("organization").order_by("organization__name"))
    return {"rows": [(group, shared.get(group.pk)) for group in groups]}


def open_surveys(*, declaration: DisasterDeclaration) -> QuerySet:
    return EmergencySurvey.objects.filter(declaration=declaration)


def survey_page(*, user, survey, center: Organization) -> dict:
    """A survey with the center's groups and whether each has answered (answers are not shown again)."""
    answered = set(scoped_queryset(user, SurveyAnswer, "view").filter(survey=survey, center=center)
                   .values_list("group_id", flat=True))
    groups = GroupRegistration.objects.filter(center=center, status="active").select_related("organization") \
        .order_by("organization__name")
    return {"rows": [(group, group.pk in answered) for group in groups], "answered": len(answered)}

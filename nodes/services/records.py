"""Writes on the simpler records: talents, events, needs, offers, collaboration cases, consultations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from common.validation import full_clean_read_links
from permissions.models import Organization

from ..models import (
    CONSULTATION_STEP_ORDER,
    MONTHS,
    CaseParty,
    CaseYear,
    CollaborationCase,
    CollaborationForm,
    Consultation,
    ConsultationStep,
    CostItem,
    Event,
    EventStatus,
    GroupRegistration,
    Need,
    Offer,
    TalentVolunteer,
)
from ..tour_sharing import reproject_case_copies
from .city_menu import resubmit_if_changed_by_department
from .pipeline import (
    create_record,
    locked_for_change,
    require_center_organizations,
    save_record,
    update_record,
)


@transaction.atomic
def talent_register(*, acting_user, center: Organization, consents: Iterable[str] = (), **values) -> TalentVolunteer:
    """Register a talent volunteer; `consents` (TalentVolunteer.CONSENTS) given at registration are dated now."""
    values.setdefault("registered_on", timezone.localdate())
    now = timezone.now()
    for consent in consents:
        values[_consent_field(consent)] = now
    return create_record(TalentVolunteer, acting_user=acting_user, center=center, values=values)


def _consent_field(consent: str) -> str:
    if consent not in TalentVolunteer.CONSENTS:
        raise ValidationError({"consent": ValidationError(gettext("不明な同意項目です。"), code="invalid_choice")})
    return f"consent_{consent}_at"


@transaction.atomic
def talent_set_consent(*, acting_user, talent: TalentVolunteer, consent: str, given: bool) -> TalentVolunteer:
    """Record that the talent gave (or withdrew) one consent, with the time: a withdrawal takes them
    off the public search (or the guidebook) at once, as both read the consent on every request."""
    field = _consent_field(consent)
    talent = locked_for_change(acting_user, talent)
    if bool(getattr(talent, field)) == given:
        return talent
    return save_record(talent, acting_user=acting_user, perm="change", values={field: timezone.now() if given else None})


@transaction.atomic
def talent_update(*, acting_user, talent: TalentVolunteer, **values) -> TalentVolunteer:
    return update_record(talent, acting_user=acting_user, values=values)


@transaction.atomic
def event_create(*, acting_user, center: Organization, **values) -> Event:
    return create_record(Event, acting_user=acting_user, center=center, values=values)


@transaction.atomic
def event_update(*, acting_user, event: Event, **values) -> Event:
    return update_record(event, acting_user=acting_user, values=values)


@transaction.atomic
def event_cancel(*, acting_user, event: Event, reason: str) -> Event:
    return update_record(event, acting_user=acting_user, values={"status": EventStatus.CANCELLED, "cancellation_reason": reason})


CHOICE_LISTS: dict[str, tuple] = {
    "allowed_forms": tuple(CollaborationForm.values),
    "covered_costs": tuple(CostItem.values),
    "cost_conditions": tuple(CostItem.values),
    "available_months": MONTHS,
}


def _choice_lists(values: dict) -> dict:
    """Multi-choice values in their canonical order without repeats; unknown values stay for clean()."""
    for name, order in CHOICE_LISTS.items():
        value = values.get(name)
        if isinstance(value, list | tuple | set | frozenset):
            try:
                items = list(dict.fromkeys(value))
            except TypeError:
                continue  # unhashable items: clean() rejects them with the field's message
            values[name] = sorted(items, key=lambda v: order.index(v) if v in order else len(order))
    return values


@transaction.atomic
def need_create(*, acting_user, center: Organization, **values) -> Need:
    return create_record(Need, acting_user=acting_user, center=center, values=_choice_lists(values))


@transaction.atomic
def need_update(*, acting_user, need: Need, **values) -> Need:
    """A department's change to a published need goes back to center staff before the public sees it."""
    need = update_record(need, acting_user=acting_user, values=_choice_lists(values))
    return resubmit_if_changed_by_department(need, acting_user=acting_user)


@transaction.atomic
def offer_create(*, acting_user, group: GroupRegistration, **values) -> Offer:
    return create_record(Offer, acting_user=acting_user, center=group.center, values={"group": group, **_choice_lists(values)})


@transaction.atomic
def offer_update(*, acting_user, offer: Offer, **values) -> Offer:
    return update_record(offer, acting_user=acting_user, values=_choice_lists(values))


# --- 協働事例 -------------------------------------------------------------------------------


def _party_setter(parties: list[dict] | None, *, replace: bool):
    """Replace a case's parties: [{"organization": Organization, "role": str, "contribution": str}]
    (`replace=False` for a case just created, which has none to delete)."""
    if parties is None:
        return None

    def set_parties(case: CollaborationCase) -> None:
        seen = set()
        rows = []
        for index, party in enumerate(parties):
            organization = party.get("organization")
            if not isinstance(organization, Organization):
                raise ValidationError({"parties": ValidationError(gettext("%(number)s件目: 組織を指定してください。") % {"number": index + 1}, code="required")})
            if organization.pk in seen:
                raise ValidationError({"parties": ValidationError(gettext("%(number)s件目: 同じ組織が重複しています。") % {"number": index + 1}, code="duplicate")})
            seen.add(organization.pk)
            row = CaseParty(case=case, organization=organization, role=party.get("role") or "partner",
                            contribution=(party.get("contribution") or "").strip())
            full_clean_read_links(row, exclude=["case"])
            rows.append(row)
        require_center_organizations(case.center_id, (row.organization for row in rows), "parties")
        if replace:
            case.party_roles.all().delete()
        CaseParty.objects.bulk_create(rows)

    return set_parties


def _with_year_totals(values: dict, years: list[dict] | None) -> dict:
    """While a case has budget lines, its cost and city share are their sums and its department
    the latest year's (so lists, the hub's copy and old reports keep one figure per case)."""
    if not years:
        return values
    # Checked before the case is saved: a wrong line would otherwise surface as a wrong case total.
    for index, year in enumerate(years):
        share, cost = year.get("city_share"), year.get("total_cost")
        if share is not None and (cost is None or share > cost):
            raise ValidationError({"years": ValidationError(
                gettext("%(number)s件目: 市負担額は事業額以下にしてください。") % {"number": index + 1},
                code="city_share_exceeds_total")})
    costs = [y.get("total_cost") for y in years if y.get("total_cost") is not None]
    shares = [y.get("city_share") for y in years if y.get("city_share") is not None]
    latest_department = next((y["responsible_department"] for y in sorted(years, key=lambda y: y.get("fiscal_year") or 0, reverse=True)
                              if y.get("responsible_department")), None)
    totals = {"total_cost": sum(costs) if costs else None, "city_share": sum(shares) if shares else None}
    if latest_department is not None:
        totals["responsible_department"] = latest_department
    return {**values, **totals}


def _year_setter(years: list[dict] | None, *, replace: bool):
    """Replace a case's budget lines: [{"fiscal_year", "total_cost", "city_share", "budget_source",
    "responsible_department", "note"}], each inside the case's 年度."""
    if years is None:
        return None

    def set_years(case: CollaborationCase) -> None:
        rows, seen = [], set()
        for index, year in enumerate(years):
            row = CaseYear(case=case, **{k: v for k, v in year.items() if v is not None})
            number = {"number": index + 1, "year": row.fiscal_year}
            if row.fiscal_year in seen:
                raise ValidationError({"years": ValidationError(
                    gettext("%(number)s件目: %(year)s年度が重複しています。") % number, code="duplicate_year")})
            seen.add(row.fiscal_year)
            last = case.fiscal_year_end or max(case.fiscal_year_start, row.fiscal_year or 0)
            if row.fiscal_year is None or not case.fiscal_year_start <= row.fiscal_year <= last:
                raise ValidationError({"years": ValidationError(
                    gettext("%(number)s件目: 年度は事業の期間（開始年度〜終了年度）の中で指定してください。") % number,
                    code="year_outside_case")})
            try:
                full_clean_read_links(row, exclude=["case"])
            except ValidationError as error:
                items = ([item for found in error.error_dict.values() for item in found]
                         if hasattr(error, "error_dict") else error.error_list)
                raise ValidationError({"years": [
                    ValidationError(gettext("%(number)s件目: %(message)s") % {**number, "message": " ".join(item.messages)},
                                    code=item.code or "invalid") for item in items]}) from error
            rows.append(row)
        require_center_organizations(case.center_id, (row.responsible_department for row in rows), "years")
        if replace:
            case.years.all().delete()
        CaseYear.objects.bulk_create(rows)

    return set_years


def _case_after_save(parties: list[dict] | None, years: list[dict] | None, *, replace: bool = True):
    steps = [step for step in (_party_setter(parties, replace=replace), _year_setter(years, replace=replace))
             if step is not None]
    if not steps:
        return None

    def after_save(case: CollaborationCase) -> None:
        for step in steps:
            step(case)

    return after_save


@transaction.atomic
def case_create(*, acting_user, center: Organization, parties: list[dict] | None = None,
                years: list[dict] | None = None, **values) -> CollaborationCase:
    return create_record(CollaborationCase, acting_user=acting_user, center=center,
                         values=_with_year_totals(values, years),
                         after_save=_case_after_save(parties or [], years, replace=False))


@transaction.atomic
def case_update(*, acting_user, case: CollaborationCase, parties: list[dict] | None = None,
                years: list[dict] | None = None, **values) -> CollaborationCase:
    case = update_record(case, acting_user=acting_user, values=_with_year_totals(values, years),
                         after_save=_case_after_save(parties, years))
    reproject_case_copies(case)  # a study tour's copy follows the case
    return case


@transaction.atomic
def case_set_sharing(*, acting_user, case: CollaborationCase, level: str, reach: str | None = None
                     ) -> CollaborationCase:
    """Staff chose a sharing level (and 共有範囲: 県内のみ or 全国) after the preview. Saving re-projects
    the case into the outbox: shared when the anonymizer lets it through, retracted (or never sent)
    when it holds it back; the prefectural hub passes it on to the national hub only at 全国."""
    case = locked_for_change(acting_user, case)
    values = {"sharing_level": level, **({"sharing_reach": reach} if reach else {})}
    if all(getattr(case, name) == value for name, value in values.items()):
        return case
    return save_record(case, acting_user=acting_user, perm="change", values=values)


# --- 相談 (関わりカード) -----------------------------------------------------------------------

CONSULTATION_STEP_FIELDS = frozenset(
    {"step", "intake_at", "intake_staff", "coordinate_at", "coordinate_staff", "closing_at", "closing_staff", "closed_at"}
)


@transaction.atomic
def consultation_open(*, acting_user, center: Organization, intake_at: dt.datetime | None = None, **values) -> Consultation:
    """インテーク: a new 関わりカード, taken by the acting staff member."""
    if CONSULTATION_STEP_FIELDS.intersection(values):
        raise ValidationError({"step": ValidationError(gettext("ステップは「次のステップへ」で進めてください。"), code="step_readonly")})
    return create_record(Consultation, acting_user=acting_user, center=center, values={
        "intake_at": intake_at or timezone.now(), "intake_staff": acting_user, "step": ConsultationStep.INTAKE, **values,
    })


@transaction.atomic
def consultation_update(*, acting_user, consultation: Consultation, **values) -> Consultation:
    if CONSULTATION_STEP_FIELDS.intersection(values):
        raise ValidationError({"step": ValidationError(gettext("ステップは「次のステップへ」で進めてください。"), code="step_readonly")})
    return update_record(consultation, acting_user=acting_user, values=values)


@transaction.atomic
def consultation_advance(*, acting_user, consultation: Consultation, note: str = "",
                         at: dt.datetime | None = None) -> Consultation:
    """Move to the next step (インテーク → コーディネート → クロージング → 完了); never backwards."""
    consultation = locked_for_change(acting_user, consultation)
    next_step = consultation.next_step
    if next_step is None:
        raise ValidationError({"step": ValidationError(gettext("この相談はすでに完了しています。"), code="already_closed")})
    at = at or timezone.now()
    values: dict[str, Any] = {"step": next_step}
    if next_step == ConsultationStep.CLOSED:
        values["closed_at"] = at
        if note:
            values["closing_note"] = "\n".join(filter(None, [consultation.closing_note, note]))
    else:
        values.update({f"{next_step}_at": at, f"{next_step}_staff": acting_user})
        if note:
            values[f"{next_step}_note"] = note
    return save_record(consultation, acting_user=acting_user, perm="change", values=values)


def steps_done(consultation: Consultation) -> list[str]:
    return CONSULTATION_STEP_ORDER[: CONSULTATION_STEP_ORDER.index(consultation.step) + 1]



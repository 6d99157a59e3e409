"""Writes on a center's records. Every write checks scope, validates, bumps the version and audits.

Values arrive already parsed (model instances for links, lists for many-to-many); callers are
the API serializers, the UI forms, the CSV import and the demo loader.
"""

from __future__ import annotations

import datetime as dt
import uuid as uuid_module
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Model, ProtectedError
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext

from common.japanese import fiscal_year_of, search_key, to_katakana_reading
from permissions.audit import audit_record
from permissions.models import Organization, OrganizationKind
from permissions.scoping import get_scoped_or_deny, holds, require_permitted, scoped_queryset
from permissions.services import organization_create
from sync import outbox

from . import matching
from .models import (
    CENTER_CHANGE,
    CONSULTATION_STEP_ORDER,
    FORMS_NEEDING_LEGAL_ENTITY,
    MATCH_ACTIVE_STATUSES,
    MATCH_STALLED_DAYS,
    MONTHS,
    CaseParty,
    CenterRecord,
    CollaborationCase,
    CollaborationForm,
    Consultation,
    ConsultationStep,
    CostItem,
    Event,
    EventStatus,
    GroupRegistration,
    IntroductionDirection,
    IntroductionRequest,
    IntroductionStatus,
    Match,
    MatchMeeting,
    MatchReminder,
    MatchStatus,
    Need,
    NeedStatus,
    Offer,
    PartyRole,
    SharingLevel,
    StudyTour,
    SuggestionDismissal,
    TalentVolunteer,
    TourCase,
    TourLesson,
    is_legal_entity,
)

GROUP_ORGANIZATION_KINDS = (
    OrganizationKind.CITIZEN_GROUP,
    OrganizationKind.NEIGHBORHOOD_ASSOCIATION,
    OrganizationKind.DISTRICT_WELFARE_COUNCIL,
    OrganizationKind.INTERMEDIATE_SUPPORT,
    OrganizationKind.PUBLIC_INTEREST_CORPORATION,
    OrganizationKind.SOCIAL_WELFARE_COUNCIL,
)
# What a group's own members may not change on their registration: the center decides these.
GROUP_CENTER_ONLY_FIELDS = frozenset({"status", "registered_on", "renewal_due", "center"})
KANA_FIELDS = ("name_kana", "representative_kana")


def _attr_path(record: Model, dotted: str) -> str:
    value: Any = record
    for part in dotted.split("."):
        value = getattr(value, part, None)
        if value is None:
            return ""
    return str(value)


def _search_text(record: CenterRecord) -> str:
    return search_key(*(_attr_path(record, name) for name in record.SEARCH_FIELDS))


def _linked_organizations_in_center(center_id: int, organizations: Iterable[Organization], field: str) -> None:
    """Links may only point at the record's own center or its partners."""
    for organization in organizations:
        if organization is None:
            continue
        if organization.pk != center_id and organization.center_id != center_id:
            raise ValidationError({field: ValidationError("このセンターの組織ではありません。", code="other_center")})


def _linked_records_in_center(center_id: int, records: Iterable[CenterRecord], field: str) -> None:
    for linked in records:
        if linked.center_id != center_id:
            raise ValidationError({field: ValidationError("このセンターの記録ではありません。", code="other_center")})


def _check_links(record: CenterRecord, values: dict, m2m: dict) -> None:
    for field, value in {**values, **m2m}.items():
        items = list(value) if isinstance(value, list | tuple | set) else [value]
        if not items or not isinstance(items[0], Model):
            continue
        if isinstance(items[0], Organization) and field != "center":
            _linked_organizations_in_center(record.center_id, items, field)
        elif isinstance(items[0], CenterRecord):
            _linked_records_in_center(record.center_id, items, field)


def _normalize(values: dict) -> dict:
    cleaned = {}
    for name, value in values.items():
        if isinstance(value, str):
            value = value.strip()
            if name in KANA_FIELDS:
                value = to_katakana_reading(value)
        cleaned[name] = value
    return cleaned


def _save(record: CenterRecord, *, acting_user, perm: str, values: dict, m2m: dict | None = None,
          after_save=None) -> CenterRecord:
    """Assign, check scope on the new values, validate, save, set links, audit."""
    m2m = m2m or {}
    values = _normalize(values)
    for name, value in values.items():
        setattr(record, name, value)
    if "center" in values and not isinstance(values["center"], Organization):
        raise ValidationError({"center": ValidationError("センターを指定してください。", code="required")})
    require_permitted(acting_user, type(record), perm, record)
    _check_links(record, values, m2m)
    creating = record.pk is None
    if not creating:
        record.version += 1
    record.search_text = _search_text(record)
    if hasattr(record, "MATCH_TEXT_FIELDS"):
        # Tokenized once here, so ranking thousands of candidates never runs Sudachi on rows.
        record.match_terms = matching.terms(*(getattr(record, name) for name in record.MATCH_TEXT_FIELDS))
    record.full_clean(exclude=["search_text"])
    record.save()
    for name, items in m2m.items():
        getattr(record, name).set(items)
    if after_save is not None:
        after_save(record)
    audit_record(
        actor=acting_user, action=f"{record._meta.model_name}.{'create' if creating else 'update'}",
        target=record, organization=record.center,
        detail={"fields": sorted([*values, *m2m])},
    )
    outbox.record_changed(record)
    return record


def _locked(user, record: CenterRecord) -> CenterRecord:
    """The current row, locked, if the user may change it (403/404 otherwise)."""
    model = type(record)
    scoped = get_scoped_or_deny(user, model, "change", pk=record.pk)
    return model.objects.select_for_update().get(pk=scoped.pk)


@transaction.atomic
def record_delete(*, acting_user, record: CenterRecord) -> None:
    model = type(record)
    record = get_scoped_or_deny(acting_user, model, "delete", pk=record.pk)
    audit_record(
        actor=acting_user, action=f"{record._meta.model_name}.delete", target=record, organization=record.center
    )
    outbox.record_deleted(record)
    try:
        record.delete()
    except ProtectedError as error:
        raise ValidationError("他の記録から参照されているため削除できません。", code="protected") from error


def _split(values: dict, m2m_names: Iterable[str]) -> tuple[dict, dict]:
    m2m_names = set(m2m_names)
    return (
        {k: v for k, v in values.items() if k not in m2m_names},
        {k: v for k, v in values.items() if k in m2m_names},
    )


# --- 団体登録 --------------------------------------------------------------------------------

GROUP_M2M = ("activity_fields",)
GROUP_ORGANIZATION_FIELDS = ("name", "name_kana", "kind")


@transaction.atomic
def group_register(*, acting_user, center: Organization, name: str, name_kana: str = "",
                   kind: str = OrganizationKind.CITIZEN_GROUP, registered_on: dt.date | None = None,
                   consents: Iterable[str] = (), **values) -> GroupRegistration:
    """Register a group with the center: its Organization, then its registration."""
    if kind not in GROUP_ORGANIZATION_KINDS:
        raise ValidationError({"kind": ValidationError("団体の種別を選んでください。", code="invalid_choice")})
    probe = GroupRegistration(center=center)
    require_permitted(acting_user, GroupRegistration, "add", probe)
    organization = organization_create(
        acting_user=acting_user, name=name, name_kana=to_katakana_reading(name_kana), kind=kind, center=center
    )
    registered_on = registered_on or timezone.localdate()
    values.setdefault("renewal_due", GroupRegistration.renewal_due_for(registered_on))
    plain, m2m = _split(values, GROUP_M2M)
    now = timezone.now()
    for consent in consents:
        plain[f"consent_{consent}_at"] = now
    return _save(
        GroupRegistration(organization=organization), acting_user=acting_user, perm="add",
        values={"center": center, "registered_on": registered_on, **plain}, m2m=m2m,
    )


@transaction.atomic
def group_update(*, acting_user, group: GroupRegistration, **values) -> GroupRegistration:
    group = _locked(acting_user, group)
    if not holds(acting_user, CENTER_CHANGE, group.center_id):
        forbidden = GROUP_CENTER_ONLY_FIELDS.intersection(values)
        if forbidden:
            raise PermissionDenied("permission_denied")
    organization_values = {k: values.pop(k) for k in GROUP_ORGANIZATION_FIELDS if k in values}
    if organization_values.get("kind", group.organization.kind) not in GROUP_ORGANIZATION_KINDS:
        raise ValidationError({"kind": ValidationError("団体の種別を選んでください。", code="invalid_choice")})
    organization = group.organization
    for name, value in _normalize(organization_values).items():
        setattr(organization, name, value)
    organization.search_text = search_key(organization.name, organization.name_kana)
    organization.full_clean(exclude=["search_text"])
    organization.save()
    plain, m2m = _split(values, GROUP_M2M)
    group = _save(group, acting_user=acting_user, perm="change", values=plain, m2m=m2m)
    _reproject_offers(group)
    from emergency.services import contacts_reproject_for_group

    contacts_reproject_for_group(group)  # a new name goes along; a group no longer active retracts
    return group


def _reproject_offers(group: GroupRegistration) -> None:
    """The group's offers are listed on the hub only while the group is (consent, status, fields):
    send what changed, or retract them."""
    for offer in Offer.objects.filter(group=group).select_related("group__organization", "center").order_by("pk"):
        outbox.record_reproject(offer)


@transaction.atomic
def group_set_consent(*, acting_user, group: GroupRegistration, consent: str, given: bool) -> GroupRegistration:
    """Record that the group gave (or withdrew) one consent, with the time it did."""
    if consent not in GroupRegistration.CONSENTS:
        raise ValidationError({"consent": ValidationError("不明な同意項目です。", code="invalid_choice")})
    group = _locked(acting_user, group)
    field = f"consent_{consent}_at"
    if bool(getattr(group, field)) == given:
        return group
    group = _save(group, acting_user=acting_user, perm="change", values={field: timezone.now() if given else None})
    if consent == "named_cases":
        # Cases shared with this group's name: re-projected now, so a withdrawal retracts them.
        for case in CollaborationCase.objects.filter(party_roles__organization=group.organization).exclude(
                sharing_level=SharingLevel.PRIVATE).distinct():
            outbox.record_changed(case)
    if consent == "hub_listing":
        _reproject_offers(group)
    if consent == "disaster_contact" and not given:
        from emergency.services import contacts_purge_for_group

        contacts_purge_for_group(group)  # gone from the hub at once, not at the disaster's close
    return group


@transaction.atomic
def group_renew(*, acting_user, group: GroupRegistration, renewed_on: dt.date | None = None) -> GroupRegistration:
    """The three-yearly renewal: the registration runs for three more 年度 from `renewed_on`."""
    group = _locked(acting_user, group)
    if not holds(acting_user, CENTER_CHANGE, group.center_id):
        raise PermissionDenied("permission_denied")
    renewed_on = renewed_on or timezone.localdate()
    group = _save(
        group, acting_user=acting_user, perm="change",
        values={"renewal_due": GroupRegistration.renewal_due_for(renewed_on), "status": "active"},
    )
    _reproject_offers(group)
    return group


@transaction.atomic
def group_delete(*, acting_user, group: GroupRegistration) -> None:
    organization = group.organization
    # The group's offers go with it (a cascade): the hub forgets them too.
    for offer in Offer.objects.filter(group=group).select_related("center"):
        outbox.record_deleted(offer)
    from emergency.services import contacts_purge_for_group

    contacts_purge_for_group(group)
    record_delete(acting_user=acting_user, record=group)
    # The organization stays when cases or events still name it as a party.
    try:
        with transaction.atomic():
            organization.delete()
    except ProtectedError:
        pass


# --- generic create/update for the simpler records --------------------------------------------

M2M_FIELDS: dict[type[CenterRecord], tuple[str, ...]] = {
    TalentVolunteer: ("activity_fields",),
    Event: ("activity_fields", "organizers", "participants", "produced_cases", "produced_groups"),
    CollaborationCase: ("activity_fields",),
    Need: ("activity_fields",),
    Offer: ("activity_fields",),
    Consultation: ("linked_organizations", "linked_cases"),
    StudyTour: ("activity_fields",),
    TourCase: (),
    TourLesson: ("cases",),
}


def _create(model: type[CenterRecord], *, acting_user, center: Organization, values: dict, after_save=None):
    plain, m2m = _split(values, M2M_FIELDS[model])
    return _save(model(), acting_user=acting_user, perm="add", values={"center": center, **plain}, m2m=m2m,
                 after_save=after_save)


def _update(record: CenterRecord, *, acting_user, values: dict, after_save=None):
    record = _locked(acting_user, record)
    plain, m2m = _split(values, M2M_FIELDS[type(record)])
    return _save(record, acting_user=acting_user, perm="change", values=plain, m2m=m2m, after_save=after_save)


@transaction.atomic
def talent_register(*, acting_user, center: Organization, **values) -> TalentVolunteer:
    values.setdefault("registered_on", timezone.localdate())
    return _create(TalentVolunteer, acting_user=acting_user, center=center, values=values)


@transaction.atomic
def talent_update(*, acting_user, talent: TalentVolunteer, **values) -> TalentVolunteer:
    return _update(talent, acting_user=acting_user, values=values)


@transaction.atomic
def event_create(*, acting_user, center: Organization, **values) -> Event:
    return _create(Event, acting_user=acting_user, center=center, values=values)


@transaction.atomic
def event_update(*, acting_user, event: Event, **values) -> Event:
    return _update(event, acting_user=acting_user, values=values)


@transaction.atomic
def event_cancel(*, acting_user, event: Event, reason: str) -> Event:
    return _update(event, acting_user=acting_user, values={"status": EventStatus.CANCELLED, "cancellation_reason": reason})


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
    return _create(Need, acting_user=acting_user, center=center, values=_choice_lists(values))


@transaction.atomic
def need_update(*, acting_user, need: Need, **values) -> Need:
    return _update(need, acting_user=acting_user, values=_choice_lists(values))


@transaction.atomic
def offer_create(*, acting_user, group: GroupRegistration, **values) -> Offer:
    return _create(Offer, acting_user=acting_user, center=group.center, values={"group": group, **_choice_lists(values)})


@transaction.atomic
def offer_update(*, acting_user, offer: Offer, **values) -> Offer:
    return _update(offer, acting_user=acting_user, values=_choice_lists(values))


# --- 協働事例 -------------------------------------------------------------------------------


def _party_setter(parties: list[dict] | None):
    """Replace a case's parties: [{"organization": Organization, "role": str, "contribution": str}]."""
    if parties is None:
        return None

    def set_parties(case: CollaborationCase) -> None:
        seen = set()
        rows = []
        for index, party in enumerate(parties):
            organization = party.get("organization")
            if not isinstance(organization, Organization):
                raise ValidationError({"parties": ValidationError(f"{index + 1}件目: 組織を指定してください。", code="required")})
            if organization.pk in seen:
                raise ValidationError({"parties": ValidationError(f"{index + 1}件目: 同じ組織が重複しています。", code="duplicate")})
            seen.add(organization.pk)
            row = CaseParty(case=case, organization=organization, role=party.get("role") or "partner",
                            contribution=(party.get("contribution") or "").strip())
            row.full_clean(exclude=["case"])
            rows.append(row)
        _linked_organizations_in_center(case.center_id, (row.organization for row in rows), "parties")
        case.party_roles.all().delete()
        CaseParty.objects.bulk_create(rows)

    return set_parties


@transaction.atomic
def case_create(*, acting_user, center: Organization, parties: list[dict] | None = None, **values) -> CollaborationCase:
    return _create(CollaborationCase, acting_user=acting_user, center=center, values=values,
                   after_save=_party_setter(parties or []))


@transaction.atomic
def case_update(*, acting_user, case: CollaborationCase, parties: list[dict] | None = None, **values) -> CollaborationCase:
    from .tours import reproject_case_copies

    case = _update(case, acting_user=acting_user, values=values, after_save=_party_setter(parties))
    reproject_case_copies(case)  # a study tour's copy follows the case
    return case


@transaction.atomic
def case_set_sharing(*, acting_user, case: CollaborationCase, level: str) -> CollaborationCase:
    """Staff chose a sharing level after the preview. Saving re-projects the case into the outbox:
    shared when the anonymizer lets it through, retracted (or never sent) when it holds it back."""
    case = _locked(acting_user, case)
    if case.sharing_level == level:
        return case
    return _save(case, acting_user=acting_user, perm="change", values={"sharing_level": level})


# --- 相談 (関わりカード) -----------------------------------------------------------------------

CONSULTATION_STEP_FIELDS = frozenset(
    {"step", "intake_at", "intake_staff", "coordinate_at", "coordinate_staff", "closing_at", "closing_staff", "closed_at"}
)


@transaction.atomic
def consultation_open(*, acting_user, center: Organization, intake_at: dt.datetime | None = None, **values) -> Consultation:
    """インテーク: a new 関わりカード, taken by the acting staff member."""
    if CONSULTATION_STEP_FIELDS.intersection(values):
        raise ValidationError({"step": ValidationError("ステップは「次のステップへ」で進めてください。", code="step_readonly")})
    return _create(Consultation, acting_user=acting_user, center=center, values={
        "intake_at": intake_at or timezone.now(), "intake_staff": acting_user, "step": ConsultationStep.INTAKE, **values,
    })


@transaction.atomic
def consultation_update(*, acting_user, consultation: Consultation, **values) -> Consultation:
    if CONSULTATION_STEP_FIELDS.intersection(values):
        raise ValidationError({"step": ValidationError("ステップは「次のステップへ」で進めてください。", code="step_readonly")})
    return _update(consultation, acting_user=acting_user, values=values)


@transaction.atomic
def consultation_advance(*, acting_user, consultation: Consultation, note: str = "",
                         at: dt.datetime | None = None) -> Consultation:
    """Move to the next step (インテーク → コーディネート → クロージング → 完了); never backwards."""
    consultation = _locked(acting_user, consultation)
    next_step = consultation.next_step
    if next_step is None:
        raise ValidationError({"step": ValidationError("この相談はすでに完了しています。", code="already_closed")})
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
    return _save(consultation, acting_user=acting_user, perm="change", values=values)


def steps_done(consultation: Consultation) -> list[str]:
    return CONSULTATION_STEP_ORDER[: CONSULTATION_STEP_ORDER.index(consultation.step) + 1]


# --- organizations (partners directory) ---------------------------------------------------------


@transaction.atomic
def partner_create(*, acting_user, center: Organization, name: str, kind: str, **values) -> Organization:
    """A partner the center works with (担当課, 自治会, 企業 …), kept in the center's directory."""
    require_permitted(acting_user, Organization, "add", Organization(center=center, kind=kind, name=name))
    return organization_create(acting_user=acting_user, name=name, kind=kind, center=center, **values)


@transaction.atomic
def partner_update(*, acting_user, organization: Organization, **values) -> Organization:
    organization = get_scoped_or_deny(acting_user, Organization, "change", pk=organization.pk)
    if "center" in values and values["center"] != organization.center:
        raise ValidationError({"center": ValidationError("所属センターは変更できません。", code="readonly")})
    for name, value in _normalize(values).items():
        setattr(organization, name, value)
    organization.search_text = search_key(organization.name, organization.name_kana)
    organization.full_clean(exclude=["search_text"])
    organization.save()
    audit_record(actor=acting_user, action="organization.update", target=organization,
                 organization=organization.center or organization, detail={"fields": sorted(values)})
    outbox.record_changed(organization)
    return organization


@transaction.atomic
def partner_delete(*, acting_user, organization: Organization) -> None:
    organization = get_scoped_or_deny(acting_user, Organization, "delete", pk=organization.pk)
    if hasattr(organization, "registration"):
        raise ValidationError("登録団体は団体登録から削除してください。", code="is_registered_group")
    audit_record(actor=acting_user, action="organization.delete", target=organization, organization=organization.center)
    try:
        organization.delete()
    except ProtectedError as error:
        raise ValidationError("他の記録から参照されているため削除できません。", code="protected") from error


def visible_organizations(user):
    return scoped_queryset(user, Organization, "view")


# --- マッチング (協働の種 × できることメニュー) -----------------------------------------------------


def _same_center(need: Need, offer: Offer) -> None:
    if need.center_id != offer.center_id:
        raise ValidationError({"offer": ValidationError("協働の種と同じセンターのメニューを選んでください。",
                                                        code="other_center")})


def _require_center_staff(acting_user, center_id: int) -> None:
    """Matching is the center's work (seed 002: the center sits in between); departments and groups only read."""
    if not holds(acting_user, CENTER_CHANGE, center_id):
        raise PermissionDenied("permission_denied")


def _suggestion_snapshot(acting_user, need: Need, offer: Offer) -> matching.Suggestion:
    from .selectors import pair_suggestion

    return pair_suggestion(user=acting_user, need=need, offer=offer)


@transaction.atomic
def suggestion_dismiss(*, acting_user, need: Need, offer: Offer, reason: str, note: str = "") -> SuggestionDismissal:
    """Set a suggested pair aside with a reason; later rankings learn from it (nodes.matching.learn)."""
    need = get_scoped_or_deny(acting_user, Need, "view", pk=need.pk)
    _require_center_staff(acting_user, need.center_id)
    offer = get_scoped_or_deny(acting_user, Offer, "view", pk=offer.pk)
    _same_center(need, offer)
    if SuggestionDismissal.objects.filter(need=need, offer=offer).exists():
        raise ValidationError({"offer": ValidationError("この提案はすでに見送っています。", code="already_dismissed")})
    suggestion = _suggestion_snapshot(acting_user, need, offer)
    dismissal = SuggestionDismissal(dismissed_by=acting_user, features=suggestion.features, score=suggestion.score)
    try:
        with transaction.atomic():
            return _save(dismissal, acting_user=acting_user, perm="add", values={
                "center": need.center, "need": need, "offer": offer, "requester": need.requester,
                "group": offer.group, "reason": reason, "note": note,
            })
    except IntegrityError as error:  # the same pair dismissed concurrently
        raise ValidationError({"offer": ValidationError("この提案はすでに見送っています。",
                                                        code="already_dismissed")}) from error


@transaction.atomic
def suggestion_restore(*, acting_user, dismissal: SuggestionDismissal) -> None:
    """Take a dismissal back: the pair is suggested again and stops weighing on the ranking."""
    record_delete(acting_user=acting_user, record=dismissal)


def _match_step(match: Match, *, acting_user, values: dict) -> Match:
    return _save(match, acting_user=acting_user, perm="change",
                 values={**values, "last_activity_at": timezone.now()})


def _need_status(acting_user, need: Need, status: str) -> None:
    need = _locked(acting_user, need)
    if need.status != status:
        _save(need, acting_user=acting_user, perm="change", values={"status": status})


@transaction.atomic
def match_propose(*, acting_user, need: Need, offer: Offer, note: str = "") -> Match:
    """提案: the center starts coordinating a need with an offer (from a suggestion or by hand)."""
    need = get_scoped_or_deny(acting_user, Need, "view", pk=need.pk)
    _require_center_staff(acting_user, need.center_id)
    offer = get_scoped_or_deny(acting_user, Offer, "view", pk=offer.pk)
    _same_center(need, offer)
    if need.status == NeedStatus.CLOSED:
        raise ValidationError({"need": ValidationError("終了した協働の種には提案できません。", code="need_closed")})
    if Match.objects.filter(need=need, offer=offer).exclude(status=MatchStatus.DECLINED).exists():
        raise ValidationError({"offer": ValidationError("この組み合わせはすでに調整中です。", code="already_matching")})
    suggestion = _suggestion_snapshot(acting_user, need, offer)
    match = Match(proposed_by=acting_user, reasons=[r.as_dict() for r in suggestion.reasons], score=suggestion.score)
    try:
        with transaction.atomic():
            match = _save(match, acting_user=acting_user, perm="add", values={
                "center": need.center, "need": need, "offer": offer, "note": note,
                "status": MatchStatus.PROPOSED, "last_activity_at": timezone.now(),
            })
    except IntegrityError as error:  # proposed concurrently: the partial unique index decided
        raise ValidationError({"offer": ValidationError("この組み合わせはすでに調整中です。",
                                                        code="already_matching")}) from error
    if need.status == NeedStatus.OPEN:
        _need_status(acting_user, need, NeedStatus.COORDINATING)
    return match


@transaction.atomic
def match_record_meeting(*, acting_user, match: Match, held_on: dt.date | None, notes: str) -> MatchMeeting:
    """事前打ち合わせ: record a meeting; the first one moves a proposed match to 事前打ち合わせ."""
    match = _locked(acting_user, match)
    if match.status not in MATCH_ACTIVE_STATUSES:
        raise ValidationError({"status": ValidationError("見送り・事例化したマッチングには打ち合わせを記録できません。",
                                                         code="match_closed")})
    errors = {}
    if held_on is None:
        errors["held_on"] = ValidationError("実施日を入力してください。", code="required")
    elif held_on > timezone.localdate():
        errors["held_on"] = ValidationError("実施日は今日以前の日付にしてください。", code="future_date")
    if not (notes or "").strip():
        errors["notes"] = ValidationError("打ち合わせの記録を入力してください。", code="required")
    if errors:
        raise ValidationError(errors)
    meeting = MatchMeeting(match=match, held_on=held_on, notes=notes.strip(), recorded_by=acting_user)
    meeting.full_clean()
    meeting.save()
    values: dict[str, Any] = {}
    if match.status == MatchStatus.PROPOSED:
        values.update(status=MatchStatus.MEETING, meeting_at=timezone.now())
    _match_step(match, acting_user=acting_user, values=values)
    audit_record(actor=acting_user, action="match.meeting", target=match, organization=match.center,
                 detail={"held_on": held_on.isoformat()})
    return meeting


def _form_errors(match: Match, form: str) -> ValidationError | None:
    if form not in CollaborationForm.values:
        return ValidationError("協働の形態を選んでください。", code="invalid_choice")
    allowed = match.need.allowed_forms
    if allowed and form not in allowed:
        labels = "・".join(match.need.get_allowed_forms_display())
        return ValidationError(f"協働の種で想定していない形態です（想定: {labels}）。", code="form_not_allowed")
    if form in FORMS_NEEDING_LEGAL_ENTITY and is_legal_entity(match.offer.group.legal_form) is not True:
        return ValidationError("委託には法人格が必要です。", code="legal_entity_required")
    return None


@transaction.atomic
def match_agree(*, acting_user, match: Match, form: str, note: str = "") -> Match:
    """合意: after at least one 事前打ち合わせ, the parties agree on a form of collaboration."""
    match = _locked(acting_user, match)
    if match.status == MatchStatus.PROPOSED:
        raise ValidationError({"status": ValidationError("合意の前に事前打ち合わせを記録してください。",
                                                         code="meeting_required")})
    if match.status != MatchStatus.MEETING:
        raise ValidationError({"status": ValidationError("この段階では合意を記録できません。", code="invalid_step")})
    error = _form_errors(match, form)
    if error:
        raise ValidationError({"form": error})
    values = {"status": MatchStatus.AGREED, "agreed_at": timezone.now(), "agreed_form": form}
    if note.strip():
        values["note"] = "\n".join(filter(None, [match.note, note.strip()]))
    return _match_step(match, acting_user=acting_user, values=values)


def _case_values(match: Match) -> dict:
    """A case pre-filled from the match: the need's purpose, the offer, both sides' contributions."""
    need, offer = match.need, match.offer
    group = offer.group.organization
    requester = need.requester
    department = requester if requester.kind == "city_department" else None
    fields = list(need.activity_fields.all()) or list(offer.activity_fields.all())
    summary = "\n\n".join(filter(None, [
        need.purpose or need.description,
        f"{group.name}の「{offer.title}」: {offer.description}",
    ]))
    parties = [
        {"organization": group, "role": PartyRole.LEAD,
         "contribution": need.partner_role or f"{offer.title}（{offer.description}）"},
        {"organization": requester, "role": PartyRole.GOVERNMENT if department else PartyRole.PARTNER,
         "contribution": need.resources},
        {"organization": match.center, "role": PartyRole.COORDINATOR,
         "contribution": "マッチング・事前打ち合わせの調整"},
    ]
    return {
        "title": need.title, "summary": summary, "form": match.agreed_form, "activity_fields": fields,
        "responsible_department": department, "fiscal_year_start": need.fiscal_year or fiscal_year_of(timezone.localdate()),
        "parties": parties,
    }


@transaction.atomic
def match_create_case(*, acting_user, match: Match) -> Match:
    """From an agreed match, the collaboration case, through the case services (same checks, audit, outbox)."""
    match = _locked(acting_user, match)
    if match.status != MatchStatus.AGREED:
        raise ValidationError({"status": ValidationError("協働事例は合意したマッチングから作成します。",
                                                         code="not_agreed")})
    error = _form_errors(match, match.agreed_form)  # the need or the group may have changed since
    if error:
        raise ValidationError({"form": error})
    case = case_create(acting_user=acting_user, center=match.center, **_case_values(match))
    match = _match_step(match, acting_user=acting_user, values={
        "status": MatchStatus.CASE_CREATED, "case": case, "case_created_at": timezone.now(),
    })
    if match.need.status != NeedStatus.CLOSED:
        _need_status(acting_user, match.need, NeedStatus.MATCHED)
    return match


@transaction.atomic
def match_decline(*, acting_user, match: Match, reason: str) -> Match:
    """見送り: the match ends here, with the reason (a pair may be proposed again later)."""
    match = _locked(acting_user, match)
    if match.status not in MATCH_ACTIVE_STATUSES:
        raise ValidationError({"status": ValidationError("このマッチングはすでに終了しています。", code="match_closed")})
    if not (reason or "").strip():
        raise ValidationError({"reason": ValidationError("見送りの理由を入力してください。", code="required")})
    match = _match_step(match, acting_user=acting_user, values={
        "status": MatchStatus.DECLINED, "declined_at": timezone.now(), "declined_reason": reason.strip(),
    })
    others = Match.objects.filter(need=match.need, status__in=MATCH_ACTIVE_STATUSES).exists()
    if match.need.status == NeedStatus.COORDINATING and not others:
        _need_status(acting_user, match.need, NeedStatus.OPEN)
    return match


@transaction.atomic
def match_remind_stalled(*, now: dt.datetime | None = None, days: int = MATCH_STALLED_DAYS) -> int:
    """Record a reminder for every active match without a step or meeting for `days` days.

    A system job (the beat schedule runs it) across all centers of this node, so it reads the
    rows directly rather than through a user's scope. Idempotent: one reminder per stall, keyed
    on the match's last activity, and the unique constraint settles concurrent runs.
    """
    now = now or timezone.now()
    stalled = list(Match.objects.filter(status__in=MATCH_ACTIVE_STATUSES,
                                        last_activity_at__lt=now - dt.timedelta(days=days))
                   .values_list("id", "center_id", "last_activity_at", "status"))
    if not stalled:
        return 0
    known = set(MatchReminder.objects.filter(match_id__in=[row[0] for row in stalled])
                .values_list("match_id", "stalled_since"))
    fresh = [MatchReminder(match_id=match_id, center_id=center_id, stalled_since=since, status=status)
             for match_id, center_id, since, status in stalled if (match_id, since) not in known]
    MatchReminder.objects.bulk_create(fresh, ignore_conflicts=True)
    by_center: dict[int, int] = {}
    for reminder in fresh:
        by_center[reminder.center_id] = by_center.get(reminder.center_id, 0) + 1
    for center_id, count in by_center.items():
        audit_record(actor=None, action="match.remind", organization=Organization(pk=center_id),
                     detail={"count": count, "days": days})
    return len(fresh)


# --- 他センターへの紹介の依頼 (through the hub) ------------------------------------------------------

INTRODUCTION_MAX_MESSAGE = 4000


def hub_client(client=None):
    """A client for a request staff wait on: short timeouts (sync.client.LIVE_TIMEOUT)."""
    from sync.client import LIVE_TIMEOUT, HubClient

    return client or HubClient(timeout=LIVE_TIMEOUT)


def hub_error_message(error) -> str:
    if error.code in ("no_hub", "no_key"):
        return gettext("このノードはハブに接続する設定がありません（管理者にお問い合わせください）。")
    if error.code == "hub_unreachable" or error.code.startswith("http_5"):
        return gettext("ハブに接続できませんでした。しばらくしてからもう一度お試しください。")
    messages = {
        "offer_not_found": gettext("このメニューはハブから取り下げられました。"),
        "own_offer": gettext("自分のノードのメニューには紹介の依頼は要りません。"),
        "already_answered": gettext("この依頼にはすでに回答しています。"),
    }
    return messages.get(error.code, gettext("ハブが依頼を受け付けませんでした（%(code)s）。") % {"code": error.code})


def _checked(text: str, field: str, known):
    from sync.sharing import blocked_message, check_text

    checked = check_text(text, known=known)
    if not checked.sendable:
        raise ValidationError({field: ValidationError(blocked_message(checked.blocked), code="personal_data")})
    return checked


def _message(text: str, *, required: bool, label: str) -> str:
    text = (text or "").strip()
    if required and not text:
        raise ValidationError({"message": ValidationError(gettext("%(label)sを入力してください。") % {"label": label},
                                                          code="required")})
    if len(text) > INTRODUCTION_MAX_MESSAGE:
        raise ValidationError({"message": ValidationError(
            gettext("メッセージは%(limit)d字以内にしてください。") % {"limit": INTRODUCTION_MAX_MESSAGE},
            code="max_length")})
    return text


def introduction_request(*, acting_user, need: Need, offer_uuid, message: str, client=None) -> IntroductionRequest:
    """Ask, through the hub, the center owning another center's listed offer to introduce its group
    for `need`. The message and the need's title leave the node scrubbed; known personal data left
    after scrubbing refuses the request. Not one transaction: the hub is asked first (idempotent by
    the request's uuid), and only an accepted request is recorded here."""
    from sync.client import SyncError
    from sync.sharing import all_personal_data

    need = get_scoped_or_deny(acting_user, Need, "view", pk=need.pk)
    _require_center_staff(acting_user, need.center_id)
    try:
        offer_uuid = uuid_module.UUID(str(offer_uuid))
    except ValueError as error:
        raise ValidationError({"offer": ValidationError(gettext("依頼するメニューを選んでください。"),
                                                        code="invalid")}) from error
    text = _message(message, required=True, label=gettext("依頼のメッセージ"))
    known = all_personal_data()
    checked = _checked(text, "message", known)
    title = _checked(need.title, "message", known)
    request_uuid = uuid_module.uuid4()
    try:
        answer = hub_client(client).json("POST", "/sync/v1/introductions", {
            "uuid": str(request_uuid), "center": str(need.center.uuid), "offer": str(offer_uuid),
            "need_title": title.text, "message": checked.text})
    except SyncError as error:
        raise ValidationError(hub_error_message(error), code=error.code) from error
    with transaction.atomic():
        return _save(IntroductionRequest(uuid=request_uuid), acting_user=acting_user, perm="add", values={
            "center": need.center, "direction": IntroductionDirection.SENT, "need": need, "need_title": need.title,
            "offer_uuid": offer_uuid, "offer_title": answer.get("offer_title", "")[:400],
            "group_name": answer.get("group_name", "")[:200],
            "other_center_name": answer.get("to_center_name", "")[:200] or gettext("他のセンター"),
            "message": checked.text, "requested_by": acting_user})


def introduction_answer(*, acting_user, request: IntroductionRequest, accept: bool, message: str = "",
                        client=None) -> IntroductionRequest:
    """The owning center answers a received request once (forward only); the hub tells the asking center."""
    from sync.client import SyncError

    request = get_scoped_or_deny(acting_user, IntroductionRequest, "change", pk=request.pk)
    if request.direction != IntroductionDirection.RECEIVED:
        raise ValidationError(gettext("依頼したセンターは回答できません。"), code="not_owner")
    if request.status != IntroductionStatus.PENDING:
        raise ValidationError(gettext("この依頼にはすでに回答しています。"), code="already_answered")
    text = _message(message, required=not accept, label=gettext("紹介できない理由"))
    from sync.sharing import all_personal_data

    checked = _checked(text, "message", all_personal_data()) if text else None
    status = IntroductionStatus.ACCEPTED if accept else IntroductionStatus.DECLINED
    sent = checked.text if checked else ""
    try:
        hub_client(client).json("POST", f"/sync/v1/introductions/{request.uuid}/answer",
                                {"status": status.value, "message": sent})
    except SyncError as error:
        raise ValidationError(hub_error_message(error), code=error.code) from error
    with transaction.atomic():
        # Forward only: a concurrent answer that got here first wins, this one changes nothing.
        IntroductionRequest.objects.filter(pk=request.pk, status=IntroductionStatus.PENDING).update(
            status=status, answer_message=sent, answered_at=timezone.now(), answered_by=acting_user,
            version=F("version") + 1)
        request.refresh_from_db()
        audit_record(actor=acting_user, action="introductionrequest.answer", target=request,
                     organization=request.center, detail={"status": request.status})
    return request


def _feed_payload(item, keys: set[str]) -> dict:
    payload = item.payload
    if not isinstance(payload, dict) or not keys <= set(payload):
        raise ValueError("an introduction entry lacks fields")
    return payload


@transaction.atomic
def introduction_receive_item(item) -> IntroductionRequest:
    """Feed handler (introduction_request): the hub passes on another center's request to one of our
    centers; it lands in that center's inbox. Idempotent by the request's uuid."""
    payload = _feed_payload(item, {"uuid", "to_center", "from_center_name", "offer", "offer_title", "group_name",
                                   "need_title", "message"})
    center = Organization.objects.filter(kind=OrganizationKind.CENTER, uuid=payload["to_center"]).first()
    if center is None:
        raise ValueError("the request names no center of this node")
    offer = Offer.objects.filter(uuid=payload["offer"], center=center).first()
    record, created = IntroductionRequest.objects.get_or_create(uuid=payload["uuid"], defaults={
        "center": center, "direction": IntroductionDirection.RECEIVED, "offer": offer,
        "offer_uuid": payload["offer"], "need_title": str(payload["need_title"])[:400],
        "offer_title": str(payload["offer_title"])[:400], "group_name": str(payload["group_name"])[:200],
        "other_center_name": str(payload["from_center_name"])[:200], "message": str(payload["message"]),
        "search_text": search_key(payload["need_title"], payload["offer_title"], payload["from_center_name"])})
    if created:
        audit_record(actor=None, action="introductionrequest.receive", target=record, organization=center,
                     detail={"seq": item.seq})
    return record


@transaction.atomic
def introduction_answer_receive_item(item) -> IntroductionRequest:
    """Feed handler (introduction_answer): the owning center answered one of our requests."""
    payload = _feed_payload(item, {"uuid", "status", "message", "answered_at"})
    if payload["status"] not in (IntroductionStatus.ACCEPTED, IntroductionStatus.DECLINED):
        raise ValueError("an answer is accepted or declined")
    record = IntroductionRequest.objects.select_for_update().filter(
        uuid=payload["uuid"], direction=IntroductionDirection.SENT).first()
    if record is None:
        raise ValueError("no request of this node has this uuid")
    if record.status == IntroductionStatus.PENDING:  # forward only: a re-delivered answer changes nothing
        record.status, record.answer_message = payload["status"], str(payload["message"])
        record.answered_at = parse_datetime(str(payload["answered_at"])) or timezone.now()
        record.version += 1
        record.save(update_fields=["status", "answer_message", "answered_at", "version", "updated_at"])
        audit_record(actor=None, action="introductionrequest.answered", target=record, organization=record.center,
                     detail={"status": record.status, "seq": item.seq})
    return record

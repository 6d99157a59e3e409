"""Writes of emergency mode: receiving declarations, commitments and surveys from the feed, centers
reporting their status, needs and their groups' offers, answering commitments, groups' disaster
contacts (shared for one declaration, purged at its close) and survey answers (only counts leave)."""

from __future__ import annotations

import datetime as dt
import logging
import re
import uuid as uuid_module

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from nodes.models import GroupRegistration
from permissions.audit import audit_record
from permissions.models import Organization, OrganizationKind
from permissions.scoping import is_permitted
from sync import disaster, outbox
from sync.models import FeedItem, Priority
from sync.wire import disaster as disaster_wire

from .models import (
    CenterStatusReport,
    Commitment,
    DisasterContact,
    DisasterDeclaration,
    DisasterNeed,
    DisasterOffer,
    EmergencySurvey,
    SurveyAnswer,
)
from .selectors import declaration_covers

logger = logging.getLogger(__name__)
# A status note leaves the node: it must not carry a phone number or an e-mail address.
_CONTACT = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+|0\d{1,4}[-‐ー－(（ ]?\d{1,4}[-‐ー－)） ]?\d{3,4}")


@transaction.atomic
def declaration_receive(*, payload: dict, feed_seq: int) -> DisasterDeclaration | None:
    """Mirror a declaration from the hub; only a newer version changes the row. Returns it when it changed.

    ValueError (naming the field) when the payload is not a declaration this node can understand.
    """
    values = disaster.parse_declaration(payload)
    current = DisasterDeclaration.objects.select_for_update().filter(uuid=values["uuid"]).first()
    if current is not None and current.version >= values["version"]:
        return None
    if current is None:
        declaration = DisasterDeclaration.objects.create(feed_seq=feed_seq, **values)
    else:
        for name, value in values.items():
            setattr(current, name, value)
        current.feed_seq = feed_seq
        current.save()
        declaration = current
    _contacts_follow(declaration)
    audit_record(actor=None, action="emergency.declaration_receive", target=declaration,
                 detail={"version": declaration.version, "phase": declaration.phase, "exercise": declaration.exercise,
                         "closed": declaration.closed_at is not None})
    logger.info("disaster declaration %s v%s received (exercise=%s, closed=%s)", declaration.uuid,
                declaration.version, declaration.exercise, declaration.closed_at is not None)
    return declaration


def declaration_receive_item(item: FeedItem) -> DisasterDeclaration | None:
    """The feed handler for `disaster_declaration` (see sync.feed)."""
    return declaration_receive(payload=item.payload, feed_seq=item.seq)


def _refuse(field: str | None, message: str, code: str):
    error = ValidationError(message, code=code)
    return ValidationError({field: error}) if field else error


@transaction.atomic
def center_status_report(*, acting_user, center: Organization, declaration: DisasterDeclaration, status: str,
                         note: str = "", as_of: dt.datetime | None = None) -> CenterStatusReport:
    """A center's staff report its status for an open declaration that covers it; sent to the hub
    at once on the disaster queue."""
    if center.kind != OrganizationKind.CENTER:
        raise _refuse(None, gettext("センターの状況はセンターについてのみ報告できます。"), "not_a_center")
    report = CenterStatusReport.objects.select_for_update().filter(center=center, declaration=declaration).first()
    probe = report or CenterStatusReport(center=center, declaration=declaration)
    if not is_permitted(acting_user, CenterStatusReport, "change" if report else "add", probe):
        raise PermissionDenied("permission_denied")
    declaration = DisasterDeclaration.objects.select_for_update().get(pk=declaration.pk)
    if declaration.closed_at is not None:
        raise _refuse(None, gettext("この災害宣言は終了しています。"), "declaration_closed")
    if not declaration_covers(declaration, center):
        raise _refuse(None, gettext("この災害宣言はこのセンターの市区町村を対象にしていません。"), "not_covered")
    if status not in disaster.CenterStatus.values:
        raise _refuse("status", gettext("状況を選んでください。"), "invalid_choice")
    note = (note or "").strip()
    if len(note) > disaster.MAX_NOTE:
        raise _refuse("note", gettext("補足は%(limit)s字以内にしてください。") % {"limit": disaster.MAX_NOTE}, "max_length")
    if _CONTACT.search(note):
        raise _refuse("note", gettext("補足はハブへ送られます。電話番号やメールアドレスは書かないでください。"), "contact_in_note")
    now = timezone.now()
    as_of = as_of or now
    if as_of > now + dt.timedelta(minutes=5):
        raise _refuse("as_of", gettext("未来の時点は報告できません。"), "future")
    if report is None:
        report = CenterStatusReport(
            uuid=disaster.center_status_uuid(center_uuid=center.uuid, declaration_uuid=declaration.uuid),
            center=center, declaration=declaration, version=1)
    else:
        report.version += 1
    report.status, report.note, report.as_of = status, note, as_of
    report.reported_by = acting_user if getattr(acting_user, "is_authenticated", False) else None
    report.save()
    audit_record(actor=acting_user, action="emergency.center_status_report", target=report, organization=center,
                 detail={"status": status, "declaration": str(declaration.uuid), "version": report.version})
    outbox.record_changed(report, priority=Priority.DISASTER)
    return report


# --- needs, offers and commitments -------------------------------------------------------------------


def _check_permitted(acting_user, model, action: str, probe) -> None:
    if not is_permitted(acting_user, model, action, probe):
        raise PermissionDenied("permission_denied")


def _open_and_covering(declaration: DisasterDeclaration, center: Organization) -> DisasterDeclaration:
    declaration = DisasterDeclaration.objects.get(pk=declaration.pk)
    if declaration.closed_at is not None:
        raise _refuse(None, gettext("この災害宣言は終了しています。"), "declaration_closed")
    if center.kind != OrganizationKind.CENTER or not declaration_covers(declaration, center):
        raise _refuse(None, gettext("この災害宣言はこのセンターの市区町村を対象にしていません。"), "not_covered")
    return declaration


def _no_contact(field: str, *texts: str) -> None:
    if any(_CONTACT.search(text or "") for text in texts):
        raise _refuse(field, gettext("この内容はハブへ送られます。電話番号やメールアドレスは書かないでください。"), "contact_in_text")


def _lines(field: str, lines, *, allow_empty: bool = False) -> list[dict]:
    if allow_empty and not lines:
        return []
    try:
        lines = disaster.parse_lines(lines)
    except ValueError:
        raise _refuse(field, gettext("内容（物資・サービス・技能）と1以上の数量を入力してください。"), "invalid_lines") from None
    _no_contact(field, *(line["description"] for line in lines))
    return lines


def _area(code: str, declaration: DisasterDeclaration) -> str:
    code = (code or "").strip()
    if not disaster.covers(municipality_codes=declaration.municipality_codes,
                           whole_prefecture=declaration.whole_prefecture, prefecture=declaration.prefecture,
                           municipality_code=code) or not disaster.municipality_code_is_valid(code):
        raise _refuse("municipality_code", gettext("災害宣言の対象の市区町村コードを入力してください。"), "outside_declaration")
    return code


@transaction.atomic
def need_create(*, acting_user, center: Organization, declaration: DisasterDeclaration, sector: str, lines,
                municipality_code: str, place_name: str = "", priority: str = disaster.NeedPriority.MEDIUM,
                needed_by: dt.datetime | None = None, expiry_hours: int = disaster.NEED_EXPIRY_HOURS) -> DisasterNeed:
    """A center records a need for a declaration that covers it; sent to the hub at once as disaster
    traffic. It expires unless reconfirmed within `expiry_hours`."""
    _check_permitted(acting_user, DisasterNeed, "add", DisasterNeed(center=center))
    declaration = _open_and_covering(declaration, center)
    if sector not in disaster.Sector.values:
        raise _refuse("sector", gettext("分野を選んでください。"), "invalid_choice")
    if priority not in disaster.NeedPriority.values:
        raise _refuse("priority", gettext("優先度を選んでください。"), "invalid_choice")
    lines = _lines("lines", lines)
    place_name = (place_name or "").strip()[:200]
    _no_contact("place_name", place_name)
    now = timezone.now()
    need = DisasterNeed.objects.create(
        uuid=uuid_module.uuid4(), center=center, declaration=declaration, sector=sector, lines=lines,
        priority=priority, needed_by=needed_by, municipality_code=_area(municipality_code, declaration),
        place_name=place_name, last_confirmed_at=now,
        expires_at=now + dt.timedelta(hours=max(1, min(expiry_hours, 24 * 7))))
    audit_record(actor=acting_user, action="emergency.need_create", target=need, organization=center,
                 detail={"declaration": str(declaration.uuid), "sector": sector, "lines": len(lines)})
    outbox.record_changed(need, priority=Priority.DISASTER)
    return need


def _need_locked(acting_user, need: DisasterNeed) -> DisasterNeed:
    need = DisasterNeed.objects.select_for_update().select_related("center", "declaration").get(pk=need.pk)
    _check_permitted(acting_user, DisasterNeed, "change", need)
    return need


@transaction.atomic
def need_confirm(*, acting_user, need: DisasterNeed, expiry_hours: int = disaster.NEED_EXPIRY_HOURS) -> DisasterNeed:
    """Staff confirm the need still stands: its expiry moves on from now."""
    need = _need_locked(acting_user, need)
    if need.status not in disaster.NEED_LIVE:
        raise _refuse(None, gettext("受付中でないニーズは再確認できません。"), "need_not_live")
    now = timezone.now()
    need.last_confirmed_at, need.expires_at = now, now + dt.timedelta(hours=max(1, min(expiry_hours, 24 * 7)))
    need.version += 1
    need.save(update_fields=["last_confirmed_at", "expires_at", "version", "updated_at"])
    audit_record(actor=acting_user, action="emergency.need_confirm", target=need, organization=need.center)
    outbox.record_changed(need, priority=Priority.DISASTER)
    return need


@transaction.atomic
def need_set_status(*, acting_user, need: DisasterNeed, status: str) -> DisasterNeed:
    """open → partly_met → met, or withdrawn; never back (the database refuses it too)."""
    need = _need_locked(acting_user, need)
    if status not in disaster.NeedStatus.values or status == disaster.NeedStatus.EXPIRED:
        raise _refuse("status", gettext("状況を選んでください。"), "invalid_choice")
    if status == need.status:
        return need
    if not disaster.need_may_move(need.status, status):
        raise _refuse("status", gettext("ニーズの状況は先へ進めることしかできません。"), "status_backwards")
    need.status = status
    need.version += 1
    need.save(update_fields=["status", "version", "updated_at"])
    audit_record(actor=acting_user, action="emergency.need_status", target=need, organization=need.center,
                 detail={"status": status})
    outbox.record_changed(need, priority=Priority.DISASTER)
    return need


def needs_expire(*, now: dt.datetime | None = None) -> int:
    """Beat: live needs not reconfirmed in time become expired (one transaction per need)."""
    now = now or timezone.now()
    expired = 0
    for pk in DisasterNeed.objects.filter(status__in=disaster.NEED_LIVE, expires_at__lte=now).values_list("pk", flat=True):
        with transaction.atomic():
            need = DisasterNeed.objects.select_for_update().filter(
                pk=pk, status__in=disaster.NEED_LIVE, expires_at__lte=now).first()
            if need is None:
                continue  # reconfirmed meanwhile
            need.status = disaster.NeedStatus.EXPIRED
            need.version += 1
            need.save(update_fields=["status", "version", "updated_at"])
            audit_record(actor=None, action="emergency.need_expire", target=need, organization=need.center)
            outbox.record_changed(need, priority=Priority.DISASTER)
            expired += 1
    return expired


@transaction.atomic
def offer_create(*, acting_user, center: Organization, declaration: DisasterDeclaration, group, sector: str,
                 municipality_code: str, valid_until: dt.datetime, volunteers: int = 0, skills: str = "",
                 supplies=None, vehicles: int = 0, area_served: str = "") -> DisasterOffer:
    """A group's offer (volunteers, skills, supplies, vehicles) recorded by its center's staff."""
    _check_permitted(acting_user, DisasterOffer, "add", DisasterOffer(center=center))
    declaration = _open_and_covering(declaration, center)
    if group.center_id != center.pk:
        raise _refuse("group", gettext("このセンターに登録された団体を選んでください。"), "group_of_other_center")
    if sector not in disaster.Sector.values:
        raise _refuse("sector", gettext("分野を選んでください。"), "invalid_choice")
    supplies = _lines("supplies", supplies or [], allow_empty=True)
    skills, area_served = (skills or "").strip()[:400], (area_served or "").strip()[:200]
    _no_contact("skills", skills, area_served)
    if not (volunteers or vehicles or supplies or skills):
        raise _refuse(None, gettext("人数・技能・物資・車両のいずれかを入力してください。"), "empty_offer")
    if valid_until <= timezone.now():
        raise _refuse("valid_until", gettext("有効期限は未来の日時にしてください。"), "past")
    offer = DisasterOffer.objects.create(
        uuid=uuid_module.uuid4(), center=center, declaration=declaration, group=group, sector=sector,
        volunteers=volunteers, skills=skills, supplies=supplies, vehicles=vehicles,
        municipality_code=_area(municipality_code, declaration), area_served=area_served, valid_until=valid_until)
    audit_record(actor=acting_user, action="emergency.offer_create", target=offer, organization=center,
                 detail={"declaration": str(declaration.uuid), "sector": sector})
    outbox.record_changed(offer, priority=Priority.DISASTER)
    return offer


@transaction.atomic
def offer_withdraw(*, acting_user, offer: DisasterOffer) -> DisasterOffer:
    offer = DisasterOffer.objects.select_for_update().select_related("center", "declaration", "group").get(pk=offer.pk)
    _check_permitted(acting_user, DisasterOffer, "change", offer)
    if offer.status != disaster.OfferStatus.WITHDRAWN:
        offer.status = disaster.OfferStatus.WITHDRAWN
        offer.version += 1
        offer.save(update_fields=["status", "version", "updated_at"])
        audit_record(actor=acting_user, action="emergency.offer_withdraw", target=offer, organization=offer.center)
        outbox.record_changed(offer, priority=Priority.DISASTER)
    return offer


@transaction.atomic
def commitment_receive_item(item: FeedItem) -> Commitment:
    """Feed handler (`disaster_commitment`): the hub committed one of our centers to a need.
    Idempotent by the commitment's uuid; the hub's fields are taken once."""
    payload = item.payload
    commitment_uuid, need_uuid, offer_uuid = disaster_wire.commitment_feed_ids(payload)
    center = Organization.objects.filter(kind=OrganizationKind.CENTER, uuid=payload["center"]).first()
    declaration = DisasterDeclaration.objects.filter(uuid=payload["declaration"]).first()
    quantity = payload["quantity"]
    if center is None or declaration is None:
        raise ValueError("center or declaration unknown to this node")
    if payload["sector"] not in disaster.Sector.values or isinstance(quantity, bool) or not isinstance(quantity, int) \
            or not 0 < quantity <= disaster.MAX_QUANTITY:
        raise ValueError("sector or quantity")
    commitment, created = Commitment.objects.get_or_create(commitment_uuid=commitment_uuid, defaults={
        "uuid": disaster.commitment_report_uuid(commitment_uuid), "center": center, "declaration": declaration,
        "need_uuid": need_uuid, "offer_uuid": offer_uuid, "sector": payload["sector"],
        "need_center_name": str(payload["need_center_name"])[:200], "place": str(payload["place"])[:300],
        "quantity": quantity, "instructions": str(payload["instructions"])[:disaster_wire.MAX_INSTRUCTIONS], "feed_seq": item.seq})
    if created:
        audit_record(actor=None, action="emergency.commitment_receive", target=commitment, organization=center,
                     detail={"seq": item.seq, "declaration": str(declaration.uuid)})
    return commitment


@transaction.atomic
def commitment_report(*, acting_user, commitment: Commitment, status: str, delivered: int = 0,
                      reached: int = 0) -> Commitment:
    """The committing center acknowledges a commitment, then reports it delivered with counts
    (how much was given, how many people it reached). Forward only; sent at once to the hub."""
    commitment = Commitment.objects.select_for_update().select_related("center", "declaration").get(pk=commitment.pk)
    _check_permitted(acting_user, Commitment, "change", commitment)
    if status not in (disaster.CommitmentStatus.ACKNOWLEDGED, disaster.CommitmentStatus.DELIVERED):
        raise _refuse("status", gettext("状況を選んでください。"), "invalid_choice")
    if disaster.commitment_rank(status) < disaster.commitment_rank(commitment.status):
        raise _refuse("status", gettext("割り当ての状況は先へ進めることしかできません。"), "status_backwards")
    for name, value in (("delivered", delivered), ("reached", reached)):
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= disaster.MAX_QUANTITY:
            raise _refuse(name, gettext("0以上の整数で入力してください。"), "invalid_count")
    if status == disaster.CommitmentStatus.ACKNOWLEDGED:
        delivered = reached = 0
    if (status, delivered, reached) == (commitment.status, commitment.delivered, commitment.reached):
        return commitment
    commitment.status, commitment.delivered, commitment.reached = status, delivered, reached
    commitment.reported_at = timezone.now()
    commitment.version += 1
    commitment.save(update_fields=["status", "delivered", "reached", "reported_at", "version", "updated_at"])
    audit_record(actor=acting_user, action="emergency.commitment_report", target=commitment,
                 organization=commitment.center, detail={"status": status, "delivered": delivered, "reached": reached})
    outbox.record_changed(commitment, priority=Priority.DISASTER)
    return commitment


# --- disaster contacts (item 5) ---------------------------------------------------------------------


def _contact_purge(contact: DisasterContact, *, reason: str) -> None:
    """The contact leaves the hub (purge) and this node (the row is deleted); the outbox keeps no copy."""
    outbox.forget_sent_contact(contact)
    outbox.record_deleted(contact, priority=Priority.DISASTER)
    audit_record(actor=None, action="emergency.contact_purge", target=contact, organization=contact.center,
                 detail={"declaration": str(contact.declaration.uuid), "reason": reason})
    contact.delete()


def _contacts_follow(declaration: DisasterDeclaration) -> None:
    """A new version of a declaration: at close every contact for it is purged; otherwise each is
    re-projected (a center no longer covered retracts its groups' contacts)."""
    contacts = DisasterContact.objects.filter(declaration=declaration).select_related(
        "center", "group__organization", "declaration")
    for contact in contacts:
        if declaration.closed_at is not None:
            _contact_purge(contact, reason="declaration_closed")
        else:
            outbox.record_reproject(contact, priority=Priority.DISASTER)


def contacts_purge_for_group(group) -> int:
    """The group withdrew its consent to share a disaster contact: every one it shared goes."""
    contacts = list(DisasterContact.objects.filter(group=group).select_related("center", "declaration"))
    for contact in contacts:
        _contact_purge(contact, reason="consent_withdrawn")
    return len(contacts)


def contacts_reproject_for_group(group) -> None:
    for contact in DisasterContact.objects.filter(group=group).select_related(
            "center", "declaration", "group__organization"):
        outbox.record_reproject(contact, priority=Priority.DISASTER)


@transaction.atomic
def disaster_contact_share(*, acting_user, group, declaration: DisasterDeclaration, contact_name: str = "",
                           phone: str = "", email: str = "") -> DisasterContact:
    """A group that consented to share a contact during disasters shares one for this declaration
    (its registered contact unless others are given). It goes to the hub at once, for this
    declaration only, and is purged there and here when the declaration closes."""
    group = GroupRegistration.objects.select_for_update().select_related("center", "organization").get(pk=group.pk)
    center = group.center
    contact = DisasterContact.objects.select_for_update().filter(group=group, declaration=declaration).first()
    probe = contact or DisasterContact(center=center, group=group, declaration=declaration)
    _check_permitted(acting_user, DisasterContact, "change" if contact else "add", probe)
    declaration = _open_and_covering(declaration, center)
    if group.consent_disaster_contact_at is None:
        raise _refuse(None, gettext("この団体は災害時の連絡先の共有に同意していません（団体登録の同意項目）。"), "no_consent")
    if group.status != "active":
        raise _refuse(None, gettext("登録中の団体のみ連絡先を共有できます。"), "group_not_active")
    contact_name = (contact_name or group.contact_name or group.representative_name).strip()
    phone = (phone or group.contact_phone).strip()
    email = (email or group.contact_email).strip()
    if not contact_name or len(contact_name) > 100:
        raise _refuse("contact_name", gettext("担当者名を100字以内で入力してください。"), "required")
    if not phone and not email:
        raise _refuse("phone", gettext("電話番号かメールアドレスのどちらかを入力してください。"), "unreachable")
    if len(phone) > 40 or (phone and not re.fullmatch(r"[0-9０-９+＋()（）\-‐ー－ ]{6,40}", phone)):
        raise _refuse("phone", gettext("電話番号の形式が正しくありません。"), "invalid_phone")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise _refuse("email", gettext("メールアドレスの形式が正しくありません。"), "invalid_email") from None
    if contact is None:
        contact = DisasterContact(uuid=disaster.disaster_contact_uuid(group_uuid=group.uuid,
                                                                      declaration_uuid=declaration.uuid),
                                  center=center, group=group, declaration=declaration, version=1)
    elif (contact.contact_name, contact.phone, contact.email) == (contact_name, phone, email):
        return contact
    else:
        contact.version += 1
    contact.contact_name, contact.phone, contact.email = contact_name, phone, email
    contact.shared_by = acting_user if getattr(acting_user, "is_authenticated", False) else None
    contact.save()
    audit_record(actor=acting_user, action="emergency.contact_share", target=contact, organization=center,
                 detail={"declaration": str(declaration.uuid), "fields": [name for name, value in (
                     ("contact_name", contact_name), ("phone", phone), ("email", email)) if value]})
    outbox.record_changed(contact, priority=Priority.DISASTER)
    return contact


@transaction.atomic
def disaster_contact_withdraw(*, acting_user, contact: DisasterContact) -> None:
    """The group stops sharing its contact for this declaration: purged from the hub and here."""
    contact = DisasterContact.objects.select_for_update().select_related("center", "declaration").get(pk=contact.pk)
    _check_permitted(acting_user, DisasterContact, "change", contact)
    audit_record(actor=acting_user, action="emergency.contact_withdraw", target=contact,
                 organization=contact.center, detail={"declaration": str(contact.declaration.uuid)})
    _contact_purge(contact, reason="withdrawn")


# --- emergency surveys (item 6) ---------------------------------------------------------------------


@transaction.atomic
def survey_receive_item(item: FeedItem) -> EmergencySurvey | None:
    """Feed handler (`emergency_survey`): mirror the hub's survey; only a newer version changes it.
    ValueError when the payload is malformed or names a declaration this node never received."""
    values = disaster.parse_survey(item.payload)
    declaration = DisasterDeclaration.objects.filter(uuid=values.pop("declaration_uuid")).first()
    if declaration is None:
        raise ValueError("declaration unknown to this node")
    current = EmergencySurvey.objects.select_for_update().filter(uuid=values["uuid"]).first()
    if current is not None and current.version >= values["version"]:
        return None
    if current is not None and current.declaration_id != declaration.pk:
        raise ValueError("declaration")
    survey, _created = EmergencySurvey.objects.update_or_create(
        uuid=values["uuid"], defaults={**values, "declaration": declaration, "feed_seq": item.seq})
    audit_record(actor=None, action="emergency.survey_receive", target=survey,
                 detail={"seq": item.seq, "version": survey.version, "declaration": str(declaration.uuid)})
    return survey


def clean_answers(questions: list[dict], raw: dict) -> dict:
    """Answers checked against the questions: every question answered, only known options.
    ValidationError per question (`q_<key>`) with a code: required, unknown_option, invalid_number."""
    if not isinstance(raw, dict):
        raise _refuse(None, gettext("回答の形式が正しくありません。"), "invalid")
    errors, cleaned = {}, {}
    unexpected = set(raw) - {question["key"] for question in questions}
    if unexpected:
        errors["answers"] = ValidationError(gettext("この調査にない設問への回答があります。"), code="unknown_question")
    for question in questions:
        key, value = question["key"], raw.get(question["key"])
        field = f"q_{key}"
        options = {option["key"] for option in question["options"]}
        if value in (None, "", []):
            errors[field] = ValidationError(gettext("この設問に回答してください。"), code="required")
        elif question["kind"] == disaster.QuestionKind.NUMBER:
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= disaster.MAX_NUMBER_ANSWER:
                errors[field] = ValidationError(gettext("0以上の整数で入力してください。"), code="invalid_number")
            else:
                cleaned[key] = value
        elif question["kind"] == disaster.QuestionKind.SINGLE:
            if not isinstance(value, str) or value not in options:
                errors[field] = ValidationError(gettext("選択肢にない回答です。"), code="unknown_option")
            else:
                cleaned[key] = value
        else:
            chosen = value if isinstance(value, list) else [value]
            if not all(isinstance(v, str) and v in options for v in chosen) or len(set(chosen)) != len(chosen):
                errors[field] = ValidationError(gettext("選択肢にない回答です。"), code="unknown_option")
            else:
                cleaned[key] = sorted(chosen)
    if errors:
        raise ValidationError(errors)
    return cleaned


def survey_counts_publish(*, center: Organization, survey: EmergencySurvey):
    """Send the center's current counts for the survey (never who answered what)."""
    answers = list(SurveyAnswer.objects.filter(survey=survey, center=center).values_list("answers", flat=True))
    payload = {"center": str(center.uuid), "survey": str(survey.uuid), "declaration": str(survey.declaration.uuid),
               "respondents": len(answers), "questions": disaster.tally(survey.questions, answers)}
    return outbox.write_survey_counts(center=center, survey=survey, payload=payload)


@transaction.atomic
def survey_answer(*, acting_user, survey: EmergencySurvey, group, answers: dict) -> SurveyAnswer:
    """Staff record one group's answer (one per group and survey); the center's counts go to the hub."""
    survey = EmergencySurvey.objects.select_related("declaration").get(pk=survey.pk)
    center = group.center
    _check_permitted(acting_user, SurveyAnswer, "add", SurveyAnswer(center=center))
    _open_and_covering(survey.declaration, center)
    if survey.closed_at is not None:
        raise _refuse(None, gettext("このアンケートは締め切られました。回答は記録できません。"), "survey_closed")
    if group.status != "active":
        raise _refuse("group", gettext("登録中の団体を選んでください。"), "group_not_active")
    cleaned = clean_answers(survey.questions, answers)
    # Lock the group so two staff recording the same group's answer meet here, not at the constraint.
    type(group).objects.select_for_update().filter(pk=group.pk).exists()
    if SurveyAnswer.objects.filter(survey=survey, group=group).exists():
        raise _refuse("group", gettext("この団体の回答はすでに記録されています。"), "already_answered")
    try:
        with transaction.atomic():
            answer = SurveyAnswer.objects.create(survey=survey, center=center, group=group, answers=cleaned,
                                                 answered_by=acting_user if getattr(acting_user, "is_authenticated", False) else None)
    except IntegrityError:
        raise _refuse("group", gettext("この団体の回答はすでに記録されています。"), "already_answered") from None
    audit_record(actor=acting_user, action="emergency.survey_answer", target=survey, organization=center,
                 detail={"questions": len(cleaned)})
    survey_counts_publish(center=center, survey=survey)
    return answer

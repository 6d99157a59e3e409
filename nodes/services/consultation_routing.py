"""Writes of consultation routing (seed 004): the chief coordinator decides who handles a consultation
(対応するスタッフ) and coordinates experts; staff book consultations into themed 相談日, link a
consultation to what it led to, and pick notable ones for the monthly review, whose decisions the
chief records. Nothing here leaves the node."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from common.vocabulary import ConsultationKind
from permissions.audit import audit_record
from permissions.models import Membership, Organization
from permissions.roles import ROLE_PERMISSIONS
from permissions.scoping import get_scoped_or_deny, holds

from ..models import (
    CENTER_CHANGE,
    CollaborationCase,
    Consultation,
    ConsultationDay,
    ConsultationDayBooking,
    ExpertReferral,
    Match,
    Need,
    NotableConsultation,
    TalentVolunteer,
)
from .pipeline import locked_for_change, require_center_staff, save_record

ASSIGN_CONSULTATIONS = "assign_consultations"
# The roles whose holders are the center's staff and may handle a consultation.
STAFF_ROLES = tuple(role for role, perms in ROLE_PERMISSIONS.items() if CENTER_CHANGE in perms)


def _invalid(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def require_chief(acting_user, center_id: int) -> None:
    """Deciding who handles a consultation is the チーフコーディネーター's (or the center admin's)."""
    if not holds(acting_user, ASSIGN_CONSULTATIONS, center_id):
        raise PermissionDenied("permission_denied")


def is_center_staff(user, center_id: int) -> bool:
    return Membership.objects.filter(user=user, organization_id=center_id, role__in=STAFF_ROLES,
                                     user__is_active=True).exists()


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


@transaction.atomic
def consultation_assign(*, acting_user, consultation: Consultation, assignee, kind: str | None = None) -> Consultation:
    """The chief decides which staff member handles the consultation (and, if given, its kind)."""
    consultation = locked_for_change(acting_user, consultation)
    require_chief(acting_user, consultation.center_id)
    if assignee is None or not is_center_staff(assignee, consultation.center_id):
        raise _invalid("assignee", gettext("このセンターの職員を選んでください。"), "not_center_staff")
    values = {"assignee": assignee, "assigned_at": timezone.now(), "assigned_by": acting_user}
    if kind is not None:
        if kind not in ConsultationKind.values:
            raise _invalid("kind", gettext("相談の種類を一覧から選んでください。"), "invalid_choice")
        values["kind"] = kind
    previous = consultation.assignee_id
    consultation = save_record(consultation, acting_user=acting_user, perm="change", values=values)
    audit_record(actor=acting_user, action="consultation.assign", target=consultation, organization=consultation.center,
                 detail={"assignee_id": assignee.pk, "previous_assignee_id": previous, "kind": consultation.kind})
    return consultation


@transaction.atomic
def consultation_link(*, acting_user, consultation: Consultation, need: Need | None = None, match: Match | None = None,
                      case: CollaborationCase | None = None) -> Consultation:
    """Record what the consultation led to: a need (協働の種), a match or a collaboration case of the same
    center (the pipeline refuses another center's record)."""
    consultation = locked_for_change(acting_user, consultation)
    m2m = {}
    for field, record in (("linked_needs", need), ("linked_matches", match), ("linked_cases", case)):
        if record is not None:
            m2m[field] = [*getattr(consultation, field).all(), record]
    if not m2m:
        raise _invalid("link", gettext("つなげる記録を選んでください。"), "required")
    return save_record(consultation, acting_user=acting_user, perm="change", values={}, m2m=m2m)


# --- 専門家への依頼 -------------------------------------------------------------------------------


@transaction.atomic
def expert_refer(*, acting_user, consultation: Consultation, expertise: str, asked_on: dt.date,
                 talent: TalentVolunteer | None = None, professional_name: str = "", question: str = "") -> ExpertReferral:
    """Ask an expert about a consultation: a talent of the bank, or an outside professional by name."""
    consultation = get_scoped_or_deny(acting_user, Consultation, "change", pk=consultation.pk)
    professional_name = (professional_name or "").strip()
    if (talent is None) == (not professional_name):
        raise _invalid("professional_name", gettext("名人・達人を選ぶか、専門家の氏名を入力してください（どちらか一方）。"),
                       "one_expert")
    return save_record(ExpertReferral(), acting_user=acting_user, perm="add", values={
        "center": consultation.center, "consultation": consultation, "talent": talent,
        "professional_name": professional_name, "expertise": expertise, "asked_on": asked_on, "question": question,
        "requested_by": acting_user,
    })


@transaction.atomic
def expert_answer(*, acting_user, referral: ExpertReferral, answer: str, answered_on: dt.date | None = None) -> ExpertReferral:
    referral = locked_for_change(acting_user, referral)
    if not (answer or "").strip():
        raise _invalid("answer", gettext("回答・助言の内容を入力してください。"), "required")
    return save_record(referral, acting_user=acting_user, perm="change", values={
        "answer": answer, "answered_on": answered_on or timezone.localdate()})


# --- テーマ別相談日 ---------------------------------------------------------------------------------


@transaction.atomic
def consultation_day_create(*, acting_user, center: Organization, title: str, theme: str, day: dt.date,
                            starts_at: dt.time, ends_at: dt.time, capacity: int, place: str = "",
                            note: str = "") -> ConsultationDay:
    require_center_staff(acting_user, center.pk)
    return save_record(ConsultationDay(), acting_user=acting_user, perm="add", values={
        "center": center, "title": title, "theme": theme, "day": day, "starts_at": starts_at, "ends_at": ends_at,
        "capacity": capacity, "place": place, "note": note,
    })


@transaction.atomic
def consultation_day_book(*, acting_user, consultation_day: ConsultationDay, consultation: Consultation,
                          today: dt.date | None = None) -> ConsultationDayBooking:
    """Book a consultation into a 相談日. The day's row is locked first, so the count of its bookings
    cannot change between the check and the write; the database's check on `booked` is the backstop."""
    consultation = get_scoped_or_deny(acting_user, Consultation, "change", pk=consultation.pk)
    day = get_scoped_or_deny(acting_user, ConsultationDay, "change", pk=consultation_day.pk)
    day = ConsultationDay.objects.select_for_update().get(pk=day.pk)
    if day.center_id != consultation.center_id:
        raise _invalid("consultation", gettext("このセンターの記録ではありません。"), "other_center")
    if day.day < (today or timezone.localdate()):
        raise _invalid("consultation_day", gettext("過ぎた相談日には予約できません。"), "day_past")
    if day.bookings.filter(consultation=consultation).exists():
        raise _invalid("consultation", gettext("この相談はすでにこの相談日に予約されています。"), "already_booked")
    if day.booked >= day.capacity:
        raise _invalid("consultation_day", gettext("この相談日は予約でいっぱいです。"), "day_full")
    ConsultationDay.objects.filter(pk=day.pk).update(booked=F("booked") + 1)
    booking = save_record(ConsultationDayBooking(), acting_user=acting_user, perm="add", values={
        "center": day.center, "consultation_day": day, "consultation": consultation, "booked_by": acting_user})
    return booking


@transaction.atomic
def consultation_day_cancel(*, acting_user, booking: ConsultationDayBooking, today: dt.date | None = None) -> None:
    """Take a consultation off a 相談日, freeing its place. The day's row is locked before the booking is
    read again, so two cancellations of one booking free one place and the second is told it is gone."""
    booking = get_scoped_or_deny(acting_user, ConsultationDayBooking, "change", pk=booking.pk)
    day = ConsultationDay.objects.select_for_update().get(pk=booking.consultation_day_id)
    booking = ConsultationDayBooking.objects.filter(pk=booking.pk).first()
    if booking is None:
        raise _invalid("booking", gettext("この予約はすでに取り消されています。"), "already_cancelled")
    if day.day < (today or timezone.localdate()):
        raise _invalid("booking", gettext("過ぎた相談日の予約は取り消せません。"), "day_past")
    ConsultationDay.objects.filter(pk=day.pk).update(booked=F("booked") - 1)
    audit_record(actor=acting_user, action="consultationdaybooking.delete", target=booking, organization=booking.center)
    booking.delete()


# --- 気になる事例（月例の検討） -------------------------------------------------------------------------


@transaction.atomic
def consultation_mark_notable(*, acting_user, consultation: Consultation, reason: str,
                              month: dt.date | None = None) -> NotableConsultation:
    """A staff member picks a consultation for the month's review (最近1か月の気になる事例)."""
    consultation = get_scoped_or_deny(acting_user, Consultation, "change", pk=consultation.pk)
    month = month_start(month or timezone.localdate())
    if not (reason or "").strip():
        raise _invalid("reason", gettext("気になった点を入力してください。"), "required")
    if NotableConsultation.objects.filter(consultation=consultation, month=month).exists():
        raise _invalid("month", gettext("この相談はすでにこの月の検討に挙がっています。"), "already_listed")
    return save_record(NotableConsultation(), acting_user=acting_user, perm="add", values={
        "center": consultation.center, "consultation": consultation, "month": month, "reason": reason,
        "marked_by": acting_user,
    })


@transaction.atomic
def review_decide(*, acting_user, notable: NotableConsultation, decision: str) -> NotableConsultation:
    """The chief records what the monthly meeting decided about a notable consultation."""
    notable = locked_for_change(acting_user, notable)
    require_chief(acting_user, notable.center_id)
    if not (decision or "").strip():
        raise _invalid("decision", gettext("検討の結果を入力してください。"), "required")
    return save_record(notable, acting_user=acting_user, perm="change", values={
        "decision": decision, "decided_at": timezone.now(), "decided_by": acting_user})

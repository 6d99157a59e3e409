"""Writes of matching (協働の種 × できることメニュー): dismissed suggestions and matches up to a case."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from common.japanese import fiscal_year_of
from permissions.audit import audit_record
from permissions.models import Organization
from permissions.scoping import get_scoped_or_deny

from .. import matching, selectors
from ..models import (
    FORMS_NEEDING_LEGAL_ENTITY,
    MATCH_ACTIVE_STATUSES,
    MATCH_STALLED_DAYS,
    CollaborationForm,
    Match,
    MatchMeeting,
    MatchReminder,
    MatchStatus,
    Need,
    NeedStatus,
    Offer,
    PartyRole,
    SuggestionDismissal,
    is_legal_entity,
)
from .pipeline import locked_for_change, record_delete, require_center_staff, save_record
from .records import case_create

# --- マッチング (協働の種 × できることメニュー) -----------------------------------------------------


def _same_center(need: Need, offer: Offer) -> None:
    if need.center_id != offer.center_id:
        raise ValidationError({"offer": ValidationError(gettext("協働の種と同じセンターのメニューを選んでください。"),
                                                        code="other_center")})


def _suggestion_snapshot(acting_user, need: Need, offer: Offer) -> matching.Suggestion:
    return selectors.pair_suggestion(user=acting_user, need=need, offer=offer)


@transaction.atomic
def suggestion_dismiss(*, acting_user, need: Need, offer: Offer, reason: str, note: str = "") -> SuggestionDismissal:
    """Set a suggested pair aside with a reason; later rankings learn from it (nodes.matching.learn)."""
    need = get_scoped_or_deny(acting_user, Need, "view", pk=need.pk)
    require_center_staff(acting_user, need.center_id)
    offer = get_scoped_or_deny(acting_user, Offer, "view", pk=offer.pk)
    _same_center(need, offer)
    if SuggestionDismissal.objects.filter(need=need, offer=offer).exists():
        raise ValidationError({"offer": ValidationError(gettext("この提案はすでに見送っています。"), code="already_dismissed")})
    suggestion = _suggestion_snapshot(acting_user, need, offer)
    dismissal = SuggestionDismissal(dismissed_by=acting_user, features=suggestion.features, score=suggestion.score)
    try:
        with transaction.atomic():
            return save_record(dismissal, acting_user=acting_user, perm="add", values={
                "center": need.center, "need": need, "offer": offer, "requester": need.requester,
                "group": offer.group, "reason": reason, "note": note,
            })
    except IntegrityError as error:  # the same pair dismissed concurrently
        raise ValidationError({"offer": ValidationError(gettext("この提案はすでに見送っています。"),
                                                        code="already_dismissed")}) from error


@transaction.atomic
def suggestion_restore(*, acting_user, dismissal: SuggestionDismissal) -> None:
    """Take a dismissal back: the pair is suggested again and stops weighing on the ranking."""
    record_delete(acting_user=acting_user, record=dismissal)


def _match_step(match: Match, *, acting_user, values: dict) -> Match:
    return save_record(match, acting_user=acting_user, perm="change",
                 values={**values, "last_activity_at": timezone.now()})


def _need_status(acting_user, need: Need, status: str) -> None:
    need = locked_for_change(acting_user, need)
    if need.status != status:
        save_record(need, acting_user=acting_user, perm="change", values={"status": status})


@transaction.atomic
def match_propose(*, acting_user, need: Need, offer: Offer, note: str = "") -> Match:
    """提案: the center starts coordinating a need with an offer (from a suggestion or by hand)."""
    need = get_scoped_or_deny(acting_user, Need, "view", pk=need.pk)
    require_center_staff(acting_user, need.center_id)
    offer = get_scoped_or_deny(acting_user, Offer, "view", pk=offer.pk)
    _same_center(need, offer)
    if need.status == NeedStatus.CLOSED:
        raise ValidationError({"need": ValidationError(gettext("終了した協働の種には提案できません。"), code="need_closed")})
    if Match.objects.filter(need=need, offer=offer).exclude(status=MatchStatus.DECLINED).exists():
        raise ValidationError({"offer": ValidationError(gettext("この組み合わせはすでに調整中です。"), code="already_matching")})
    suggestion = _suggestion_snapshot(acting_user, need, offer)
    match = Match(proposed_by=acting_user, reasons=[r.as_dict() for r in suggestion.reasons], score=suggestion.score)
    try:
        with transaction.atomic():
            match = save_record(match, acting_user=acting_user, perm="add", values={
                "center": need.center, "need": need, "offer": offer, "note": note,
                "status": MatchStatus.PROPOSED, "last_activity_at": timezone.now(),
            })
    except IntegrityError as error:  # proposed concurrently: the partial unique index decided
        raise ValidationError({"offer": ValidationError(gettext("この組み合わせはすでに調整中です。"),
                                                        code="already_matching")}) from error
    if need.status == NeedStatus.OPEN:
        _need_status(acting_user, need, NeedStatus.COORDINATING)
    return match


@transaction.atomic
def match_record_meeting(*, acting_user, match: Match, held_on: dt.date | None, notes: str) -> MatchMeeting:
    """事前打ち合わせ: record a meeting; the first one moves a proposed match to 事前打ち合わせ."""
    match = locked_for_change(acting_user, match)
    if match.status not in MATCH_ACTIVE_STATUSES:
        raise ValidationError({"status": ValidationError(gettext("見送り・事例化したマッチングには打ち合わせを記録できません。"),
                                                         code="match_closed")})
    errors = {}
    if held_on is None:
        errors["held_on"] = ValidationError(gettext("実施日を入力してください。"), code="required")
    elif held_on > timezone.localdate():
        errors["held_on"] = ValidationError(gettext("実施日は今日以前の日付にしてください。"), code="future_date")
    if not (notes or "").strip():
        errors["notes"] = ValidationError(gettext("打ち合わせの記録を入力してください。"), code="required")
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
        return ValidationError(gettext("協働の形態を選んでください。"), code="invalid_choice")
    allowed = match.need.allowed_forms
    if allowed and form not in allowed:
        labels = "・".join(match.need.get_allowed_forms_display())
        return ValidationError(gettext("協働の種で想定していない形態です（想定: %(forms)s）。") % {"forms": labels},
                               code="form_not_allowed")
    if form in FORMS_NEEDING_LEGAL_ENTITY and is_legal_entity(match.offer.group.legal_form) is not True:
        return ValidationError(gettext("委託には法人格が必要です。"), code="legal_entity_required")
    return None


@transaction.atomic
def match_agree(*, acting_user, match: Match, form: str, note: str = "") -> Match:
    """合意: after at least one 事前打ち合わせ, the parties agree on a form of collaboration."""
    match = locked_for_change(acting_user, match)
    if match.status == MatchStatus.PROPOSED:
        raise ValidationError({"status": ValidationError(gettext("合意の前に事前打ち合わせを記録してください。"),
                                                         code="meeting_required")})
    if match.status != MatchStatus.MEETING:
        raise ValidationError({"status": ValidationError(gettext("この段階では合意を記録できません。"), code="invalid_step")})
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
    match = locked_for_change(acting_user, match)
    if match.status != MatchStatus.AGREED:
        raise ValidationError({"status": ValidationError(gettext("協働事例は合意したマッチングから作成します。"),
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
    match = locked_for_change(acting_user, match)
    if match.status not in MATCH_ACTIVE_STATUSES:
        raise ValidationError({"status": ValidationError(gettext("このマッチングはすでに終了しています。"), code="match_closed")})
    if not (reason or "").strip():
        raise ValidationError({"reason": ValidationError(gettext("見送りの理由を入力してください。"), code="required")})
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



"""The registration lifecycle (登録更新): opening, answering, reviewing and lapsing renewals, and the
notices the group reads about them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from common.japanese import fiscal_year_of
from permissions.audit import audit_record
from permissions.scoping import get_scoped_or_deny, holds
from sync import outbox

from .. import hooks
from ..models import (
    CENTER_CHANGE,
    REMINDER_KIND_BY_DAYS,
    RENEWAL_OPEN_DAYS,
    RENEWAL_PENDING_STATUSES,
    RENEWAL_REMINDER_DAYS,
    GroupNotice,
    GroupRegistration,
    GroupStatus,
    NoticeKind,
    Offer,
    RegistrationRenewal,
    RenewalDifficulty,
    RenewalDifficultyAnswer,
    RenewalStatus,
)
from .pipeline import require_center_staff

ANSWERABLE = (RenewalStatus.OPEN, RenewalStatus.ANSWERED, RenewalStatus.CHANGES_REQUESTED)


def _closed(code: str = "renewal_closed") -> ValidationError:
    return ValidationError(gettext("この登録更新は受付を終了しています。"), code=code)


def _notice(group: GroupRegistration, kind: str, *, due_on: dt.date | None, text: str = "") -> GroupNotice:
    return GroupNotice.objects.create(group=group, kind=kind, due_on=due_on, center_id=group.center_id, text=text)


def _scheduled_notice(group: GroupRegistration, kind: str, *, due_on: dt.date) -> bool:
    """A notice of the beat task: at most one per kind and due date (the unique constraint says so too)."""
    _notice_row, created = GroupNotice.objects.get_or_create(
        group=group, kind=kind, due_on=due_on, defaults={"center_id": group.center_id})
    return created


def _open_cycle(group: GroupRegistration) -> tuple[RegistrationRenewal, bool]:
    return RegistrationRenewal.objects.get_or_create(
        group=group, due_on=group.renewal_due,
        defaults={"center_id": group.center_id, "fiscal_year": fiscal_year_of(group.renewal_due)},
    )


def renewal_window_opens(due_on: dt.date) -> dt.date:
    return due_on - dt.timedelta(days=RENEWAL_OPEN_DAYS)


@transaction.atomic
def renewal_open(*, acting_user, group: GroupRegistration, today: dt.date | None = None) -> RegistrationRenewal:
    """Open the renewal of the group's current due date (staff may; the beat task does it on time).
    Refused before the window (90 days before the due date) and for a group not registered."""
    require_center_staff(acting_user, group.center_id)
    group = GroupRegistration.objects.select_for_update().get(pk=group.pk)
    today = today or timezone.localdate()
    if group.status != GroupStatus.ACTIVE:
        raise ValidationError(gettext("登録中の団体ではありません。"), code="group_not_active")
    if today < renewal_window_opens(group.renewal_due):
        raise ValidationError(gettext("登録更新の受付は更新期限の90日前からです。"), code="renewal_not_open_yet")
    renewal, created = _open_cycle(group)
    if created:
        _scheduled_notice(group, NoticeKind.RENEWAL_OPEN, due_on=group.renewal_due)
        audit_record(actor=acting_user, action="registrationrenewal.open", target=renewal, organization=group.center)
    return renewal


def _clean_difficulties(difficulties: Iterable[str], other: str) -> list[str]:
    chosen = sorted(set(difficulties))
    unknown = [d for d in chosen if d not in RenewalDifficulty.values]
    if unknown:
        raise ValidationError({"difficulties": ValidationError(gettext("不明な課題です。"), code="invalid_choice")})
    if RenewalDifficulty.OTHER in chosen and not other.strip():
        raise ValidationError({"difficulty_other": ValidationError(
            gettext("「その他」を選んだときは、課題の内容を書いてください。"), code="other_needs_text")})
    if other.strip() and RenewalDifficulty.OTHER not in chosen:
        chosen.append(RenewalDifficulty.OTHER)
    return chosen


@transaction.atomic
def renewal_answer(*, acting_user, renewal: RegistrationRenewal, continues: bool | None, changes: str = "",
                   difficulties: Iterable[str] = (), difficulty_other: str = "") -> RegistrationRenewal:
    """The group's answer: whether it continues, what changed, its difficulties. Given by a member of
    the group, or typed in by staff after a phone call (then marked so)."""
    renewal = get_scoped_or_deny(acting_user, RegistrationRenewal, "change", pk=renewal.pk)
    renewal = RegistrationRenewal.objects.select_for_update().get(pk=renewal.pk)
    if renewal.status not in ANSWERABLE:
        raise _closed()
    if continues is None:
        raise ValidationError({"continues": ValidationError(gettext("活動を継続するかどうかを選んでください。"),
                                                            code="required")})
    chosen = _clean_difficulties(difficulties, difficulty_other)
    renewal.continues = continues
    renewal.changes = changes.strip()
    renewal.difficulty_other = difficulty_other.strip()
    renewal.answered_at = timezone.now()
    renewal.answered_by = acting_user
    renewal.entered_by_staff = holds(acting_user, CENTER_CHANGE, renewal.center_id)
    renewal.status = RenewalStatus.ANSWERED
    renewal.version += 1
    renewal.full_clean(exclude=["search_text", "group", "center"])
    renewal.save()
    renewal.difficulties.all().delete()
    RenewalDifficultyAnswer.objects.bulk_create(
        [RenewalDifficultyAnswer(renewal=renewal, difficulty=d) for d in chosen])
    audit_record(actor=acting_user, action="registrationrenewal.answer", target=renewal,
                 organization=renewal.center, detail={"fields": ["continues", "changes", "difficulties"],
                                                      "by_staff": renewal.entered_by_staff})
    return renewal


def _require_staff(acting_user, renewal: RegistrationRenewal) -> RegistrationRenewal:
    renewal = get_scoped_or_deny(acting_user, RegistrationRenewal, "view", pk=renewal.pk)
    require_center_staff(acting_user, renewal.center_id)
    return RegistrationRenewal.objects.select_for_update(of=("self",)).select_related("group").get(pk=renewal.pk)


def _reproject(group: GroupRegistration) -> None:
    for offer in Offer.objects.filter(group=group).select_related("group__organization", "center").order_by("pk"):
        outbox.record_reproject(offer)
    hooks.group_changed(group)


def _set_group(group: GroupRegistration, **values) -> GroupRegistration:
    group = GroupRegistration.objects.select_for_update().get(pk=group.pk)
    for name, value in values.items():
        setattr(group, name, value)
    group.version += 1
    group.full_clean(exclude=["search_text"])
    group.save()
    outbox.record_changed(group)
    _reproject(group)
    return group


@transaction.atomic
def renewal_accept(*, acting_user, renewal: RegistrationRenewal) -> RegistrationRenewal:
    """Staff accept the answer: the registration runs three more 年度, counted from the day after the
    renewed due date (so an early answer loses none of the current period)."""
    renewal = _require_staff(acting_user, renewal)
    if renewal.status != RenewalStatus.ANSWERED:
        raise ValidationError(gettext("回答済みの登録更新だけを承認できます。"), code="renewal_not_answered")
    if not renewal.continues:
        raise ValidationError(gettext("活動を継続しない回答は承認できません。登録の抹消を検討してください。"),
                              code="renewal_not_continuing")
    group = renewal.group
    if group.status != GroupStatus.ACTIVE or group.renewal_due != renewal.due_on:
        raise _closed()
    new_due = GroupRegistration.renewal_due_for(renewal.due_on + dt.timedelta(days=1))
    group = _set_group(group, renewal_due=new_due)
    renewal.status = RenewalStatus.ACCEPTED
    renewal.reviewed_at = timezone.now()
    renewal.version += 1
    renewal.save()
    _notice(group, NoticeKind.ACCEPTED, due_on=new_due)
    audit_record(actor=acting_user, action="registrationrenewal.accept", target=renewal, organization=renewal.center,
                 detail={"renewal_due": new_due.isoformat()})
    return renewal


@transaction.atomic
def renewal_request_changes(*, acting_user, renewal: RegistrationRenewal, note: str) -> RegistrationRenewal:
    """Staff send the answer back with what to change; the group answers again."""
    renewal = _require_staff(acting_user, renewal)
    if renewal.status != RenewalStatus.ANSWERED:
        raise ValidationError(gettext("回答済みの登録更新だけに修正を依頼できます。"), code="renewal_not_answered")
    if not note.strip():
        raise ValidationError({"note": ValidationError(gettext("修正してほしい点を書いてください。"), code="required")})
    renewal.status = RenewalStatus.CHANGES_REQUESTED
    renewal.review_note = note.strip()
    renewal.reviewed_at = timezone.now()
    renewal.version += 1
    renewal.save()
    _notice(renewal.group, NoticeKind.CHANGES_REQUESTED, due_on=renewal.due_on, text=renewal.review_note)
    audit_record(actor=acting_user, action="registrationrenewal.request_changes", target=renewal,
                 organization=renewal.center)
    return renewal


def close_pending_renewal(group: GroupRegistration, *, acting_user) -> None:
    """When staff renew a registration directly (counter or paper), its open cycle is settled too."""
    now = timezone.now()
    for renewal in RegistrationRenewal.objects.select_for_update().filter(
            group=group, due_on=group.renewal_due, status__in=RENEWAL_PENDING_STATUSES):
        renewal.status = RenewalStatus.ACCEPTED
        renewal.continues = True if renewal.continues is None else renewal.continues
        renewal.answered_at = renewal.answered_at or now
        renewal.entered_by_staff = renewal.entered_by_staff or renewal.answered_by_id is None
        renewal.reviewed_at = now
        renewal.version += 1
        renewal.save()
        audit_record(actor=acting_user, action="registrationrenewal.accept", target=renewal,
                     organization=group.center, detail={"direct": True})


def renewals_sweep(*, today: dt.date | None = None, center=None) -> dict[str, int]:
    """The daily beat job, across every center of this node: open renewals 90 days before the due
    date, remind at 90/30/7 days, and lapse registrations whose due date has passed.

    Idempotent: a renewal is unique per (group, due date), a scheduled notice per (group, kind, due
    date), and a lapsed group is no longer active; rerunning on the same day writes nothing. A
    reminder missed on its day (the worker was down) goes out on the next run; only the latest one
    that applies, so a group is not sent three at once. `center` limits it to one center (the demo).
    """
    today = today or timezone.localdate()
    counts = {"opened": 0, "reminded": 0, "lapsed": 0}
    horizon = today + dt.timedelta(days=RENEWAL_OPEN_DAYS)
    due = GroupRegistration.objects.filter(status=GroupStatus.ACTIVE, renewal_due__lte=horizon)
    if center is not None:
        due = due.filter(center=center)
    due_ids = list(due.order_by("renewal_due", "pk").values_list("pk", flat=True))
    for group_id in due_ids:
        with transaction.atomic():
            group = GroupRegistration.objects.select_for_update().filter(
                pk=group_id, status=GroupStatus.ACTIVE).first()
            if group is None:
                continue
            if group.renewal_due < today:
                if RegistrationRenewal.objects.filter(group=group, due_on=group.renewal_due,
                                                      status=RenewalStatus.ANSWERED).exists():
                    continue  # answered in time: the center's review decides, not the calendar
                _lapse(group)
                counts["lapsed"] += 1
                continue
            renewal, created = _open_cycle(group)
            if created:
                counts["opened"] += 1
                _scheduled_notice(group, NoticeKind.RENEWAL_OPEN, due_on=group.renewal_due)
                audit_record(actor=None, action="registrationrenewal.open", target=renewal, organization=group.center)
            if renewal.status not in (RenewalStatus.OPEN, RenewalStatus.CHANGES_REQUESTED):
                continue  # answered: the center has what it asked for, no need to remind
            days_left = (group.renewal_due - today).days
            kind = REMINDER_KIND_BY_DAYS[min(d for d in RENEWAL_REMINDER_DAYS if days_left <= d)]
            if kind != NoticeKind.RENEWAL_OPEN and _scheduled_notice(group, kind, due_on=group.renewal_due):
                counts["reminded"] += 1
    return counts


def _lapse(group: GroupRegistration) -> None:
    """失効: the due date passed without an accepted renewal."""
    due_on = group.renewal_due
    RegistrationRenewal.objects.filter(group=group, due_on=due_on, status__in=RENEWAL_PENDING_STATUSES).update(
        status=RenewalStatus.LAPSED)
    if not RegistrationRenewal.objects.filter(group=group, due_on=due_on).exists():
        RegistrationRenewal.objects.create(group=group, due_on=due_on, center_id=group.center_id,
                                           fiscal_year=fiscal_year_of(due_on), status=RenewalStatus.LAPSED)
    group = _set_group(group, status=GroupStatus.LAPSED)
    _scheduled_notice(group, NoticeKind.LAPSED, due_on=due_on)
    audit_record(actor=None, action="groupregistration.lapse", target=group, organization=group.center,
                 detail={"renewal_due": due_on.isoformat()})

"""Group boxes (グループボックス): boxes, the two-yearly round (募集), applications for renewal or for the
draw, the recorded draw itself, and a freed box going to the next group on the waiting list."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext

from permissions.audit import audit_record
from permissions.models import Organization
from permissions.scoping import get_scoped_or_deny, holds

from .. import lottery
from ..boxes_selectors import current_holding
from ..models import (
    BOX_TERM_YEARS,
    CENTER_CHANGE,
    HOLDING_STATES,
    ApplicationState,
    BoxApplication,
    BoxRound,
    BoxSize,
    GroupBox,
    GroupNotice,
    GroupRegistration,
    GroupStatus,
    NoticeKind,
    RoundStatus,
)
from .pipeline import require_center_staff


def _error(message: str, code: str, field: str | None = None) -> ValidationError:
    error = ValidationError(message, code=code)
    return ValidationError({field: error}) if field else error


def _notice(group: GroupRegistration, kind: str, text: str) -> GroupNotice:
    return GroupNotice.objects.create(group=group, kind=kind, center_id=group.center_id, text=text)


@transaction.atomic
def box_create(*, acting_user, center: Organization, label: str, size: str, note: str = "") -> GroupBox:
    require_center_staff(acting_user, center.pk)
    if size not in BoxSize.values:
        raise _error(gettext("大きさを選んでください。"), "invalid_choice", "size")
    if not label.strip():
        raise _error(gettext("ボックスの番号を入力してください。"), "required", "label")
    if GroupBox.objects.filter(center=center, label=label.strip()).exists():
        raise _error(gettext("この番号のボックスはすでにあります。"), "box_label_taken", "label")
    box = GroupBox.objects.create(center=center, label=label.strip(), size=size, note=note.strip())
    audit_record(actor=acting_user, action="groupbox.create", target=box, organization=center)
    return box


def term_end(starts_on: dt.date) -> dt.date:
    """The last day of a two-year term starting that day."""
    try:
        return starts_on.replace(year=starts_on.year + BOX_TERM_YEARS) - dt.timedelta(days=1)
    except ValueError:  # 29 February
        return starts_on.replace(year=starts_on.year + BOX_TERM_YEARS, day=28)


@transaction.atomic
def box_round_open(*, acting_user, center: Organization, title: str, term_starts_on: dt.date,
                   applications_open_on: dt.date, applications_close_on: dt.date) -> BoxRound:
    """募集: opens the applications for the term and tells every registered group; the groups holding a
    box are asked whether they renew (更新意向の確認)."""
    require_center_staff(acting_user, center.pk)
    if not title.strip():
        raise _error(gettext("名称を入力してください。"), "required", "title")
    if applications_open_on > applications_close_on:
        raise _error(gettext("申込締切は受付開始より後にしてください。"), "window_order", "applications_close_on")
    if applications_close_on >= term_starts_on:
        raise _error(gettext("申込締切は利用期間の開始より前にしてください。"), "window_after_term",
                     "applications_close_on")
    if BoxRound.objects.filter(center=center, term_starts_on=term_starts_on).exists():
        raise _error(gettext("この利用期間の募集はすでにあります。"), "round_exists", "term_starts_on")
    round_ = BoxRound.objects.create(
        center=center, title=title.strip(), term_starts_on=term_starts_on, term_ends_on=term_end(term_starts_on),
        applications_open_on=applications_open_on, applications_close_on=applications_close_on)
    window = f"{applications_open_on:%Y年%-m月%-d日}〜{applications_close_on:%Y年%-m月%-d日}"
    for group in GroupRegistration.objects.filter(center=center, status=GroupStatus.ACTIVE).order_by("pk"):
        holding = current_holding(group, before=term_starts_on)
        if holding is not None:
            text = gettext("%(title)s: お使いのボックス %(box)s を続けて使う場合は、%(window)s に更新を申し込んで"
                           "ください。") % {"title": round_.title, "box": holding.box.label, "window": window}
        else:
            text = gettext("%(title)s: 申込は %(window)s、希望者多数の場合は抽選です。") % {
                "title": round_.title, "window": window}
        _notice(group, NoticeKind.BOX_ROUND_OPEN, text)
    audit_record(actor=acting_user, action="boxround.open", target=round_, organization=center)
    return round_


def _check_applicant(acting_user, group: GroupRegistration) -> bool:
    if holds(acting_user, CENTER_CHANGE, group.center_id):
        return True
    if not holds(acting_user, "change_group_profile", group.organization_id):
        raise PermissionDenied("permission_denied")
    return False


@transaction.atomic
def box_apply(*, acting_user, round: BoxRound, group: GroupRegistration, size: str = "", renew: bool = False,
              today: dt.date | None = None) -> BoxApplication:
    """A group applies: to renew the box it holds (kept without a draw), or for the draw. Members apply
    within the window; staff may enter an application at the counter until the draw."""
    as_staff = _check_applicant(acting_user, group)
    round_ = BoxRound.objects.select_for_update().get(pk=round.pk)
    today = today or timezone.localdate()
    if round_.center_id != group.center_id:
        raise PermissionDenied("permission_denied")
    if round_.status != RoundStatus.OPEN:
        raise _error(gettext("この募集は抽選済みです。"), "round_drawn")
    if not as_staff and not round_.applications_open_on <= today <= round_.applications_close_on:
        raise _error(gettext("申込の受付期間（%(open)s〜%(close)s）ではありません。") % {
            "open": f"{round_.applications_open_on:%Y年%-m月%-d日}",
            "close": f"{round_.applications_close_on:%Y年%-m月%-d日}"}, "round_window_closed")
    if group.status != GroupStatus.ACTIVE:
        raise _error(gettext("グループボックスの利用には団体登録（登録中）が必要です。"), "group_not_active")
    if BoxApplication.objects.filter(round=round_, group=group).exclude(state=ApplicationState.WITHDRAWN).exists():
        raise _error(gettext("この団体はすでに申し込んでいます。"), "box_already_applied")
    renews = None
    if renew:
        holding = current_holding(group, before=round_.term_starts_on)
        if holding is None:
            raise _error(gettext("更新できるボックスがありません。新規で申し込んでください。"), "box_nothing_to_renew",
                         "renew")
        renews, size = holding.box, holding.box.size
    if size not in BoxSize.values:
        raise _error(gettext("希望の大きさを選んでください。"), "invalid_choice", "size")
    BoxApplication.objects.filter(round=round_, group=group, state=ApplicationState.WITHDRAWN).delete()
    number = (BoxApplication.objects.filter(round=round_).aggregate(n=Max("number"))["n"] or 0) + 1
    application = BoxApplication.objects.create(center_id=round_.center_id, round=round_, group=group, number=number,
                                                size=size, renews=renews, applied_by=acting_user)
    audit_record(actor=acting_user, action="boxapplication.apply", target=application, organization=group.center,
                 detail={"renew": renews is not None, "by_staff": as_staff})
    return application


@transaction.atomic
def box_withdraw(*, acting_user, application: BoxApplication) -> BoxApplication:
    application = get_scoped_or_deny(acting_user, BoxApplication, "change", pk=application.pk)
    application = BoxApplication.objects.select_for_update(of=("self",)).select_related("round").get(pk=application.pk)
    if application.round.status != RoundStatus.OPEN or application.state != ApplicationState.APPLIED:
        raise _error(gettext("抽選の後は取り下げられません。返却はセンターにご連絡ください。"), "round_drawn")
    application.state = ApplicationState.WITHDRAWN
    application.version += 1
    application.save()
    audit_record(actor=acting_user, action="boxapplication.withdraw", target=application,
                 organization=application.center)
    return application


@transaction.atomic
def box_draw(*, acting_user, round: BoxRound, seed: str | None = None, today: dt.date | None = None) -> BoxRound:
    """抽選. Renewals keep their box first; the boxes left are drawn among the other applications by
    nodes/lottery.py. The seed, the ordered lists it read and the result are recorded with the round,
    so anyone can recompute the draw (the round page's 検証)."""
    require_center_staff(acting_user, round.center_id)
    round_ = BoxRound.objects.select_for_update().get(pk=round.pk)
    today = today or timezone.localdate()
    if round_.status != RoundStatus.OPEN:
        raise _error(gettext("この募集は抽選済みです。"), "round_drawn")
    if today <= round_.applications_close_on:
        raise _error(gettext("抽選は申込締切（%(close)s）の翌日からです。") % {
            "close": f"{round_.applications_close_on:%Y年%-m月%-d日}"}, "round_window_open")
    applications = list(BoxApplication.objects.select_for_update(of=("self",))
                        .filter(round=round_, state=ApplicationState.APPLIED)
                        .select_related("group__organization", "renews").order_by("number"))
    kept: set[int] = set()
    for application in applications:
        if application.renews is not None and application.renews.is_active:
            application.state, application.box = ApplicationState.RENEWED, application.renews
            kept.add(application.renews_id)
    free = [box for box in GroupBox.objects.filter(center_id=round_.center_id, is_active=True).order_by("label")
            if box.pk not in kept]
    entrants = [a for a in applications if a.state == ApplicationState.APPLIED]
    round_.entries = [{"number": a.number, "group": a.group.organization.name, "size": a.size} for a in entrants]
    round_.offered_boxes = [{"label": box.label, "size": box.size} for box in free]
    round_.seed = seed or lottery.new_seed()
    round_.algorithm = lottery.ALGORITHM
    result = lottery.recompute(round_.seed, round_.entries, round_.offered_boxes)
    round_.result = result.as_record()
    boxes = {box.label: box for box in free}
    positions = {number: index + 1 for index, number in enumerate(result.order)}
    waiting_rank: dict[str, int] = {}
    for application in entrants:
        application.draw_position = positions[application.number]
        label = result.allocations.get(application.number)
        if label:
            application.state, application.box = ApplicationState.WON, boxes[label]
    for number in result.waiting:  # in draw order, numbered per size
        application = next(a for a in entrants if a.number == number)
        waiting_rank[application.size] = waiting_rank.get(application.size, 0) + 1
        application.state, application.waiting_position = ApplicationState.WAITING, waiting_rank[application.size]
    for application in applications:
        application.version += 1
        application.save()
        _draw_notice(round_, application)
    round_.status, round_.drawn_at, round_.drawn_by = RoundStatus.DRAWN, timezone.now(), acting_user
    round_.version += 1
    round_.save()
    audit_record(actor=acting_user, action="boxround.draw", target=round_, organization=round_.center, detail={
        "seed": round_.seed, "algorithm": round_.algorithm, "entries": len(entrants), "renewed": len(kept),
        "won": len(result.allocations), "waiting": len(result.waiting),
        "digest": lottery.digest(round_.seed, round_.entries, round_.offered_boxes)})
    return round_


def _draw_notice(round_: BoxRound, application: BoxApplication) -> None:
    values = {"title": round_.title, "box": application.box.label if application.box else "",
              "start": f"{round_.term_starts_on:%Y年%-m月%-d日}", "end": f"{round_.term_ends_on:%Y年%-m月%-d日}",
              "rank": application.waiting_position}
    if application.state == ApplicationState.RENEWED:
        _notice(application.group, NoticeKind.BOX_RENEWED,
                gettext("%(title)s: ボックス %(box)s の更新が決まりました（%(start)s〜%(end)s）。") % values)
    elif application.state == ApplicationState.WON:
        _notice(application.group, NoticeKind.BOX_WON,
                gettext("%(title)s: 抽選の結果、ボックス %(box)s をお使いいただけます（%(start)s〜%(end)s）。") % values)
    elif application.state == ApplicationState.WAITING:
        _notice(application.group, NoticeKind.BOX_WAITING,
                gettext("%(title)s: 抽選の結果、補欠%(rank)s番です。空きが出たら順にご連絡します。") % values)


@transaction.atomic
def box_release(*, acting_user, application: BoxApplication) -> BoxApplication | None:
    """返却: a group gives its box back during the term; the box goes to the first group waiting for
    that size (繰り上げ), who is told. Returns that group's application, if any."""
    require_center_staff(acting_user, application.center_id)
    application = (BoxApplication.objects.select_for_update(of=("self",)).select_related("round", "box")
                   .get(pk=application.pk))
    if application.state not in HOLDING_STATES:
        raise _error(gettext("使用中のボックスではありません。"), "box_not_held")
    box = application.box
    application.state = ApplicationState.RELEASED
    application.version += 1
    application.save()
    audit_record(actor=acting_user, action="boxapplication.release", target=application,
                 organization=application.center, detail={"box": box.label})
    following = (BoxApplication.objects.select_for_update(of=("self",))
                 .filter(round=application.round, state=ApplicationState.WAITING, size=box.size)
                 .select_related("group").order_by("waiting_position", "number").first())
    if following is None or not box.is_active:
        return None
    following.state, following.box = ApplicationState.WON, box
    following.version += 1
    following.save()
    _notice(following.group, NoticeKind.BOX_ASSIGNED,
            gettext("%(title)s: 補欠から繰り上がり、ボックス %(box)s をお使いいただけます（%(end)s まで）。") % {
                "title": application.round.title, "box": box.label,
                "end": f"{application.round.term_ends_on:%Y年%-m月%-d日}"})
    audit_record(actor=acting_user, action="boxapplication.assign_from_waiting", target=following,
                 organization=application.center, detail={"box": box.label})
    return following

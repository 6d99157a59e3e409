"""Reads of the group boxes: who holds which box, a round's applications and draw, and the draw's
verification from its recorded seed and lists."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from permissions.scoping import organizations_where, scoped_queryset

from . import lottery, models as m


def current_holding(group: m.GroupRegistration, *, before: dt.date | None = None) -> m.BoxApplication | None:
    """The group's box on the day before `before` (today by default): the one it may renew."""
    day = (before - dt.timedelta(days=1)) if before else timezone.localdate()
    return (m.BoxApplication.objects.filter(group=group, state__in=m.HOLDING_STATES, round__term_starts_on__lte=day,
                                            round__term_ends_on__gte=day)
            .select_related("box", "round").first())


def staff_rounds(*, user) -> QuerySet:
    centers = organizations_where(user, m.CENTER_VIEW).filter(kind="center")
    return scoped_queryset(user, m.BoxRound, "view").filter(center__in=centers)


def staff_boxes(*, user) -> QuerySet:
    centers = organizations_where(user, m.CENTER_VIEW).filter(kind="center")
    return scoped_queryset(user, m.GroupBox, "view").filter(center__in=centers)


def boxes_overview(*, user, today: dt.date | None = None) -> dict:
    """The boxes with their holder today, and the rounds."""
    today = today or timezone.localdate()
    boxes = list(staff_boxes(user=user).order_by("label"))
    holders = {a.box_id: a for a in m.BoxApplication.objects.filter(
        box__in=boxes, state__in=m.HOLDING_STATES, round__term_starts_on__lte=today, round__term_ends_on__gte=today)
        .select_related("group__organization", "round")}
    return {"boxes": [(box, holders.get(box.pk)) for box in boxes],
            "rounds": list(staff_rounds(user=user).order_by("-term_starts_on")), "today": today,
            "free_count": sum(1 for box in boxes if box.pk not in holders and box.is_active)}


def round_applications(round_: m.BoxRound) -> list[m.BoxApplication]:
    return list(round_.applications.select_related("group__organization", "box", "renews").order_by("number"))


@dataclass
class Verification:
    matches_record: bool
    matches_rows: bool
    digest: str
    recomputed: lottery.Draw

    @property
    def ok(self) -> bool:
        return self.matches_record and self.matches_rows


def verify_draw(round_: m.BoxRound) -> Verification | None:
    """Recompute the draw from the recorded seed and lists, and compare it with the recorded result and
    with what the applications say (state and box at the draw; a later 返却 or 繰り上げ is not a draw)."""
    if round_.status != m.RoundStatus.DRAWN:
        return None
    again = lottery.recompute(round_.seed, round_.entries, round_.offered_boxes)
    drawn = {a.number: a for a in round_.applications.filter(draw_position__isnull=False)
             .select_related("box")}
    rows_ok = set(drawn) == set(again.order) and all(
        drawn[number].draw_position == index + 1 for index, number in enumerate(again.order))
    # A box returned later keeps its label on the application, and a 繰り上げ keeps its 補欠 number.
    rows_ok = rows_ok and all(drawn[number].box is not None and drawn[number].box.label == label
                              for number, label in again.allocations.items())
    rows_ok = rows_ok and all(drawn[number].waiting_position is not None for number in again.waiting)
    return Verification(matches_record=lottery.matches(round_.result, again), matches_rows=rows_ok,
                        digest=lottery.digest(round_.seed, round_.entries, round_.offered_boxes), recomputed=again)


def group_box_page(group: m.GroupRegistration, *, today: dt.date | None = None) -> dict:
    """For わたしの団体: the box the group holds, the open round and the group's applications."""
    today = today or timezone.localdate()
    open_round = (m.BoxRound.objects.filter(center_id=group.center_id, status=m.RoundStatus.OPEN)
                  .order_by("term_starts_on").first())
    mine = None
    if open_round is not None:
        mine = (m.BoxApplication.objects.filter(round=open_round, group=group)
                .exclude(state=m.ApplicationState.WITHDRAWN).first())
    return {
        "holding": current_holding(group),
        "renewable": current_holding(group, before=open_round.term_starts_on) if open_round else None,
        "open_round": open_round,
        "window_open": bool(open_round and open_round.applications_open_on <= today
                            <= open_round.applications_close_on),
        "my_application": mine,
        "box_applications": list(m.BoxApplication.objects.filter(group=group)
                                 .exclude(state=m.ApplicationState.WITHDRAWN)
                                 .select_related("round", "box").order_by("-round__term_starts_on")[:10]),
    }

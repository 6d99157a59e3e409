"""Reads of centers working as a network (issue 17): this node's relations, the backed centers'
aggregate figures (asked of the hub now: counts only, never their records), the centers a
consultation may be referred to, the referrals of the user's centers and their counts per month."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext

from permissions.scoping import scoped_queryset
from sync.client import SyncError
from sync.wire import referrals as wire

from . import hub_link
from .models import (
    CenterRelation,
    ConsultationStep,
    Referral,
    ReferralDirection,
    ReferralStatus,
    RelationRole,
)


def relations(*, user) -> list[CenterRelation]:
    return list(scoped_queryset(user, CenterRelation, "view").select_related("center"))


@dataclass
class BackedCenter:
    """One backed center's figures as the hub holds them (its node's last aggregate snapshot)."""

    name: str
    groups_total: int | None
    events_total: int | None
    consultations_total: int | None
    consultations_by_step: list[tuple[str, int]]
    received_at: dt.datetime | None


@dataclass
class BackedCentersPage:
    centers: list[BackedCenter] = field(default_factory=list)
    error: str = ""


def _total(value) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, dict):
        return sum(v for v in value.values() if isinstance(v, int) and not isinstance(v, bool))
    return None


def _backed_center(row: dict) -> BackedCenter:
    data = row.get("data") or {}
    steps = dict(ConsultationStep.choices)
    by_step = data.get("consultations_per_step") if isinstance(data.get("consultations_per_step"), dict) else {}
    received = row.get("received_at")
    return BackedCenter(
        name=str(row.get("backed_center_name", "")), groups_total=_total(data.get("groups_total")),
        events_total=_total(data.get("events_per_month")), consultations_total=_total(by_step) if by_step else None,
        consultations_by_step=[(str(steps[s]), n) for s in steps if isinstance(n := by_step.get(s), int)],
        received_at=dt.datetime.fromisoformat(received) if isinstance(received, str) else None)


def backed_centers(*, user, client=None) -> BackedCentersPage:
    """The centers the user's centers back, with their figures, asked of the hub now. Only centers
    this node holds a confirmed backing relation for, and only for staff of the backing center."""
    page = BackedCentersPage()
    mine = {str(u) for u in scoped_queryset(user, CenterRelation, "view").filter(
        role=RelationRole.BACKING, confirmed_at__isnull=False).values_list("center__uuid", flat=True)}
    if not mine:
        return page
    answer = hub_link.ask_hub("/sync/v1/relations/figures", key="centers", client=client)
    if answer.error:
        page.error = answer.error
        return page
    page.centers = [_backed_center(row) for row in answer.data
                    if isinstance(row, dict) and wire.FIGURES_KEYS <= set(row) and row["backing_center"] in mine]
    return page


@dataclass
class CenterChoice:
    uuid: str
    name: str
    municipality: str
    backs_us: bool


def referral_targets(*, user, client=None) -> tuple[list[CenterChoice], str]:
    """The centers a consultation may be referred to: every center on the hub, the ones backing ours
    first. Without the hub, the backing centers this node knows of (and the reason)."""
    try:
        rows = hub_link.hub_client(client).json("GET", "/sync/v1/centers")["centers"]
        choices = [CenterChoice(str(r["uuid"]), str(r["name"]), str(r.get("municipality", "")), bool(r.get("backs_us")))
                   for r in rows]
        error = ""
    except SyncError as failure:
        error = hub_link.hub_error_message(failure)
        choices = []
    except (KeyError, TypeError, ValueError):
        error, choices = gettext("ハブの応答を読み取れませんでした。"), []
    if not choices:
        choices = [CenterChoice(str(r.other_center_uuid), r.other_center_name, "", True)
                   for r in relations(user=user) if r.role == RelationRole.BACKED and r.confirmed_at]
    choices.sort(key=lambda c: (not c.backs_us,))
    return choices, error


def _referrals(user):
    return scoped_queryset(user, Referral, "view").select_related("center", "consultation")


def referrals(*, user) -> dict:
    """The referrals of the user's centers: received ones waiting for an answer first, then the rest."""
    rows = _referrals(user)
    received = rows.filter(direction=ReferralDirection.RECEIVED)
    open_statuses = (ReferralStatus.PENDING, ReferralStatus.ACCEPTED)
    return {
        "received": sorted(received, key=lambda r: (r.status not in open_statuses, -r.created_at.timestamp())),
        "sent": list(rows.filter(direction=ReferralDirection.SENT).order_by("-created_at")),
        "pending_count": received.filter(status__in=open_statuses).count(),
    }


def referrals_pending(*, user) -> int:
    return _referrals(user).filter(direction=ReferralDirection.RECEIVED,
                                   status__in=(ReferralStatus.PENDING, ReferralStatus.ACCEPTED)).count()


def consultation_referrals(*, user, consultation) -> list[Referral]:
    return list(_referrals(user).filter(consultation=consultation).order_by("created_at"))


@dataclass
class ReferralMonth:
    center: str
    month: dt.date
    sent: int
    received: int
    answered: int
    joining: int
    declined: int


def referral_counts(*, user) -> list[ReferralMonth]:
    """Referrals per center and month (by the month they were made, in local time): sent, received,
    and of those received the ones answered, sat in on (同席) and declined."""
    rows = (_referrals(user).annotate(month=TruncMonth("created_at", tzinfo=timezone.get_current_timezone()))
            .values("center__name", "month").annotate(
                sent=Count("id", filter=Q(direction=ReferralDirection.SENT)),
                received=Count("id", filter=Q(direction=ReferralDirection.RECEIVED)),
                answered=Count("id", filter=Q(direction=ReferralDirection.RECEIVED, status=ReferralStatus.ANSWERED)),
                joining=Count("id", filter=Q(direction=ReferralDirection.RECEIVED, status=ReferralStatus.JOINING)),
                declined=Count("id", filter=Q(direction=ReferralDirection.RECEIVED, status=ReferralStatus.DECLINED)))
            .order_by("center__name", "-month"))
    return [ReferralMonth(r["center__name"], r["month"].date() if hasattr(r["month"], "date") else r["month"],
                          r["sent"], r["received"], r["answered"], r["joining"], r["declined"]) for r in rows]


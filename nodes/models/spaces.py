"""Meeting spaces (スペースA・B): the rooms a center lends, their opening hours and closed days, and the
bookings (利用申込) that staff enter or registered groups request and staff approve.

No double booking is the database's rule, not the form's: on PostgreSQL an exclusion constraint over
(room, tstzrange(starts_at, ends_at)) of the bookings that hold the room, on SQLite a trigger that
raises on overlap (both created in migration 0015_spaces_and_group_boxes, for their vendor only).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from permissions.models import Organization

from .base import CENTER_CHANGE, CENTER_DELETE, CENTER_VIEW, CenterRecord

WEEKDAYS = ("月", "火", "水", "木", "金", "土", "日")


class Room(CenterRecord):
    """A room the center lends (スペースA, スペースB …), with what it holds and when it is open."""

    name = models.CharField(_("部屋名"), max_length=100)
    capacity = models.PositiveSmallIntegerField(_("定員"))
    equipment = models.TextField(_("設備・備品"), blank=True)
    opens_at = models.TimeField(_("開館時刻"))
    closes_at = models.TimeField(_("閉館時刻"))
    # Weekdays the room is closed, Monday = 0 (e.g. [0] for 月曜休館); public holidays are a flag.
    closed_weekdays = models.JSONField(_("休館曜日"), default=list, blank=True)
    closed_on_holidays = models.BooleanField(_("祝日は休館"), default=True)
    # 年末年始 (12/29–1/3), as Yokohama's public facilities close.
    closed_year_end = models.BooleanField(_("年末年始は休館"), default=True)
    # A group may book this many days ahead, and cancel itself until this many days before the day.
    booking_horizon_days = models.PositiveSmallIntegerField(_("予約できる期間（日先まで）"), default=90)
    cancel_days_before = models.PositiveSmallIntegerField(_("団体が取り消せる期限（日前まで）"), default=3)
    is_active = models.BooleanField(_("受付中"), default=True)
    note = models.TextField(_("利用上の注意"), blank=True)

    SEARCH_FIELDS = ("name", "equipment")

    class Meta:
        verbose_name = _("スペース")
        verbose_name_plural = _("スペース")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["center", "name"], name="room_name_unique_per_center"),
            models.CheckConstraint(condition=Q(opens_at__lt=F("closes_at")), name="room_opens_before_closing"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="room_capacity_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def closed_weekdays_label(self) -> str:
        return "・".join(f"{WEEKDAYS[day]}曜" for day in self.closed_weekdays)


class BookingStatus(models.TextChoices):
    PENDING = "pending", _("承認待ち")
    APPROVED = "approved", _("承認済み")
    REJECTED = "rejected", _("お断り")
    CANCELLED = "cancelled", _("取消")


# The bookings that hold their room's time: no two of them may overlap.
HOLDING_STATUSES = (BookingStatus.PENDING, BookingStatus.APPROVED)
# The constraint's name (and the trigger's message): services recognise the refusal by it.
OVERLAP_CONSTRAINT = "booking_no_overlap"

BOOKING_SCOPE = {
    "view": (("center", CENTER_VIEW), ("organization", "view_group_profile")),
    "add": (("center", CENTER_CHANGE), ("organization", "change_group_profile")),
    "change": (("center", CENTER_CHANGE), ("organization", "change_group_profile")),
    "delete": (("center", CENTER_DELETE),),
}


class Booking(CenterRecord):
    """利用申込: one use of one room, by a registered group, a department or the center itself."""

    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("スペース"))
    # Who uses the room (利用団体): a registered group's organization, a department, or the center.
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("利用団体"))
    # 利用票の番号: dense per center, shown on the slip and at the counter.
    number = models.PositiveIntegerField(_("受付番号"))
    purpose = models.CharField(_("利用目的"), max_length=200)
    attendees = models.PositiveSmallIntegerField(_("利用人数"))
    starts_at = models.DateTimeField(_("開始"))
    ends_at = models.DateTimeField(_("終了"))
    status = models.CharField(_("状態"), max_length=20, choices=BookingStatus.choices, default=BookingStatus.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                     related_name="+", verbose_name=_("申込者"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("承認者"))
    decided_at = models.DateTimeField(_("判断日時"), null=True, blank=True)
    decision_note = models.CharField(_("センターからのコメント"), max_length=300, blank=True)
    cancelled_at = models.DateTimeField(_("取消日時"), null=True, blank=True)

    SEARCH_FIELDS = ("purpose", "organization.name", "room.name")
    scope_rules = BOOKING_SCOPE

    class Meta:
        verbose_name = _("スペースの予約")
        verbose_name_plural = _("スペースの予約")
        ordering = ["starts_at", "room_id"]
        constraints = [
            models.CheckConstraint(condition=Q(starts_at__lt=F("ends_at")), name="booking_starts_before_end"),
            models.CheckConstraint(condition=Q(status__in=BookingStatus.values), name="booking_status_known"),
            models.CheckConstraint(condition=Q(attendees__gte=1), name="booking_attendees_positive"),
            models.CheckConstraint(condition=Q(status="pending") | Q(decided_at__isnull=False)
                                   | Q(status="cancelled"), name="booking_decided_has_time"),
            models.CheckConstraint(condition=~Q(status="cancelled") | Q(cancelled_at__isnull=False),
                                   name="booking_cancelled_has_time"),
            models.UniqueConstraint(fields=["center", "number"], name="booking_number_unique_per_center"),
        ]
        indexes = [models.Index(fields=["room", "starts_at"]), models.Index(fields=["center", "status"])]

    def __str__(self) -> str:
        return f"{self.room} {self.starts_at:%Y-%m-%d %H:%M}"

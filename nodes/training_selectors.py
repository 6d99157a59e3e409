"""Reads of trainings and information-sharing meetings across centers (研修・情報共有会議): the ones
the user's centers organize and the ones they were invited to, one training with its registrations
and materials, and the attendance per 年度 — per training and per center for the organizer, and the
trainings its staff attended for a registering center."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Prefetch
from django.utils import timezone

from common.japanese import fiscal_year_of
from permissions.models import Role
from permissions.scoping import holds, scoped_queryset

from .models import (
    CENTER_CHANGE,
    RelationRole,
    Training,
    TrainingMaterial,
    TrainingParticipant,
    TrainingRegistration,
    TrainingSide,
    TrainingStatus,
)
from .network_selectors import relations
from .selectors import staff_centers


def center_staff(*, center) -> list:
    """The staff of a center who may take a seat (its staff and admins)."""
    return list(get_user_model().objects.filter(
        memberships__organization=center, memberships__role__in=(Role.CENTER_STAFF, Role.CENTER_ADMIN),
        is_active=True).distinct().order_by("last_name", "first_name", "username"))


def _trainings(user):
    return scoped_queryset(user, Training, "view").select_related("center")


def _fiscal_year(training: Training) -> int:
    return fiscal_year_of(timezone.localtime(training.starts_at).date())


def trainings(*, user) -> dict:
    """The user's centers' trainings: organized and invited, upcoming first, then the past ones."""
    rows = list(_trainings(user).prefetch_related(Prefetch(
        "registrations", queryset=TrainingRegistration.objects.order_by("registering_center_name"))))
    now = timezone.now()

    def ordered(side):
        chosen = [t for t in rows if t.side == side]
        upcoming = sorted((t for t in chosen if t.starts_at >= now), key=lambda t: t.starts_at)
        return upcoming + [t for t in chosen if t.starts_at < now]

    return {"organized": ordered(TrainingSide.ORGANIZER), "invited": ordered(TrainingSide.INVITED)}


def organizing_centers(*, user) -> list:
    """The user's centers that back a center by a confirmed relation (they may open a training)."""
    backing = {r.center_id for r in relations(user=user) if r.role == RelationRole.BACKING and r.confirmed_at}
    return [c for c in staff_centers(user=user) if c.pk in backing and holds(user, CENTER_CHANGE, c.pk)]


@dataclass
class TrainingPage:
    training: Training
    registrations: list[TrainingRegistration]
    materials: list[TrainingMaterial]
    may_change: bool
    own: TrainingRegistration | None = None  # an invited center's registration
    staff: list = field(default_factory=list)  # an invited center's staff, to register
    chosen: set = field(default_factory=set)
    registration_open: bool = False
    held: bool = False  # the event has begun: attendance may be recorded

    @property
    def seats_registered(self) -> int:
        return sum(r.seats for r in self.registrations)

    @property
    def attended_total(self) -> int:
        return sum(r.attended or 0 for r in self.registrations)


def training_page(*, user, training: Training) -> TrainingPage:
    registrations = list(scoped_queryset(user, TrainingRegistration, "view").filter(training=training)
                         .prefetch_related(Prefetch("participants", queryset=TrainingParticipant.objects
                                                    .select_related("user"))))
    now = timezone.now()
    page = TrainingPage(
        training=training, registrations=registrations,
        materials=list(scoped_queryset(user, TrainingMaterial, "view").filter(training=training).defer("content")),
        may_change=holds(user, CENTER_CHANGE, training.center_id),
        registration_open=training.status == TrainingStatus.OPEN and now <= training.deadline,
        held=training.status != TrainingStatus.CANCELLED and training.starts_at <= now)
    if training.side == TrainingSide.INVITED:
        page.own = registrations[0] if registrations else None
        page.staff = center_staff(center=training.center) if page.may_change else []
        page.chosen = {p.user_id for p in page.own.participants.all()} if page.own else set()
    return page


@dataclass
class OrganizerYear:
    fiscal_year: int
    trainings: list[dict] = field(default_factory=list)  # per training: seats and attended
    centers: list[dict] = field(default_factory=list)  # per registering center


def organizer_years(*, user) -> list[OrganizerYear]:
    """For the trainings the user's centers organized (not cancelled), per 年度: each training's seats
    and attendance, and each registering center's trainings, seats and attendance."""
    years: dict[int, OrganizerYear] = {}
    per_center: dict[int, dict[str, dict]] = defaultdict(dict)
    for training in _trainings(user).filter(side=TrainingSide.ORGANIZER).exclude(
            status=TrainingStatus.CANCELLED).prefetch_related("registrations").order_by("starts_at"):
        year = _fiscal_year(training)
        row = years.setdefault(year, OrganizerYear(year))
        taken = [r for r in training.registrations.all() if r.seats]
        row.trainings.append({"training": training, "centers": len(taken), "seats": sum(r.seats for r in taken),
                              "attended": sum(r.attended or 0 for r in taken)})
        for registration in taken:
            center = per_center[year].setdefault(registration.registering_center_name, {
                "center": registration.registering_center_name, "trainings": 0, "seats": 0, "attended": 0})
            center["trainings"] += 1
            center["seats"] += registration.seats
            center["attended"] += registration.attended or 0
    for year, row in years.items():
        row.centers = sorted(per_center[year].values(), key=lambda c: c["center"])
    return [years[year] for year in sorted(years, reverse=True)]


@dataclass
class AttendedYear:
    fiscal_year: int
    trainings: int = 0  # trainings the center's staff registered for
    seats: int = 0
    attended: int = 0  # the organizer's count
    staff_attended: int = 0  # the staff marked here as having attended


def attended_years(*, user) -> list[AttendedYear]:
    """For a registering center: per 年度, the trainings its staff registered for and attended."""
    years: dict[int, AttendedYear] = {}
    for registration in (scoped_queryset(user, TrainingRegistration, "view")
                         .filter(training__side=TrainingSide.INVITED, seats__gt=0)
                         .exclude(training__status=TrainingStatus.CANCELLED)
                         .select_related("training").prefetch_related("participants")):
        year = _fiscal_year(registration.training)
        row = years.setdefault(year, AttendedYear(year))
        row.trainings += 1
        row.seats += registration.seats
        row.attended += registration.attended or 0
        row.staff_attended += sum(1 for p in registration.participants.all() if p.attended)
    return [years[year] for year in sorted(years, reverse=True)]

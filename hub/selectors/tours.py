"""Reads of study tours on the hub: what a participant may read (the reading window is part of
every query, `opens_at <= now < reading_ends_at`, never a flag a job must have set), the bundle and
agenda of a tour, who read how much, and the lessons linked to a library case."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.db.models.fields.json import KT
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from permissions.models import AuditEvent, Membership

from ..models import (
    Node,
    SharedCase,
    StudyTour,
    TourCaseCopy,
    TourInvitation,
    TourLessonCopy,
    TourParticipant,
    TourReport,
)

# The audit action of a participant reading a tour case: the readership counts these rows.
READ_ACTION = "tour.case_read"


def token_digest(token: str) -> str:
    """Invitation links are kept as digests only."""
    return hashlib.sha256(token.encode()).hexdigest()


def open_now(now: dt.datetime) -> Q:
    """Inside the reading window at `now`."""
    return Q(opens_at__lte=now, reading_ends_at__gt=now)


def participant_tours(user) -> QuerySet:
    """Every tour the user takes part in, open or not (the list says which can be read now)."""
    return StudyTour.objects.filter(participants__user=user).select_related("center").distinct()


def readable_tour(user, pk: int, *, now: dt.datetime | None = None) -> StudyTour | None:
    """The tour, only for a participant and only inside its reading window (checked in this query)."""
    now = now or timezone.now()
    return StudyTour.objects.filter(open_now(now), pk=pk, participants__user=user).select_related(
        "center", "node").first()


def participation(user, tour: StudyTour) -> TourParticipant | None:
    return TourParticipant.objects.filter(tour=tour, user=user).first()


def is_participant(user, pk: int) -> bool:
    return TourParticipant.objects.filter(tour_id=pk, user=user).exists()


@dataclass
class BundleEntry:
    ref: str
    source: str
    note: str
    stop: str | None
    case: object | None  # SharedCase or TourCaseCopy; None when not (or no longer) on the hub
    title: str = ""


def bundle(tour: StudyTour) -> list[BundleEntry]:
    """The tour's cases in the host's order. A host case is the tour's own copy (of the tour's node
    only); a library case is read from the library as it is now."""
    entries = tour.cases or []
    host_refs = [e["ref"] for e in entries if e["source"] == "host"]
    library_refs = [e["library"] for e in entries if e["source"] == "library"]
    copies = {str(c.entity_uuid): c for c in TourCaseCopy.objects.filter(
        node=tour.node, tour_uuid=tour.entity_uuid, entity_uuid__in=host_refs).select_related("center")} \
        if tour.node_id else {}
    # A library copy is unique per node only: the entry names its center (one node's) as well.
    library = {(str(c.center.center_uuid), str(c.entity_uuid)): c for c in SharedCase.objects.filter(
        entity_uuid__in=library_refs).select_related("center")}
    result = []
    for entry in entries:
        case = copies.get(entry["ref"]) if entry["source"] == "host" else library.get(
            (entry.get("library_center"), entry["library"]))
        result.append(BundleEntry(ref=entry["ref"], source=entry["source"], note=entry.get("note", ""),
                                  stop=entry.get("stop"), case=case, title=case.title if case else entry.get("title", "")))
    return result


@dataclass
class Agenda:
    stops: list[dict]
    current: dict | None
    current_cases: list[BundleEntry] = field(default_factory=list)


def agenda(tour: StudyTour, entries: list[BundleEntry], *, now: dt.datetime | None = None) -> Agenda:
    """The stops with times parsed, and the stop of the moment: the one under way, else the next one
    today, else none. Its cases come first on a phone during the visit."""
    now = now or timezone.now()
    stops = []
    for stop in tour.stops or []:
        starts = parse_datetime(stop["starts_at"])
        ends = parse_datetime(stop["ends_at"]) if stop.get("ends_at") else None
        stops.append({**stop, "starts": starts, "ends": ends})
    current = next((s for s in stops if s["starts"] <= now < (s["ends"] or s["starts"] + dt.timedelta(hours=1))), None)
    if current is None:
        current = next((s for s in stops if s["starts"] > now and timezone.localdate(s["starts"]) == timezone.localdate(now)),
                       None)
    for stop in stops:
        stop["current"] = stop is current
        stop["cases"] = [e for e in entries if e.stop == stop["key"]]
    key = current["key"] if current else None
    return Agenda(stops=stops, current=current, current_cases=[e for e in entries if key and e.stop == key])


def tour_case(tour: StudyTour, ref: str) -> BundleEntry | None:
    return next((e for e in bundle(tour) if e.ref == ref and e.case is not None), None)


def readership(tour: StudyTour) -> dict:
    """Who read how much: counts from the audit rows the reads left, nothing more."""
    reads = {row["actor"]: row for row in AuditEvent.objects.filter(
        action=READ_ACTION, target_type="hub.studytour", target_uuid=tour.entity_uuid).values("actor").annotate(
        reads=Count("id"), cases=Count(KT("detail__case"), distinct=True), last=Max("at")).order_by()}
    participants = []
    participants_with_reports = TourParticipant.objects.filter(tour=tour).annotate(
        reported=Exists(TourReport.objects.filter(participant=OuterRef("pk")))).order_by("organization_name",
                                                                                       "display_name")
    for p in participants_with_reports:
        row = reads.get(p.user_id, {})
        participants.append({"name": p.display_name, "organization": p.organization_name,
                             "reads": row.get("reads", 0), "cases_read": row.get("cases", 0),
                             "last_read_at": row["last"].isoformat() if row.get("last") else None,
                             "reported": p.reported})
    now = timezone.now()
    invitations = TourInvitation.objects.filter(tour=tour).aggregate(
        issued=Count("id"), used=Count("id", filter=Q(used_at__isnull=False)),
        expired=Count("id", filter=Q(used_at__isnull=True, expires_at__lte=now)))
    return {"participants": participants, "invitations": invitations,
            "cases": len(tour.cases or []), "reports": TourReport.objects.filter(tour=tour).count()}


def coordinator_tours() -> QuerySet:
    return StudyTour.objects.select_related("center").annotate(participant_count=Count("participants"))


def lessons_for_case(case: SharedCase) -> list[TourLessonCopy]:
    """Lessons from tours (of any center) linked to a library case."""
    key = str(case.entity_uuid)
    lessons = TourLessonCopy.objects.select_related("center")
    if connection.vendor == "postgresql":
        return list(lessons.filter(case_uuids__contains=[key]))
    return [lesson for lesson in lessons if key in lesson.case_uuids]  # the embedded demo: few rows


def invitation_valid(token: str, *, now: dt.datetime | None = None) -> TourInvitation | None:
    """An unused, unexpired invitation of a tour still in (or before) its reading period."""
    now = now or timezone.now()
    return TourInvitation.objects.filter(token_digest=token_digest(token or ""), used_at__isnull=True, expires_at__gt=now,
                                         tour__reading_ends_at__gt=now).select_related("tour").first()


def reading_ended(node: Node, tour_uuid, *, now: dt.datetime | None = None) -> bool:
    return StudyTour.objects.filter(node=node, entity_uuid=tour_uuid, reading_ends_at__lte=now or timezone.now()).exists()


def with_named_texts(tour: StudyTour) -> StudyTour:
    """For a participant inside the window (the caller's query checked it): the texts that name the
    organizations which consented for this tour. In memory only."""
    named = tour.named_texts or {}
    for name in ("title", "theme", "description"):
        if name in named:
            setattr(tour, name, named[name])
    overrides = named.get("stops", {})
    tour.stops = [{**stop, **overrides.get(stop["key"], {})} for stop in tour.stops or []]
    return tour


def node_tour(node: Node, tour_uuid) -> StudyTour | None:
    return StudyTour.objects.filter(node=node, entity_uuid=tour_uuid).first()


def visitor_still_reading(user) -> bool:
    """A visitor account (no hub role, only study tours) may use the API while one of its tours has
    not finished its reading period; any other account is not limited here."""
    if user.is_staff or user.is_superuser or Membership.objects.filter(user=user).exists():
        return True
    tours = StudyTour.objects.filter(participants__user=user)
    return not tours.exists() or tours.filter(reading_ends_at__gt=timezone.now()).exists()

"""Study tours on the hub: invitations and visitor accounts, the time-limited reading of a tour's
bundle (every read audited), visit reports back to the host, coordinator-hosted tours, and the
purge of tour-only case copies when reading ends.

The reading window is part of every reader query (`opens_at <= now < reading_ends_at`), never a
flag a job must have set: a tour whose purge has not run yet is still unreadable.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid as uuid_module
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.db.models.fields.json import KT
from django.utils import timezone
from django.utils.translation import gettext

from common.japanese import search_key
from permissions.audit import audit_record
from permissions.models import AuditEvent
from sync.tours import TOUR_REPORT_KIND

from .models import (
    CaseCollection,
    Node,
    SharedCase,
    StudyTour,
    TourCaseCopy,
    TourInvitation,
    TourLessonCopy,
    TourParticipant,
    TourReport,
    field_index,
)

READ_ACTION = "tour.case_read"
OPEN_ACTION = "tour.open"
MAX_INVITATIONS = 50
REPORT_LIMIT = 8000


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- selectors ------------------------------------------------------------------------------------


def _open(now: dt.datetime) -> Q:
    return Q(opens_at__lte=now, reading_ends_at__gt=now)


def participant_tours(user) -> QuerySet:
    """Every tour the user takes part in, open or not (the list says which can be read now)."""
    return StudyTour.objects.filter(participants__user=user).select_related("center").distinct()


def readable_tour(user, pk: int, *, now: dt.datetime | None = None) -> StudyTour | None:
    """The tour, only for a participant and only inside its reading window (checked in this query)."""
    now = now or timezone.now()
    return StudyTour.objects.filter(_open(now), pk=pk, participants__user=user).select_related(
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
    from django.utils.dateparse import parse_datetime

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
    from django.db import connection

    key = str(case.entity_uuid)
    lessons = TourLessonCopy.objects.select_related("center")
    if connection.vendor == "postgresql":
        return list(lessons.filter(case_uuids__contains=[key]))
    return [lesson for lesson in lessons if key in lesson.case_uuids]  # the embedded demo: few rows


# --- services -------------------------------------------------------------------------------------


@dataclass
class IssuedInvitations:
    links: list[str]
    expires_at: dt.datetime


@transaction.atomic
def invitations_issue(*, acting_user, tour: StudyTour, organization_name: str, count: int, days_valid: int,
                      link_for) -> IssuedInvitations:
    """`count` one-time links for people of one participating organization. Only digests are kept,
    so a link cannot be shown again — issue another one instead."""
    organization_name = (organization_name or "").strip()
    if not organization_name or len(organization_name) > 200:
        raise ValidationError({"organization_name": ValidationError(gettext("参加団体を入力してください。"),
                                                                    code="required")})
    if not isinstance(count, int) or not 1 <= count <= MAX_INVITATIONS or not isinstance(days_valid, int) \
            or not 1 <= days_valid <= 60:
        raise ValidationError({"count": ValidationError(
            gettext("招待は1〜%(max)d件、有効期間は1〜60日で指定してください。") % {"max": MAX_INVITATIONS},
            code="out_of_range")})
    if tour.reading_ends_at <= timezone.now():
        raise ValidationError(gettext("閲覧期間が終わったツアーには招待できません。"), code="tour_closed")
    expires_at = min(timezone.now() + dt.timedelta(days=days_valid), tour.reading_ends_at)
    tokens = [secrets.token_urlsafe(24) for _ in range(count)]
    TourInvitation.objects.bulk_create([
        TourInvitation(tour=tour, token_digest=_digest(token), organization_name=organization_name,
                       expires_at=expires_at, created_by=acting_user if getattr(acting_user, "pk", None) else None)
        for token in tokens])
    audit_record(actor=acting_user, action="tour.invitations_issue", target=tour,
                 detail={"count": count, "days_valid": days_valid})
    return IssuedInvitations(links=[link_for(token) for token in tokens], expires_at=expires_at)


def invitation_valid(token: str, *, now: dt.datetime | None = None) -> TourInvitation | None:
    """An unused, unexpired invitation of a tour still in (or before) its reading period."""
    now = now or timezone.now()
    return TourInvitation.objects.filter(token_digest=_digest(token or ""), used_at__isnull=True, expires_at__gt=now,
                                         tour__reading_ends_at__gt=now).select_related("tour").first()


@transaction.atomic
def invitation_accept(*, token: str, user=None, display_name: str, username: str = "", password: str = "") -> TourParticipant:
    """Use a link once: join the tour with the signed-in account, or create a visitor account (no
    roles: it can read its tours and nothing else). An expired or used link changes nothing."""
    invitation = invitation_valid(token)
    if invitation is not None:
        invitation = TourInvitation.objects.select_for_update().filter(pk=invitation.pk, used_at__isnull=True).first()
    if invitation is None:
        raise ValidationError(gettext("この招待リンクは無効か、期限が切れています。ホストのセンターにお問い合わせください。"),
                              code="invitation_invalid")
    display_name = (display_name or "").strip()
    if not display_name or len(display_name) > 100:
        raise ValidationError({"display_name": ValidationError(gettext("お名前を入力してください（100字以内）。"),
                                                               code="required")})
    if user is None or not user.is_authenticated:
        user = _visitor_create(username=username, password=password)
    if TourParticipant.objects.filter(tour=invitation.tour, user=user).exists():
        raise ValidationError(gettext("このアカウントはすでにツアーに参加しています。"), code="already_participant")
    participant = TourParticipant.objects.create(tour=invitation.tour, user=user, display_name=display_name,
                                                 organization_name=invitation.organization_name, invitation=invitation)
    invitation.used_at, invitation.used_by = timezone.now(), user
    invitation.save(update_fields=["used_at", "used_by"])
    audit_record(actor=user, action="tour.join", target=invitation.tour, detail={"invitation": invitation.pk})
    return participant


def _visitor_create(*, username: str, password: str):
    User = get_user_model()
    username = (username or "").strip()
    taken = ValidationError({"username": ValidationError(
        gettext("このログインIDは使えません。半角英数字で、別のIDを入力してください。"), code="username_taken")})
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError as error:
        raise taken from error
    if not username or len(username) > 150 or User.objects.filter(username__iexact=username).exists():
        raise taken
    candidate = User(username=username)
    try:
        validate_password(password or "", candidate)
    except ValidationError as error:
        raise ValidationError({"password": error.error_list}) from error
    try:
        with transaction.atomic():
            return User.objects.create_user(username=username, password=password)
    except IntegrityError as error:  # the same ID chosen a moment ago
        raise taken from error


def case_read(*, user, tour: StudyTour, entry: BundleEntry) -> None:
    audit_record(actor=user, action=READ_ACTION, target=tour,
                 detail={"case": entry.ref, "source": entry.source,
                         "level": getattr(entry.case, "level", None)})


def readership_read(*, user, tour: StudyTour) -> None:
    audit_record(actor=user, action="tour.readership_read", target=tour, detail={})


def tour_open(*, user, tour: StudyTour) -> None:
    audit_record(actor=user, action=OPEN_ACTION, target=tour, detail={})


def _report_text(value: str, name: str, *, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({name: ValidationError(gettext("入力してください。"), code="required")})
    if len(value) > REPORT_LIMIT:
        raise ValidationError({name: ValidationError(
            gettext("%(limit)d字以内にしてください。") % {"limit": REPORT_LIMIT}, code="max_length")})
    return value


@transaction.atomic
def report_submit(*, user, tour: StudyTour, saw: str, transfer: str = "", questions: str = "") -> TourReport:
    """Write or rewrite one's visit report while reading is open; a node-hosted tour's host gets it
    through the feed (the latest version wins there, by the report's uuid)."""
    from .services import feed_publish

    now = timezone.now()
    tour = StudyTour.objects.filter(_open(now), pk=tour.pk).first()
    participant = TourParticipant.objects.filter(tour=tour, user=user).first() if tour else None
    if participant is None:
        raise ValidationError(gettext("このツアーのレポートは書けません（閲覧期間外か、参加者ではありません）。"),
                              code="not_open")
    values = {"saw": _report_text(saw, "saw", required=True), "transfer": _report_text(transfer, "transfer"),
              "questions": _report_text(questions, "questions")}
    report, created = TourReport.objects.update_or_create(tour=tour, participant=participant, defaults=values)
    audit_record(actor=user, action="tour.report_submit" if created else "tour.report_update", target=tour,
                 detail={"report": str(report.uuid)})
    if tour.node_id:
        feed_publish(acting_user=user, kind=TOUR_REPORT_KIND, node=tour.node, payload={
            "uuid": str(report.uuid), "tour": str(tour.entity_uuid), "author_name": participant.display_name,
            "organization_name": participant.organization_name, **values,
            "submitted_at": report.updated_at.isoformat()})
    return report


@transaction.atomic
def tour_create(*, acting_user, title: str, host_name: str, starts_on: dt.date, ends_on: dt.date,
                reading_days: int = 14, theme: str = "", description: str = "", capacity: int | None = None,
                fields: list[int] | None = None, collection: CaseCollection | None = None,
                stops: list[dict] | None = None, organizations: list[dict] | None = None) -> StudyTour:
    """A tour hosted by the hub (a coordinator with the prefecture): its bundle is a library
    collection; its agenda is given as stops."""
    if ends_on < starts_on:
        raise ValidationError({"ends_on": ValidationError(gettext("終了日は開始日以降にしてください。"),
                                                          code="ends_before_start")})
    if not 0 <= reading_days <= 90:
        raise ValidationError({"reading_days": ValidationError(gettext("閲覧期間は90日以内にしてください。"),
                                                               code="too_long")})
    opens_at = timezone.make_aware(dt.datetime.combine(starts_on, dt.time.min))
    reading_ends_at = timezone.make_aware(dt.datetime.combine(ends_on + dt.timedelta(days=reading_days + 1),
                                                              dt.time.min))
    stop_rows = []
    for stop in stops or []:
        if stop["ends_at"] and stop["ends_at"] < stop["starts_at"]:
            raise ValidationError({"stops": ValidationError(gettext("訪問先の終了時刻は開始時刻より後にしてください。"),
                                                            code="ends_before_start")})
        stop_rows.append({"key": str(uuid_module.uuid4()), "title": stop["title"],
                          "starts_at": stop["starts_at"].isoformat(),
                          "ends_at": stop["ends_at"].isoformat() if stop["ends_at"] else None,
                          "place": stop.get("place", ""), "directions": stop.get("directions", "")})
    entries = []
    if collection is not None:
        for entry in collection.entries.select_related("case__center").order_by("order"):
            entries.append({"ref": str(uuid_module.uuid4()), "stop": None, "source": "library",
                            "library": str(entry.case.entity_uuid), "library_center": str(entry.case.center.center_uuid),
                            "title": entry.case.title, "note": entry.note[:400]})
    codes = sorted(set(fields or []))
    tour = StudyTour(title=title.strip(), host_name=host_name.strip(), theme=theme, description=description,
                     starts_on=starts_on, ends_on=ends_on, opens_at=opens_at, reading_ends_at=reading_ends_at,
                     capacity=capacity, field_codes=codes, field_index=field_index(codes), stops=stop_rows,
                     cases=entries, organizations=organizations or [], created_by=acting_user,
                     search_text=search_key(title, theme, description))
    tour.full_clean(exclude=["search_text", "field_index", "center", "node"])
    tour.save()
    audit_record(actor=acting_user, action="tour.create", target=tour, detail={"cases": len(entries)})
    return tour


def _bury_copies(copies) -> int:
    """Delete tour case copies, leaving tombstones so a re-delivery of the same version stays out."""
    from .services import _bury  # services imports this module

    for copy in copies:
        _bury(Node(pk=copy.node_id), "tour_case", copy.entity_uuid, copy.version, "purge")
    TourCaseCopy.objects.filter(pk__in=[c.pk for c in copies]).delete()
    return len(copies)


def reading_ended(node: Node, tour_uuid, *, now: dt.datetime | None = None) -> bool:
    return StudyTour.objects.filter(node=node, entity_uuid=tour_uuid, reading_ends_at__lte=now or timezone.now()).exists()


def forget_copies(node: Node, tour_uuids) -> int:
    """A tour retracted or purged by its node: its case copies and lessons go too."""
    TourLessonCopy.objects.filter(node=node, tour_uuid__in=tour_uuids).delete()
    return _bury_copies(list(TourCaseCopy.objects.select_for_update().filter(node=node, tour_uuid__in=tour_uuids)))


def purge_closed(*, now: dt.datetime | None = None) -> int:
    """Beat: when a tour's reading ends, its tour-only case copies are deleted and buried and its
    named texts emptied — whether or not the host node is there to retract them. Copies whose tour
    is gone are swept too."""
    now = now or timezone.now()
    with transaction.atomic():
        StudyTour.objects.filter(reading_ends_at__lte=now).exclude(named_texts={}).update(named_texts={})
        live = StudyTour.objects.filter(node=OuterRef("node"), entity_uuid=OuterRef("tour_uuid"),
                                        reading_ends_at__gt=now)
        doomed = list(TourCaseCopy.objects.select_for_update().filter(~Exists(live)))
        purged = _bury_copies(doomed)
        if purged:
            audit_record(actor=None, action="tour.copies_purged", detail={"copies": purged})
    return purged


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

"""Study tours on the hub: invitations and visitor accounts, audited reads, visit reports back to
the host, coordinator-hosted tours, and the purge of tour-only case copies when reading ends."""

from __future__ import annotations

import datetime as dt
import secrets
import uuid as uuid_module
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext

from common.japanese import search_key
from permissions.audit import audit_record
from permissions.models import Membership
from sync.wire.tours import REPORT_KIND, TOUR_CASE

from ..models import (
    CaseCollection,
    FeedEntry,
    Node,
    StudyTour,
    TourCaseCopy,
    TourInvitation,
    TourLessonCopy,
    TourParticipant,
    TourReport,
    field_index,
)
from ..selectors.tours import READ_ACTION, BundleEntry, invitation_valid, open_now, token_digest
from .feed import feed_publish
from .tombstones import bury

OPEN_ACTION = "tour.open"
MAX_INVITATIONS = 50
REPORT_LIMIT = 8000


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
        TourInvitation(tour=tour, token_digest=token_digest(token), organization_name=organization_name,
                       expires_at=expires_at, created_by=acting_user if getattr(acting_user, "pk", None) else None)
        for token in tokens])
    audit_record(actor=acting_user, action="tour.invitations_issue", target=tour,
                 detail={"count": count, "days_valid": days_valid})
    return IssuedInvitations(links=[link_for(token) for token in tokens], expires_at=expires_at)


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
    now = timezone.now()
    tour = StudyTour.objects.filter(open_now(now), pk=tour.pk).first()
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
        # The payload's keys: sync.wire.tours.REPORT_FEED_KEYS.
        feed_publish(acting_user=user, kind=REPORT_KIND, node=tour.node, payload={
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
    for copy in copies:
        bury(Node(pk=copy.node_id), TOUR_CASE, copy.entity_uuid, copy.version, "purge")
    TourCaseCopy.objects.filter(pk__in=[c.pk for c in copies]).delete()
    return len(copies)


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


def visitors_forget(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Beat: when a tour's reading ends, what its visitors left on the hub goes — their names and
    organizations (participants, invitations), their reports, the report payloads in the feed (kept
    as entries, the nodes page by seq, but emptied to the report's and tour's uuids) and the visitor
    accounts that take part in no tour still open (an account with a hub role stays). Idempotent."""
    now = now or timezone.now()
    with transaction.atomic():
        ended = StudyTour.objects.filter(reading_ends_at__lte=now)
        ended_uuids = {str(u) for u in ended.exclude(entity_uuid=None).values_list("entity_uuid", flat=True)}
        reports = TourReport.objects.filter(tour__in=ended)
        report_uuids = {str(u) for u in reports.values_list("uuid", flat=True)}
        emptied = 0
        for entry in FeedEntry.objects.select_for_update().filter(kind=REPORT_KIND):
            payload = entry.payload if isinstance(entry.payload, dict) else {}
            if (payload.get("uuid") in report_uuids or payload.get("tour") in ended_uuids) and set(payload) - {
                    "uuid", "tour"}:
                entry.payload = {"uuid": payload.get("uuid"), "tour": payload.get("tour")}
                entry.save(update_fields=["payload"])
                emptied += 1
        participants = TourParticipant.objects.filter(tour__in=ended)
        users = set(participants.values_list("user_id", flat=True))
        counts = {"reports": reports.delete()[0], "feed_entries": emptied,
                  "invitations": TourInvitation.objects.filter(tour__in=ended).delete()[0],
                  "participants": participants.delete()[0]}
        visitors = (get_user_model().objects.filter(pk__in=users, is_staff=False, is_superuser=False)
                    .exclude(Exists(Membership.objects.filter(user=OuterRef("pk"))))
                    .exclude(Exists(TourParticipant.objects.filter(user=OuterRef("pk")))))
        counts["accounts"] = visitors.delete()[1].get(get_user_model()._meta.label, 0)
        if any(counts.values()):
            audit_record(actor=None, action="tour.visitors_forgotten", detail=counts)
    return counts

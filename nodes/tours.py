"""Study tours (スタディツアー) hosted by this center: writes, and the live questions to the hub.

The tour, its agenda and its bundle go to the hub through the outbox (sync.tours decides what
leaves). Visitors read on the hub; their reports come back through the feed. Invitation links and
the readership counts are asked of the hub live, signed like every sync request.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext

from permissions.audit import audit_record
from permissions.models import Organization
from permissions.scoping import get_scoped_or_deny
from sync import outbox
from sync.client import SyncError
from sync.wire import tours as tours_wire

from . import hub_link
from .known_data import all_personal_data
from .models import (
    CollaborationCase,
    ConsentMethod,
    Event,
    EventKind,
    StudyTour,
    TourCase,
    TourLesson,
    TourNamedConsent,
    TourOrganization,
    TourOrganizationKind,
    TourReport,
    TourStop,
)
from .services.pipeline import create_record, record_delete, save_record, update_record
from .sharing import require_sendable
from .tour_sharing import MAX_CASES, MAX_ORGANIZATIONS, MAX_STOPS

MAX_INVITATIONS = 50


def _within_limit(count: int, limit: int, what: str) -> None:
    """The hub refuses a tour over its limits, and a refused batch stops the node's sync: refuse here."""
    if count >= limit:
        raise ValidationError(gettext("%(what)sは%(limit)d件までです。") % {"what": what, "limit": limit},
                              code="too_many")


def _touch(tour: StudyTour) -> StudyTour:
    """The agenda, bundle or consents changed: a new version of the tour for the hub."""
    StudyTour.objects.filter(pk=tour.pk).update(version=F("version") + 1, updated_at=timezone.now())
    tour.refresh_from_db()
    outbox.record_changed(tour)
    return tour


def _changeable(acting_user, tour: StudyTour) -> StudyTour:
    tour = get_scoped_or_deny(acting_user, StudyTour, "change", pk=tour.pk)
    if tour.closed_at is not None:
        raise ValidationError(gettext("閲覧期間が終わったツアーは変更できません。"), code="tour_closed")
    return tour


def _organizations(rows: Iterable[dict]) -> list[TourOrganization]:
    result, names = [], set()
    for row in rows:
        name = (row.get("name") or "").strip()
        if not name:
            continue
        if name in names:
            raise ValidationError({"organizations": ValidationError(
                gettext("参加団体「%(name)s」が重複しています。") % {"name": name}, code="duplicate")})
        if row.get("kind") not in TourOrganizationKind.values:
            raise ValidationError({"organizations": ValidationError(
                gettext("参加団体「%(name)s」の種別を選んでください。") % {"name": name}, code="invalid_choice")})
        names.add(name)
        result.append(TourOrganization(name=name[:200], kind=row["kind"], seats=max(int(row.get("seats") or 1), 1)))
    return result


def _set_organizations(tour: StudyTour, rows) -> None:
    if rows is None:
        return
    organizations = _organizations(rows)
    if len(organizations) > MAX_ORGANIZATIONS:
        raise ValidationError({"organizations": ValidationError(
            gettext("参加団体は%(limit)d団体までです。") % {"limit": MAX_ORGANIZATIONS}, code="too_many")})
    tour.organizations.all().delete()
    for organization in organizations:
        organization.tour = tour
    TourOrganization.objects.bulk_create(organizations)


@transaction.atomic
def tour_create(*, acting_user, center: Organization, organizations: list[dict] | None = None, **values) -> StudyTour:
    tour = create_record(StudyTour, acting_user=acting_user, center=center, values=values)
    if organizations:
        _set_organizations(tour, organizations)
        _touch(tour)
    return tour


@transaction.atomic
def tour_update(*, acting_user, tour: StudyTour, organizations: list[dict] | None = None, **values) -> StudyTour:
    tour = _changeable(acting_user, tour)
    tour = update_record(tour, acting_user=acting_user, values=values)
    if organizations is not None:
        _set_organizations(tour, organizations)
        _touch(tour)
    return tour


@transaction.atomic
def tour_stop_add(*, acting_user, tour: StudyTour, title: str, starts_at: dt.datetime,
                  ends_at: dt.datetime | None = None, place: str = "", directions: str = "") -> TourStop:
    tour = _changeable(acting_user, tour)
    _within_limit(tour.stops.count(), MAX_STOPS, gettext("訪問先"))
    stop = TourStop(tour=tour, title=(title or "").strip(), starts_at=starts_at, ends_at=ends_at,
                    place=(place or "").strip(), directions=(directions or "").strip())
    stop.full_clean()
    if ends_at is not None and starts_at and ends_at < starts_at:
        raise ValidationError({"ends_at": ValidationError(gettext("終了時刻は開始時刻より後にしてください。"),
                                                          code="ends_before_start")})
    stop.save()
    audit_record(actor=acting_user, action="tourstop.create", target=tour, organization=tour.center,
                 detail={"stop": str(stop.uuid)})
    _touch(tour)
    return stop


@transaction.atomic
def tour_stop_remove(*, acting_user, stop: TourStop) -> None:
    tour = _changeable(acting_user, stop.tour)
    for tour_case in TourCase.objects.filter(stop=stop):
        tour_case.stop = None
        tour_case.save(update_fields=["stop"])
    audit_record(actor=acting_user, action="tourstop.delete", target=tour, organization=tour.center,
                 detail={"stop": str(stop.uuid)})
    stop.delete()
    _touch(tour)


@transaction.atomic
def tour_case_add(*, acting_user, tour: StudyTour, case: CollaborationCase | None = None,
                  library_case_uuid=None, library_center_uuid=None, library_title: str = "",
                  stop: TourStop | None = None, named: bool = False, note: str = "") -> TourCase:
    """Put one of our cases or a library case (named by its center and uuid) in the bundle. A named
    own case is shown named only once every named organization consented for this tour."""
    tour = _changeable(acting_user, tour)
    _within_limit(tour.cases.count(), MAX_CASES, gettext("ツアーの事例"))
    if case is not None:
        try:
            case = get_scoped_or_deny(acting_user, CollaborationCase, "view", pk=case.pk)
        except ObjectDoesNotExist:
            case = None  # not visible to this user: as if it were another center's
        if case is None or case.center_id != tour.center_id:
            raise ValidationError({"case": ValidationError(gettext("ホストのセンターの事例を選んでください。"),
                                                           code="other_center")})
    elif library_case_uuid is None or library_center_uuid is None:
        raise ValidationError({"case": ValidationError(gettext("事例を選んでください。"), code="required")})
    if stop is not None and stop.tour_id != tour.pk:
        raise ValidationError({"stop": ValidationError(gettext("このツアーの訪問先を選んでください。"), code="other_tour")})
    duplicate = TourCase.objects.filter(tour=tour)
    duplicate = duplicate.filter(case=case) if case is not None else duplicate.filter(library_case_uuid=library_case_uuid)
    if duplicate.exists():
        raise ValidationError({"case": ValidationError(gettext("この事例はすでにツアーに入っています。"), code="duplicate")})
    return save_record(TourCase(), acting_user=acting_user, perm="add", values={
        "center": tour.center, "tour": tour, "case": case, "library_case_uuid": library_case_uuid if case is None else None,
        "library_center_uuid": library_center_uuid if case is None else None,
        "library_title": (library_title or "")[:400] if case is None else "", "stop": stop,
        "named": bool(named and case is not None), "note": (note or "").strip()},
        after_save=lambda _record: _touch(tour))


@transaction.atomic
def tour_case_remove(*, acting_user, tour_case: TourCase) -> None:
    tour = _changeable(acting_user, tour_case.tour)
    record_delete(acting_user=acting_user, record=tour_case)
    _touch(tour)


@transaction.atomic
def tour_delete(*, acting_user, tour: StudyTour) -> None:
    """Delete a tour with its bundle and lessons: each of their hub copies is purged first."""
    tour = get_scoped_or_deny(acting_user, StudyTour, "delete", pk=tour.pk)
    for lesson in TourLesson.objects.filter(tour=tour):
        record_delete(acting_user=acting_user, record=lesson)
    for tour_case in TourCase.objects.filter(tour=tour):
        record_delete(acting_user=acting_user, record=tour_case)
    record_delete(acting_user=acting_user, record=tour)


def _reproject_cases(tour: StudyTour) -> None:
    for tour_case in TourCase.objects.filter(tour=tour, case__isnull=False).select_related("tour", "case", "center"):
        outbox.record_reproject(tour_case)


@transaction.atomic
def tour_consent_record(*, acting_user, tour: StudyTour, organization: Organization, method: str,
                        note: str = "") -> TourNamedConsent:
    """An organization agreed to be named in this tour's cases (and its visit in the agenda), for this
    tour only: its standing consent for the library is not touched."""
    tour = _changeable(acting_user, tour)
    if organization.center_id != tour.center_id:
        raise ValidationError({"organization": ValidationError(gettext("このセンターの団体を選んでください。"),
                                                               code="other_center")})
    if method not in ConsentMethod.values:
        raise ValidationError({"method": ValidationError(gettext("同意の方法を選んでください。"), code="invalid_choice")})
    consent, created = TourNamedConsent.objects.get_or_create(
        tour=tour, organization=organization,
        defaults={"method": method, "note": (note or "")[:200], "recorded_by": acting_user})
    if not created:
        raise ValidationError(gettext("この団体の同意はすでに記録されています。"), code="duplicate")
    audit_record(actor=acting_user, action="tour.named_consent", target=tour, organization=tour.center,
                 detail={"organization": str(organization.uuid), "method": method})
    _reproject_cases(tour)
    _touch(tour)
    return consent


@transaction.atomic
def tour_consent_withdraw(*, acting_user, consent: TourNamedConsent) -> None:
    tour = get_scoped_or_deny(acting_user, StudyTour, "change", pk=consent.tour_id)
    audit_record(actor=acting_user, action="tour.named_consent_withdrawn", target=tour, organization=tour.center,
                 detail={"organization": str(consent.organization.uuid)})
    consent.delete()
    _reproject_cases(tour)
    _touch(tour)


def _reading_over(tours, now: dt.datetime):
    return [tour for tour in tours if tour.reading_ends_at <= now]


def tours_close_due(*, now: dt.datetime | None = None) -> int:
    """Beat: a tour whose reading period is over withdraws its case copies from the hub (a case
    named for the tour is anonymous again everywhere) and says so in its record."""
    now = now or timezone.now()
    closed = 0
    candidates = StudyTour.objects.filter(closed_at__isnull=True, ends_on__lt=timezone.localdate(now))
    for tour in _reading_over(candidates, now):
        with transaction.atomic():
            tour = StudyTour.objects.select_for_update().get(pk=tour.pk)
            if tour.closed_at is not None:
                continue
            tour.closed_at = now
            tour.save(update_fields=["closed_at"])
            for tour_case in TourCase.objects.filter(tour=tour, case__isnull=False).select_related("tour", "center"):
                outbox.record_reproject(tour_case)  # projects to nothing now: a retract
            audit_record(actor=None, action="tour.close", target=tour, organization=tour.center, detail={})
            _touch(tour)
            closed += 1
    return closed


@transaction.atomic
def lesson_create(*, acting_user, tour: StudyTour, title: str, text: str, cases: Iterable[TourCase] = (),
                  report: TourReport | None = None) -> TourLesson:
    """Take a lesson from a visit report into the hub's library, linked to the tour's cases. The text
    leaves scrubbed and without the report's author; known personal data left refuses it."""
    tour = get_scoped_or_deny(acting_user, StudyTour, "change", pk=tour.pk)
    cases = list(cases)
    if any(c.tour_id != tour.pk for c in cases):
        raise ValidationError({"cases": ValidationError(gettext("このツアーの事例を選んでください。"), code="other_tour")})
    if report is not None and report.tour_id != tour.pk:
        raise ValidationError(gettext("このツアーのレポートではありません。"), code="other_tour")
    title, text = (title or "").strip(), (text or "").strip()
    if not title or not text:
        raise ValidationError({"text": ValidationError(gettext("見出しと教訓を入力してください。"), code="required")})
    known = all_personal_data()
    for value in (title, text):
        require_sendable(value, "text", known)
    return save_record(TourLesson(), acting_user=acting_user, perm="add", values={
        "center": tour.center, "tour": tour, "report": report, "title": title[:200], "text": text},
        m2m={"cases": cases})


@transaction.atomic
def report_session_create(*, acting_user, tour: StudyTour, starts_at: dt.datetime, venue: str = ""):
    """The report-back session (発表会): an event of the host with the tour's reports attached."""
    tour = get_scoped_or_deny(acting_user, StudyTour, "change", pk=tour.pk)
    if tour.report_session_id:
        raise ValidationError(gettext("発表会はすでに登録されています。"), code="duplicate")
    event = create_record(Event, acting_user=acting_user, center=tour.center, values={
        "title": f"{tour.title} 発表会"[:200], "kind": EventKind.HAPPYOKAI, "theme": tour.theme, "starts_at": starts_at,
        "venue": venue, "description": gettext("スタディツアーの参加者による訪問レポートの発表会。")})
    # A double submit: the second finds the session set and rolls its event back.
    if not StudyTour.objects.filter(pk=tour.pk, report_session__isnull=True).update(report_session=event):
        raise ValidationError(gettext("発表会はすでに登録されています。"), code="duplicate")
    return event


REPORT_KEYS = tours_wire.REPORT_FEED_KEYS


@transaction.atomic
def report_receive_item(item) -> TourReport:
    """Feed handler (tour_report): a participant's report on one of our tours. Idempotent by uuid."""
    payload = item.payload
    if not isinstance(payload, dict) or not REPORT_KEYS <= set(payload):
        raise ValueError("a tour report lacks fields")
    try:
        tour = StudyTour.objects.filter(uuid=payload["tour"]).first()
        known = TourReport.objects.filter(uuid=payload["uuid"]).first()
    except ValidationError as error:  # not a uuid
        raise ValueError("a tour report names no valid uuid") from error
    if tour is None or (known is not None and known.tour_id != tour.pk):
        raise ValueError("the report names no tour of this node")
    submitted = parse_datetime(str(payload["submitted_at"]))
    if submitted is None:
        raise ValueError("submitted_at is not a time")
    if known is not None and known.submitted_at >= submitted:
        return known  # an older version arriving late changes nothing
    report, created = TourReport.objects.update_or_create(uuid=payload["uuid"], tour=tour, defaults={
        "author_name": str(payload["author_name"])[:100], "organization_name": str(payload["organization_name"])[:200],
        "saw": str(payload["saw"]), "transfer": str(payload["transfer"]), "questions": str(payload["questions"]),
        "submitted_at": submitted})
    audit_record(actor=None, action="tourreport.receive" if created else "tourreport.update", target=tour,
                 organization=tour.center, detail={"report": str(report.uuid), "seq": item.seq})
    return report


# --- live questions to the hub ------------------------------------------------------------------------


def invitations_issue(*, acting_user, tour: StudyTour, organization: TourOrganization, count: int = 1,
                      days_valid: int = 14, client=None) -> dict:
    """Invitation links for the people of a participating organization (visitor accounts on the hub).
    The hub keeps only a digest of each link; the links are shown once, for staff to send on."""
    tour = get_scoped_or_deny(acting_user, StudyTour, "change", pk=tour.pk)
    if organization.tour_id != tour.pk:
        raise ValidationError({"organization": ValidationError(gettext("このツアーの参加団体を選んでください。"),
                                                               code="other_tour")})
    if not 1 <= count <= MAX_INVITATIONS or not 1 <= days_valid <= 60:
        raise ValidationError({"count": ValidationError(
            gettext("招待は1〜%(max)d件、有効期間は1〜60日で指定してください。") % {"max": MAX_INVITATIONS},
            code="out_of_range")})
    try:
        answer = hub_link.hub_client(client).json("POST", f"/sync/v1/tours/{tour.uuid}/invitations", {
            "organization": organization.name, "count": count, "days_valid": days_valid})
    except SyncError as error:
        raise ValidationError(_tour_hub_error(error), code=error.code) from error
    audit_record(actor=acting_user, action="tour.invitations_issue", target=tour, organization=tour.center,
                 detail={"count": count, "days_valid": days_valid})
    return answer


def _tour_hub_error(error) -> str:
    if error.code == "tour_not_found":
        return gettext("ハブにまだこのツアーが届いていません。同期が終わってからもう一度お試しください。")
    return hub_link.hub_error_message(error)


def tour_readership(*, acting_user, tour: StudyTour, client=None) -> dict:
    """Who read how much (counts only), invitations and reports, as the hub sees them now."""
    tour = get_scoped_or_deny(acting_user, StudyTour, "view", pk=tour.pk)
    try:
        answer = hub_link.hub_client(client).json("GET", f"/sync/v1/tours/{tour.uuid}/readership")
    except SyncError as error:
        return {"error": _tour_hub_error(error)}
    # The answer names the visitors: reading it is audited (counts only).
    audit_record(actor=acting_user, action="tour.readership_read", target=tour, organization=tour.center,
                 detail={"participants": len(answer.get("participants", []))})
    return answer


def tour_for(acting_user, uuid, perm: str = "view") -> StudyTour:
    try:
        return get_scoped_or_deny(acting_user, StudyTour, perm, uuid=uuid)
    except (ObjectDoesNotExist, ValidationError) as error:
        raise ObjectDoesNotExist from error

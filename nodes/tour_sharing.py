"""What of a study tour (スタディツアー) leaves the host node, and in which shape.

Three entity types: the tour itself (agenda, dates, participating organizations, the bundle's
entries), each of the host's own cases in the bundle (a copy for this tour only: named when every
named organization consented *for this tour*, anonymized otherwise) and lessons the host took from
visitors' reports. Texts go through the same scrubber and fail-closed check as shared cases.
Once the reading period is over the tour's case copies are retracted: a case named for the tour
is anonymous again everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext

from sync import outbox
from sync.anonymize import scrub
from sync.wire import tours

from .known_data import PUBLIC_KINDS, all_personal_data, allowing
from .models import CaseParty, CollaborationCase, StudyTour, TourCase, TourNamedConsent
from .outgoing import final_check
from .sharing import case_share

# The wire contract's limits (sync.wire.tours): a payload over them would be refused by the hub and
# stop this node's sync, so texts are cut to them and lists stop at them.
LIMITS = {**tours.TOUR_TEXT_LIMITS, "stop_title": tours.STOP_TEXT_LIMITS["title"],
          "place": tours.STOP_TEXT_LIMITS["place"], "directions": tours.STOP_TEXT_LIMITS["directions"],
          "note": tours.TOUR.text_limits["cases.note"], "lesson_title": tours.LESSON.text_limits["title"],
          "lesson_text": tours.LESSON.text_limits["text"]}
MAX_STOPS, MAX_CASES, MAX_ORGANIZATIONS = tours.MAX_STOPS, tours.MAX_CASES, tours.MAX_ORGANIZATIONS
WITHHELD = "〔非表示：個人情報の確認が必要〕"


@dataclass
class TourShare:
    payload: dict | None
    withheld: list[str] = field(default_factory=list)  # labels of texts that were not sent (translated)


def _consented_organizations(tour):
    return [c.organization for c in TourNamedConsent.objects.filter(tour=tour).select_related("organization")]


def _text(text: str, limit: int, known, withheld: list[str], label: str) -> str:
    result = scrub(text or "", known).text
    if final_check([result], known):
        withheld.append(label)
        return WITHHELD
    return result[:limit]


def _texts(tour, stops, cases, known, withheld: list[str]) -> dict:
    return {
        "title": _text(tour.title, LIMITS["title"], known, withheld, gettext("ツアー名")),
        "theme": _text(tour.theme, LIMITS["theme"], known, withheld, gettext("テーマ")),
        "description": _text(tour.description, LIMITS["description"], known, withheld, gettext("ねらい・内容")),
        "stops": {str(s.uuid): {"title": _text(s.title, LIMITS["stop_title"], known, withheld, gettext("訪問先")),
                                "place": _text(s.place, LIMITS["place"], known, withheld, gettext("場所")),
                                "directions": _text(s.directions, LIMITS["directions"], known, withheld, gettext("行き方"))}
                  for s in stops},
        "notes": {str(c.uuid): _text(c.note, LIMITS["note"], known, withheld, gettext("見どころ")) for c in cases},
    }


def _named_overrides(anonymous: dict, named: dict) -> dict:
    """Only the texts that differ once consented organizations may be named: the hub shows them to
    participants inside the reading window and forgets them when reading ends."""
    overrides = {name: named[name] for name in ("title", "theme", "description") if named[name] != anonymous[name]}
    stops = {key: {field: value for field, value in texts.items() if value != anonymous["stops"][key][field]}
             for key, texts in named["stops"].items()}
    stops = {key: texts for key, texts in stops.items() if texts}
    if stops:
        overrides["stops"] = stops
    return overrides


def tour_share(tour) -> TourShare:
    """The tour's record for the hub, its texts scrubbed of every organization, person and contact.
    Organizations that consented for this tour may be named (a visit names its group) in a separate
    `named` part, sent only while the tour is open."""
    known = all_personal_data()
    withheld: list[str] = []
    # Past the limits the hub would refuse the batch (and stop this node's sync): the services refuse
    # more, and anything beyond them (older data) is left out rather than sent.
    stops = list(tour.stops.all()[:MAX_STOPS])
    cases = list(tour.cases.all()[:MAX_CASES])
    organizations = list(tour.organizations.all()[:MAX_ORGANIZATIONS])
    texts = _texts(tour, stops, cases, known, withheld)
    named = {}
    consented = _consented_organizations(tour) if tour.closed_at is None else []
    if consented:
        named = _named_overrides(texts, _texts(tour, stops, cases, allowing(known, consented), []))
    payload = {
        "center": str(tour.center.uuid), "title": texts["title"], "theme": texts["theme"],
        "description": texts["description"], "fields": sorted(f.code for f in tour.activity_fields.all()),
        "starts_on": tour.starts_on.isoformat(), "ends_on": tour.ends_on.isoformat(),
        "opens_at": tour.opens_at.isoformat(), "reading_ends_at": tour.reading_ends_at.isoformat(),
        "capacity": tour.capacity, "closed": tour.closed_at is not None,
        "organizations": [{"name": scrub(o.name, known).text[:tours.TOUR.text_limits["organizations.name"]], "kind": o.kind, "seats": o.seats}
                          for o in organizations],
        "stops": [{"key": str(s.uuid), **texts["stops"][str(s.uuid)], "starts_at": s.starts_at.isoformat(),
                   "ends_at": s.ends_at.isoformat() if s.ends_at else None} for s in stops],
        "cases": [{"ref": str(c.uuid), "stop": str(c.stop.uuid) if c.stop_id else None,
                   "source": "host" if c.case_id else "library",
                   "library": str(c.library_case_uuid) if c.library_case_uuid else None,
                   "library_center": str(c.library_center_uuid) if c.library_center_uuid else None,
                   "title": "" if c.case_id else scrub(c.library_title, known).text[:tours.TOUR.text_limits["cases.title"]],
                   "note": texts["notes"][str(c.uuid)]} for c in cases],
        "named": named,
    }
    return TourShare(payload, withheld)


def project_tour(tour) -> dict | None:
    return tour_share(tour).payload


def tour_case_share(tour_case, *, known=None):
    """The copy of one of the host's cases for this tour (nodes.sharing.CaseShare), or None for a
    library case (the hub has it already) or a tour whose reading period is over."""
    if tour_case.case_id is None or tour_case.tour.closed_at is not None:
        return None
    level = "named" if tour_case.named else "anonymized"
    consented = None
    if tour_case.named:
        consented = {o.pk for o in _consented_organizations(tour_case.tour)}
    return case_share(tour_case.case, level, known=known, consented=consented)


def project_tour_case(tour_case) -> dict | None:
    share = tour_case_share(tour_case)
    if share is None or not share.sendable:
        return None
    return {"center": str(tour_case.center.uuid), "tour": str(tour_case.tour.uuid), "case": share.payload}


def missing_tour_consents(tour_case, consented: set[int] | None = None) -> list:
    """Organizations of a named tour case that have not consented for this tour (public bodies need
    none). `consented` (organization ids) spares a caller checking many cases a query each."""
    if tour_case.case_id is None:
        return []
    if consented is None:
        consented = {o.pk for o in _consented_organizations(tour_case.tour)}
    parties = CaseParty.objects.filter(case=tour_case.case).select_related("organization")
    return [p.organization for p in parties
            if p.organization.kind not in PUBLIC_KINDS and p.organization.pk not in consented]


def project_tour_lesson(lesson) -> dict | None:
    known = all_personal_data()
    withheld: list[str] = []
    title = _text(lesson.title, LIMITS["lesson_title"], known, withheld, gettext("見出し"))
    text = _text(lesson.text, LIMITS["lesson_text"], known, withheld, gettext("教訓"))
    if withheld:
        return None  # a lesson is its text: withheld text means nothing to send
    refs = []
    for tour_case in lesson.cases.all():
        if tour_case.case_id:
            refs.append(str(tour_case.case.uuid))  # the library copy of an own case has the case's uuid
        elif tour_case.library_case_uuid:
            refs.append(str(tour_case.library_case_uuid))
    return {"center": str(lesson.center.uuid), "tour": str(lesson.tour.uuid),
            "tour_title": _text(lesson.tour.title, LIMITS["title"], known, [], gettext("ツアー名")),
            "title": title, "text": text, "cases": sorted(refs)}


def reproject_case_copies(case: CollaborationCase) -> None:
    """The case changed: its copies in open tours are projected again (scrubbed anew)."""
    for tour_case in TourCase.objects.filter(case=case, tour__closed_at__isnull=True).select_related("tour", "center"):
        outbox.record_reproject(tour_case)


# --- the staff page's view of a tour's bundle -----------------------------------------------------


def tour_bundle(tour: StudyTour) -> list[dict]:
    """The tour's cases with what the hub receives of each (or why it is held) and, for a named
    case, the organizations still to consent for this tour. Personal data and consents read once."""
    known = all_personal_data()
    consented = set(tour.named_consents.values_list("organization_id", flat=True))
    rows = []
    for tour_case in tour.cases.select_related("case", "stop", "tour", "center"):
        share = tour_case_share(tour_case, known=known) if tour_case.case_id else None
        rows.append({"tour_case": tour_case, "share": share,
                     "missing": missing_tour_consents(tour_case, consented) if tour_case.named else []})
    return rows


def tour_consent_candidates(bundle: list[dict]) -> list:
    """Organizations whose consent for the tour a named case still waits for."""
    return list({organization.pk: organization for row in bundle for organization in row["missing"]}.values())

"""Reads of a center's records; every one starts from `scoped_queryset`."""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict, defaultdict
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, Prefetch, QuerySet
from django.utils import timezone

from common.charts import bar_chart
from permissions.audit import audit_record
from permissions.models import Organization
from permissions.scoping import holds, organizations_where, permissions_read_once, scoped_queryset
from sync.models import FeedItem

from . import matching, models as m
from .matching_text import parse_costs
from .outgoing import Door

# A need or offer posted for a network's member is shown 「○○ネットワーク（会員：△△）」: read along.
ON_BEHALF = ("on_behalf_of__network__group__organization", "on_behalf_of__group__organization")
LIST_RELATIONS: dict[type, dict] = {
    m.GroupRegistration: {"select": ("organization", "center"), "prefetch": ("activity_fields",)},
    m.TalentVolunteer: {"select": ("center",), "prefetch": ("activity_fields",)},
    m.Event: {"select": ("center",), "prefetch": ("activity_fields", "organizers", "participants")},
    m.Consultation: {"select": ("center", "requester_organization", "intake_staff", "assignee"), "prefetch": ()},
    m.CollaborationCase: {
        "select": ("center", "responsible_department"),
        "prefetch": ("activity_fields", Prefetch("party_roles", queryset=m.CaseParty.objects.select_related("organization"))),
    },
    m.Need: {"select": ("center", "requester", *ON_BEHALF), "prefetch": ("activity_fields",)},
    m.Offer: {"select": ("center", "group__organization", *ON_BEHALF), "prefetch": ("activity_fields",)},
    m.StudyTour: {"select": ("center",), "prefetch": ()},
    m.SuggestionDismissal: {"select": ("center", "need", "offer__group__organization", "dismissed_by"),
                            "prefetch": ()},
    m.MenuItem: {"select": ("center", "department"), "prefetch": ("activity_fields",)},
    m.DepartmentDesk: {"select": ("center", "department"), "prefetch": ("activity_fields",)},
    Organization: {"select": ("center",), "prefetch": ()},
}
DEFAULT_ORDERING: dict[type, tuple[str, ...]] = {
    m.GroupRegistration: ("organization__name_kana", "id"),
    m.TalentVolunteer: ("name_kana", "id"),
    m.Event: ("-starts_at", "id"),
    m.Consultation: ("-intake_at", "id"),
    m.CollaborationCase: ("-fiscal_year_start", "id"),
    m.Need: ("-created_at", "id"),
    m.Offer: ("group__organization__name_kana", "id"),
    m.SuggestionDismissal: ("-created_at", "id"),
    m.StudyTour: ("-starts_on", "id"),
    m.MenuItem: ("-fiscal_year", "department__name_kana", "id"),
    m.DepartmentDesk: ("department__name_kana", "id"),
    Organization: ("kind", "name_kana", "id"),
}


def record_list(*, user, model, perm: str = "view") -> QuerySet:
    """The records the user may see, with the relations a list page shows (no N+1)."""
    relations = LIST_RELATIONS[model]
    return (
        scoped_queryset(user, model, perm)
        .select_related(*relations["select"])
        .prefetch_related(*relations["prefetch"])
        .order_by(*DEFAULT_ORDERING[model])
    )


def record_detail(*, user, model, uuid, purpose: str = "detail"):
    """One record; reading a record that holds personal data leaves an audit row."""
    record = record_list(user=user, model=model).get(uuid=uuid)
    audit_personal_read(user=user, records=[record], purpose=purpose)
    return record


def audit_personal_read(*, user, records, purpose: str) -> None:
    records = list(records)
    if not records:
        return
    model = type(records[0])
    personal = getattr(model, "PERSONAL_FIELDS", ())
    if not personal:
        return
    if len(records) == 1:
        audit_record(actor=user, action=f"{model._meta.model_name}.read_personal", target=records[0],
                     organization=records[0].center, detail={"fields": list(personal), "purpose": purpose})
    else:
        audit_record(actor=user, action=f"{model._meta.model_name}.read_personal", organization=records[0].center,
                     detail={"fields": list(personal), "purpose": purpose, "count": len(records)})


def user_centers(*, user, codename: str = "change_center_records") -> QuerySet:
    """Centers on which the user holds `codename` (by default: may register records)."""
    return organizations_where(user, codename).filter(kind="center")


def staff_centers(*, user) -> QuerySet:
    """The centers the user works for: the center's own pages (network, rooms, newsletters …) are their staff's."""
    return user_centers(user=user, codename=m.CENTER_VIEW)


def dashboard(*, user, today: dt.date | None = None) -> dict:
    today = today or timezone.localdate()
    groups = scoped_queryset(user, m.GroupRegistration, "view")
    consultations = scoped_queryset(user, m.Consultation, "view")
    steps = dict(
        consultations.filter(closed_at__isnull=True).values_list("step").annotate(n=Count("id")).order_by()
    )
    open_steps = [
        (label, steps.get(step, 0)) for step, label in m.ConsultationStep.choices if step != m.ConsultationStep.CLOSED
    ]
    by_field = (
        m.GroupRegistration.activity_fields.through.objects.filter(groupregistration__in=groups)
        .values_list("activityfield__short_name").annotate(n=Count("id")).order_by("-n", "activityfield__code")[:10]
    )
    return {
        "consultation_chart": bar_chart([(str(label), n) for label, n in open_steps]),
        "fields_chart": bar_chart(list(by_field)),
        "renewals_due": groups.filter(status=m.GroupStatus.ACTIVE, renewal_due__lte=today + dt.timedelta(days=90))
        .select_related("organization").order_by("renewal_due")[:20],
        "renewals_due_count": groups.filter(
            status=m.GroupStatus.ACTIVE, renewal_due__lte=today + dt.timedelta(days=90)
        ).count(),
        "upcoming_events": scoped_queryset(user, m.Event, "view")
        .filter(starts_at__gte=timezone.now()).order_by("starts_at")[:8],
        "recent_cases": scoped_queryset(user, m.CollaborationCase, "view").order_by("-updated_at")[:6],
        "stalled_matches": list(stalled_matches(user=user)[:8]),
        "stalled_count": stalled_matches(user=user).count(),
        "stalled_days": m.MATCH_STALLED_DAYS,
        "center_staff": user_centers(user=user, codename=m.CENTER_VIEW).exists(),
        "introductions_pending": scoped_queryset(user, m.IntroductionRequest, "view").filter(
            direction=m.IntroductionDirection.RECEIVED, status=m.IntroductionStatus.PENDING).count(),
        "talent_requests_pending": talent_requests_pending(user=user),
        "counts": {
            "groups": groups.count(),
            "talents": scoped_queryset(user, m.TalentVolunteer, "view").count(),
            "events": scoped_queryset(user, m.Event, "view").count(),
            "cases": scoped_queryset(user, m.CollaborationCase, "view").count(),
        },
        "today": today,
    }


# --- マッチング ----------------------------------------------------------------------------------

# Indexes of candidates per (kind, center), rebuilt when the candidates' signature changes.
_INDEXES: OrderedDict[tuple, tuple[tuple, matching.Index]] = OrderedDict()
_INDEX_LOCK = threading.Lock()
INDEX_CACHE_SIZE = 16
SUGGESTION_LIMIT = 10


def require_center_view(user, center_id: int) -> None:
    """Suggestions are the center's working view (seed 002: 団体と顔合せの前に…整理して欲しい)."""
    if not holds(user, m.CENTER_VIEW, center_id):
        raise PermissionDenied("permission_denied")


@lru_cache(maxsize=1)
def _field_labels_cached(_token: int) -> dict[int, str]:
    return {code: matching.field_label(code, name, short) for code, name, short
            in m.ActivityField.objects.values_list("code", "name", "short_name")}


def field_labels() -> dict[int, str]:
    # The 20 fields come from a data migration and never change while a process runs.
    return _field_labels_cached(0)


def _codes_by(through, owner: str, owner_ids) -> dict[int, set[int]]:
    found: dict[int, set[int]] = defaultdict(set)
    for owner_id, code in through.objects.filter(**{f"{owner}_id__in": owner_ids}).values_list(
            f"{owner}_id", "activityfield__code"):
        found[owner_id].add(code)
    return found


def candidate_offers(*, user, center) -> QuerySet:
    """Offers that may be suggested: published, of active groups, in the center, within the user's scope."""
    return scoped_queryset(user, m.Offer, "view").filter(
        center=center, is_published=True, group__status=m.GroupStatus.ACTIVE)


def candidate_needs(*, user, center) -> QuerySet:
    return scoped_queryset(user, m.Need, "view").filter(
        center=center, status__in=(m.NeedStatus.OPEN, m.NeedStatus.COORDINATING))


def offer_docs(offers: QuerySet) -> list[matching.OfferDoc]:
    rows = list(offers.values_list("id", "title", "area", "available_months", "cost_conditions", "match_terms",
                                   "group_id", "group__organization_id", "group__organization__name",
                                   "group__legal_form"))
    own = _codes_by(m.Offer.activity_fields.through, "offer", [row[0] for row in rows])
    # An offer without fields of its own is read with its group's: the group said what it works on.
    bare_groups = {row[6] for row in rows if row[0] not in own}
    inherited = _codes_by(m.GroupRegistration.activity_fields.through, "groupregistration", bare_groups)
    return [
        matching.offer_doc(
            key=pk, title=title, area=area, months=frozenset(months or ()), costs=frozenset(costs or ()),
            terms=terms or {}, group=organization_id, group_name=name, legal_entity=m.is_legal_entity(legal_form),
            fields=frozenset(own.get(pk) or inherited.get(group_id, ())),
        )
        for pk, title, area, months, costs, terms, group_id, organization_id, name, legal_form in rows
    ]


def need_doc_of(need: m.Need) -> matching.NeedDoc:
    """The document of a need already loaded (with its activity fields prefetched)."""
    return matching.need_doc(
        key=need.pk, title=need.title, area=need.area, allowed_forms=frozenset(need.allowed_forms or ()),
        month=need.needed_by.month if need.needed_by else None, fiscal_year=need.fiscal_year, budget=need.budget,
        covered_costs=frozenset(need.covered_costs or ()), terms=need.match_terms or {},
        requester=need.requester_id, requester_name=need.requester.name,
        fields=frozenset(f.code for f in need.activity_fields.all()),
    )


def need_docs(needs: QuerySet) -> list[matching.NeedDoc]:
    rows = list(needs.values_list("id", "title", "area", "allowed_forms", "needed_by", "fiscal_year", "budget",
                                  "covered_costs", "match_terms", "requester_id", "requester__name"))
    fields = _codes_by(m.Need.activity_fields.through, "need", [row[0] for row in rows])
    return [
        matching.need_doc(
            key=pk, title=title, area=area, allowed_forms=frozenset(forms or ()),
            month=needed_by.month if needed_by else None, fiscal_year=fiscal_year, budget=budget,
            covered_costs=frozenset(costs or ()), terms=terms or {}, requester=requester_id,
            requester_name=requester_name, fields=frozenset(fields.get(pk, ())),
        )
        for pk, title, area, forms, needed_by, fiscal_year, budget, costs, terms, requester_id, requester_name in rows
    ]


def _cached_index(kind: str, center_id: int, queryset: QuerySet, build) -> matching.Index:
    """The candidates' index, rebuilt only when a candidate (or, for offers, its group) changed.

    Callers hold view_center_records on the center, and every such user sees all of its
    candidates, so one index per center serves them all.
    """
    aggregates = {"n": Count("id"), "top": Max("id"), "last": Max("updated_at")}
    if kind == "offers":
        # Over every offer and group of the center, published or not, rather than the candidates: a
        # change that takes an offer out (unpublished, its group inactive) moves updated_at all the
        # same, and these aggregates read the (center, updated_at) indexes instead of joining 50,000
        # offers to their groups on every page.
        # COUNT(*) and the last write only (no id): answered from that index alone, without reading
        # 50,000 rows of the table (an insert moves the last write as an update does; a delete, the count).
        offers = m.Offer.objects.filter(center_id=center_id).aggregate(n=Count("*"), last=Max("updated_at"))
        signature = (tuple(sorted(offers.items())),
                     m.GroupRegistration.objects.filter(center_id=center_id).aggregate(last=Max("updated_at"))["last"])
    else:
        signature = tuple(sorted(queryset.aggregate(**aggregates).items()))
    key = (kind, center_id)
    with _INDEX_LOCK:
        cached = _INDEXES.get(key)
        if cached and cached[0] == signature:
            _INDEXES.move_to_end(key)
            return cached[1]
    index = matching.Index(build(queryset))
    with _INDEX_LOCK:
        _INDEXES[key] = (signature, index)
        _INDEXES.move_to_end(key)
        while len(_INDEXES) > INDEX_CACHE_SIZE:
            _INDEXES.popitem(last=False)
    return index


def offer_index(*, user, center) -> matching.Index:
    return _cached_index("offers", center.pk, candidate_offers(user=user, center=center), offer_docs)


def need_index(*, user, center) -> matching.Index:
    return _cached_index("needs", center.pk, candidate_needs(user=user, center=center), need_docs)


def past_cases(*, user, center) -> dict[int, list[matching.PastCase]]:
    """Each organization's part in the center's cases, keyed by organization id (a group's key)."""
    cases = scoped_queryset(user, m.CollaborationCase, "view").filter(center=center)
    case_rows = {pk: (outcome, department) for pk, outcome, department
                 in cases.values_list("id", "outcome", "responsible_department_id")}
    parties: dict[int, list[tuple[int, bool]]] = defaultdict(list)
    for case_id, organization_id, role, kind in m.CaseParty.objects.filter(case__in=cases).values_list(
            "case_id", "organization_id", "role", "organization__kind"):
        parties[case_id].append((organization_id, role == m.PartyRole.GOVERNMENT or kind == "city_department"))
    history: dict[int, list[matching.PastCase]] = defaultdict(list)
    for case_id, members in parties.items():
        outcome, department = case_rows[case_id]
        everyone = {organization for organization, _gov in members} | ({department} if department else set())
        government = department is not None or any(gov for _org, gov in members)
        for organization, is_government in members:
            if not is_government and organization != center.pk:
                history[organization].append(matching.PastCase(
                    outcome=outcome, partners=frozenset(everyone - {organization}), with_government=government))
    return history


def learning(*, user, center) -> matching.Learning:
    rows = scoped_queryset(user, m.SuggestionDismissal, "view").filter(center=center).values_list(
        "need_id", "offer_id", "requester_id", "group__organization_id", "reason", "features")
    return matching.learn(matching.Dismissal(*row) for row in rows)


def matching_context(*, user, center) -> matching.Context:
    return matching.Context(
        field_labels=field_labels(), municipality=center.municipality_name,
        history=past_cases(user=user, center=center), learning=learning(user=user, center=center),
        today=timezone.localdate(),
    )


@dataclass
class SuggestionItem:
    record: Any  # the suggested Offer (for a need) or Need (for an offer)
    suggestion: matching.Suggestion
    match: m.Match | None  # an open match of the same pair, if staff already proposed it

    @property
    def reasons(self):
        return self.suggestion.reasons


@dataclass
class SuggestionPage:
    subject: Any
    items: list[SuggestionItem]
    notes: list[matching.Reason] = field(default_factory=list)
    learned: list[str] = field(default_factory=list)
    dismissed: list = field(default_factory=list)
    talents: list[SuggestionItem] = field(default_factory=list)  # 地域人材の候補 (a need's page only)


def _open_matches(**pair) -> dict:
    return {(match.need_id, match.offer_id): match for match in m.Match.objects.filter(**pair).exclude(
        status=m.MatchStatus.DECLINED)}


# One page reads the user's permissions once, not at each of its seven scoped queries.
@permissions_read_once()
def need_suggestions(*, user, uuid, limit: int = SUGGESTION_LIMIT) -> SuggestionPage:
    """The offers best suited to a need, with their reasons; 404 outside the user's scope, 403 for
    a department's or group's people (the center proposes, seed 002)."""
    need = record_list(user=user, model=m.Need).get(uuid=uuid)
    require_center_view(user, need.center_id)
    context = matching_context(user=user, center=need.center)
    doc = need_doc_of(need)
    candidates = candidate_offers(user=user, center=need.center)
    index = _cached_index("offers", need.center_id, candidates, offer_docs)
    ranked = matching.rank_offers(doc, index, context, limit=limit)
    offers = candidates.select_related("group__organization").prefetch_related("activity_fields").in_bulk(
        [s.key for s in ranked])
    matches = _open_matches(need=need)
    return SuggestionPage(
        subject=need,
        items=[SuggestionItem(offers[s.key], s, matches.get((need.pk, s.key))) for s in ranked if s.key in offers],
        notes=matching.need_notes(doc, context.today), learned=context.learning.summary(),
        dismissed=list(scoped_queryset(user, m.SuggestionDismissal, "view").filter(need=need)
                       .select_related("offer__group__organization", "dismissed_by").order_by("-created_at")),
        talents=talent_suggestions(user=user, need=need, doc=doc, context=context, limit=limit),
    )


# --- 地域人材の候補 ------------------------------------------------------------------------------------


def candidate_talents(*, user, center) -> QuerySet:
    """Talents staff may suggest: active ones of the center (a suggestion is internal; consents govern
    what the public sees, and the center asks the talent before any introduction)."""
    return scoped_queryset(user, m.TalentVolunteer, "view").filter(center=center, is_active=True)


def talent_docs(talents: QuerySet) -> list[matching.OfferDoc]:
    """Talents as offers for the shared scorer: a person, so no legal entity (委託 is not for them);
    what they can do in words and fields, where, and the costs their conditions name."""
    rows = list(talents.values_list("id", "title", "skills", "area", "conditions", "match_terms"))
    fields = _codes_by(m.TalentVolunteer.activity_fields.through, "talentvolunteer", [row[0] for row in rows])
    return [
        matching.offer_doc(key=pk, title=title or skills[:30], terms=terms or {}, area=area, legal_entity=False,
                           costs=frozenset(parse_costs(conditions)), fields=frozenset(fields.get(pk, ())))
        for pk, title, skills, area, conditions, terms in rows
    ]


def talent_suggestions(*, user, need: m.Need, doc: matching.NeedDoc, context: matching.Context,
                       limit: int = SUGGESTION_LIMIT) -> list[SuggestionItem]:
    """The talents best suited to a need, ranked by the same scorer and reasons as the offers.

    The center's learned feature weights apply; its dismissals do not: they name offers, and a
    talent's key is another table's id."""
    candidates = candidate_talents(user=user, center=need.center)
    index = _cached_index("talents", need.center_id, candidates, talent_docs)
    talent_context = replace(context, learning=matching.Learning(weights=context.learning.weights))
    ranked = matching.rank_offers(doc, index, talent_context, limit=limit)
    talents = candidates.prefetch_related("activity_fields").in_bulk([s.key for s in ranked])
    return [SuggestionItem(talents[s.key], s, None) for s in ranked if s.key in talents]


# One page reads the user's permissions once, not at each of its seven scoped queries.
@permissions_read_once()
def offer_suggestions(*, user, uuid, limit: int = SUGGESTION_LIMIT) -> SuggestionPage:
    """The needs an offer could answer (the same features, seen from the group's side)."""
    offer = record_list(user=user, model=m.Offer).get(uuid=uuid)
    require_center_view(user, offer.center_id)
    context = matching_context(user=user, center=offer.center)
    doc = offer_docs(m.Offer.objects.filter(pk=offer.pk))[0]
    candidates = candidate_needs(user=user, center=offer.center)
    ranked = matching.rank_needs(doc, _cached_index("needs", offer.center_id, candidates, need_docs), context,
                                 limit=limit)
    needs = candidates.select_related("requester").prefetch_related("activity_fields").in_bulk(
        [s.key for s in ranked])
    matches = _open_matches(offer=offer)
    return SuggestionPage(
        subject=offer,
        items=[SuggestionItem(needs[s.key], s, matches.get((s.key, offer.pk))) for s in ranked if s.key in needs],
        learned=context.learning.summary(),
        dismissed=list(scoped_queryset(user, m.SuggestionDismissal, "view").filter(offer=offer)
                       .select_related("need__requester", "dismissed_by").order_by("-created_at")),
    )


def pair_suggestion(*, user, need: m.Need, offer: m.Offer) -> matching.Suggestion:
    """One pair scored as the ranking would (also when it would not make the list): the snapshot
    kept with a proposal or a dismissal."""
    context = matching_context(user=user, center=need.center)
    need_doc = need_docs(m.Need.objects.filter(pk=need.pk))[0]
    offer_doc = offer_docs(m.Offer.objects.filter(pk=offer.pk))[0]
    index = offer_index(user=user, center=need.center)
    if offer.pk not in index.position:  # unpublished or its group inactive: score it against itself
        index = matching.Index([offer_doc])
    similarities, query = index.similarities(need_doc.terms)
    text = similarities.get(index.position[offer.pk], 0.0)
    shared = index.shared_terms(query, offer_doc) if text >= matching.TEXT_MIN else ()
    return matching.score_pair(need_doc, offer_doc, text, shared, context)


# --- マッチングの進行 (board) ------------------------------------------------------------------------

BOARD_CLOSED_LIMIT = 20


def match_list(*, user) -> QuerySet:
    return (scoped_queryset(user, m.Match, "view")
            .select_related("center", "need__requester", "offer__group__organization", "case", "proposed_by")
            .order_by("-last_activity_at", "id"))


def match_detail(*, user, uuid) -> m.Match:
    return match_list(user=user).prefetch_related(
        Prefetch("meetings", queryset=m.MatchMeeting.objects.select_related("recorded_by")),
        "reminders").get(uuid=uuid)


def is_stalled(match: m.Match, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return match.is_active and match.last_activity_at < now - dt.timedelta(days=m.MATCH_STALLED_DAYS)


@dataclass
class BoardColumn:
    status: str
    label: str
    matches: list
    total: int


def match_board(*, user, now: dt.datetime | None = None) -> dict:
    """Where each match stands, one column per status; stalled ones flagged with their last reminder."""
    now = now or timezone.now()
    matches = match_list(user=user)
    columns = []
    for status, label in m.MatchStatus.choices:
        in_status = matches.filter(status=status)
        if status not in m.MATCH_ACTIVE_STATUSES:
            in_status = in_status[:BOARD_CLOSED_LIMIT]  # done or declined: the recent ones are enough
        rows = list(in_status.annotate(last_reminded=Max("reminders__created_at")))
        for match in rows:
            match.stalled = is_stalled(match, now)
            match.days_idle = (now - match.last_activity_at).days
        columns.append(BoardColumn(status, label, rows, matches.filter(status=status).count()))
    stalled = sum(1 for column in columns for match in column.matches if match.stalled)
    return {"columns": columns, "stalled": stalled, "stalled_days": m.MATCH_STALLED_DAYS, "now": now}


def stalled_matches(*, user, now: dt.datetime | None = None) -> QuerySet:
    now = now or timezone.now()
    return match_list(user=user).filter(
        status__in=m.MATCH_ACTIVE_STATUSES, last_activity_at__lt=now - dt.timedelta(days=m.MATCH_STALLED_DAYS)
    ).order_by("last_activity_at", "id")


# --- できることメニュー (published) -------------------------------------------------------------------


def published_menu(*, center) -> list[tuple[Any, list]]:
    """The center's published menu by activity field: what groups can do, without personal data.

    A publication like the public event calendar, so it reads no user's scope: only offers the
    group chose to list (メニューに掲載) of active groups, and only the fields printed below.
    """
    offers = list(
        m.Offer.objects.filter(center=center, is_published=True, group__status=m.GroupStatus.ACTIVE)
        .select_related("group__organization").prefetch_related("activity_fields", "group__activity_fields")
        .order_by("group__organization__name_kana", "id")
    )
    sections: dict[Any, list] = defaultdict(list)
    door = Door(organizations=False)  # a public page: its free texts leave the node through the door
    for offer in offers:
        fields = list(offer.activity_fields.all()) or list(offer.group.activity_fields.all())
        offer.cost_labels = [str(m.CostItem(c).label) for c in offer.cost_conditions if c in m.CostItem.values]
        offer.public = {name: door.public_text(getattr(offer, name))
                        for name in ("title", "description", "area", "capacity", "conditions")}
        for activity_field in fields or [None]:
            sections[activity_field].append(offer)
    ordered = sorted(sections.items(), key=lambda item: item[0].code if item[0] else 99)
    return ordered


# --- 地域人材への依頼 (the center's inbox) -------------------------------------------------------------


def talent_requests_pending(*, user) -> int:
    return scoped_queryset(user, m.TalentRequest, "view").filter(status=m.TalentRequestStatus.PENDING).count()


def hub_notices(*, limit: int) -> list[FeedItem]:
    """The hub's latest notices (連携状況 → お知らせ), for every staff member's dashboard."""
    return list(FeedItem.objects.filter(kind="notice").order_by("-seq")[:limit])


def feed_recent(*, limit: int) -> list[FeedItem]:
    """The latest entries the hub's feed delivered, for the sync page."""
    return list(FeedItem.objects.order_by("-seq")[:limit])

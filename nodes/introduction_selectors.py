"""Other centers' offers for a need, asked of the hub and ranked as the center's own, and the
introduction requests (紹介の依頼) between centers."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.http import urlencode

from permissions.scoping import scoped_queryset

from . import hub_link, matching, models as m
from .selectors import field_labels, need_doc_of, record_list, require_center_view


@dataclass
class RemoteOfferItem:
    offer: dict  # as the hub sent it: the offer, its group's directory entry, its center
    suggestion: matching.Suggestion | None  # None: found by the search, but nothing in common with the need
    request: m.IntroductionRequest | None  # this need's request about this offer, if any


@dataclass
class RemoteOfferPage:
    need: m.Need
    items: list[RemoteOfferItem] = field(default_factory=list)
    error: str = ""
    q: str = ""
    field: int | None = None

    @property
    def ranked(self) -> list[RemoteOfferItem]:
        return [item for item in self.items if item.suggestion is not None]

    @property
    def others(self) -> list[RemoteOfferItem]:
        return [item for item in self.items if item.suggestion is None]


def _remote_doc(row: dict) -> matching.OfferDoc:
    group = row.get("group") or {}
    return matching.offer_doc_from_dict({
        "key": row["uuid"], "title": row.get("title", ""), "description": row.get("description", ""),
        # Like the node's own offers: an offer without fields is read with its group's.
        "fields": row.get("fields") or group.get("fields") or (), "area": row.get("area") or group.get("area", ""),
        "legal_form": group.get("legal_form", ""), "group": ("hub", group.get("uuid")),
        "group_name": group.get("name", ""), "months": row.get("months") or (), "costs": row.get("cost_conditions") or (),
    })


def remote_offer_suggestions(*, user, uuid, q: str = "", field_code: int | None = None,
                             client=None) -> RemoteOfferPage:
    """Other centers' listed offers, asked of the hub now and ranked for a need with the same scorer
    and reasons as the center's own (without this center's history: those groups have none here)."""
    need = record_list(user=user, model=m.Need).get(uuid=uuid)
    require_center_view(user, need.center_id)
    page = RemoteOfferPage(need=need, q=q, field=field_code)
    query = {key: value for key, value in (("q", q), ("field", field_code or "")) if value}
    answer = hub_link.ask_hub("/sync/v1/offers" + (f"?{urlencode(query)}" if query else ""), key="offers",
                              client=client)
    if answer.error:
        page.error = answer.error
        return page
    rows = answer.data
    docs = [_remote_doc(row) for row in rows]
    context = matching.Context(field_labels=field_labels(), today=timezone.localdate())
    ranked = matching.rank_offers(need_doc_of(need), matching.Index(docs), context, limit=len(docs)) if docs else []
    requests = {str(r.offer_uuid): r for r in scoped_queryset(user, m.IntroductionRequest, "view").filter(
        need=need, direction=m.IntroductionDirection.SENT)}
    by_key = {row["uuid"]: row for row in rows}
    shown = {s.key for s in ranked}
    page.items = [RemoteOfferItem(by_key[s.key], s, requests.get(s.key)) for s in ranked]
    page.items += [RemoteOfferItem(row, None, requests.get(row["uuid"])) for row in rows if row["uuid"] not in shown]
    return page


def introductions(*, user) -> dict:
    """The requests of the user's centers: received ones waiting for an answer first, then the rest."""
    requests = scoped_queryset(user, m.IntroductionRequest, "view").select_related("need", "center")
    received = requests.filter(direction=m.IntroductionDirection.RECEIVED)
    return {
        "received": list(received.order_by("-status", "-created_at")),  # pending sorts before accepted/declined
        "sent": list(requests.filter(direction=m.IntroductionDirection.SENT).order_by("-created_at")),
        "pending_count": received.filter(status=m.IntroductionStatus.PENDING).count(),
    }

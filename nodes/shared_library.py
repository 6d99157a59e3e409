"""The hub's shared library read from this node (事例ライブラリ（県）): case search, one case, the
statistics and the directory, asked of the hub while staff wait (signed, as 他センターのできること)
and counted there for the reader's center. Center staff only; nothing is kept here."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.utils.http import urlencode

from permissions.scoping import organizations_where

from . import hub_link, models as m

# The filters each hub endpoint takes, as its page on the hub names them (anything else stays here).
# `scope=national`: the hub asks its national hub (every prefecture's cases shared at 全国).
CASE_FILTERS = ("q", "form", "field", "center", "fiscal_year", "outcome", "level", "page", "scope")
STATISTICS_FILTERS = ("center", "year_from", "year_to", "form", "track")
DIRECTORY_FILTERS = ("q", "field", "center", "page")
MAX_PARAMETER = 200


@dataclass
class LibraryAnswer:
    """The hub's answer (data), or why there is none (error, in Japanese); `params` as asked."""

    data: dict = field(default_factory=dict)
    error: str = ""
    params: dict[str, str] = field(default_factory=dict)
    not_found: bool = False


def reader_center(*, user):
    """The center whose staff member reads: the library is the centers' working tool."""
    center = organizations_where(user, m.CENTER_VIEW).filter(kind="center").order_by("id").first()
    if center is None:
        raise PermissionDenied("permission_denied")
    return center


def _params(query, names: tuple[str, ...]) -> dict[str, str]:
    return {name: query.get(name, "").strip()[:MAX_PARAMETER] for name in names if query.get(name, "").strip()}


def _ask(*, user, path: str, params: dict[str, str], client=None) -> LibraryAnswer:
    center = reader_center(user=user)
    answer = LibraryAnswer(params=params)
    asked = hub_link.ask_hub(f"{path}?{urlencode({**params, 'reader': center.uuid})}", client=client)
    answer.data = asked.data if asked.data is not None else {}
    answer.error, answer.not_found = asked.error, asked.code == "case_not_found"
    return answer


def library_search(*, user, query, client=None) -> LibraryAnswer:
    """Cases of every center, searched and filtered as on the hub's library page, 30 a page."""
    return _ask(user=user, path="/sync/v1/library/cases", params=_params(query, CASE_FILTERS), client=client)


def library_case(*, user, uuid, client=None) -> LibraryAnswer:
    return _ask(user=user, path=f"/sync/v1/library/cases/{uuid}", params={}, client=client)


def library_statistics(*, user, query, client=None) -> LibraryAnswer:
    """The hub's statistics tables, suppressed there exactly as its coordinators see them."""
    return _ask(user=user, path="/sync/v1/library/statistics", params=_params(query, STATISTICS_FILTERS),
                client=client)


def library_directory(*, user, query, client=None) -> LibraryAnswer:
    return _ask(user=user, path="/sync/v1/library/directory", params=_params(query, DIRECTORY_FILTERS),
                client=client)

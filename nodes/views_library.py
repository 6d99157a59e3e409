"""Staff UI of 事例ライブラリ（県）: the hub's shared case library, its statistics and the directory,
read from this node (nodes.shared_library asks the hub); center staff only."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.http import urlencode

from common.vocabulary import ACTIVITY_FIELDS, CaseOutcome, CollaborationForm, continuation_filter_choices

from . import shared_library


def _choices() -> dict:
    return {"forms": CollaborationForm.choices, "outcomes": CaseOutcome.choices,
            "fields": [(code, f"{code} {name}") for code, name in ACTIVITY_FIELDS.items()]}


def _query(answer) -> str:
    """The filters as asked, without the page: the pager adds its own."""
    return urlencode({k: v for k, v in answer.params.items() if k != "page"})


@login_required
def library_search(request):
    answer = shared_library.library_search(user=request.user, query=request.GET)
    return render(request, "nodes/library_search.html", {
        "answer": answer, "params": answer.params, "query": _query(answer), **_choices()})


@login_required
def library_case(request, uuid):
    answer = shared_library.library_case(user=request.user, uuid=uuid)
    if answer.not_found:
        raise Http404(answer.error)
    return render(request, "nodes/library_case.html", {"answer": answer, "case": answer.data.get("case")})


@login_required
def library_statistics(request):
    answer = shared_library.library_statistics(user=request.user, query=request.GET)
    return render(request, "nodes/library_statistics.html", {"answer": answer, "params": answer.params,
                                                             "continuation": continuation_filter_choices()})


@login_required
def library_directory(request):
    answer = shared_library.library_directory(user=request.user, query=request.GET)
    return render(request, "nodes/library_directory.html", {
        "answer": answer, "params": answer.params, "query": _query(answer), "fields": _choices()["fields"]})

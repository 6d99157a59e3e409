"""Staff UI of matching: suggestions with reasons, the coordination board, a match's steps, the published menu."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from permissions.models import Organization
from permissions.scoping import holds, scoped_queryset

from . import introduction_selectors, models as m, proposal_selectors, selectors, services
from .forms import AgreeForm, DeclineForm, DismissForm, MeetingForm, ProposeForm
from .views_common import get_or_404, show_errors


def _back(request, fallback: str):
    target = request.POST.get("next", "")
    # Only back to a page of this site.
    return redirect(target if target.startswith("/") and not target.startswith("//") else fallback)


@login_required
def need_suggestions(request, uuid):
    try:
        page = selectors.need_suggestions(user=request.user, uuid=uuid)
    except ObjectDoesNotExist as error:
        raise Http404 from error
    return render(request, "nodes/matching_suggestions.html", {
        "page": page, "need": page.subject, "side": "need",
        "can_change": holds(request.user, m.CENTER_CHANGE, page.subject.center_id),
        "reasons": m.DismissalReason.choices,
    })


@login_required
def offer_suggestions(request, uuid):
    try:
        page = selectors.offer_suggestions(user=request.user, uuid=uuid)
    except ObjectDoesNotExist as error:
        raise Http404 from error
    return render(request, "nodes/matching_suggestions.html", {
        "page": page, "offer": page.subject, "side": "offer",
        "can_change": holds(request.user, m.CENTER_CHANGE, page.subject.center_id),
        "reasons": m.DismissalReason.choices,
    })


def _pair(user, form):
    return (get_or_404(user, m.Need, "view", form.cleaned_data["need"]),
            get_or_404(user, m.Offer, "view", form.cleaned_data["offer"]))


@login_required
@require_POST
def dismiss(request):
    form = DismissForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("見送りの理由を選んでください。"))
        return _back(request, reverse("matching-board"))
    need, offer = _pair(request.user, form)
    try:
        services.suggestion_dismiss(acting_user=request.user, need=need, offer=offer,
                                    reason=form.cleaned_data["reason"], note=form.cleaned_data["note"])
    except ValidationError as error:
        show_errors(request, error)
    else:
        messages.success(request, gettext("「%(title)s」の提案を見送りました。次回からの順位に反映します。") % {
            "title": offer.title})
    return _back(request, reverse("matching-need", args=[need.uuid]))


@login_required
@require_POST
def restore(request, uuid):
    dismissal = get_or_404(request.user, m.SuggestionDismissal, "delete", uuid)
    services.suggestion_restore(acting_user=request.user, dismissal=dismissal)
    messages.success(request, gettext("見送りを取り消しました。"))
    return _back(request, reverse("matching-need", args=[dismissal.need.uuid]))


@login_required
@require_POST
def propose(request):
    form = ProposeForm(request.POST)
    if not form.is_valid():
        raise Http404
    need, offer = _pair(request.user, form)
    try:
        match = services.match_propose(acting_user=request.user, need=need, offer=offer,
                                       note=form.cleaned_data["note"])
    except ValidationError as error:
        show_errors(request, error)
        return _back(request, reverse("matching-need", args=[need.uuid]))
    messages.success(request, gettext("マッチングを始めました。事前打ち合わせを記録してください。"))
    return redirect("matching-detail", uuid=match.uuid)


@login_required
def board(request):
    return render(request, "nodes/matching_board.html", {
        "board": selectors.match_board(user=request.user),
        "pending_proposals": proposal_selectors.pending_count(user=request.user),
    })


@login_required
def match_detail(request, uuid):
    try:
        match = selectors.match_detail(user=request.user, uuid=uuid)
    except ObjectDoesNotExist as error:
        raise Http404 from error
    can_change = scoped_queryset(request.user, m.Match, "change").filter(pk=match.pk).exists()
    return render(request, "nodes/match_detail.html", {
        "match": match, "can_change": can_change, "stalled": selectors.is_stalled(match),
        "steps": [(value, label, m.MATCH_STATUS_ORDER.index(value) <= m.MATCH_STATUS_ORDER.index(match.status)
                   if match.status in m.MATCH_STATUS_ORDER else False)
                  for value, label in m.MatchStatus.choices if value != m.MatchStatus.DECLINED],
        "meeting_form": MeetingForm(initial={"held_on": timezone.localdate()}),
        "agree_form": AgreeForm(match=match), "decline_form": DeclineForm(),
    })


def _step(request, uuid, form_class, run, success: str):
    match = get_or_404(request.user, m.Match, "change", uuid)
    form = form_class(request.POST)
    if not form.is_valid():
        for name, field_errors in form.errors.items():
            messages.error(request, f"{form.fields[name].label}: {' '.join(field_errors)}")
        return redirect("matching-detail", uuid=uuid)
    try:
        run(match, form.cleaned_data)
    except ValidationError as error:
        show_errors(request, error)
    else:
        messages.success(request, success)
    return redirect("matching-detail", uuid=uuid)


@login_required
@require_POST
def record_meeting(request, uuid):
    return _step(request, uuid, MeetingForm, lambda match, data: services.match_record_meeting(
        acting_user=request.user, match=match, **data), gettext("事前打ち合わせを記録しました。"))


@login_required
@require_POST
def agree(request, uuid):
    match = get_or_404(request.user, m.Match, "change", uuid)
    form = AgreeForm(request.POST, match=match)
    if not form.is_valid():
        messages.error(request, gettext("協働の形態を選んでください。"))
        return redirect("matching-detail", uuid=uuid)
    try:
        services.match_agree(acting_user=request.user, match=match, **form.cleaned_data)
    except ValidationError as error:
        show_errors(request, error)
    else:
        messages.success(request, gettext("合意を記録しました。協働事例を作成できます。"))
    return redirect("matching-detail", uuid=uuid)


@login_required
@require_POST
def create_case(request, uuid):
    match = get_or_404(request.user, m.Match, "change", uuid)
    try:
        match = services.match_create_case(acting_user=request.user, match=match)
    except ValidationError as error:
        show_errors(request, error)
        return redirect("matching-detail", uuid=uuid)
    messages.success(request, gettext("協働事例を作成しました。内容を確認・補足してください。"))
    return redirect("record-detail", slug="cases", uuid=match.case.uuid)


@login_required
@require_POST
def decline(request, uuid):
    return _step(request, uuid, DeclineForm, lambda match, data: services.match_decline(
        acting_user=request.user, match=match, **data), gettext("見送りを記録しました。"))


# --- 他センターのできること and 紹介の依頼 (through the hub) -----------------------------------------


def _field_code(value: str) -> int | None:
    return int(value) if value.isdigit() and 1 <= int(value) <= 20 else None


@login_required
def remote_offers(request, uuid):
    """Other centers' listed offers, asked of the hub now and ranked for this need."""
    q = request.GET.get("q", "").strip()[:200]
    try:
        page = introduction_selectors.remote_offer_suggestions(user=request.user, uuid=uuid, q=q,
                                                  field_code=_field_code(request.GET.get("field", "")))
    except ObjectDoesNotExist as error:
        raise Http404 from error
    return render(request, "nodes/matching_remote.html", {
        "page": page, "need": page.need, "fields": selectors.field_labels().items(),
        "can_change": holds(request.user, m.CENTER_CHANGE, page.need.center_id),
    })


@login_required
@require_POST
def introduction_request(request, uuid):
    need = get_or_404(request.user, m.Need, "view", uuid)
    back = reverse("matching-remote", args=[need.uuid])
    try:
        services.introduction_request(acting_user=request.user, need=need, offer_uuid=request.POST.get("offer", ""),
                                      message=request.POST.get("message", ""))
    except ValidationError as error:
        show_errors(request, error)
    else:
        messages.success(request, gettext("紹介の依頼を送りました。回答は「紹介の依頼」に表示されます。"))
    return _back(request, back)


@login_required
def introduction_list(request):
    if not selectors.user_centers(user=request.user, codename=m.CENTER_VIEW).exists():
        raise PermissionDenied("permission_denied")  # the centers' work: not for groups or departments
    return render(request, "nodes/introductions.html", {"data": introduction_selectors.introductions(user=request.user)})


@login_required
@require_POST
def introduction_answer(request, uuid):
    introduction = get_or_404(request.user, m.IntroductionRequest, "change", uuid)
    decision = request.POST.get("decision", "")
    if decision not in ("accept", "decline"):
        messages.error(request, gettext("「紹介できる」か「紹介できない」を選んでください。"))
        return redirect("introductions")
    try:
        services.introduction_answer(acting_user=request.user, request=introduction, accept=decision == "accept",
                                     message=request.POST.get("message", ""))
    except ValidationError as error:
        show_errors(request, error)
    else:
        messages.success(request, gettext("回答を送りました。"))
    return redirect("introductions")


# --- できることメニュー ---------------------------------------------------------------------------


@login_required
def my_menu(request):
    """The menu of the user's center: the one they work for, or the one that keeps their department or group."""
    center = selectors.user_centers(user=request.user, codename=m.CENTER_VIEW).first()
    if center is None:
        own = scoped_queryset(request.user, Organization, "view").filter(center__isnull=False).select_related(
            "center").order_by("id").first()
        center = own.center if own else None
    if center is None:
        raise Http404
    return redirect("menu", center_uuid=center.uuid)


def menu(request, center_uuid):
    """The published できることメニュー of a center: no login, no personal data, printable."""
    try:
        center = Organization.objects.get(uuid=center_uuid, kind="center")
    except (ObjectDoesNotExist, ValidationError) as error:
        raise Http404 from error
    sections = selectors.published_menu(center=center)
    response = render(request, "nodes/menu.html", {
        "center": center, "sections": sections, "today": timezone.localdate(),
        "offer_count": len({offer.pk for _field, offers in sections for offer in offers}),
    })
    response["Cache-Control"] = "public, max-age=300"
    return response

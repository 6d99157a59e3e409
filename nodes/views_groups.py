"""The registration lifecycle (staff: /renewals/, /group-changes/) and the group's own page
(members: /my-group/): check input, call one service or selector, render."""

from __future__ import annotations

import uuid as uuid_module

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from common.forms import add_service_errors

from . import lifecycle, models as m, selectors, services
from .forms_groups import (
    DecisionNoteForm,
    EventProposalForm,
    OfferChangeForm,
    ProfileChangeForm,
    RenewalAnswerForm,
    ReviewNoteForm,
)
from .views import record_consent


def _require_staff(user) -> None:
    if not selectors.user_centers(user=user, codename=m.CENTER_VIEW).exists():
        raise PermissionDenied


def _or_404(read, **kwargs):
    try:
        return read(**kwargs)
    except ObjectDoesNotExist as error:
        raise Http404 from error


# --- staff: 登録更新 ----------------------------------------------------------------------------


@login_required
def renewals(request):
    _require_staff(request.user)
    try:
        fiscal_year = int(request.GET["fy"]) if request.GET.get("fy") else None
    except ValueError:
        fiscal_year = None
    return render(request, "nodes/renewals.html",
                  {"data": lifecycle.renewals_overview(user=request.user, fiscal_year=fiscal_year)})


@login_required
def renewal_detail(request, uuid):
    _require_staff(request.user)
    renewal = _or_404(lifecycle.renewal_detail, user=request.user, uuid=uuid)
    answer_form, note_form, status = RenewalAnswerForm(prefix="answer"), ReviewNoteForm(prefix="review"), 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "answer":
                answer_form = RenewalAnswerForm(request.POST, prefix="answer")
                if answer_form.is_valid():
                    services.renewal_answer(acting_user=request.user, renewal=renewal, **answer_form.service_values())
                    messages.success(request, gettext("聞き取った回答を記録しました。"))
                    return redirect("renewal-detail", uuid=uuid)
            elif action == "accept":
                services.renewal_accept(acting_user=request.user, renewal=renewal)
                messages.success(request, gettext("登録更新を承認しました。"))
                return redirect("renewal-detail", uuid=uuid)
            elif action == "changes":
                note_form = ReviewNoteForm(request.POST, prefix="review")
                if note_form.is_valid():
                    services.renewal_request_changes(acting_user=request.user, renewal=renewal,
                                                     note=note_form.cleaned_data["note"])
                    messages.success(request, gettext("修正を依頼しました。"))
                    return redirect("renewal-detail", uuid=uuid)
            else:
                raise Http404
        except ValidationError as error:
            add_service_errors(answer_form if action == "answer" else note_form, error)
            if not hasattr(error, "error_dict"):
                messages.error(request, " ".join(error.messages))
        status = 400
        renewal = _or_404(lifecycle.renewal_detail, user=request.user, uuid=uuid)
    return render(request, "nodes/renewal_detail.html", {
        "renewal": renewal, "answer_form": answer_form, "note_form": note_form,
        "difficulties": [d.get_difficulty_display() for d in renewal.difficulties.all()],
    }, status=status)


@login_required
def group_changes(request):
    _require_staff(request.user)
    return render(request, "nodes/group_changes.html", {
        "changes": [(change, _labelled(change)) for change in lifecycle.pending_changes(user=request.user)],
        "form": DecisionNoteForm()})


def _labelled(change: m.GroupChangeRequest) -> list[tuple[str, object]]:
    form = PROPOSAL_FORMS[change.target]
    return [(str(form.base_fields[name].label), value) for name, value in change.values.items()
            if name in form.base_fields]


@login_required
@require_POST
def group_change_decide(request, uuid, decision):
    _require_staff(request.user)
    change = _or_404(lifecycle.pending_changes(user=request.user).get, uuid=uuid)
    form = DecisionNoteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    decide = {"approve": services.change_request_approve, "reject": services.change_request_reject}.get(decision)
    if decide is None:
        raise Http404
    try:
        decide(acting_user=request.user, change=change, note=note)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, gettext("承認し、公開内容を更新しました。") if decision == "approve"
                         else gettext("差し戻しました。"))
    return redirect("group-changes")


# --- members: わたしの団体 -------------------------------------------------------------------------


@login_required
def my_group(request):
    groups = list(lifecycle.my_groups(user=request.user)[:20])
    if not groups:
        raise PermissionDenied
    if len(groups) == 1:
        return redirect("my-group-detail", uuid=groups[0].uuid)
    return render(request, "nodes/my_group_choose.html", {"groups": groups})


def _my_group(request, uuid):
    return _or_404(lifecycle.my_groups(user=request.user).get, uuid=uuid)


def _page(request, uuid, *, renewal_form=None, status=200):
    data = _or_404(lifecycle.my_group_page, user=request.user, uuid=uuid)
    renewal = data["renewal"]
    if renewal_form is None and data["renewal_answerable"]:
        initial = {}
        if renewal.answered_at:
            initial = {"continues": "yes" if renewal.continues else "no", "changes": renewal.changes,
                       "difficulties": [d.difficulty for d in renewal.difficulties.all()],
                       "difficulty_other": renewal.difficulty_other}
        renewal_form = RenewalAnswerForm(initial=initial)
    return render(request, "nodes/my_group.html", {**data, "renewal_form": renewal_form}, status=status)


@login_required
def my_group_detail(request, uuid):
    return _page(request, uuid)


@login_required
@require_POST
def my_group_renewal(request, uuid):
    group = _my_group(request, uuid)
    renewal = m.RegistrationRenewal.objects.filter(group=group).order_by("-due_on").first()
    if renewal is None:
        raise Http404
    form = RenewalAnswerForm(request.POST)
    if form.is_valid():
        try:
            services.renewal_answer(acting_user=request.user, renewal=renewal, **form.service_values())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, gettext("登録更新の回答を送りました。センターの確認をお待ちください。"))
            return redirect("my-group-detail", uuid=uuid)
    return _page(request, uuid, renewal_form=form, status=400)


@login_required
@require_POST
def my_group_consent(request, uuid):
    group = _my_group(request, uuid)
    record_consent(request, services.group_set_consent, group=group)
    return redirect("my-group-detail", uuid=uuid)


PROPOSAL_FORMS = {"profile": ProfileChangeForm, "offer": OfferChangeForm, "event": EventProposalForm}


@login_required
def my_group_propose(request, uuid, target):
    group = _my_group(request, uuid)
    form_class = PROPOSAL_FORMS.get(target)
    if form_class is None:
        raise Http404
    offer = event = None
    if target == "offer" and request.GET.get("offer"):
        offer = m.Offer.objects.filter(group=group, uuid__in=[request.GET["offer"]]).first() \
            if _is_uuid(request.GET["offer"]) else None
        if offer is None:
            raise Http404
    if target == "event" and request.GET.get("event"):
        event = lifecycle.group_public_events(group).filter(uuid__in=[request.GET["event"]]).first() \
            if _is_uuid(request.GET["event"]) else None
        if event is None:
            raise Http404
    if target == "profile":
        initial = {"description": group.description, "area": group.area}
    elif offer is not None:
        initial = {name: getattr(offer, name) for name in OfferChangeForm.base_fields}
    elif event is not None:
        initial = {name: getattr(event, name) for name in EventProposalForm.base_fields}
        initial["starts_at"] = timezone.localtime(event.starts_at).strftime("%Y-%m-%dT%H:%M")
    else:
        initial = {}
    form = form_class(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_request_submit(acting_user=request.user, group=group, target=target,
                                           values=form.cleaned_data, offer=offer, event=event)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, gettext("変更を申請しました。センターが確認してから公開されます。"))
            return redirect("my-group-detail", uuid=uuid)
    return render(request, "nodes/my_group_propose.html",
                  {"group": group, "form": form, "target": target, "offer": offer, "event": event,
                   "target_label": m.ChangeTarget(target).label},
                  status=400 if request.method == "POST" else 200)


def _is_uuid(text: str) -> bool:
    try:
        uuid_module.UUID(text)
    except ValueError:
        return False
    return True

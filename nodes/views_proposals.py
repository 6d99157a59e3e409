"""Proposals (提案) in the UI: a group member proposes for a 協働の種 and follows it; the center takes
it into matching or declines; the need's department answers."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from . import models as m, programme_selectors, proposal_selectors as selectors, services
from .forms import ProposalAnswerForm, ProposalDecisionForm, ProposalForm


def _proposal(user, uuid) -> m.Proposal:
    try:
        return selectors.proposal_detail(user=user, uuid=uuid)
    except (ObjectDoesNotExist, ValidationError) as error:
        raise Http404 from error


def _proposable_need(uuid) -> m.Need:
    """A need open to proposals: what a group may see of it is what the center publishes."""
    need = m.Need.objects.select_related("requester", "center").filter(uuid=uuid).first()
    if need is None or not services.need_takes_proposals(need):
        raise Http404
    return need


@login_required
def proposal_new(request, uuid):
    need = _proposable_need(uuid)
    groups = selectors.groups_proposing_for(request.user).filter(center=need.center)
    if not groups.exists():
        raise PermissionDenied("permission_denied")
    form = ProposalForm(request.POST or None, groups=groups)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        group = data.pop("group")
        try:
            proposal = services.proposal_submit(acting_user=request.user, need=need, group=group, **data)
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, gettext("提案を送りました。センターから連絡があるまでお待ちください。"))
            return redirect("proposal-detail", uuid=proposal.uuid)
    return render(request, "nodes/proposal_form.html", {"need": need, "form": form}, status=400 if form.errors else 200)


@login_required
def proposal_list(request):
    proposals = list(selectors.proposals_for(request.user)[:500])
    for proposal in proposals:
        proposal.stage = selectors.stage_label(proposal)
    return render(request, "nodes/proposal_list.html", {
        "proposals": proposals, "counts": selectors.proposal_counts_per_need(user=request.user),
    })


@login_required
def proposal_detail(request, uuid):
    proposal = _proposal(request.user, uuid)
    return render(request, "nodes/proposal_detail.html", {
        "proposal": proposal, "stage": selectors.stage_label(proposal),
        "can": selectors.proposal_actions(user=request.user, proposal=proposal),
        "decision_form": ProposalDecisionForm(), "answer_form": ProposalAnswerForm(),
        "programme_calls": programme_selectors.open_calls_for_proposal(user=request.user, proposal=proposal),
    })


def _act(request, uuid, run, success: str):
    proposal = _proposal(request.user, uuid)
    try:
        run(proposal)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, success)
    return redirect("proposal-detail", uuid=uuid)


@login_required
@require_POST
def proposal_take_up(request, uuid):
    form = ProposalDecisionForm(request.POST)
    form.is_valid()
    return _act(request, uuid, lambda proposal: services.proposal_take_up(
        acting_user=request.user, proposal=proposal, note=form.cleaned_data.get("note", "")),
        gettext("マッチングを始めました。事前打ち合わせを記録できます。"))


@login_required
@require_POST
def proposal_decline(request, uuid):
    form = ProposalDecisionForm(request.POST)
    form.is_valid()
    return _act(request, uuid, lambda proposal: services.proposal_decline(
        acting_user=request.user, proposal=proposal, note=form.cleaned_data.get("note", "")),
        gettext("見送りを団体に伝えました。"))


@login_required
@require_POST
def proposal_answer(request, uuid):
    form = ProposalAnswerForm(request.POST)
    form.is_valid()
    return _act(request, uuid, lambda proposal: services.proposal_answer(
        acting_user=request.user, proposal=proposal, answer=form.cleaned_data.get("answer", "")),
        gettext("回答を記録しました。"))


@login_required
@require_POST
def proposal_withdraw(request, uuid):
    return _act(request, uuid, lambda proposal: services.proposal_withdraw(acting_user=request.user, proposal=proposal),
                gettext("提案を取り下げました。"))

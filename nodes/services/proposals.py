"""Writes of proposals (提案): a group answers a 協働の種; the center takes it into matching or declines;
the need's department answers; the group may withdraw while the center has not decided."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from permissions.scoping import holds

from ..models import (
    CENTER_CHANGE,
    PROPOSABLE_NEED_STATUSES,
    GroupRegistration,
    GroupStatus,
    Need,
    Proposal,
    ProposalStatus,
    Publication,
)
from .matches import match_propose
from .pipeline import locked_for_change, save_record
from .records import offer_create

# What a group may write; the rest (status, match, answers) belongs to the center and the department.
PROPOSAL_FIELDS = ("title", "activity", "people", "timing", "cost_yen", "cost_note", "asks_of_city")


def _error(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def need_takes_proposals(need: Need) -> bool:
    """Groups answer what the city published (approved by the center) and is still looking for partners."""
    return need.publication == Publication.PUBLISHED and need.status in PROPOSABLE_NEED_STATUSES


@transaction.atomic
def proposal_submit(*, acting_user, need: Need, group: GroupRegistration, **values) -> Proposal:
    """提案: a member of `group` (or center staff on its behalf) answers `need`."""
    unknown = set(values) - set(PROPOSAL_FIELDS)
    if unknown:
        raise TypeError(f"unknown proposal fields: {sorted(unknown)}")
    # As they stand now, not as the caller last read them.
    need = Need.objects.select_related("center").get(pk=need.pk)
    group = GroupRegistration.objects.get(pk=group.pk)
    if group.center_id != need.center_id:
        raise _error("need", gettext("この協働の種には、同じセンターに登録している団体が提案できます。"), "other_center")
    if group.status != GroupStatus.ACTIVE:
        raise _error("group", gettext("登録中の団体だけが提案できます。"), "group_not_active")
    if not need_takes_proposals(need):
        raise _error("need", gettext("この協働の種は提案を受け付けていません。"), "need_not_open")
    proposal = Proposal(submitted_by=acting_user)
    try:
        with transaction.atomic():
            proposal = save_record(proposal, acting_user=acting_user, perm="add", values={
                "center": need.center, "group": group, "need": need, "status": ProposalStatus.SUBMITTED,
                **{name: (value.strip() if isinstance(value, str) else value) for name, value in values.items()},
            })
    except IntegrityError as error:  # the partial unique index: one open proposal per group and need
        raise _error("need", gettext("この協働の種には、すでに提案しています。"), "already_proposed") from error
    return proposal


def _decided(proposal: Proposal, *, acting_user, values: dict) -> Proposal:
    return save_record(proposal, acting_user=acting_user, perm="change",
                       values={**values, "decided_at": timezone.now()})


def _require(acting_user, proposal: Proposal, *codenames_on: tuple[str, int]) -> None:
    """The step is the center's, or also that of the writer named (group or department)."""
    if not any(holds(acting_user, codename, organization_id) for codename, organization_id in
               ((CENTER_CHANGE, proposal.center_id), *codenames_on)):
        raise PermissionDenied("permission_denied")


@transaction.atomic
def proposal_take_up(*, acting_user, proposal: Proposal, note: str = "") -> Proposal:
    """The center takes the proposal into matching: the group's offer is written from it (not listed
    in the menu) and a match begins, with the proposal as its origin."""
    proposal = locked_for_change(acting_user, proposal)
    _require(acting_user, proposal)
    if proposal.status != ProposalStatus.SUBMITTED:
        raise _error("status", gettext("この提案はすでに判断済みです。"), "already_decided")
    offer = offer_create(
        acting_user=acting_user, group=proposal.group, title=proposal.title, is_published=False,
        description="\n".join(filter(None, [proposal.activity, gettext("体制: %(people)s") % {"people": proposal.people},
                                            gettext("時期: %(timing)s") % {"timing": proposal.timing}])),
        activity_fields=list(proposal.need.activity_fields.all()), conditions=proposal.cost_note[:300],
    )
    match = match_propose(acting_user=acting_user, need=proposal.need, offer=offer, note="\n".join(filter(None, [
        gettext("団体からの提案「%(title)s」より。") % {"title": proposal.title}, note.strip()])))
    return _decided(proposal, acting_user=acting_user, values={
        "status": ProposalStatus.IN_PIPELINE, "match": match, "decision_note": note.strip()})


@transaction.atomic
def proposal_decline(*, acting_user, proposal: Proposal, note: str) -> Proposal:
    """見送り, with a message the group reads."""
    proposal = locked_for_change(acting_user, proposal)
    _require(acting_user, proposal)
    if proposal.status != ProposalStatus.SUBMITTED:
        raise _error("status", gettext("この提案はすでに判断済みです。"), "already_decided")
    if not (note or "").strip():
        raise _error("decision_note", gettext("団体に伝える見送りの理由を入力してください。"), "required")
    return _decided(proposal, acting_user=acting_user,
                    values={"status": ProposalStatus.DECLINED, "decision_note": note.strip()})


@transaction.atomic
def proposal_withdraw(*, acting_user, proposal: Proposal) -> Proposal:
    """取り下げ by the group, while the center has not decided."""
    proposal = locked_for_change(acting_user, proposal)
    _require(acting_user, proposal, ("change_group_profile", proposal.group.organization_id))
    if proposal.status != ProposalStatus.SUBMITTED:
        raise _error("status", gettext("センターが判断した提案は取り下げられません。センターにご相談ください。"),
                     "already_decided")
    return _decided(proposal, acting_user=acting_user, values={"status": ProposalStatus.WITHDRAWN})


@transaction.atomic
def proposal_answer(*, acting_user, proposal: Proposal, answer: str) -> Proposal:
    """The need's department answers the group (what it can do, questions back) inside the pipeline."""
    proposal = locked_for_change(acting_user, proposal)
    _require(acting_user, proposal, ("manage_department_needs", proposal.need.requester_id))
    if proposal.status not in (ProposalStatus.SUBMITTED, ProposalStatus.IN_PIPELINE):
        raise _error("status", gettext("終了した提案には回答できません。"), "proposal_closed")
    if not (answer or "").strip():
        raise _error("department_answer", gettext("回答を入力してください。"), "required")
    return save_record(proposal, acting_user=acting_user, perm="change",
                       values={"department_answer": answer.strip(), "answered_at": timezone.now()})

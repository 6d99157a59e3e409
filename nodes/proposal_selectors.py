"""Reads of proposals (提案): what each reader may see — the center all of its own, a group its own
proposals, a department those made to its needs — and the counts per need for the center's figures."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext

from permissions.models import Membership, Role
from permissions.scoping import holds, permission_map, scoped_queryset

from .models import CENTER_VIEW, GroupRegistration, Match, MatchStatus, Need, Proposal, ProposalStatus


def proposals_for(user) -> QuerySet[Proposal]:
    return (scoped_queryset(user, Proposal, "view")
            .select_related("group__organization", "need__requester", "match", "center")
            .order_by("-created_at"))


def pending_count(*, user) -> int:
    """Proposals waiting for the center's decision, in the centers the user may decide for."""
    return scoped_queryset(user, Proposal, "change").filter(status=ProposalStatus.SUBMITTED).count()


def proposal_detail(*, user, uuid) -> Proposal:
    return proposals_for(user).get(uuid=uuid)


def stage_label(proposal: Proposal) -> str:
    """Where the proposal stands, as the group reads it: the match's step once it is in matching."""
    if proposal.status == ProposalStatus.IN_PIPELINE and proposal.match is not None:
        if proposal.match.status == MatchStatus.CASE_CREATED:
            return gettext("協働事例になりました")
        return gettext("マッチング: %(step)s") % {"step": proposal.match.get_status_display()}
    return proposal.get_status_display()


def groups_proposing_for(user) -> QuerySet[GroupRegistration]:
    """The registered groups the user may propose for: those whose profile they may change."""
    organization_ids = Membership.objects.filter(user=user, role=Role.GROUP_MEMBER).values("organization_id")
    return (GroupRegistration.objects.filter(organization_id__in=organization_ids)
            .select_related("organization", "center").order_by("organization__name"))


def can_decide(user, proposal: Proposal) -> bool:
    return holds(user, "change_center_records", proposal.center_id)


def can_answer(user, proposal: Proposal) -> bool:
    return can_decide(user, proposal) or holds(user, "manage_department_needs", proposal.need.requester_id)


def can_withdraw(user, proposal: Proposal) -> bool:
    return proposal.status == ProposalStatus.SUBMITTED and (
        holds(user, "change_group_profile", proposal.group.organization_id) or can_decide(user, proposal))


def can_see_match(user, proposal: Proposal) -> bool:
    """The group follows the match its proposal started (a match is visible to the offer's group)."""
    return proposal.match_id is not None and scoped_queryset(user, Match, "view").filter(pk=proposal.match_id).exists()


@dataclass(frozen=True)
class NeedProposalCount:
    need: Need
    total: int
    submitted: int
    in_pipeline: int
    declined: int
    withdrawn: int


def proposal_counts_per_need(*, user) -> list[NeedProposalCount]:
    """Proposals per 協働の種 of the centers the user works for (the center's statistics)."""
    needs = scoped_queryset(user, Need, "view").filter(center_id__in=_center_ids(user))
    counted = needs.annotate(
        total=Count("proposals"),
        **{status: Count("proposals", filter=Q(proposals__status=status)) for status in ProposalStatus.values},
    ).filter(total__gt=0).select_related("requester").order_by("-total", "title")
    return [NeedProposalCount(need=need, total=need.total, submitted=need.submitted, in_pipeline=need.in_pipeline,
                              declined=need.declined, withdrawn=need.withdrawn) for need in counted]


def _center_ids(user) -> list[int]:
    return sorted(permission_map(user).get(CENTER_VIEW, ()))

"""Reads of proposals (提案): what each reader may see — the center all of its own, a group its own
proposals, a department those made to its needs — and the counts per need for the center's figures."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext

from permissions.scoping import permission_map, scoped_queryset

from .models import (
    CENTER_CHANGE,
    CENTER_VIEW,
    PROPOSAL_OPEN_STATUSES,
    GroupRegistration,
    MatchStatus,
    Need,
    ProgrammeApplication,
    Proposal,
    ProposalStatus,
)


def proposals_for(user) -> QuerySet[Proposal]:
    return (scoped_queryset(user, Proposal, "view")
            .select_related("group__organization", "need__requester", "match", "center")
            .order_by("-created_at"))


def pending_count(*, user) -> int:
    """Proposals waiting for the center's decision, in the centers the user may decide for."""
    return Proposal.objects.filter(center_id__in=permission_map(user).get(CENTER_CHANGE, ()),
                                   status=ProposalStatus.SUBMITTED).count()


def proposal_detail(*, user, uuid) -> Proposal:
    return proposals_for(user).get(uuid=uuid)


def stage_label(proposal: Proposal) -> str:
    """Where the proposal stands, as the group reads it: the match's step once it is in matching."""
    if proposal.status == ProposalStatus.IN_PIPELINE and proposal.match is not None:
        if proposal.match.status == MatchStatus.CASE_CREATED:
            return gettext("協働事例になりました")
        return gettext("マッチング: %(step)s") % {"step": proposal.match.get_status_display()}
    if proposal.status == ProposalStatus.IN_PROGRAMME:
        # The group follows its own application (申込済み → 公開プレゼン済み → 採択 …) from here.
        application = ProgrammeApplication.objects.filter(proposal=proposal).first()
        if application is not None:
            return gettext("協働推進事業: %(step)s") % {"step": application.get_status_display()}
    return proposal.get_status_display()


def groups_proposing_for(user) -> QuerySet[GroupRegistration]:
    """The registered groups the user may propose for: those whose profile they may change."""
    organization_ids = permission_map(user).get("change_group_profile", ())
    return (GroupRegistration.objects.filter(organization_id__in=organization_ids)
            .select_related("organization", "center").order_by("organization__name"))


@dataclass(frozen=True)
class ProposalActions:
    decide: bool  # take into matching or decline: the center
    answer: bool  # the need's department, or the center
    withdraw: bool  # the group (or the center for it), until the center decides
    see_match: bool  # the match is visible to the center and to the offer's group


def proposal_actions(*, user, proposal: Proposal) -> ProposalActions:
    """What the user may do on the proposal's page, from one read of their permissions."""
    held = permission_map(user)
    center = proposal.center_id in held.get(CENTER_CHANGE, ())
    is_open = proposal.status in PROPOSAL_OPEN_STATUSES
    return ProposalActions(
        decide=center and proposal.status == ProposalStatus.SUBMITTED,
        answer=is_open and (center or proposal.need.requester_id in held.get("manage_department_needs", ())),
        withdraw=proposal.status == ProposalStatus.SUBMITTED and (
            center or proposal.group.organization_id in held.get("change_group_profile", ())),
        see_match=proposal.match_id is not None and (
            proposal.center_id in held.get(CENTER_VIEW, ())
            or proposal.group.organization_id in held.get("manage_group_offers", ())),
    )


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

"""Proposals (提案): a registered group answers a 協働の種 — the city's need, or a 協働推進事業 theme
posted as one — and the center takes it into matching, where it becomes the origin of a match."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .base import CENTER_CHANGE, CENTER_VIEW, CenterRecord
from .groups import GroupRegistration
from .matching import Match, Need, NeedStatus


class ProposalStatus(models.TextChoices):
    SUBMITTED = "submitted", _("提出済み（センターで確認中）")
    IN_PIPELINE = "in_pipeline", _("マッチングで調整中")
    # The center took it to the 協働推進事業 call as an application (ProgrammeApplication.proposal).
    IN_PROGRAMME = "in_programme", _("協働推進事業に申込")
    DECLINED = "declined", _("見送り")
    WITHDRAWN = "withdrawn", _("取り下げ")


PROPOSAL_OPEN_STATUSES = (ProposalStatus.SUBMITTED, ProposalStatus.IN_PIPELINE, ProposalStatus.IN_PROGRAMME)
# A need still looking for partners takes proposals: one being coordinated may take more.
PROPOSABLE_NEED_STATUSES = (NeedStatus.OPEN, NeedStatus.COORDINATING)


class Proposal(CenterRecord):
    """A group's answer to a need: what, who, when, at what cost, and what it asks of the city."""

    group = models.ForeignKey(GroupRegistration, on_delete=models.CASCADE, related_name="proposals",
                              verbose_name=_("提案した団体"))
    need = models.ForeignKey(Need, on_delete=models.PROTECT, related_name="proposals", verbose_name=_("協働の種"))
    title = models.CharField(_("提案の名称"), max_length=200)
    activity = models.TextField(_("何をするか"))
    people = models.TextField(_("誰が担うか（体制）"))
    timing = models.CharField(_("いつ・どのくらい"), max_length=300)
    cost_yen = models.PositiveIntegerField(_("費用の見込み（円）"), null=True, blank=True)
    cost_note = models.CharField(_("費用の内訳・補足"), max_length=300, blank=True)
    asks_of_city = models.TextField(_("市にお願いしたいこと"), blank=True)
    status = models.CharField(_("状態"), max_length=20, choices=ProposalStatus.choices,
                              default=ProposalStatus.SUBMITTED)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("提出者"))
    # The match the center started from this proposal: the proposal is that match's origin.
    match = models.OneToOneField(Match, on_delete=models.PROTECT, null=True, blank=True, related_name="origin_proposal",
                                 verbose_name=_("マッチング"))
    department_answer = models.TextField(_("担当課からの回答"), blank=True)
    answered_at = models.DateTimeField(_("回答日時"), null=True, blank=True)
    decided_at = models.DateTimeField(_("判断日時"), null=True, blank=True)
    decision_note = models.TextField(_("センターからの連絡"), blank=True)

    SEARCH_FIELDS = ("title", "activity")
    MATCH_TEXT_FIELDS = ()

    # Three writers: the group (submits, withdraws), the need's department (answers) and the center
    # (decides); each service says which of them may take its step (nodes.services.proposals).
    scope_rules = {
        "view": (("center", CENTER_VIEW), ("group__organization", "view_group_profile"),
                 ("need__requester", "manage_department_needs")),
        "add": (("center", CENTER_CHANGE), ("group__organization", "change_group_profile")),
        "change": (("center", CENTER_CHANGE), ("group__organization", "change_group_profile"),
                   ("need__requester", "manage_department_needs")),
        "delete": (),
    }

    class Meta:
        verbose_name = _("団体からの提案")
        verbose_name_plural = _("団体からの提案")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ProposalStatus.values), name="proposal_status_known"),
            # A match exists exactly when the center took the proposal into matching.
            models.CheckConstraint(condition=Q(status=ProposalStatus.IN_PIPELINE, match__isnull=False)
                                   | (~Q(status=ProposalStatus.IN_PIPELINE) & Q(match__isnull=True)),
                                   name="proposal_match_iff_in_pipeline"),
            # One open proposal per group and need: a second one would split the conversation.
            models.UniqueConstraint(fields=["group", "need"], condition=Q(status__in=PROPOSAL_OPEN_STATUSES),
                                    name="proposal_one_open_per_group_and_need",
                                    violation_error_code="already_proposed",
                                    violation_error_message=_("この協働の種には、すでに提案しています。")),
            models.CheckConstraint(condition=~Q(title="") & ~Q(activity="") & ~Q(people="") & ~Q(timing=""),
                                   name="proposal_required_texts"),
        ]
        indexes = [models.Index(fields=["center", "status"]), models.Index(fields=["need", "status"])]

    def __str__(self) -> str:
        return self.title

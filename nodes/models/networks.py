"""Intermediate support networks (中間支援組織のネットワーク): a registered group of kind 中間支援組織 and
its members — groups registered here, other organizations, and individuals (counted, never named)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from common.vocabulary import MemberKind
from sync.wire import networks as wire

from .base import CenterRecord
from .groups import GroupRegistration


class SupportNetwork(CenterRecord):
    """The network side of a registered 中間支援組織: its individual members' count (no names at all);
    its fields are the group's activity fields, its member organizations are NetworkMember rows."""

    group = models.OneToOneField(GroupRegistration, on_delete=models.CASCADE, related_name="network",
                                 verbose_name=_("ネットワーク"))
    individuals = models.PositiveIntegerField(_("個人会員の数"), default=0)

    SEARCH_FIELDS = ("group.organization.name",)

    class Meta:
        verbose_name = _("中間支援ネットワーク")
        verbose_name_plural = _("中間支援ネットワーク")
        constraints = [models.CheckConstraint(condition=Q(individuals__lte=wire.MAX_MEMBERS),
                                              name="network_individuals_bounded")]

    def __str__(self) -> str:
        return self.group.organization.name


class NetworkMember(CenterRecord):
    """One member organization of a network, with when it joined and (once it left) when it left:
    either a group registered at this center (a link) or another organization (name and kind)."""

    network = models.ForeignKey(SupportNetwork, on_delete=models.CASCADE, related_name="members",
                                verbose_name=_("ネットワーク"))
    group = models.ForeignKey(GroupRegistration, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="network_memberships", verbose_name=_("登録団体"))
    name = models.CharField(_("団体名"), max_length=200, blank=True)
    kind = models.CharField(_("種別"), max_length=30, choices=MemberKind.choices, blank=True)
    municipality = models.CharField(_("所在市町村"), max_length=60, blank=True)
    joined_on = models.DateField(_("加入日"))
    left_on = models.DateField(_("退会日"), null=True, blank=True)

    SEARCH_FIELDS = ("name", "group.organization.name")

    class Meta:
        verbose_name = _("ネットワークの会員団体")
        verbose_name_plural = _("ネットワークの会員団体")
        ordering = ["joined_on", "id"]
        constraints = [
            # A registered group is named through its registration; another organization by its own name and kind.
            models.CheckConstraint(
                condition=(Q(group__isnull=False, name="", kind="", municipality="")
                           | (Q(group__isnull=True, kind__in=MemberKind.values) & ~Q(name=""))),
                name="network_member_group_or_named"),
            models.CheckConstraint(condition=Q(left_on__isnull=True) | Q(left_on__gte=F("joined_on")),
                                   name="network_member_left_after_joined"),
            models.UniqueConstraint(fields=["network", "group"], condition=Q(left_on__isnull=True, group__isnull=False),
                                    name="network_member_group_once"),
            models.UniqueConstraint(fields=["network", "name"], condition=Q(left_on__isnull=True, group__isnull=True),
                                    name="network_member_name_once"),
        ]
        indexes = [models.Index(fields=["network", "left_on"])]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.group.organization.name if self.group_id else self.name

    @property
    def posting_label(self) -> str:
        """How a need or offer posted for this member is shown: 「○○ネットワーク（会員：△△）」."""
        return _("%(network)s（会員：%(member)s）") % {"network": self.network.group.organization.name,
                                                   "member": self.display_name}

    @property
    def is_current(self) -> bool:
        return self.left_on is None


def on_behalf_errors(member: NetworkMember | None, network_organization_id: int | None) -> dict:
    """A need or offer posted for a member: the poster (the requester, or the offer's group) must be
    that member's network, and the member a current one — read from the database, not from the
    instance handed in (it may predate the member's leaving)."""
    if member is None:
        return {}
    held = NetworkMember.objects.filter(pk=member.pk).values_list(
        "network__group__organization_id", "left_on").first()
    if held is None or held[0] != network_organization_id:
        return {"on_behalf_of": ValidationError(
            _("代理で掲載できるのは、掲載元のネットワークの会員団体だけです。"), code="not_network_member")}
    if held[1] is not None:
        return {"on_behalf_of": ValidationError(
            _("%(name)sはすでに退会しています。") % {"name": member.display_name}, code="member_left")}
    return {}

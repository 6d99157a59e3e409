"""Centers working as a network (issue 17): the relations of this node's centers as the hub reports
them (支援する / 支援を受ける), and referrals between centers (他センターへの相談・同席の依頼)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sync.wire import referrals as wire

from .base import CENTER_CHANGE, CENTER_DELETE, CENTER_VIEW, CenterRecord
from .consultations import Consultation

_STAFF_ONLY = {
    "view": (("center", CENTER_VIEW),),
    "add": (("center", CENTER_CHANGE),),
    "change": (("center", CENTER_CHANGE),),
    "delete": (("center", CENTER_DELETE),),
}


class RelationRole(models.TextChoices):
    BACKING = "backing", _("支援する")
    BACKED = "backed", _("支援を受ける")


class CenterRelation(CenterRecord):
    """One relation of one of our centers, mirrored from the hub's feed (its uuid is the hub's): which
    side declared, and when both had. Written only by the feed handler; the declaration goes to the hub."""

    role = models.CharField(_("このセンターの立場"), max_length=10, choices=RelationRole.choices)
    other_center_uuid = models.UUIDField(_("相手のセンターのID"))
    other_center_name = models.CharField(_("相手のセンター"), max_length=200)
    we_declared = models.BooleanField(_("このセンターが届け出た"), default=False)
    they_declared = models.BooleanField(_("相手が届け出た"), default=False)
    confirmed_at = models.DateTimeField(_("成立日時"), null=True, blank=True)

    SEARCH_FIELDS = ("other_center_name",)
    scope_rules = _STAFF_ONLY

    class Meta:
        verbose_name = _("センター間の支援関係")
        verbose_name_plural = _("センター間の支援関係")
        ordering = ["role", "other_center_name", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(role__in=RelationRole.values), name="center_relation_role_known"),
            models.UniqueConstraint(fields=["center", "other_center_uuid", "role"], name="center_relation_once"),
            models.CheckConstraint(condition=Q(confirmed_at__isnull=True) | Q(we_declared=True, they_declared=True),
                                   name="center_relation_confirmed_by_both"),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.other_center_name}"


class ReferralDirection(models.TextChoices):
    SENT = "sent", _("依頼した")
    RECEIVED = "received", _("依頼された")


class ReferralKind(models.TextChoices):
    ADVICE = "advice", _("助言の依頼")
    JOINT = "joint", _("同席の依頼")


class ReferralStatus(models.TextChoices):
    PENDING = "pending", _("回答待ち")
    ACCEPTED = "accepted", _("受けた")
    ANSWERED = "answered", _("回答した")
    JOINING = "joining", _("同席する")
    DECLINED = "declined", _("お断り")


class Referral(CenterRecord):
    """A center asks another, through the hub, for advice on a consultation or to sit in (同席).

    The asking node keeps a `sent` row linked to its consultation, the receiving node a `received`
    row from the feed, linked to a consultation of its own once it takes the referral on. What
    travelled is a summary and the question, both scrubbed; never the requester's name or contact.
    Only the receiving center moves the status, forward only (sync.wire.referrals.STATUS_ORDER).
    """

    direction = models.CharField(_("種別"), max_length=10, choices=ReferralDirection.choices)
    kind = models.CharField(_("依頼の内容"), max_length=10, choices=ReferralKind.choices)
    consultation = models.ForeignKey(Consultation, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="referrals", verbose_name=_("相談（関わりカード）"))
    other_center_uuid = models.UUIDField(_("相手のセンターのID"))
    other_center_name = models.CharField(_("相手のセンター"), max_length=200)
    summary = models.TextField(_("相談の概要"))
    question = models.TextField(_("聞きたいこと"))
    status = models.CharField(_("状態"), max_length=20, choices=ReferralStatus.choices,
                              default=ReferralStatus.PENDING)
    answer_message = models.TextField(_("回答"), blank=True)
    joint_on = models.DateField(_("同席する日"), null=True, blank=True)
    answered_at = models.DateTimeField(_("回答日時"), null=True, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("依頼した職員"))
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("回答した職員"))

    SEARCH_FIELDS = ("other_center_name", "summary")
    # The center's staff only: the requester's group never sees what the centers say about it.
    scope_rules = _STAFF_ONLY

    class Meta:
        verbose_name = _("センター間の相談")
        verbose_name_plural = _("センター間の相談")
        ordering = ["-created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(direction__in=ReferralDirection.values),
                                   name="referral_direction_known"),
            models.CheckConstraint(condition=Q(kind__in=ReferralKind.values), name="referral_kind_known"),
            models.CheckConstraint(condition=Q(status__in=ReferralStatus.values), name="referral_status_known"),
            models.CheckConstraint(condition=Q(status__in=wire.FINAL_STATUSES, answered_at__isnull=False) |
                                   (~Q(status__in=wire.FINAL_STATUSES) & Q(answered_at__isnull=True)),
                                   name="referral_answered_iff_final"),
            models.CheckConstraint(condition=Q(status=wire.JOINING, joint_on__isnull=False) |
                                   (~Q(status=wire.JOINING) & Q(joint_on__isnull=True)),
                                   name="referral_joint_on_iff_joining"),
        ]
        indexes = [models.Index(fields=["center", "direction", "status"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.other_center_name}"

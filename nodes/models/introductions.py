"""Introduction requests between centers through the hub (他センターへの紹介の依頼)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .base import CENTER_CHANGE, CENTER_DELETE, CENTER_VIEW, CenterRecord
from .matching import Need, Offer


class IntroductionDirection(models.TextChoices):
    SENT = "sent", _("依頼した")
    RECEIVED = "received", _("依頼された")


class IntroductionStatus(models.TextChoices):
    PENDING = "pending", _("回答待ち")
    ACCEPTED = "accepted", _("紹介できる")
    DECLINED = "declined", _("紹介できない")


class IntroductionRequest(CenterRecord):
    """A center asks another center, through the hub, to introduce one of its groups for a need.

    The hub writes the request (its uuid is the hub's); the asking node keeps a `sent` row, the
    owning node a `received` row from the feed. Only the owning center answers, once: the status
    moves forward from 回答待ち and never back. No people and no contacts: the texts were scrubbed
    before they left the asking node; contacts are exchanged by the centers themselves.
    """

    direction = models.CharField(_("種別"), max_length=10, choices=IntroductionDirection.choices)
    need = models.ForeignKey(Need, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                             verbose_name=_("協働の種"))
    offer = models.ForeignKey(Offer, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                              verbose_name=_("できることメニュー"))
    need_title = models.CharField(_("協働の種"), max_length=400)
    offer_uuid = models.UUIDField(_("できることメニューのID"))
    offer_title = models.CharField(_("できること"), max_length=400)
    group_name = models.CharField(_("団体"), max_length=200, blank=True)
    other_center_name = models.CharField(_("相手のセンター"), max_length=200)
    message = models.TextField(_("依頼のメッセージ"))
    status = models.CharField(_("状態"), max_length=20, choices=IntroductionStatus.choices,
                              default=IntroductionStatus.PENDING)
    answer_message = models.TextField(_("回答のメッセージ"), blank=True)
    answered_at = models.DateTimeField(_("回答日時"), null=True, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("依頼した職員"))
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("回答した職員"))

    SEARCH_FIELDS = ("need_title", "offer_title", "group_name", "other_center_name")

    # The center's staff only: a group's members or a department never see requests about them.
    scope_rules = {
        "view": (("center", CENTER_VIEW),),
        "add": (("center", CENTER_CHANGE),),
        "change": (("center", CENTER_CHANGE),),
        "delete": (("center", CENTER_DELETE),),
    }

    class Meta:
        verbose_name = _("紹介の依頼")
        verbose_name_plural = _("紹介の依頼")
        ordering = ["-created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(direction__in=IntroductionDirection.values),
                                   name="introduction_direction_known"),
            models.CheckConstraint(condition=Q(status__in=IntroductionStatus.values), name="introduction_status_known"),
            models.CheckConstraint(condition=Q(status="pending", answered_at__isnull=True) |
                                   (~Q(status="pending") & Q(answered_at__isnull=False)),
                                   name="introduction_answered_iff_not_pending"),
        ]
        indexes = [models.Index(fields=["center", "direction", "status"])]

    def __str__(self) -> str:
        return f"{self.need_title} → {self.offer_title}"

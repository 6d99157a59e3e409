"""Introductions across centers (他センターへの紹介の依頼), written by the hub from the asking node's
request and answered once by the owning node."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from .registry import Node


class IntroductionStatus(models.TextChoices):
    PENDING = "pending", _("回答待ち")
    ACCEPTED = "accepted", _("紹介できる")
    DECLINED = "declined", _("紹介できない")


class IntroductionRequest(models.Model):
    """A center asks the center owning a listed offer to introduce its group for a need. Written by
    the hub from the asking node's request; answered once by the owning node (forward only)."""

    uuid = models.UUIDField(unique=True)
    from_node = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="+")
    from_center_uuid = models.UUIDField()
    from_center_name = models.CharField(max_length=200)
    to_node = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="+")
    to_center_uuid = models.UUIDField()
    # Copies of what was asked about: the offer may be retracted before the answer comes.
    offer_uuid = models.UUIDField()
    offer_title = models.CharField(max_length=400)
    group_name = models.CharField(max_length=200, blank=True)
    need_title = models.CharField(max_length=400)
    message = models.TextField()
    status = models.CharField(max_length=20, choices=IntroductionStatus.choices, default=IntroductionStatus.PENDING)
    answer_message = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("紹介の依頼")
        verbose_name_plural = _("紹介の依頼")
        ordering = ["-created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=IntroductionStatus.values),
                                   name="hub_introduction_status_known"),
            models.CheckConstraint(condition=Q(status="pending", answered_at__isnull=True) |
                                   (~Q(status="pending") & Q(answered_at__isnull=False)),
                                   name="hub_introduction_answered_iff_not_pending"),
            models.CheckConstraint(condition=~Q(from_node=F("to_node")), name="hub_introduction_other_node"),
        ]

    def __str__(self) -> str:
        return f"{self.need_title} → {self.offer_title}"

"""Centers as a network on the hub: relations declared by both centers (支援する / 支援を受ける) and
referrals between centers (他センターへの相談・同席の依頼), written by the hub from the nodes' requests."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from sync.wire import referrals as wire

from .registry import Node


class CenterRelation(models.Model):
    """`backing` backs `backed` (推進センター → 区センター). Each side declares through its own node;
    the relation holds once both have (confirmed_at). The hub writes the row; nodes read it in the feed."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    backing_node = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="+")
    backing_center_uuid = models.UUIDField()
    backed_node = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="+")
    backed_center_uuid = models.UUIDField()
    backing_declared_at = models.DateTimeField(null=True, blank=True)
    backed_declared_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("センター間の支援関係")
        verbose_name_plural = _("センター間の支援関係")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["backing_center_uuid", "backed_center_uuid"],
                                    name="hub_center_relation_once"),
            models.CheckConstraint(condition=~Q(backing_center_uuid=F("backed_center_uuid")),
                                   name="hub_center_relation_two_centers"),
            models.CheckConstraint(condition=Q(backing_declared_at__isnull=False) | Q(backed_declared_at__isnull=False),
                                   name="hub_center_relation_declared"),
            # Confirmed exactly when both sides have declared.
            models.CheckConstraint(condition=Q(confirmed_at__isnull=True) | Q(
                backing_declared_at__isnull=False, backed_declared_at__isnull=False),
                name="hub_center_relation_confirmed_by_both"),
        ]

    def __str__(self) -> str:
        return f"{self.backing_center_uuid} → {self.backed_center_uuid}"


class Referral(models.Model):
    """A center asks another for advice on a consultation or to sit in (同席). Written by the hub from
    the asking node's request; only the receiving node moves its status, forward only. Holds the
    scrubbed summary and question, never the requester."""

    uuid = models.UUIDField(unique=True)
    from_node = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="+")
    from_center_uuid = models.UUIDField()
    from_center_name = models.CharField(max_length=200)
    to_node = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="+")
    to_center_uuid = models.UUIDField()
    kind = models.CharField(max_length=10)
    summary = models.TextField()
    question = models.TextField()
    status = models.CharField(max_length=20, default="pending")
    answer_message = models.TextField(blank=True)
    joint_on = models.DateField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("センター間の相談")
        verbose_name_plural = _("センター間の相談")
        ordering = ["-created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=wire.KINDS), name="hub_referral_kind_known"),
            models.CheckConstraint(condition=Q(status__in=wire.STATUSES), name="hub_referral_status_known"),
            models.CheckConstraint(condition=Q(status__in=wire.FINAL_STATUSES, answered_at__isnull=False) |
                                   (~Q(status__in=wire.FINAL_STATUSES) & Q(answered_at__isnull=True)),
                                   name="hub_referral_answered_iff_final"),
            models.CheckConstraint(condition=Q(status=wire.JOINING, joint_on__isnull=False) |
                                   (~Q(status=wire.JOINING) & Q(joint_on__isnull=True)),
                                   name="hub_referral_joint_on_iff_joining"),
            models.CheckConstraint(condition=~Q(from_center_uuid=F("to_center_uuid")), name="hub_referral_other_center"),
        ]
        indexes = [models.Index(fields=["to_node", "status"])]

    def __str__(self) -> str:
        return f"{self.from_center_name} → {self.to_center_uuid}"

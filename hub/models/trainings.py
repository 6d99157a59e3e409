"""Trainings and information-sharing meetings across centers on the hub (研修・情報共有会議): opened by a
backing center's node to the centers it backs, the seats each registered center took, the attendance
the organizer counted, and the materials (no personal data, confirmed by the organizer's staff)."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from sync.wire import trainings as wire

from .registry import Node


class Training(models.Model):
    """Written by the hub from the organizing node's requests; the feed carries it to the invited nodes."""

    uuid = models.UUIDField(unique=True)
    node = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="+")
    center_uuid = models.UUIDField()
    center_name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20)
    title = models.CharField(max_length=wire.MAX_TITLE)
    description = models.TextField(blank=True)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(null=True, blank=True)
    place = models.CharField(max_length=wire.MAX_PLACE, blank=True)
    online = models.BooleanField(default=False)
    capacity_per_center = models.PositiveIntegerField(null=True, blank=True)
    capacity_total = models.PositiveIntegerField(null=True, blank=True)
    deadline = models.DateTimeField()
    status = models.CharField(max_length=20, default=wire.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("センター間の研修・情報共有会議")
        verbose_name_plural = _("センター間の研修・情報共有会議")
        ordering = ["-starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=wire.KINDS), name="hub_training_kind_known"),
            models.CheckConstraint(condition=Q(status__in=wire.STATUSES), name="hub_training_status_known"),
            models.CheckConstraint(condition=Q(ends_at__isnull=True) | Q(ends_at__gte=F("starts_at")),
                                   name="hub_training_ends_after_start"),
            models.CheckConstraint(condition=Q(deadline__lte=F("starts_at")), name="hub_training_deadline_before_start"),
            models.CheckConstraint(condition=Q(capacity_per_center__isnull=True) | Q(capacity_per_center__gte=1),
                                   name="hub_training_capacity_per_center_positive"),
            models.CheckConstraint(condition=Q(capacity_total__isnull=True) | Q(capacity_total__gte=1),
                                   name="hub_training_capacity_total_positive"),
            models.CheckConstraint(condition=Q(place__gt="") | Q(online=True), name="hub_training_has_a_place"),
        ]

    def __str__(self) -> str:
        return self.title


class TrainingInvitation(models.Model):
    """A backed center the training is open to (by a confirmed relation when it was opened)."""

    training = models.ForeignKey(Training, on_delete=models.CASCADE, related_name="invitations")
    node = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="+")
    center_uuid = models.UUIDField()
    center_name = models.CharField(max_length=200)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["training", "center_uuid"], name="hub_training_invited_once")]

    def __str__(self) -> str:
        return self.center_name


class TrainingRegistration(models.Model):
    """The seats one invited center took (0: cancelled) and, after the event, how many attended."""

    training = models.ForeignKey(Training, on_delete=models.CASCADE, related_name="registrations")
    node = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="+")
    center_uuid = models.UUIDField()
    center_name = models.CharField(max_length=200)
    seats = models.PositiveIntegerField()
    note = models.TextField(blank=True)
    attended = models.PositiveIntegerField(null=True, blank=True)
    registered_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["center_name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["training", "center_uuid"], name="hub_training_registration_once"),
            models.CheckConstraint(condition=Q(seats__lte=wire.MAX_SEATS), name="hub_training_seats_bounded"),
            models.CheckConstraint(condition=Q(attended__isnull=True) | Q(attended__lte=F("seats")),
                                   name="hub_training_attended_within_seats"),
        ]

    def __str__(self) -> str:
        return f"{self.center_name}: {self.seats}"


class TrainingMaterial(models.Model):
    """A material (資料): a file (PDF or an office document) kept here for the registered nodes to fetch,
    or a link. The organizer's staff confirmed it holds no personal data (`confirmed_at`)."""

    uuid = models.UUIDField(unique=True)
    training = models.ForeignKey(Training, on_delete=models.CASCADE, related_name="materials")
    title = models.CharField(max_length=wire.MAX_MATERIAL_TITLE)
    description = models.TextField(blank=True)
    filename = models.CharField(max_length=wire.MAX_FILENAME, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    content = models.BinaryField(blank=True, editable=False)
    size = models.PositiveIntegerField(default=0)
    link = models.URLField(max_length=wire.MAX_LINK, blank=True)
    confirmed_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            # A file or a link, never both and never neither.
            models.CheckConstraint(condition=(Q(filename__gt="") & Q(link="")) | (Q(filename="") & Q(link__gt="")),
                                   name="hub_training_material_file_or_link"),
            models.CheckConstraint(condition=Q(size__lte=wire.MAX_MATERIAL_BYTES), name="hub_training_material_size"),
        ]

    def __str__(self) -> str:
        return self.title

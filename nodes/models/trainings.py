"""Trainings and information-sharing meetings across centers (研修・情報共有会議, issue 17 item 4): a
backing center opens one to the centers it backs; their staff register; the organizer attaches
materials and counts the attendance per center.

A dedicated record rather than an `Event`: an event is a center's own activity, projected to the hub
as one of its records and counted in its figures; a training lives on two kinds of node at once (the
organizer's and each invited one's), its seats are taken from other nodes through the hub, and the
staff who attend are users of the registering node that never leave it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from sync.wire import trainings as wire

from .base import CENTER_CHANGE, CENTER_DELETE, CENTER_VIEW, CenterRecord

_STAFF_ONLY = {
    "view": (("center", CENTER_VIEW),),
    "add": (("center", CENTER_CHANGE),),
    "change": (("center", CENTER_CHANGE),),
    "delete": (("center", CENTER_DELETE),),
}


class TrainingKind(models.TextChoices):
    KENSHU = "kenshu", _("研修")
    JOHO_KYOYU = "joho_kyoyu", _("情報共有会議")


class TrainingSide(models.TextChoices):
    ORGANIZER = "organizer", _("主催")
    INVITED = "invited", _("案内を受けた")


class TrainingStatus(models.TextChoices):
    OPEN = "open", _("受付中")
    HELD = "held", _("開催済み")
    CANCELLED = "cancelled", _("中止")


class Training(CenterRecord):
    """On the organizer's node (side `organizer`), written by its staff and sent to the hub; on an
    invited node (side `invited`), the hub's feed copy, held by the invited center. Its uuid is the
    same everywhere."""

    side = models.CharField(_("立場"), max_length=10, choices=TrainingSide.choices)
    kind = models.CharField(_("種類"), max_length=20, choices=TrainingKind.choices)
    title = models.CharField(_("名称"), max_length=wire.MAX_TITLE)
    description = models.TextField(_("内容"), blank=True)
    starts_at = models.DateTimeField(_("開始日時"))
    ends_at = models.DateTimeField(_("終了日時"), null=True, blank=True)
    place = models.CharField(_("会場"), max_length=wire.MAX_PLACE, blank=True)
    online = models.BooleanField(_("オンライン"), default=False)
    capacity_per_center = models.PositiveIntegerField(_("1センターあたりの定員"), null=True, blank=True)
    capacity_total = models.PositiveIntegerField(_("全体の定員"), null=True, blank=True)
    deadline = models.DateTimeField(_("申込締切"))
    status = models.CharField(_("状態"), max_length=20, choices=TrainingStatus.choices, default=TrainingStatus.OPEN)
    organizer_center_uuid = models.UUIDField(_("主催センターのID"))
    organizer_center_name = models.CharField(_("主催センター"), max_length=200)
    # [{"uuid", "name"}] as the hub reports them: on the organizer's node every invited center, on an
    # invited node its own.
    invited_centers = models.JSONField(_("案内先のセンター"), default=list, blank=True)
    seats_taken = models.PositiveIntegerField(_("申込済みの人数"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("登録した職員"))

    SEARCH_FIELDS = ("title", "description", "place", "organizer_center_name")
    scope_rules = _STAFF_ONLY

    class Meta:
        verbose_name = _("センター間の研修・情報共有会議")
        verbose_name_plural = _("センター間の研修・情報共有会議")
        ordering = ["-starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(side__in=TrainingSide.values), name="training_side_known"),
            models.CheckConstraint(condition=Q(kind__in=TrainingKind.values), name="training_kind_known"),
            models.CheckConstraint(condition=Q(status__in=TrainingStatus.values), name="training_status_known"),
            models.CheckConstraint(condition=Q(ends_at__isnull=True) | Q(ends_at__gte=F("starts_at")),
                                   name="training_ends_after_start"),
            models.CheckConstraint(condition=Q(deadline__lte=F("starts_at")), name="training_deadline_before_start"),
            models.CheckConstraint(condition=Q(capacity_per_center__isnull=True) | Q(capacity_per_center__gte=1),
                                   name="training_capacity_per_center_positive"),
            models.CheckConstraint(condition=Q(capacity_total__isnull=True) | Q(capacity_total__gte=1),
                                   name="training_capacity_total_positive"),
            models.CheckConstraint(condition=Q(place__gt="") | Q(online=True), name="training_has_a_place"),
        ]
        indexes = [models.Index(fields=["center", "side", "starts_at"])]

    def __str__(self) -> str:
        return self.title


class TrainingRegistration(CenterRecord):
    """One center's seats in a training. On the registering node (center: the registering center) it
    names the staff who go (`participants`, never sent); on the organizer's node (center: the
    organizer) it is the hub's report: the registering center, its seats and note. `attended` is the
    organizer's count after the event, on both."""

    training = models.ForeignKey(Training, on_delete=models.CASCADE, related_name="registrations",
                                 verbose_name=_("研修・情報共有会議"))
    registering_center_uuid = models.UUIDField(_("申し込んだセンターのID"))
    registering_center_name = models.CharField(_("申し込んだセンター"), max_length=200)
    seats = models.PositiveIntegerField(_("人数"))
    note = models.TextField(_("連絡事項"), blank=True)
    attended = models.PositiveIntegerField(_("参加人数"), null=True, blank=True)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                      related_name="+", verbose_name=_("申し込んだ職員"))

    SEARCH_FIELDS = ("registering_center_name",)
    scope_rules = _STAFF_ONLY

    class Meta:
        verbose_name = _("研修への申込")
        verbose_name_plural = _("研修への申込")
        ordering = ["registering_center_name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["training", "registering_center_uuid"], name="training_registration_once"),
            models.CheckConstraint(condition=Q(seats__lte=wire.MAX_SEATS), name="training_seats_bounded"),
            models.CheckConstraint(condition=Q(attended__isnull=True) | Q(attended__lte=F("seats")),
                                   name="training_attended_within_seats"),
        ]

    def __str__(self) -> str:
        return f"{self.registering_center_name}: {self.seats}"


class TrainingParticipant(models.Model):
    """A staff member of the registering center who takes a seat; whether they attended is marked
    on this node. Never leaves the node."""

    registration = models.ForeignKey(TrainingRegistration, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("職員"))
    attended = models.BooleanField(_("参加した"), null=True, blank=True)

    class Meta:
        verbose_name = _("研修の参加職員")
        verbose_name_plural = _("研修の参加職員")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["registration", "user"], name="training_participant_once")]

    def __str__(self) -> str:
        return str(self.user)


class TrainingMaterial(CenterRecord):
    """A material (資料): a file (PDF or an office document) or a link. On the organizer's node the file
    is kept here; an invited node keeps the title and fetches the file from the hub when its staff
    download it. The organizer's staff confirmed it holds no personal data (who and when)."""

    training = models.ForeignKey(Training, on_delete=models.CASCADE, related_name="materials",
                                 verbose_name=_("研修・情報共有会議"))
    title = models.CharField(_("資料名"), max_length=wire.MAX_MATERIAL_TITLE)
    description = models.TextField(_("説明"), blank=True)
    filename = models.CharField(_("ファイル名"), max_length=wire.MAX_FILENAME, blank=True)
    content_type = models.CharField(_("ファイルの種類"), max_length=100, blank=True)
    content = models.BinaryField(blank=True, editable=False)
    size = models.PositiveIntegerField(_("サイズ"), default=0)
    link = models.URLField(_("リンク"), max_length=wire.MAX_LINK, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("個人情報なしを確認した職員"))
    confirmed_at = models.DateTimeField(_("個人情報なしの確認日時"), null=True, blank=True)

    SEARCH_FIELDS = ("title", "description")
    scope_rules = _STAFF_ONLY

    class Meta:
        verbose_name = _("研修の資料")
        verbose_name_plural = _("研修の資料")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=(Q(filename__gt="") & Q(link="")) | (Q(filename="") & Q(link__gt="")),
                                   name="training_material_file_or_link"),
            models.CheckConstraint(condition=Q(size__lte=wire.MAX_MATERIAL_BYTES), name="training_material_size"),
        ]

    def __str__(self) -> str:
        return self.title

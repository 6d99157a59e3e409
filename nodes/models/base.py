"""What every record of a center shares: its center (the partition root), uuid, version and search text;
the NPO Act's activity fields; the kana validator."""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from common.japanese import is_katakana_reading
from permissions.models import Organization

CENTER_VIEW = "view_center_records"
CENTER_CHANGE = "change_center_records"
CENTER_DELETE = "delete_center_records"


class ActivityField(models.Model):
    """The 20 activity fields of the NPO Act (特定非営利活動促進法 別表), with their statutory names."""

    code = models.PositiveSmallIntegerField(_("号"), unique=True)
    name = models.CharField(_("活動分野"), max_length=80, unique=True)
    short_name = models.CharField(_("略称"), max_length=30)

    class Meta:
        verbose_name = _("活動分野")
        verbose_name_plural = _("活動分野")
        ordering = ["code"]
        constraints = [models.CheckConstraint(condition=Q(code__gte=1, code__lte=20), name="activity_field_code_1_20")]

    def __str__(self) -> str:
        return self.short_name


class CenterRecord(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    center = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("センター"),
        limit_choices_to={"kind": "center"},
    )
    # Bumped by every service write; the hub keeps a copy only when the version is newer.
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("登録日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)
    # Normalized (NFKC, kana, case) text over the searchable fields; see common.japanese.
    search_text = models.TextField(blank=True, editable=False)

    PERSONAL_FIELDS: tuple[str, ...] = ()
    SEARCH_FIELDS: tuple[str, ...] = ()

    class Meta:
        abstract = True

    scope_rules = {
        "view": (("center", CENTER_VIEW),),
        "add": (("center", CENTER_CHANGE),),
        "change": (("center", CENTER_CHANGE),),
        "delete": (("center", CENTER_DELETE),),
    }


def validate_kana(value: str) -> None:
    if value and not is_katakana_reading(value):
        raise ValidationError(_("フリガナは全角カタカナで入力してください。"), code="not_katakana")

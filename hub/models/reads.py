"""Reads of the shared library from the nodes (事例ライブラリ（県）): how often each center's staff
searched it and read its cases, statistics and directory, counted per day."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .registry import Node, NodeCenter


class LibraryReadKind(models.TextChoices):
    SEARCH = "search", _("事例の検索")
    CASE = "case", _("事例の閲覧")
    STATISTICS = "statistics", _("統計の閲覧")
    DIRECTORY = "directory", _("団体一覧の閲覧")


class LibraryRead(models.Model):
    """One counter per center, kind and day: a read adds one (the audit log keeps each read)."""

    node = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="+")
    center = models.ForeignKey(NodeCenter, on_delete=models.CASCADE, related_name="library_reads")
    kind = models.CharField(_("種類"), max_length=20, choices=LibraryReadKind.choices)
    day = models.DateField(_("日"))
    count = models.PositiveIntegerField(_("回数"), default=1)

    class Meta:
        verbose_name = _("ライブラリの閲覧数")
        verbose_name_plural = _("ライブラリの閲覧数")
        constraints = [
            models.UniqueConstraint(fields=["center", "kind", "day"], name="library_read_unique"),
            models.CheckConstraint(condition=Q(kind__in=LibraryReadKind.values), name="library_read_kind_known"),
            models.CheckConstraint(condition=Q(count__gte=1), name="library_read_count_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.center_id} {self.kind} {self.day}: {self.count}"

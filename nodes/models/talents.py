"""Requests to the talent bank (地域人材への依頼): someone asks the center for a talent's help."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .base import CENTER_CHANGE, CENTER_DELETE, CENTER_VIEW, CenterRecord
from .groups import TalentVolunteer


class TalentRequestStatus(models.TextChoices):
    PENDING = "pending", _("未対応")
    INTRODUCED = "introduced", _("紹介した")
    DECLINED = "declined", _("お断りした")


class TalentRequest(CenterRecord):
    """A request from the public talent page. It goes to the center, never to the talent: staff call
    the talent, then record that they introduced (or declined) with a note. The requester's name and
    contact stay on the node; the talent's contact is never shown to the requester."""

    talent = models.ForeignKey(TalentVolunteer, on_delete=models.PROTECT, related_name="requests",
                               verbose_name=_("地域人材"))
    requester_name = models.CharField(_("依頼者のお名前"), max_length=100)
    requester_organization = models.CharField(_("団体名・所属"), max_length=200, blank=True)
    requester_phone = models.CharField(_("依頼者の電話番号"), max_length=40, blank=True)
    requester_email = models.EmailField(_("依頼者のメールアドレス"), blank=True)
    purpose = models.TextField(_("依頼の内容"))
    preferred_dates = models.CharField(_("希望日時"), max_length=200)
    place = models.CharField(_("場所"), max_length=200)
    status = models.CharField(_("対応状況"), max_length=20, choices=TalentRequestStatus.choices,
                              default=TalentRequestStatus.PENDING)
    answer_note = models.TextField(_("対応の記録"), blank=True)
    answered_at = models.DateTimeField(_("対応日時"), null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("対応した職員"))

    PERSONAL_FIELDS = ("requester_name", "requester_organization", "requester_phone", "requester_email")

    # The center's staff only: the talent bank is the center's service, not a group's or a department's.
    scope_rules = {
        "view": (("center", CENTER_VIEW),),
        "add": (("center", CENTER_CHANGE),),
        "change": (("center", CENTER_CHANGE),),
        "delete": (("center", CENTER_DELETE),),
    }

    class Meta:
        verbose_name = _("地域人材への依頼")
        verbose_name_plural = _("地域人材への依頼")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=TalentRequestStatus.values), name="talent_request_status_known"),
            models.CheckConstraint(condition=~Q(requester_name="") & ~Q(purpose="") & ~Q(preferred_dates="")
                                   & ~Q(place=""), name="talent_request_required_texts"),
            models.CheckConstraint(condition=~Q(requester_phone="") | ~Q(requester_email=""),
                                   name="talent_request_has_contact"),
            models.CheckConstraint(condition=Q(status="pending", answered_at__isnull=True)
                                   | (~Q(status="pending") & Q(answered_at__isnull=False) & ~Q(answer_note="")),
                                   name="talent_request_answered_with_note"),
        ]
        indexes = [models.Index(fields=["center", "status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.talent} ({self.get_status_display()})"

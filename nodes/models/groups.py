"""Registered groups (団体登録) and talent volunteers (地域人材ボランティア)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from common.japanese import corporate_number_is_valid, fiscal_year_bounds, fiscal_year_of
from permissions.models import Organization

from .base import CENTER_CHANGE, CENTER_DELETE, CENTER_VIEW, ActivityField, CenterRecord, validate_kana


class LegalForm(models.TextChoices):
    NPO = "npo", _("NPO法人")
    CERTIFIED_NPO = "certified_npo", _("認定NPO法人")
    GENERAL_ASSOCIATION = "general_association", _("一般社団法人")
    GENERAL_FOUNDATION = "general_foundation", _("一般財団法人")
    PUBLIC_INTEREST = "public_interest", _("公益社団・財団法人")
    SOCIAL_WELFARE = "social_welfare", _("社会福祉法人")
    VOLUNTARY = "voluntary", _("任意団体")
    VOLUNTEER = "volunteer", _("ボランティア団体")
    OTHER = "other", _("その他")


class GroupStatus(models.TextChoices):
    ACTIVE = "active", _("登録中")
    SUSPENDED = "suspended", _("休止中")
    DEREGISTERED = "deregistered", _("登録抹消")
    LAPSED = "lapsed", _("失効")


class GroupRegistration(CenterRecord):
    """団体登録: a group registered with the center; its name lives on its Organization."""

    organization = models.OneToOneField(
        Organization, on_delete=models.PROTECT, related_name="registration", verbose_name=_("団体")
    )
    legal_form = models.CharField(_("法人格"), max_length=30, choices=LegalForm.choices, default=LegalForm.VOLUNTARY)
    activity_fields = models.ManyToManyField(ActivityField, verbose_name=_("活動分野"), related_name="+", blank=True)
    description = models.TextField(_("活動内容"), blank=True)
    area = models.CharField(_("活動地域"), max_length=200, blank=True)
    member_count = models.PositiveIntegerField(_("会員数"), null=True, blank=True)
    representative_name = models.CharField(_("代表者氏名"), max_length=100, blank=True)
    representative_kana = models.CharField(_("代表者フリガナ"), max_length=100, blank=True, validators=[validate_kana])
    contact_name = models.CharField(_("連絡担当者"), max_length=100, blank=True)
    contact_phone = models.CharField(_("電話番号"), max_length=40, blank=True)
    contact_email = models.EmailField(_("メールアドレス"), blank=True)
    contact_postal_code = models.CharField(_("郵便番号"), max_length=10, blank=True)
    contact_address = models.CharField(_("住所"), max_length=300, blank=True)
    corporate_number = models.CharField(_("法人番号"), max_length=13, blank=True)
    registered_on = models.DateField(_("登録日"))
    renewal_due = models.DateField(_("更新期限"))
    status = models.CharField(_("状態"), max_length=20, choices=GroupStatus.choices, default=GroupStatus.ACTIVE)
    consent_hub_listing_at = models.DateTimeField(_("ハブ掲載の同意日時"), null=True, blank=True)
    consent_named_cases_at = models.DateTimeField(_("事例での団体名公開の同意日時"), null=True, blank=True)
    consent_disaster_contact_at = models.DateTimeField(_("災害時連絡先共有の同意日時"), null=True, blank=True)
    # 全国掲載: the listing (and the offers) also go on from the prefectural hub to the national hub.
    # Who recorded it is in the audit log; it needs the hub listing it extends.
    consent_national_listing_at = models.DateTimeField(_("全国ハブ掲載の同意日時"), null=True, blank=True)

    PERSONAL_FIELDS = (
        "representative_name", "representative_kana", "contact_name", "contact_phone", "contact_email",
        "contact_postal_code", "contact_address",
    )
    SEARCH_FIELDS = ("organization.name", "organization.name_kana", "area", "description")
    CONSENTS = ("hub_listing", "named_cases", "disaster_contact", "national_listing")
    # Registrations run for three 年度: the one registered in and the two after it.
    REGISTRATION_FISCAL_YEARS = 3

    scope_rules = {
        "view": (("center", CENTER_VIEW), ("organization", "view_group_profile")),
        "add": (("center", CENTER_CHANGE),),
        "change": (("center", CENTER_CHANGE), ("organization", "change_group_profile")),
        "delete": (("center", CENTER_DELETE),),
    }

    class Meta:
        verbose_name = _("登録団体")
        verbose_name_plural = _("登録団体")
        constraints = [
            models.CheckConstraint(condition=Q(renewal_due__gt=F("registered_on")), name="group_renewal_after_registration"),
            models.CheckConstraint(
                condition=Q(corporate_number="") | Q(corporate_number__regex=r"^[0-9]{13}$"),
                name="group_corporate_number_13_digits",
            ),
            models.CheckConstraint(condition=Q(status__in=GroupStatus.values), name="group_status_known"),
            models.CheckConstraint(condition=Q(consent_national_listing_at__isnull=True)
                                   | Q(consent_hub_listing_at__isnull=False), name="group_national_listing_needs_hub"),
        ]
        indexes = [models.Index(fields=["center", "renewal_due"]), models.Index(fields=["center", "status"]),
                   models.Index(fields=["center", "updated_at"], name="group_center_updated")]

    def __str__(self) -> str:
        return self.organization.name

    @property
    def name(self) -> str:
        return self.organization.name

    @classmethod
    def renewal_due_for(cls, registered_on: dt.date) -> dt.date:
        return fiscal_year_bounds(fiscal_year_of(registered_on) + cls.REGISTRATION_FISCAL_YEARS - 1)[1]

    def clean(self) -> None:
        errors = {}
        if self.corporate_number and not corporate_number_is_valid(self.corporate_number):
            errors["corporate_number"] = ValidationError(
                _("法人番号は13桁で、先頭の検査数字が一致する必要があります。"), code="invalid_corporate_number"
            )
        if self.registered_on and self.renewal_due and self.renewal_due <= self.registered_on:
            errors["renewal_due"] = ValidationError(_("更新期限は登録日より後にしてください。"), code="renewal_before_registration")
        if errors:
            raise ValidationError(errors)


# --- 地域人材ボランティア -----------------------------------------------------------------------


class TalentVolunteer(CenterRecord):
    """地域人材ボランティア (e.g. 西区街の名人・達人): a person, what they can do, where and when."""

    name = models.CharField(_("氏名"), max_length=100)
    name_kana = models.CharField(_("フリガナ"), max_length=100, blank=True, validators=[validate_kana])
    phone = models.CharField(_("電話番号"), max_length=40, blank=True)
    email = models.EmailField(_("メールアドレス"), blank=True)
    title = models.CharField(_("名人・達人としての名称"), max_length=120, blank=True)
    skills = models.TextField(_("できること・特技"))
    activity_fields = models.ManyToManyField(ActivityField, verbose_name=_("活動分野"), related_name="+", blank=True)
    area = models.CharField(_("活動できる地域"), max_length=200, blank=True)
    availability = models.CharField(_("活動できる日時"), max_length=200, blank=True)
    conditions = models.CharField(_("条件（交通費など）"), max_length=200, blank=True)
    registered_on = models.DateField(_("登録日"))
    is_active = models.BooleanField(_("活動中"), default=True)
    # Two consents, each with the time the person gave it (withdrawn: back to null): to appear in the
    # public talent search on the web, and in the printed guidebook (名人・達人ガイドブック).
    consent_public_listing_at = models.DateTimeField(_("公開検索への掲載の同意日時"), null=True, blank=True)
    consent_guidebook_at = models.DateTimeField(_("ガイドブック掲載の同意日時"), null=True, blank=True)
    # Term counts of title and skills (nodes.matching_text.terms): talents rank for needs like offers.
    match_terms = models.JSONField(default=dict, blank=True, editable=False)

    PERSONAL_FIELDS = ("name", "name_kana", "phone", "email")
    SEARCH_FIELDS = ("name", "name_kana", "title", "skills", "area")
    MATCH_TEXT_FIELDS = ("title", "skills")
    CONSENTS = ("public_listing", "guidebook")

    class Meta:
        verbose_name = _("地域人材ボランティア")
        verbose_name_plural = _("地域人材ボランティア")
        constraints = [models.CheckConstraint(condition=~Q(skills=""), name="talent_skills_not_blank")]
        indexes = [models.Index(fields=["center", "consent_public_listing_at"])]

    def __str__(self) -> str:
        return self.title or self.skills[:30]

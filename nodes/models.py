"""A center's own records: groups, talent volunteers, events, consultations, cases, needs, offers.

Every record carries its center (the partition root every permission and every sync batch is
cut along), a uuid that identifies it across the federation, and a version the hub compares.
Personal data is marked in `PERSONAL_FIELDS`: reading it is audited, and it never leaves the node.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.japanese import corporate_number_is_valid, fiscal_year_bounds, fiscal_year_of, is_katakana_reading
from common.vocabulary import CaseOutcome, CollaborationForm, CostItem, PartyRole
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


# --- 団体登録 --------------------------------------------------------------------------------


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

    PERSONAL_FIELDS = (
        "representative_name", "representative_kana", "contact_name", "contact_phone", "contact_email",
        "contact_postal_code", "contact_address",
    )
    SEARCH_FIELDS = ("organization.name", "organization.name_kana", "area", "description")
    CONSENTS = ("hub_listing", "named_cases", "disaster_contact")
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
        ]
        indexes = [models.Index(fields=["center", "renewal_due"]), models.Index(fields=["center", "status"])]

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
    listed_in_guidebook = models.BooleanField(_("ガイドブック掲載可"), default=False)

    PERSONAL_FIELDS = ("name", "name_kana", "phone", "email")
    SEARCH_FIELDS = ("name", "name_kana", "title", "skills", "area")

    class Meta:
        verbose_name = _("地域人材ボランティア")
        verbose_name_plural = _("地域人材ボランティア")
        constraints = [models.CheckConstraint(condition=~Q(skills=""), name="talent_skills_not_blank")]

    def __str__(self) -> str:
        return self.title or self.skills[:30]


# --- 協働事例 -------------------------------------------------------------------------------


class SharingLevel(models.TextChoices):
    PRIVATE = "private", _("非公開（センター内のみ）")
    ANONYMIZED = "anonymized", _("匿名化してハブと共有")
    NAMED = "named", _("団体名を出してハブと共有")


class CollaborationCase(CenterRecord):
    """協働事例: who did what together, with whose money, and what became of it."""

    title = models.CharField(_("事業名"), max_length=200)
    summary = models.TextField(_("概要"))
    form = models.CharField(_("協働の形態"), max_length=30, choices=CollaborationForm.choices)
    activity_fields = models.ManyToManyField(ActivityField, verbose_name=_("活動分野"), related_name="+", blank=True)
    responsible_department = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="department_cases",
        verbose_name=_("担当課"), limit_choices_to={"kind": "city_department"},
    )
    parties = models.ManyToManyField(Organization, through="CaseParty", related_name="cases", verbose_name=_("協働の主体"))
    total_cost = models.PositiveBigIntegerField(_("事業費（円）"), null=True, blank=True)
    city_share = models.PositiveBigIntegerField(_("うち市負担額（円）"), null=True, blank=True)
    fiscal_year_start = models.PositiveSmallIntegerField(_("開始年度"))
    fiscal_year_end = models.PositiveSmallIntegerField(_("終了年度"), null=True, blank=True)
    outcome = models.CharField(_("期間後の状況"), max_length=20, choices=CaseOutcome.choices, default=CaseOutcome.ONGOING)
    lessons = models.TextField(_("教訓・課題"), blank=True)
    sharing_level = models.CharField(
        _("共有レベル"), max_length=20, choices=SharingLevel.choices, default=SharingLevel.PRIVATE
    )

    SEARCH_FIELDS = ("title", "summary", "lessons")

    scope_rules = {
        "view": (("center", CENTER_VIEW), ("responsible_department", "manage_department_cases")),
        "add": (("center", CENTER_CHANGE), ("responsible_department", "manage_department_cases")),
        "change": (("center", CENTER_CHANGE), ("responsible_department", "manage_department_cases")),
        "delete": (("center", CENTER_DELETE),),
    }

    class Meta:
        verbose_name = _("協働事例")
        verbose_name_plural = _("協働事例")
        constraints = [
            models.CheckConstraint(condition=Q(city_share__isnull=True) | Q(total_cost__isnull=False, city_share__lte=F("total_cost")), name="case_city_share_within_total"),
            models.CheckConstraint(condition=Q(fiscal_year_end__isnull=True) | Q(fiscal_year_end__gte=F("fiscal_year_start")), name="case_years_ordered"),
            models.CheckConstraint(condition=Q(fiscal_year_start__gte=1950, fiscal_year_start__lte=2100), name="case_start_year_plausible"),
            models.CheckConstraint(condition=Q(form__in=CollaborationForm.values), name="case_form_known"),
            models.CheckConstraint(condition=Q(sharing_level__in=SharingLevel.values), name="case_sharing_level_known"),
        ]
        indexes = [models.Index(fields=["center", "fiscal_year_start"])]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors = {}
        if self.city_share is not None and (self.total_cost is None or self.city_share > self.total_cost):
            errors["city_share"] = ValidationError(_("市負担額は事業費以下にしてください。"), code="city_share_exceeds_total")
        if self.fiscal_year_end is not None and self.fiscal_year_start and self.fiscal_year_end < self.fiscal_year_start:
            errors["fiscal_year_end"] = ValidationError(_("終了年度は開始年度以降にしてください。"), code="years_reversed")
        if self.fiscal_year_start is not None and not 1950 <= self.fiscal_year_start <= 2100:
            errors["fiscal_year_start"] = ValidationError(_("開始年度は西暦で入力してください（例: 2014）。"), code="year_out_of_range")
        if errors:
            raise ValidationError(errors)


class CaseParty(models.Model):
    """One party of a case and what it brought (seed 001: 専門知識, 住民への説明, 事業費の負担 …)."""

    case = models.ForeignKey(CollaborationCase, on_delete=models.CASCADE, related_name="party_roles")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("立場"), max_length=20, choices=PartyRole.choices, default=PartyRole.PARTNER)
    contribution = models.TextField(_("担った役割"), blank=True)

    class Meta:
        verbose_name = _("協働の主体")
        verbose_name_plural = _("協働の主体")
        constraints = [models.UniqueConstraint(fields=["case", "organization"], name="case_party_unique")]
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.organization} ({self.get_role_display()})"


# --- イベント --------------------------------------------------------------------------------


class EventKind(models.TextChoices):
    KORYUKAI = "koryukai", _("交流会")
    KOZA = "koza", _("講座")
    FESTIVAL = "festival", _("フェスティバル")
    SETSUMEIKAI = "setsumeikai", _("説明会")
    IKEN_KOKAN = "iken_kokan", _("意見交換会")
    PARTNERSHIP_MEETING = "partnership_meeting", _("パートナーシップミーティング")
    KOENKAI = "koenkai", _("講演会")
    HAPPYOKAI = "happyokai", _("発表会")
    PERFORMANCE = "performance", _("ステージ・パフォーマンス")
    EXHIBITION = "exhibition", _("展示")
    OTHER = "other", _("その他")


class EventStatus(models.TextChoices):
    PLANNED = "planned", _("予定")
    HELD = "held", _("開催済み")
    CANCELLED = "cancelled", _("中止")


class Event(CenterRecord):
    title = models.CharField(_("イベント名"), max_length=200)
    kind = models.CharField(_("種類"), max_length=30, choices=EventKind.choices)
    theme = models.CharField(_("テーマ"), max_length=200, blank=True)
    activity_fields = models.ManyToManyField(ActivityField, verbose_name=_("活動分野"), related_name="+", blank=True)
    description = models.TextField(_("内容"), blank=True)
    starts_at = models.DateTimeField(_("開始日時"))
    ends_at = models.DateTimeField(_("終了日時"), null=True, blank=True)
    venue = models.CharField(_("会場"), max_length=200, blank=True)
    organizers = models.ManyToManyField(Organization, related_name="organized_events", verbose_name=_("主催・共催"), blank=True)
    participants = models.ManyToManyField(
        Organization, related_name="participated_events", verbose_name=_("参加団体"), blank=True
    )
    capacity = models.PositiveIntegerField(_("定員"), null=True, blank=True)
    attendance = models.PositiveIntegerField(_("参加者数"), null=True, blank=True)
    status = models.CharField(_("状態"), max_length=20, choices=EventStatus.choices, default=EventStatus.PLANNED)
    cancellation_reason = models.CharField(_("中止理由"), max_length=200, blank=True)
    is_public = models.BooleanField(_("公開イベント"), default=False)
    outcome_note = models.TextField(_("成果（生まれた協働・団体など）"), blank=True)
    produced_cases = models.ManyToManyField(
        CollaborationCase, related_name="origin_events", verbose_name=_("生まれた協働事例"), blank=True
    )
    produced_groups = models.ManyToManyField(
        GroupRegistration, related_name="origin_events", verbose_name=_("生まれた団体"), blank=True
    )

    SEARCH_FIELDS = ("title", "theme", "venue", "description", "outcome_note")

    class Meta:
        verbose_name = _("イベント")
        verbose_name_plural = _("イベント")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__isnull=True) | Q(ends_at__gte=F("starts_at")), name="event_ends_after_start"),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | ~Q(cancellation_reason=""), name="event_cancellation_has_reason"
            ),
            models.CheckConstraint(condition=Q(status__in=EventStatus.values), name="event_status_known"),
        ]
        indexes = [models.Index(fields=["center", "starts_at"])]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors = {}
        if self.ends_at and self.starts_at and self.ends_at < self.starts_at:
            errors["ends_at"] = ValidationError(_("終了日時は開始日時より後にしてください。"), code="ends_before_start")
        if self.status == EventStatus.CANCELLED and not self.cancellation_reason.strip():
            errors["cancellation_reason"] = ValidationError(
                _("中止の場合は理由を入力してください（例: コロナ中止、雨天中止）。"), code="reason_required"
            )
        if errors:
            raise ValidationError(errors)


# --- 相談 (関わりカード) -----------------------------------------------------------------------


class ConsultationChannel(models.TextChoices):
    COUNTER = "counter", _("窓口")
    PHONE = "phone", _("電話")
    EMAIL = "email", _("メール")
    ONLINE = "online", _("オンライン")
    OUTREACH = "outreach", _("訪問・出張")
    OTHER = "other", _("その他")


class ConsultationStep(models.TextChoices):
    INTAKE = "intake", _("インテーク")
    COORDINATE = "coordinate", _("コーディネート")
    CLOSING = "closing", _("クロージング")
    CLOSED = "closed", _("完了")


CONSULTATION_STEP_ORDER = [s.value for s in ConsultationStep]


class Consultation(CenterRecord):
    """関わりカード: a consultation through インテーク → コーディネート → クロージング. Never leaves the node."""

    requester_name = models.CharField(_("相談者氏名"), max_length=100, blank=True)
    requester_contact = models.CharField(_("相談者連絡先"), max_length=200, blank=True)
    requester_organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("相談者の所属団体")
    )
    topic = models.CharField(_("相談テーマ"), max_length=200)
    channel = models.CharField(_("受付方法"), max_length=20, choices=ConsultationChannel.choices)
    step = models.CharField(_("ステップ"), max_length=20, choices=ConsultationStep.choices, default=ConsultationStep.INTAKE)
    intake_at = models.DateTimeField(_("インテーク日時"))
    intake_staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("インテーク担当"))
    intake_note = models.TextField(_("インテーク記録"), blank=True)
    coordinate_at = models.DateTimeField(_("コーディネート開始日時"), null=True, blank=True)
    coordinate_staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("コーディネート担当")
    )
    coordinate_note = models.TextField(_("コーディネート記録"), blank=True)
    closing_at = models.DateTimeField(_("クロージング日時"), null=True, blank=True)
    closing_staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("クロージング担当")
    )
    closing_note = models.TextField(_("クロージング記録"), blank=True)
    closed_at = models.DateTimeField(_("完了日時"), null=True, blank=True)
    linked_organizations = models.ManyToManyField(Organization, related_name="+", verbose_name=_("関係団体"), blank=True)
    linked_cases = models.ManyToManyField(CollaborationCase, related_name="consultations", verbose_name=_("関連する協働事例"), blank=True)

    PERSONAL_FIELDS = ("requester_name", "requester_contact", "intake_note", "coordinate_note", "closing_note")
    SEARCH_FIELDS = ("topic",)

    class Meta:
        verbose_name = _("相談（関わりカード）")
        verbose_name_plural = _("相談（関わりカード）")
        ordering = ["-intake_at"]
        constraints = [
            # The steps only move forward, and each step's timestamp follows the one before it.
            models.CheckConstraint(
                condition=(
                    Q(step="intake", coordinate_at__isnull=True, closing_at__isnull=True, closed_at__isnull=True)
                    | Q(step="coordinate", coordinate_at__isnull=False, closing_at__isnull=True, closed_at__isnull=True)
                    | Q(step="closing", coordinate_at__isnull=False, closing_at__isnull=False, closed_at__isnull=True)
                    | Q(step="closed", coordinate_at__isnull=False, closing_at__isnull=False, closed_at__isnull=False)
                ),
                name="consultation_step_matches_timestamps",
            ),
            models.CheckConstraint(
                condition=Q(coordinate_at__isnull=True) | Q(coordinate_at__gte=F("intake_at")), name="consultation_coordinate_after_intake"
            ),
            models.CheckConstraint(
                condition=Q(closing_at__isnull=True) | Q(closing_at__gte=F("coordinate_at")), name="consultation_closing_after_coordinate"
            ),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | Q(closed_at__gte=F("closing_at")), name="consultation_closed_after_closing"
            ),
        ]
        indexes = [models.Index(fields=["center", "step"])]

    def __str__(self) -> str:
        return self.topic

    @property
    def next_step(self) -> str | None:
        index = CONSULTATION_STEP_ORDER.index(self.step)
        return CONSULTATION_STEP_ORDER[index + 1] if index + 1 < len(CONSULTATION_STEP_ORDER) else None


# --- 協働の種 / できることメニュー ------------------------------------------------------------------


class NeedStatus(models.TextChoices):
    OPEN = "open", _("募集中")
    COORDINATING = "coordinating", _("調整中")
    MATCHED = "matched", _("マッチング済み")
    CLOSED = "closed", _("終了")


class NeedBudget(models.TextChoices):
    """Where the requester stands in the 年度 budget cycle (seed 002: テーマ募集 in spring, 予算 in autumn)."""

    UNDECIDED = "undecided", _("未定")
    SECURED = "secured", _("予算あり")
    TO_REQUEST = "to_request", _("次年度以降に予算要求予定")
    NONE = "none", _("予算なし（費用を伴わない協働）")


# Forms of collaboration that hand a group a contract: 委託 needs a legal entity to contract with.
FORMS_NEEDING_LEGAL_ENTITY = frozenset({CollaborationForm.ITAKU})
# Forms that cost the city money, so they depend on the 年度 budget cycle.
FORMS_NEEDING_BUDGET = frozenset({
    CollaborationForm.ITAKU, CollaborationForm.HOJO, CollaborationForm.KYODO_SUISHIN_GYOSEI,
    CollaborationForm.KYODO_SUISHIN_SHIMIN, CollaborationForm.SHITEI_KANRI,
})
LEGAL_ENTITY_FORMS = frozenset({
    LegalForm.NPO, LegalForm.CERTIFIED_NPO, LegalForm.GENERAL_ASSOCIATION, LegalForm.GENERAL_FOUNDATION,
    LegalForm.PUBLIC_INTEREST, LegalForm.SOCIAL_WELFARE,
})
MONTHS = tuple(range(1, 13))


def is_legal_entity(legal_form: str) -> bool | None:
    """True for 法人, False for 任意団体・ボランティア団体, None when the form does not say (その他)."""
    if legal_form in LEGAL_ENTITY_FORMS:
        return True
    if legal_form in (LegalForm.VOLUNTARY, LegalForm.VOLUNTEER):
        return False
    return None


def _choice_list_errors(value, allowed, label: str, code: str) -> ValidationError | None:
    if not isinstance(value, list) or any(item not in allowed for item in value):
        return ValidationError(_("%(label)sは一覧から選んでください。") % {"label": label}, code=code)
    if len(set(value)) != len(value):
        return ValidationError(_("%(label)sが重複しています。") % {"label": label}, code="duplicate")
    return None


class Need(CenterRecord):
    """協働の種: what a department or a neighbourhood would like to do together with others."""

    title = models.CharField(_("協働の種"), max_length=200)
    description = models.TextField(_("内容"))
    purpose = models.TextField(_("目的"), blank=True)
    requester = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="needs", verbose_name=_("提案元（担当課・地域）")
    )
    activity_fields = models.ManyToManyField(ActivityField, verbose_name=_("活動分野"), related_name="+", blank=True)
    area = models.CharField(_("地域"), max_length=200, blank=True)
    fiscal_year = models.PositiveSmallIntegerField(_("実施希望年度"), null=True, blank=True)
    needed_by = models.DateField(_("希望時期"), null=True, blank=True)
    budget = models.CharField(_("予算の状況"), max_length=20, choices=NeedBudget.choices, default=NeedBudget.UNDECIDED)
    # CollaborationForm values; PostgreSQL checks the values too (migration 0004), SQLite relies on clean().
    allowed_forms = models.JSONField(_("想定する協働の形態"), default=list, blank=True)
    forms_note = models.CharField(_("協働の形態についての補足"), max_length=300, blank=True)
    resources = models.TextField(_("提案元が用意できるもの"), blank=True)
    covered_costs = models.JSONField(_("提案元が負担できる費用"), default=list, blank=True)
    partner_role = models.TextField(_("団体に期待すること"), blank=True)
    status = models.CharField(_("状態"), max_length=20, choices=NeedStatus.choices, default=NeedStatus.OPEN)
    # Term counts of the texts below (nodes.matching.terms), kept so a suggestion query never tokenizes rows.
    match_terms = models.JSONField(default=dict, blank=True, editable=False)

    SEARCH_FIELDS = ("title", "description", "area")
    MATCH_TEXT_FIELDS = ("title", "description", "purpose", "partner_role")

    scope_rules = {
        "view": (("center", CENTER_VIEW), ("requester", "manage_department_needs")),
        "add": (("center", CENTER_CHANGE), ("requester", "manage_department_needs")),
        "change": (("center", CENTER_CHANGE), ("requester", "manage_department_needs")),
        "delete": (("center", CENTER_DELETE), ("requester", "manage_department_needs")),
    }

    class Meta:
        verbose_name = _("協働の種")
        verbose_name_plural = _("協働の種")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=NeedStatus.values), name="need_status_known"),
            models.CheckConstraint(condition=Q(budget__in=NeedBudget.values), name="need_budget_known"),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors = {}
        for name, allowed, code in (("allowed_forms", CollaborationForm.values, "invalid_form"),
                                    ("covered_costs", CostItem.values, "invalid_cost")):
            error = _choice_list_errors(getattr(self, name), allowed, str(self._meta.get_field(name).verbose_name), code)
            if error:
                errors[name] = error
        if errors:
            raise ValidationError(errors)

    def get_allowed_forms_display(self) -> list[str]:
        return [str(CollaborationForm(v).label) for v in self.allowed_forms if v in CollaborationForm.values]


class Offer(CenterRecord):
    """できることメニュー: one thing a registered group can do with others."""

    group = models.ForeignKey(GroupRegistration, on_delete=models.CASCADE, related_name="offers", verbose_name=_("団体"))
    title = models.CharField(_("できること"), max_length=200)
    description = models.TextField(_("内容"))
    activity_fields = models.ManyToManyField(ActivityField, verbose_name=_("活動分野"), related_name="+", blank=True)
    area = models.CharField(_("対応できる地域"), max_length=200, blank=True)
    capacity = models.CharField(_("対応できる規模・回数"), max_length=200, blank=True)
    available_months = models.JSONField(_("対応できる時期（月）"), default=list, blank=True,
                                        help_text=_("空欄は通年"))
    cost_conditions = models.JSONField(_("負担をお願いする費用"), default=list, blank=True)
    conditions = models.CharField(_("条件（交通費・材料費など）"), max_length=300, blank=True)
    is_published = models.BooleanField(_("メニューに掲載"), default=True)
    match_terms = models.JSONField(default=dict, blank=True, editable=False)

    SEARCH_FIELDS = ("title", "description", "area", "group.organization.name")
    MATCH_TEXT_FIELDS = ("title", "description")

    scope_rules = {
        "view": (("center", CENTER_VIEW), ("group__organization", "manage_group_offers")),
        "add": (("center", CENTER_CHANGE), ("group__organization", "manage_group_offers")),
        "change": (("center", CENTER_CHANGE), ("group__organization", "manage_group_offers")),
        "delete": (("center", CENTER_DELETE), ("group__organization", "manage_group_offers")),
    }

    class Meta:
        verbose_name = _("できることメニュー")
        verbose_name_plural = _("できることメニュー")

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors = {}
        error = _choice_list_errors(self.available_months, MONTHS, str(_("対応できる時期")), "invalid_month")
        if error:
            errors["available_months"] = error
        error = _choice_list_errors(self.cost_conditions, CostItem.values, str(_("負担をお願いする費用")), "invalid_cost")
        if error:
            errors["cost_conditions"] = error
        if errors:
            raise ValidationError(errors)


# --- マッチング ------------------------------------------------------------------------------


class DismissalReason(models.TextChoices):
    FIELDS = "fields", _("活動分野が合わない")
    CONTENT = "content", _("内容が合わない")
    AREA = "area", _("地域が合わない")
    FORM = "form", _("協働の形態が合わない")
    TIMING = "timing", _("時期が合わない")
    CONDITIONS = "conditions", _("費用・条件が合わない")
    CAPACITY = "capacity", _("規模・体制が合わない")
    ALREADY = "already", _("すでに別の形で調整済み")
    OTHER = "other", _("その他")


class SuggestionDismissal(CenterRecord):
    """Staff set a suggested (need, offer) pair aside, and why; the ranking learns from these rows."""

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="dismissals", verbose_name=_("協働の種"))
    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="dismissals",
                              verbose_name=_("できることメニュー"))
    # Kept apart from the need and offer so the lesson outlives them: "this department, not this group".
    requester = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("提案元"))
    group = models.ForeignKey(GroupRegistration, on_delete=models.CASCADE, related_name="+", verbose_name=_("団体"))
    reason = models.CharField(_("見送りの理由"), max_length=20, choices=DismissalReason.choices)
    note = models.TextField(_("補足"), blank=True)
    # The feature values the suggestion had when it was dismissed (see nodes.matching.FEATURES).
    features = models.JSONField(default=dict, blank=True, editable=False)
    score = models.FloatField(null=True, blank=True, editable=False)
    dismissed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("見送った職員"))

    scope_rules = {
        "view": (("center", CENTER_VIEW),),
        "add": (("center", CENTER_CHANGE),),
        "change": (("center", CENTER_CHANGE),),
        # Staff may take back their own centre's dismissals; they are judgements, not records of fact.
        "delete": (("center", CENTER_CHANGE),),
    }

    class Meta:
        verbose_name = _("見送った提案")
        verbose_name_plural = _("見送った提案")
        constraints = [
            models.UniqueConstraint(fields=["need", "offer"], name="dismissal_once_per_pair",
                                    violation_error_message=_("この提案はすでに見送っています。"),
                                    violation_error_code="already_dismissed"),
            models.CheckConstraint(condition=Q(reason__in=DismissalReason.values), name="dismissal_reason_known"),
            models.CheckConstraint(condition=~Q(reason="other") | ~Q(note=""), name="dismissal_other_has_note"),
        ]
        indexes = [models.Index(fields=["center", "requester"])]

    def __str__(self) -> str:
        return f"{self.need} × {self.offer}"

    def clean(self) -> None:
        if self.reason == DismissalReason.OTHER and not self.note.strip():
            raise ValidationError({"note": ValidationError(_("「その他」の場合は理由を入力してください。"),
                                                           code="note_required")})


class MatchStatus(models.TextChoices):
    PROPOSED = "proposed", _("提案")
    MEETING = "meeting", _("事前打ち合わせ")
    AGREED = "agreed", _("合意")
    CASE_CREATED = "case_created", _("協働事例を作成")
    DECLINED = "declined", _("見送り")


MATCH_STATUS_ORDER = [MatchStatus.PROPOSED, MatchStatus.MEETING, MatchStatus.AGREED, MatchStatus.CASE_CREATED]
MATCH_ACTIVE_STATUSES = (MatchStatus.PROPOSED, MatchStatus.MEETING, MatchStatus.AGREED)
# Two weeks without a step or a meeting: the parties are likely waiting on the center.
MATCH_STALLED_DAYS = 14


class Match(CenterRecord):
    """One pairing the center coordinates: 提案 → 事前打ち合わせ → 合意 → 協働事例, or 見送り.

    The status only moves forward: the services refuse anything else, the check constraint ties
    each status to its timestamps, and a trigger (migration 0004) refuses a backward UPDATE.
    """

    need = models.ForeignKey(Need, on_delete=models.PROTECT, related_name="matches", verbose_name=_("協働の種"))
    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="matches", verbose_name=_("できることメニュー"))
    status = models.CharField(_("状況"), max_length=20, choices=MatchStatus.choices, default=MatchStatus.PROPOSED)
    note = models.TextField(_("提案のメモ"), blank=True)
    # The suggestion's reasons when staff proposed it, so the board can say why this pair was tried.
    reasons = models.JSONField(default=list, blank=True, editable=False)
    score = models.FloatField(null=True, blank=True, editable=False)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("提案した職員"))
    meeting_at = models.DateTimeField(_("事前打ち合わせ開始"), null=True, blank=True)
    agreed_at = models.DateTimeField(_("合意日時"), null=True, blank=True)
    agreed_form = models.CharField(_("合意した協働の形態"), max_length=30, choices=CollaborationForm.choices, blank=True)
    case = models.OneToOneField(CollaborationCase, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="origin_match", verbose_name=_("作成した協働事例"))
    case_created_at = models.DateTimeField(_("事例作成日時"), null=True, blank=True)
    declined_at = models.DateTimeField(_("見送り日時"), null=True, blank=True)
    declined_reason = models.TextField(_("見送りの理由"), blank=True)
    # Any step or meeting moves this; a match with no activity for MATCH_STALLED_DAYS is stalled.
    last_activity_at = models.DateTimeField(_("最終更新"))

    scope_rules = {
        "view": (("center", CENTER_VIEW), ("need__requester", "manage_department_needs"),
                 ("offer__group__organization", "manage_group_offers")),
        "add": (("center", CENTER_CHANGE),),
        "change": (("center", CENTER_CHANGE),),
        "delete": (("center", CENTER_DELETE),),
    }

    class Meta:
        verbose_name = _("マッチング")
        verbose_name_plural = _("マッチング")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=MatchStatus.values), name="match_status_known"),
            models.CheckConstraint(
                condition=(
                    Q(status="proposed", meeting_at__isnull=True, agreed_at__isnull=True, case__isnull=True,
                      case_created_at__isnull=True, declined_at__isnull=True)
                    | Q(status="meeting", meeting_at__isnull=False, agreed_at__isnull=True, case__isnull=True,
                        case_created_at__isnull=True, declined_at__isnull=True)
                    | (Q(status="agreed", meeting_at__isnull=False, agreed_at__isnull=False, case__isnull=True,
                         case_created_at__isnull=True, declined_at__isnull=True) & ~Q(agreed_form=""))
                    | (Q(status="case_created", meeting_at__isnull=False, agreed_at__isnull=False,
                         case__isnull=False, case_created_at__isnull=False, declined_at__isnull=True)
                       & ~Q(agreed_form=""))
                    | (Q(status="declined", declined_at__isnull=False, case__isnull=True) & ~Q(declined_reason=""))
                ),
                name="match_status_matches_timestamps",
            ),
            models.CheckConstraint(condition=Q(agreed_form="") | Q(agreed_form__in=CollaborationForm.values),
                                   name="match_agreed_form_known"),
            models.CheckConstraint(condition=Q(agreed_at__isnull=True) | Q(agreed_at__gte=F("meeting_at")),
                                   name="match_agreed_after_meeting"),
            # A pair is coordinated once at a time; after a 見送り it may be tried again.
            models.UniqueConstraint(fields=["need", "offer"], condition=~Q(status="declined"),
                                    name="match_one_open_per_pair",
                                    violation_error_message=_("この組み合わせはすでに調整中です。"),
                                    violation_error_code="already_matching"),
        ]
        indexes = [models.Index(fields=["center", "status"]), models.Index(fields=["status", "last_activity_at"])]

    def __str__(self) -> str:
        return f"{self.need} × {self.offer}"

    @property
    def is_active(self) -> bool:
        return self.status in MATCH_ACTIVE_STATUSES


class MatchMeeting(models.Model):
    """事前打ち合わせ: one meeting of the parties, with what was discussed and agreed."""

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="meetings")
    held_on = models.DateField(_("実施日"))
    notes = models.TextField(_("記録"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("記録した職員"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("事前打ち合わせ")
        verbose_name_plural = _("事前打ち合わせ")
        ordering = ["held_on", "id"]
        constraints = [models.CheckConstraint(condition=~Q(notes=""), name="match_meeting_notes_not_blank")]

    def __str__(self) -> str:
        return f"{self.match} {self.held_on}"


class MatchReminder(models.Model):
    """A stalled match was flagged; one row per stall (a match that moves again can stall again)."""

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="reminders")
    center = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    # The match's last_activity_at when it was found stalled: the key that makes the task idempotent.
    stalled_since = models.DateTimeField(_("停滞の起点"))
    status = models.CharField(_("状況"), max_length=20, choices=MatchStatus.choices)
    created_at = models.DateTimeField(_("リマインド日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("マッチングのリマインド")
        verbose_name_plural = _("マッチングのリマインド")
        constraints = [models.UniqueConstraint(fields=["match", "stalled_since"], name="match_reminder_once_per_stall")]
        indexes = [models.Index(fields=["center", "created_at"])]

    def __str__(self) -> str:
        return f"{self.match} ({self.stalled_since:%Y-%m-%d})"


# --- 他センターへの紹介の依頼 ------------------------------------------------------------------------


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


# --- スタディツアー (study tours hosted by this center) ------------------------------------------------


class TourOrganizationKind(models.TextChoices):
    CENTER = "center", _("市民活動支援センター")
    NPO = "npo", _("NPO・市民活動団体")
    COMPANY = "company", _("企業")
    UNIVERSITY = "university", _("大学")
    PREFECTURE = "prefecture", _("県")
    MUNICIPALITY = "municipality", _("市町村")
    OTHER = "other", _("その他")


TOUR_MAX_CAPACITY = 10000  # the hub's limit too


class StudyTour(CenterRecord):
    """スタディツアー hosted by this center: an agenda of visits and a bundle of cases that visiting
    organizations read on the hub from the tour's first day to the end of the reading period."""

    title = models.CharField(_("ツアー名"), max_length=200)
    theme = models.CharField(_("テーマ"), max_length=200, blank=True)
    activity_fields = models.ManyToManyField(ActivityField, verbose_name=_("活動分野"), related_name="+", blank=True)
    description = models.TextField(_("ねらい・内容"), blank=True)
    starts_on = models.DateField(_("開始日"))
    ends_on = models.DateField(_("終了日"))
    reading_days = models.PositiveSmallIntegerField(
        _("終了後の閲覧期間（日）"), default=14,
        help_text=_("参加者はツアー初日からこの日数が過ぎるまで事例を読めます。"))
    capacity = models.PositiveIntegerField(_("定員"), null=True, blank=True,
                                           validators=[MinValueValidator(1), MaxValueValidator(TOUR_MAX_CAPACITY)])
    report_session = models.ForeignKey(Event, on_delete=models.SET_NULL, null=True, blank=True, related_name="study_tours",
                                       verbose_name=_("発表会"))
    # Set when the reading period ended and the tour's copies were withdrawn from the hub.
    closed_at = models.DateTimeField(_("閲覧終了の処理日時"), null=True, blank=True)

    SEARCH_FIELDS = ("title", "theme", "description")

    class Meta:
        verbose_name = _("スタディツアー")
        verbose_name_plural = _("スタディツアー")
        ordering = ["-starts_on", "title"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="tour_ends_after_start"),
            models.CheckConstraint(condition=Q(reading_days__lte=90), name="tour_reading_days_at_most_90"),
            models.CheckConstraint(condition=Q(capacity__isnull=True) | Q(capacity__gte=1, capacity__lte=TOUR_MAX_CAPACITY),
                                   name="tour_capacity_range"),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": ValidationError(_("終了日は開始日以降にしてください。"), code="ends_before_start")})
        if self.reading_days is not None and self.reading_days > 90:
            raise ValidationError({"reading_days": ValidationError(_("閲覧期間は90日以内にしてください。"), code="too_long")})

    @property
    def opens_at(self) -> dt.datetime:
        """Reading opens at 0:00 (local time) of the first day."""
        return timezone.make_aware(dt.datetime.combine(self.starts_on, dt.time.min))

    @property
    def reading_ends_at(self) -> dt.datetime:
        last = self.ends_on + dt.timedelta(days=self.reading_days + 1)
        return timezone.make_aware(dt.datetime.combine(last, dt.time.min))


class TourOrganization(models.Model):
    """A participating organization (another center, a company, a university, the prefecture)."""

    tour = models.ForeignKey(StudyTour, on_delete=models.CASCADE, related_name="organizations")
    name = models.CharField(_("参加団体名"), max_length=200)
    kind = models.CharField(_("種別"), max_length=20, choices=TourOrganizationKind.choices)
    seats = models.PositiveSmallIntegerField(_("参加人数"), default=1)

    class Meta:
        verbose_name = _("参加団体")
        verbose_name_plural = _("参加団体")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["tour", "name"], name="tour_organization_unique"),
            models.CheckConstraint(condition=Q(kind__in=TourOrganizationKind.values), name="tour_organization_kind_known"),
            models.CheckConstraint(condition=~Q(name=""), name="tour_organization_name_not_blank"),
        ]

    def __str__(self) -> str:
        return self.name


class TourStop(models.Model):
    """One visit of the agenda: where, when, how to get there (text: no map needed on a phone)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    tour = models.ForeignKey(StudyTour, on_delete=models.CASCADE, related_name="stops")
    title = models.CharField(_("訪問先・内容"), max_length=200)
    starts_at = models.DateTimeField(_("開始時刻"))
    ends_at = models.DateTimeField(_("終了時刻"), null=True, blank=True)
    place = models.CharField(_("場所"), max_length=200, blank=True)
    directions = models.TextField(_("行き方"), blank=True)

    class Meta:
        verbose_name = _("訪問先")
        verbose_name_plural = _("訪問先")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__isnull=True) | Q(ends_at__gte=F("starts_at")),
                                   name="tour_stop_ends_after_start"),
        ]

    def __str__(self) -> str:
        return self.title


class TourCase(CenterRecord):
    """A case in the tour's bundle: one of this center's cases (sent for the tour only, named when
    every named organization consented for this tour) or a case of the hub's shared library."""

    tour = models.ForeignKey(StudyTour, on_delete=models.CASCADE, related_name="cases")
    stop = models.ForeignKey(TourStop, on_delete=models.SET_NULL, null=True, blank=True, related_name="cases",
                             verbose_name=_("訪問先"))
    # PROTECT: a case in a tour is taken out of the tour first (that purges its hub copy).
    case = models.ForeignKey(CollaborationCase, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                             verbose_name=_("当センターの協働事例"))
    library_case_uuid = models.UUIDField(_("ライブラリの事例"), null=True, blank=True)
    # Library copies are unique per (center, uuid) on the hub: both name the copy meant.
    library_center_uuid = models.UUIDField(null=True, blank=True)
    library_title = models.CharField(_("ライブラリの事例名"), max_length=400, blank=True)
    named = models.BooleanField(_("このツアーでは団体名を出す"), default=False)
    note = models.CharField(_("見どころ"), max_length=400, blank=True)

    class Meta:
        verbose_name = _("ツアーの事例")
        verbose_name_plural = _("ツアーの事例")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(case__isnull=False, library_case_uuid__isnull=True) |
                                   Q(case__isnull=True, library_case_uuid__isnull=False, library_center_uuid__isnull=False,
                                     named=False),
                                   name="tour_case_own_or_library"),
            models.UniqueConstraint(fields=["tour", "case"], name="tour_case_unique_own"),
            models.UniqueConstraint(fields=["tour", "library_case_uuid"], name="tour_case_unique_library"),
        ]

    def __str__(self) -> str:
        return self.case.title if self.case_id else self.library_title


class ConsentMethod(models.TextChoices):
    WRITTEN = "written", _("書面")
    EMAIL = "email", _("メール")
    ORAL = "oral", _("口頭（記録あり）")


class TourNamedConsent(models.Model):
    """An organization agreed to be named in this tour's cases, and only in this tour."""

    tour = models.ForeignKey(StudyTour, on_delete=models.CASCADE, related_name="named_consents")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+", verbose_name=_("団体"))
    method = models.CharField(_("同意の方法"), max_length=20, choices=ConsentMethod.choices)
    note = models.CharField(_("メモ"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("ツアーでの団体名公開の同意")
        verbose_name_plural = _("ツアーでの団体名公開の同意")
        constraints = [
            models.UniqueConstraint(fields=["tour", "organization"], name="tour_named_consent_unique"),
            models.CheckConstraint(condition=Q(method__in=ConsentMethod.values), name="tour_named_consent_method_known"),
        ]

    def __str__(self) -> str:
        return f"{self.tour} / {self.organization}"


class TourReport(models.Model):
    """A visit report written by a participant on the hub, delivered to the host through the feed."""

    uuid = models.UUIDField(unique=True, editable=False)
    tour = models.ForeignKey(StudyTour, on_delete=models.CASCADE, related_name="reports")
    author_name = models.CharField(_("報告者"), max_length=100)
    organization_name = models.CharField(_("所属"), max_length=200)
    saw = models.TextField(_("見たこと・気づいたこと"))
    transfer = models.TextField(_("自分の地域に持ち帰りたいこと"), blank=True)
    questions = models.TextField(_("ホストへの質問"), blank=True)
    submitted_at = models.DateTimeField(_("提出日時"))
    received_at = models.DateTimeField(auto_now_add=True)

    PERSONAL_FIELDS = ("author_name",)

    class Meta:
        verbose_name = _("訪問レポート")
        verbose_name_plural = _("訪問レポート")
        ordering = ["submitted_at", "id"]

    def __str__(self) -> str:
        return f"{self.organization_name} {self.author_name}"


class TourLesson(CenterRecord):
    """A lesson the host took from a report into the hub's library, linked to the tour's cases.
    It leaves the node scrubbed and without the report's author."""

    tour = models.ForeignKey(StudyTour, on_delete=models.CASCADE, related_name="lessons")
    report = models.OneToOneField(TourReport, on_delete=models.SET_NULL, null=True, blank=True, related_name="lesson")
    title = models.CharField(_("教訓の見出し"), max_length=200)
    text = models.TextField(_("教訓"))
    cases = models.ManyToManyField(TourCase, related_name="lessons", verbose_name=_("関連する事例"))

    SEARCH_FIELDS = ("title", "text")

    class Meta:
        verbose_name = _("ツアーからの教訓")
        verbose_name_plural = _("ツアーからの教訓")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

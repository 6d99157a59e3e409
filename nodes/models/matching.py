"""Needs (協働の種), offers (できることメニュー), and matching them: dismissed suggestions, matches, meetings."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from common.vocabulary import CollaborationForm, CostItem
from permissions.models import Organization

from .base import CENTER_CHANGE, CENTER_DELETE, CENTER_VIEW, ActivityField, CenterRecord
from .cases import CollaborationCase
from .city_menu import PublishableRecord, publication_constraints
from .groups import GroupRegistration, LegalForm
from .networks import NetworkMember, on_behalf_errors


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


class Need(PublishableRecord):
    """協働の種: what a department or a neighbourhood would like to do together with others; public
    once the department submits it and center staff approve (see nodes.services.city_menu)."""

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
    # A network (the requester) posting for one of its members (nodes.services.networks checks it is current).
    on_behalf_of = models.ForeignKey(NetworkMember, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                     verbose_name=_("会員団体（代理での掲載）"))
    # Term counts of the texts below (nodes.matching_text.terms), kept so a suggestion query never tokenizes rows.
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
            *publication_constraints("need"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def poster_label(self) -> str:
        return self.on_behalf_of.posting_label if self.on_behalf_of_id else self.requester.name

    def clean(self) -> None:
        errors = {}
        for name, allowed, code in (("allowed_forms", CollaborationForm.values, "invalid_form"),
                                    ("covered_costs", CostItem.values, "invalid_cost")):
            error = _choice_list_errors(getattr(self, name), allowed, str(self._meta.get_field(name).verbose_name), code)
            if error:
                errors[name] = error
        errors.update(on_behalf_errors(self.on_behalf_of, self.requester_id))
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
    # A network (the offer's group) posting for one of its members.
    on_behalf_of = models.ForeignKey(NetworkMember, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                     verbose_name=_("会員団体（代理での掲載）"))
    match_terms = models.JSONField(default=dict, blank=True, editable=False)

    SEARCH_FIELDS = ("title", "description", "area", "group.organization.name")
    MATCH_TEXT_FIELDS = ("title", "description")

    scope_rules = {
        # A group reads its own menu; what the center publishes of it changes through the center
        # (a member's edit is a change request on わたしの団体, approved by staff).
        "view": (("center", CENTER_VIEW), ("group__organization", "manage_group_offers")),
        "add": (("center", CENTER_CHANGE),),
        "change": (("center", CENTER_CHANGE),),
        "delete": (("center", CENTER_DELETE),),
    }

    class Meta:
        verbose_name = _("できることメニュー")
        verbose_name_plural = _("できることメニュー")
        # The matching index's signature: the center's latest change, read from the index alone.
        indexes = [models.Index(fields=["center", "updated_at"], name="offer_center_updated")]

    def __str__(self) -> str:
        return self.title

    @property
    def poster_label(self) -> str:
        return self.on_behalf_of.posting_label if self.on_behalf_of_id else self.group.organization.name

    def clean(self) -> None:
        errors = {}
        error = _choice_list_errors(self.available_months, MONTHS, str(_("対応できる時期")), "invalid_month")
        if error:
            errors["available_months"] = error
        error = _choice_list_errors(self.cost_conditions, CostItem.values, str(_("負担をお願いする費用")), "invalid_cost")
        if error:
            errors["cost_conditions"] = error
        errors.update(on_behalf_errors(self.on_behalf_of, self.group.organization_id if self.group_id else None))
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

"""Organizations, memberships with roles, guardian's direct-FK permission tables and the audit log."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from common.constraints import LocalCheckConstraints


class OrganizationKind(models.TextChoices):
    CENTER = "center", _("市民活動支援センター")
    CITIZEN_GROUP = "citizen_group", _("市民活動団体")
    NEIGHBORHOOD_ASSOCIATION = "neighborhood_association", _("自治会・町内会")
    DISTRICT_WELFARE_COUNCIL = "district_welfare_council", _("地区社協")
    COMPANY = "company", _("企業・事業者")
    SCHOOL = "school", _("学校・大学")
    CITY_DEPARTMENT = "city_department", _("市の担当課")
    SOCIAL_WELFARE_COUNCIL = "social_welfare_council", _("社会福祉協議会")
    PUBLIC_INTEREST_CORPORATION = "public_interest_corporation", _("公益法人")
    INTERMEDIATE_SUPPORT = "intermediate_support", _("中間支援組織")
    PREFECTURE = "prefecture", _("県・ハブ")


class HubStanding(models.TextChoices):
    """An organization's place on the hub. みんかな (seed 004) is private-sector-led: a network of
    intermediate support organizations runs the hub, the prefecture, 県社協 and 共同募金会 are partners."""

    NONE = "", _("なし")
    OPERATOR = "operator", _("ハブの運営団体")
    PARTNER = "partner", _("ハブの連携団体")


class HubScope(models.TextChoices):
    """What a hub coordinator may open, each scope one guardian permission on the coordinator's
    organization: given by the role, or granted on top of it by the operator's hub admin."""

    DISASTERS = "view_hub_disasters", _("災害対応の閲覧（宣言・ボード・ニーズと割り当て・状況報告）")
    DISASTER_COORDINATION = "coordinate_hub_disasters", _("災害対応の調整（状況報告の発行・緊急アンケート・連絡先の閲覧申請）")
    LIBRARY = "view_hub_library", _("協働事例ライブラリ・事例集・スタディツアー")
    STATISTICS = "view_hub_statistics", _("統計・センター別の集計・閲覧数")
    DIRECTORY = "view_hub_directory", _("団体一覧・イベントカレンダー")


class Organization(LocalCheckConstraints, models.Model):
    """Every record belongs to one of these; memberships give users roles on them."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("名称"), max_length=200)
    name_kana = models.CharField(_("フリガナ"), max_length=200, blank=True)
    kind = models.CharField(_("種別"), max_length=40, choices=OrganizationKind.choices)
    # The center whose node keeps this organization's records (its partition root).
    # Centers and the prefecture have none.
    center = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="partners",
        verbose_name=_("所属センター"),
    )
    municipality_code = models.CharField(_("全国地方公共団体コード"), max_length=6, blank=True)
    municipality_name = models.CharField(_("市区町村"), max_length=60, blank=True)
    # Only on a hub: its operator (one at most) and its partners, who hold coordinator roles there.
    hub_standing = models.CharField(_("ハブでの立場"), max_length=10, choices=HubStanding.choices, blank=True,
                                    default=HubStanding.NONE)
    search_text = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # See permissions.scoping: a center's people see its partners and the center itself; a
    # group's or department's people see their own organization.
    scope_rules = {
        "view": (
            ("center", "view_center_records"),
            ("id", "view_center_records"),
            ("id", "view_group_profile"),
            ("id", "manage_department_needs"),
        ),
        "add": (("center", "change_center_records"),),
        "change": (("center", "change_center_records"), ("id", "manage_center")),
        "delete": (("center", "delete_center_records"),),
    }

    class Meta:
        verbose_name = _("組織")
        verbose_name_plural = _("組織")
        ordering = ["name_kana", "name"]
        permissions = [
            ("view_center_records", _("センターの記録を見る")),
            ("change_center_records", _("センターの記録を登録・編集する")),
            ("delete_center_records", _("センターの記録を削除する")),
            ("manage_center", _("センターの職員と権限を管理する")),
            ("assign_consultations", _("相談の対応スタッフを決める")),
            ("view_group_profile", _("自団体の登録情報を見る")),
            ("change_group_profile", _("自団体の登録情報を編集する")),
            ("manage_group_offers", _("自団体のできることメニューを管理する")),
            ("manage_department_needs", _("担当課の協働の種を管理する")),
            ("manage_department_cases", _("担当課の協働事例を見る・編集する")),
            ("view_hub", _("ハブの連携状況を見る")),
            ("manage_hub", _("ハブのノード・鍵・配信・災害宣言・権限の付与を管理する")),
            *((scope.value, scope.label) for scope in HubScope),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(municipality_code="") | Q(municipality_code__regex=r"^[0-9]{6}$"),
                name="organization_municipality_code_6_digits",
            ),
            # A hub's operator and partners are the hub's own organizations: no center keeps them.
            models.CheckConstraint(
                condition=Q(kind__in=["center", "prefecture"]) | Q(center__isnull=False) | ~Q(hub_standing=""),
                name="organization_partner_has_center",
            ),
            models.CheckConstraint(condition=~Q(name=""), name="organization_name_not_blank"),
            models.CheckConstraint(condition=Q(hub_standing__in=HubStanding.values),
                                   name="organization_hub_standing_known"),
            # The operator is a network of intermediate support organizations (みんかな), never the prefecture.
            models.CheckConstraint(condition=~Q(hub_standing="operator") | Q(kind="intermediate_support"),
                                   name="organization_hub_operator_is_network"),
            models.UniqueConstraint(fields=["hub_standing"], condition=Q(hub_standing="operator"),
                                    name="organization_one_hub_operator"),
        ]
        indexes = [models.Index(fields=["center", "kind"])]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    CENTER_ADMIN = "center_admin", _("センター管理者")
    CENTER_STAFF = "center_staff", _("センター職員")
    CHIEF_COORDINATOR = "chief_coordinator", _("チーフコーディネーター")
    GROUP_MEMBER = "group_member", _("団体メンバー")
    DEPARTMENT_STAFF = "department_staff", _("市の担当課職員")
    HUB_ADMIN = "hub_admin", _("ハブ管理者")
    COORDINATOR = "coordinator", _("コーディネーター（全体）")
    DISASTER_COORDINATOR = "disaster_coordinator", _("災害対応コーディネーター")
    LIBRARY_COORDINATOR = "library_coordinator", _("事例・統計コーディネーター")


class Membership(models.Model):
    """A user's role on one organization; the role's permissions are held by a guardian group."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("役割"), max_length=30, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("所属")
        verbose_name_plural = _("所属")
        constraints = [
            models.UniqueConstraint(fields=["user", "organization", "role"], name="membership_unique_role"),
            # Which roles make sense on which kind is checked by the service; the database keeps
            # at least the role names closed.
            models.CheckConstraint(condition=Q(role__in=Role.values), name="membership_role_known"),
        ]

    def __str__(self) -> str:
        return f"{self.user} / {self.organization} / {self.role}"


class ScopeGrant(models.Model):
    """A hub scope granted to one coordinator beyond their role, by the operator's hub admin.

    The grant itself is the guardian user permission(s) on the coordinator's organization that
    permissions.grants writes with this row and deletes with it; the row says why and by whom."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="scope_grants")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="scope_grants",
                                     verbose_name=_("所属組織"))
    scope = models.CharField(_("範囲"), max_length=40, choices=HubScope.choices)
    reason = models.CharField(_("理由"), max_length=200)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("付与した人"))
    granted_at = models.DateTimeField(_("付与日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("範囲の付与")
        verbose_name_plural = _("範囲の付与")
        ordering = ["organization_id", "user_id", "scope"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organization", "scope"], name="scope_grant_unique"),
            models.CheckConstraint(condition=Q(scope__in=HubScope.values), name="scope_grant_scope_known"),
            models.CheckConstraint(condition=~Q(reason=""), name="scope_grant_reason_not_blank"),
        ]

    def __str__(self) -> str:
        return f"{self.user} / {self.organization} / {self.scope}"


class OrganizationUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Organization, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("組織に対する個人の権限")


class OrganizationGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Organization, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        verbose_name = _("組織に対するロールの権限")


class AuditEvent(models.Model):
    """Append-only: who did or read what, by record uuid; never the personal values themselves.

    UPDATE and DELETE are refused by a database trigger (see the migration).
    """

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    # No database constraint: the log outlives the users and organizations it names.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False, null=True, related_name="+"
    )
    action = models.CharField(max_length=60)
    organization = models.ForeignKey(
        Organization, on_delete=models.DO_NOTHING, db_constraint=False, null=True, related_name="+"
    )
    target_type = models.CharField(max_length=60, blank=True)
    target_uuid = models.UUIDField(null=True, blank=True)
    # Field names only (e.g. ["representative_name"]) or counts; never their values.
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("監査ログ")
        verbose_name_plural = _("監査ログ")
        indexes = [models.Index(fields=["target_type", "target_uuid"]), models.Index(fields=["actor", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.target_type}"

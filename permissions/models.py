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
            ("view_hub", _("ハブの連携状況・団体一覧・カレンダーを見る")),
            ("manage_hub", _("ハブのノード・鍵・配信を管理する")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(municipality_code="") | Q(municipality_code__regex=r"^[0-9]{6}$"),
                name="organization_municipality_code_6_digits",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["center", "prefecture"]) | Q(center__isnull=False),
                name="organization_partner_has_center",
            ),
            models.CheckConstraint(condition=~Q(name=""), name="organization_name_not_blank"),
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
    COORDINATOR = "coordinator", _("県のコーディネーター")


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

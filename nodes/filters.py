"""Filters shared by the API and the staff UI (one definition per record type)."""

from __future__ import annotations

import django_filters as df
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.search import search
from permissions.models import Organization, OrganizationKind

from . import models as m


class SearchFilterSet(df.FilterSet):
    q = df.CharFilter(label=_("キーワード"), method="filter_q")

    def filter_q(self, queryset, name, value):
        return search(queryset, value)


def activity_field_filter():
    return df.NumberFilter(field_name="activity_fields__code", label=_("活動分野（号）"), distinct=True)


class GroupFilter(SearchFilterSet):
    kind = df.ChoiceFilter(field_name="organization__kind", choices=OrganizationKind.choices, label=_("種別"))
    legal_form = df.ChoiceFilter(choices=m.LegalForm.choices, label=_("法人格"))
    status = df.ChoiceFilter(choices=m.GroupStatus.choices, label=_("状態"))
    field = activity_field_filter()
    area = df.CharFilter(lookup_expr="icontains", label=_("活動地域"))
    renewal_due_before = df.DateFilter(field_name="renewal_due", lookup_expr="lte", label=_("更新期限（まで）"))
    hub_listing = df.BooleanFilter(field_name="consent_hub_listing_at", lookup_expr="isnull", exclude=True,
                                   label=_("ハブ掲載に同意"))

    class Meta:
        model = m.GroupRegistration
        fields = ["q", "kind", "legal_form", "status", "field", "area", "renewal_due_before", "hub_listing"]


class TalentFilter(SearchFilterSet):
    field = activity_field_filter()
    is_active = df.BooleanFilter(label=_("活動中"))
    area = df.CharFilter(lookup_expr="icontains", label=_("地域"))

    class Meta:
        model = m.TalentVolunteer
        fields = ["q", "field", "is_active", "area"]


class EventFilter(SearchFilterSet):
    kind = df.ChoiceFilter(choices=m.EventKind.choices, label=_("種類"))
    status = df.ChoiceFilter(choices=m.EventStatus.choices, label=_("状態"))
    field = activity_field_filter()
    starts_after = df.DateFilter(field_name="starts_at", lookup_expr="date__gte", label=_("開始日（から）"))
    starts_before = df.DateFilter(field_name="starts_at", lookup_expr="date__lte", label=_("開始日（まで）"))
    upcoming = df.BooleanFilter(method="filter_upcoming", label=_("今後のみ"))
    is_public = df.BooleanFilter(label=_("公開"))

    class Meta:
        model = m.Event
        fields = ["q", "kind", "status", "field", "starts_after", "starts_before", "upcoming", "is_public"]

    def filter_upcoming(self, queryset, name, value):
        now = timezone.now()
        return queryset.filter(starts_at__gte=now) if value else queryset.filter(starts_at__lt=now)


class ConsultationFilter(SearchFilterSet):
    step = df.ChoiceFilter(choices=m.ConsultationStep.choices, label=_("ステップ"))
    channel = df.ChoiceFilter(choices=m.ConsultationChannel.choices, label=_("受付方法"))
    kind = df.ChoiceFilter(choices=m.ConsultationKind.choices, label=_("相談の種類"))
    unassigned = df.BooleanFilter(field_name="assignee", lookup_expr="isnull", label=_("担当未定"))
    is_open = df.BooleanFilter(field_name="closed_at", lookup_expr="isnull", label=_("未完了"))
    intake_after = df.DateFilter(field_name="intake_at", lookup_expr="date__gte", label=_("受付日（から）"))

    class Meta:
        model = m.Consultation
        fields = ["q", "step", "channel", "kind", "unassigned", "is_open", "intake_after"]


class CaseFilter(SearchFilterSet):
    form = df.ChoiceFilter(choices=m.CollaborationForm.choices, label=_("協働の形態"))
    outcome = df.ChoiceFilter(choices=m.CaseOutcome.choices, label=_("期間後の状況"))
    sharing_level = df.ChoiceFilter(choices=m.SharingLevel.choices, label=_("共有レベル"))
    field = activity_field_filter()
    fiscal_year = df.NumberFilter(method="filter_fiscal_year", label=_("年度"))
    department = df.UUIDFilter(field_name="responsible_department__uuid", label=_("担当課"))

    class Meta:
        model = m.CollaborationCase
        fields = ["q", "form", "outcome", "sharing_level", "field", "fiscal_year", "department"]

    def filter_fiscal_year(self, queryset, name, value):
        """Cases running in that 年度."""
        return queryset.filter(
            Q(fiscal_year_start__lte=value)
            & (Q(fiscal_year_end__gte=value) | Q(fiscal_year_end__isnull=True, fiscal_year_start=value))
        )


class NeedFilter(SearchFilterSet):
    status = df.ChoiceFilter(choices=m.NeedStatus.choices, label=_("状態"))
    field = activity_field_filter()
    requester = df.UUIDFilter(field_name="requester__uuid", label=_("提案元"))

    class Meta:
        model = m.Need
        fields = ["q", "status", "field", "requester"]


class OfferFilter(SearchFilterSet):
    field = activity_field_filter()
    group = df.UUIDFilter(field_name="group__uuid", label=_("団体"))
    is_published = df.BooleanFilter(label=_("掲載中"))

    class Meta:
        model = m.Offer
        fields = ["q", "field", "group", "is_published"]


class MatchFilter(df.FilterSet):
    status = df.ChoiceFilter(choices=m.MatchStatus.choices, label=_("状況"))

    class Meta:
        model = m.Match
        fields = ["status"]


class OrganizationFilter(SearchFilterSet):
    kind = df.ChoiceFilter(choices=OrganizationKind.choices, label=_("種別"))

    class Meta:
        model = Organization
        fields = ["q", "kind"]


class TourFilter(SearchFilterSet):
    field = activity_field_filter()
    starts_after = df.DateFilter(field_name="starts_on", lookup_expr="gte", label=_("開始日（から）"))

    class Meta:
        model = m.StudyTour
        fields = ["q", "field", "starts_after"]


class MenuItemFilter(SearchFilterSet):
    publication = df.ChoiceFilter(choices=m.Publication.choices, label=_("公開の状態"))
    kind = df.ChoiceFilter(choices=m.MenuItemKind.choices, label=_("種類"))
    fiscal_year = df.NumberFilter(label=_("年度"))
    field = activity_field_filter()

    class Meta:
        model = m.MenuItem
        fields = ["q", "publication", "kind", "fiscal_year", "field"]


class DeskFilter(SearchFilterSet):
    field = activity_field_filter()

    class Meta:
        model = m.DepartmentDesk
        fields = ["q", "field"]

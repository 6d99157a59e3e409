"""How each record type appears in the staff UI: its form, filters, list columns and services."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext, gettext_lazy as _

from common.japanese import date_label, fiscal_year_label
from common.templatetags.kyodo import person_name
from permissions.models import Organization

from . import filters, forms, models as m, services, tours


def _fields(record) -> str:
    return "・".join(f.short_name for f in record.activity_fields.all())


def _local(value):
    return timezone.localtime(value) if value else None


def _date(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "hour"):
        value = _local(value)
        return f"{date_label(value.date())} {value:%H:%M}"
    return date_label(value)


def _years(case) -> str:
    if case.fiscal_year_end and case.fiscal_year_end != case.fiscal_year_start:
        return f"{fiscal_year_label(case.fiscal_year_start)} 〜 {fiscal_year_label(case.fiscal_year_end)}"
    return fiscal_year_label(case.fiscal_year_start)


def _renewal(group) -> str:
    label = date_label(group.renewal_due)
    if group.renewal_due < timezone.localdate():
        return gettext("%(date)s（期限切れ）") % {"date": label}
    return label


def _talent_listing(talent) -> str:
    listed = [str(label) for at, label in ((talent.consent_public_listing_at, _("ウェブ検索")),
                                           (talent.consent_guidebook_at, _("ガイドブック"))) if at]
    return "・".join(listed) or gettext("なし")


@dataclass(frozen=True)
class RecordUI:
    slug: str
    model: type
    label: str
    filterset: type
    form: type
    columns: tuple[tuple[str, Callable], ...]
    create: Callable
    update: Callable
    delete: Callable = lambda user, record: services.record_delete(acting_user=user, record=record)
    title: Callable = str
    has_parties: bool = False
    actions: tuple[str, ...] = field(default_factory=tuple)


RECORDS: dict[str, RecordUI] = {
    ui.slug: ui
    for ui in (
        RecordUI(
            slug="groups", model=m.GroupRegistration, label=_("登録団体"),
            filterset=filters.GroupFilter, form=forms.GroupForm,
            columns=(
                (_("団体名"), lambda g: g.organization.name),
                (_("フリガナ"), lambda g: g.organization.name_kana),
                (_("法人格"), lambda g: g.get_legal_form_display()),
                (_("活動分野"), _fields),
                (_("活動地域"), lambda g: g.area),
                (_("更新期限"), _renewal),
                (_("状態"), lambda g: g.get_status_display()),
            ),
            create=lambda user, values: services.group_register(acting_user=user, **values),
            update=lambda user, record, values: services.group_update(acting_user=user, group=record, **values),
            delete=lambda user, record: services.group_delete(acting_user=user, group=record),
            actions=("consent", "renew"),
        ),
        RecordUI(
            slug="talents", model=m.TalentVolunteer, label=_("地域人材ボランティア"),
            filterset=filters.TalentFilter, form=forms.TalentForm,
            columns=(
                (_("名称"), lambda t: t.title),
                (_("できること"), lambda t: t.skills[:60]),
                (_("活動分野"), _fields),
                (_("地域"), lambda t: t.area),
                (_("活動できる日時"), lambda t: t.availability),
                (_("状態"), lambda t: _("活動中") if t.is_active else _("休止")),
                (_("掲載の同意"), _talent_listing),
            ),
            create=lambda user, values: services.talent_register(acting_user=user, **values),
            update=lambda user, record, values: services.talent_update(acting_user=user, talent=record, **values),
            title=lambda t: t.title or t.skills[:30],
        ),
        RecordUI(
            slug="events", model=m.Event, label=_("イベント"),
            filterset=filters.EventFilter, form=forms.EventForm,
            columns=(
                (_("開始"), lambda e: _date(e.starts_at)),
                (_("イベント名"), lambda e: e.title),
                (_("種類"), lambda e: e.get_kind_display()),
                (_("会場"), lambda e: e.venue),
                (_("参加者数"), lambda e: "" if e.attendance is None else f"{e.attendance}名"),
                (_("状態"), lambda e: e.get_status_display()
                 + (f"（{e.cancellation_reason}）" if e.status == m.EventStatus.CANCELLED else "")),
            ),
            create=lambda user, values: services.event_create(acting_user=user, **values),
            update=lambda user, record, values: services.event_update(acting_user=user, event=record, **values),
        ),
        RecordUI(
            slug="consultations", model=m.Consultation, label=_("相談（関わりカード）"),
            filterset=filters.ConsultationFilter, form=forms.ConsultationForm,
            columns=(
                (_("受付"), lambda c: _date(c.intake_at)),
                (_("相談テーマ"), lambda c: c.topic),
                (_("相談の種類"), lambda c: c.get_kind_display()),
                (_("所属団体"), lambda c: c.requester_organization.name if c.requester_organization else ""),
                (_("ステップ"), lambda c: c.get_step_display()),
                (_("対応するスタッフ"), lambda c: person_name(c.assignee) if c.assignee else ""),
            ),
            create=lambda user, values: services.consultation_open(acting_user=user, **values),
            update=lambda user, record, values: services.consultation_update(
                acting_user=user, consultation=record, **values),
            actions=("advance",),
        ),
        RecordUI(
            slug="cases", model=m.CollaborationCase, label=_("協働事例"),
            filterset=filters.CaseFilter, form=forms.CaseForm,
            columns=(
                (_("事業名"), lambda c: c.title),
                (_("協働の形態"), lambda c: c.get_form_display()),
                (_("年度"), _years),
                (_("担当課"), lambda c: c.responsible_department.name if c.responsible_department else ""),
                (_("期間後の状況"), lambda c: c.get_outcome_display()),
                (_("共有"), lambda c: c.get_sharing_level_display()),
            ),
            create=lambda user, values: services.case_create(acting_user=user, **values),
            update=lambda user, record, values: services.case_update(acting_user=user, case=record, **values),
            has_parties=True,
        ),
        RecordUI(
            slug="needs", model=m.Need, label=_("協働の種"),
            filterset=filters.NeedFilter, form=forms.NeedForm,
            columns=(
                (_("協働の種"), lambda n: n.title),
                (_("提案元"), lambda n: n.poster_label),
                (_("活動分野"), _fields),
                (_("地域"), lambda n: n.area),
                (_("協働の形態"), lambda n: choice_list_label("allowed_forms", n.allowed_forms)),
                (_("状態"), lambda n: n.get_status_display()),
                (_("公開の状態"), lambda n: n.get_publication_display()),
            ),
            create=lambda user, values: services.need_create(acting_user=user, **values),
            update=lambda user, record, values: services.need_update(acting_user=user, need=record, **values),
        ),
        RecordUI(
            slug="offers", model=m.Offer, label=_("できることメニュー"),
            filterset=filters.OfferFilter, form=forms.OfferForm,
            columns=(
                (_("できること"), lambda o: o.title),
                (_("団体"), lambda o: o.poster_label),
                (_("活動分野"), _fields),
                (_("地域"), lambda o: o.area),
                (_("条件"), lambda o: o.conditions),
            ),
            create=lambda user, values: services.offer_create(acting_user=user, **values),
            update=lambda user, record, values: services.offer_update(acting_user=user, offer=record, **values),
        ),
        RecordUI(
            slug="city-menu-items", model=m.MenuItem, label=_("市のメニュー"),
            filterset=filters.MenuItemFilter, form=forms.MenuItemForm,
            columns=(
                (_("担当課"), lambda i: i.department.name),
                (_("種類"), lambda i: i.get_kind_display()),
                (_("できる・できない"), lambda i: i.get_can_do_display()),
                (_("項目"), lambda i: i.title),
                (_("年度"), lambda i: fiscal_year_label(i.fiscal_year)),
                (_("公開の状態"), lambda i: i.get_publication_display()),
            ),
            create=lambda user, values: services.menu_item_create(acting_user=user, **values),
            update=lambda user, record, values: services.menu_item_update(acting_user=user, item=record, **values),
        ),
        RecordUI(
            slug="department-desks", model=m.DepartmentDesk, label=_("担当課の窓口"),
            filterset=filters.DeskFilter, form=forms.DeskForm,
            columns=(
                (_("担当課"), lambda d: d.department.name),
                (_("窓口"), lambda d: d.desk_name),
                (_("代表電話"), lambda d: d.switchboard),
                (_("相談できるテーマ"), lambda d: "・".join(d.theme_list)[:60]),
                (_("掲載"), lambda d: _("掲載") if d.is_listed else _("非掲載")),
            ),
            create=lambda user, values: services.desk_save(acting_user=user, **values),
            update=lambda user, record, values: services.desk_save(acting_user=user, department=record.department,
                                                                   **values),
        ),
        RecordUI(
            slug="tours", model=m.StudyTour, label=_("スタディツアー"),
            filterset=filters.TourFilter, form=forms.TourForm,
            columns=(
                (_("日程"), lambda t: f"{t.starts_on:%Y/%m/%d}〜{t.ends_on:%m/%d}"),
                (_("ツアー名"), lambda t: t.title),
                (_("テーマ"), lambda t: t.theme),
                (_("定員"), lambda t: "" if t.capacity is None else f"{t.capacity}名"),
                (_("閲覧"), lambda t: _("終了") if t.closed_at else _("受付中")),
            ),
            create=lambda user, values: tours.tour_create(acting_user=user, **values),
            update=lambda user, record, values: tours.tour_update(acting_user=user, tour=record, **values),
            delete=lambda user, record: tours.tour_delete(acting_user=user, tour=record),
        ),
        RecordUI(
            slug="organizations", model=Organization, label=_("組織・協働先"),
            filterset=filters.OrganizationFilter, form=forms.PartnerForm,
            columns=(
                (_("名称"), lambda o: o.name),
                (_("フリガナ"), lambda o: o.name_kana),
                (_("種別"), lambda o: o.get_kind_display()),
                (_("市区町村"), lambda o: o.municipality_name),
            ),
            create=lambda user, values: services.partner_create(acting_user=user, **values),
            update=lambda user, record, values: services.partner_update(acting_user=user, organization=record, **values),
            delete=lambda user, record: services.partner_delete(acting_user=user, organization=record),
        ),
    )
}


# Multi-choice fields kept as lists of choice values, shown by their labels.
CHOICE_LIST_LABELS: dict[str, Callable[[object], str]] = {
    "allowed_forms": lambda v: str(m.CollaborationForm(v).label),
    "covered_costs": lambda v: str(m.CostItem(v).label),
    "cost_conditions": lambda v: str(m.CostItem(v).label),
    "available_months": lambda v: str(MONTHS[v]),
}


def choice_list_label(name: str, values) -> str:
    label = CHOICE_LIST_LABELS[name]
    return "・".join(label(v) for v in values)


# Fields a detail page shows in a section of their own (the consultation's routing card), not again in
# the plain list.
SHOWN_IN_SECTIONS: dict[type, set[str]] = {
    m.Consultation: {"kind", "assignee", "assigned_at", "assigned_by"},
}


def detail_rows(record) -> list[tuple[str, str]]:
    """(label, value) pairs of a record's plain fields, for the detail page."""
    hidden = {"id", "uuid", "search_text", "version", "organization", "center", "match_terms",
              *SHOWN_IN_SECTIONS.get(type(record), ())}
    rows = []
    for model_field in record._meta.concrete_fields:
        if model_field.name in hidden:
            continue
        value = getattr(record, model_field.name)
        if value in (None, "", []):
            continue
        if model_field.name in CHOICE_LIST_LABELS:
            value = choice_list_label(model_field.name, value)
        elif model_field.choices:
            value = getattr(record, f"get_{model_field.name}_display")()
        elif model_field.is_relation:
            value = person_name(value) if hasattr(value, "username") else str(value)
        elif isinstance(value, bool):
            value = _("はい") if value else _("いいえ")
        elif hasattr(value, "year") and not isinstance(value, int):
            value = _date(value)
        elif model_field.name in ("fiscal_year_start", "fiscal_year_end", "fiscal_year"):
            value = fiscal_year_label(value)
        elif model_field.name in ("total_cost", "city_share"):
            value = f"{value:,}円"
        rows.append((str(model_field.verbose_name), value))
    return rows

"""Public reads of a node: the city's menu (市でできること・できないこと), published needs (協働の種), the
department directory, and the center's portal. Publications, like the public calendar: they read no
user's scope, only what was approved or consented, and every free text passes the node's door."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from common import pdf
from common.japanese import fiscal_year_label, fiscal_year_of
from common.search import contains_all_words, search
from permissions.models import Organization, OrganizationKind

from . import models as m
from .outgoing import WITHHELD, Door

PORTAL_LIMIT = 6


def public_door() -> Door:
    """Organizations (departments, groups, venues) may be named on public pages; people never."""
    return Door(organizations=False)


def public_center(uuid) -> Organization | None:
    return Organization.objects.filter(uuid=uuid, kind=OrganizationKind.CENTER).first()


def public_centers():
    return Organization.objects.filter(kind=OrganizationKind.CENTER).order_by("id")


@dataclass
class PublicDesk:
    department: str
    department_uuid: str
    desk_name: str
    switchboard: str
    public_inbox: str
    location: str
    summary: str
    themes: list[str]
    fields: list


@dataclass
class PublicMenuItem:
    title: str
    description: str
    conditions: str
    kind: str
    kind_label: str
    can_do: bool
    fiscal_year: int
    department: str
    fields: list


@dataclass
class PublicNeed:
    uuid: str
    takes_proposals: bool
    title: str
    description: str
    purpose: str
    partner_role: str
    resources: str
    area: str
    fiscal_year: int | None
    forms: list[str]
    budget: str
    department: str
    fields: list


@dataclass
class DepartmentMenu:
    """One department's page of the menu: its desk, what it can and cannot do, its needs."""

    department: str
    uuid: str
    desk: PublicDesk | None
    can: list[PublicMenuItem] = field(default_factory=list)
    cannot: list[PublicMenuItem] = field(default_factory=list)
    needs: list[PublicNeed] = field(default_factory=list)


def _contact(value: str, door: Door) -> str:
    """A desk's published line or inbox: a contact by design, so the patterns that hide any phone or
    email in free text do not apply; the final check against the node's known personal data does."""
    return WITHHELD if value and door.leaks([value]) else value


def _desk(desk: m.DepartmentDesk, door: Door) -> PublicDesk:
    return PublicDesk(
        department=desk.department.name, department_uuid=str(desk.department.uuid),
        desk_name=door.public_text(desk.desk_name), switchboard=_contact(desk.switchboard, door),
        public_inbox=_contact(desk.public_inbox, door), location=door.public_text(desk.location),
        summary=door.public_text(desk.summary),
        themes=[door.public_text(theme) for theme in desk.theme_list], fields=list(desk.activity_fields.all()),
    )


def _item(item: m.MenuItem, door: Door) -> PublicMenuItem:
    return PublicMenuItem(
        title=door.public_text(item.title), description=door.public_text(item.description),
        conditions=door.public_text(item.conditions), kind=item.kind, kind_label=item.get_kind_display(),
        can_do=item.can_do, fiscal_year=item.fiscal_year, department=item.department.name,
        fields=list(item.activity_fields.all()),
    )


def _need(need: m.Need, door: Door) -> PublicNeed:
    return PublicNeed(
        uuid=str(need.uuid), takes_proposals=need.status in m.PROPOSABLE_NEED_STATUSES,
        title=door.public_text(need.title), description=door.public_text(need.description),
        purpose=door.public_text(need.purpose), partner_role=door.public_text(need.partner_role),
        resources=door.public_text(need.resources), area=door.public_text(need.area), fiscal_year=need.fiscal_year,
        forms=need.get_allowed_forms_display(), budget=need.get_budget_display(), department=need.requester.name,
        fields=list(need.activity_fields.all()),
    )


def current_fiscal_year() -> int:
    return fiscal_year_of(timezone.localdate())


def menu_fiscal_years(*, center) -> list[int]:
    years = set(m.MenuItem.objects.filter(center=center, publication=m.Publication.PUBLISHED)
                .values_list("fiscal_year", flat=True))
    return sorted(years | {current_fiscal_year()}, reverse=True)


def published_items(*, center, fiscal_year: int | None = None, field_code: int | None = None):
    items = (m.MenuItem.objects.filter(center=center, publication=m.Publication.PUBLISHED)
             .select_related("department").prefetch_related("activity_fields")
             .order_by("department__name_kana", "department__name", "-can_do", "kind", "id"))
    if fiscal_year is not None:
        items = items.filter(fiscal_year=fiscal_year)
    if field_code is not None:
        items = items.filter(activity_fields__code=field_code).distinct()
    return items


def published_needs_queryset(*, center, field_code: int | None = None):
    needs = (m.Need.objects.filter(center=center, publication=m.Publication.PUBLISHED)
             .exclude(status=m.NeedStatus.CLOSED).select_related("requester").prefetch_related("activity_fields")
             .order_by("-published_at", "id"))
    if field_code is not None:
        needs = needs.filter(activity_fields__code=field_code).distinct()
    return needs


def _desks_by_department(center) -> dict[int, m.DepartmentDesk]:
    desks = (m.DepartmentDesk.objects.filter(center=center, is_listed=True).select_related("department")
             .prefetch_related("activity_fields"))
    return {desk.department_id: desk for desk in desks}


def city_menu(*, center, fiscal_year: int, field_code: int | None = None) -> list[DepartmentMenu]:
    """The menu by department: each department's desk, できること, できないこと and 協働の種."""
    door = public_door()
    desks = _desks_by_department(center)
    menus: dict[int, DepartmentMenu] = {}

    def menu_of(department) -> DepartmentMenu:
        if department.pk not in menus:
            desk = desks.get(department.pk)
            menus[department.pk] = DepartmentMenu(department=department.name, uuid=str(department.uuid),
                                                  desk=_desk(desk, door) if desk else None)
        return menus[department.pk]

    for item in published_items(center=center, fiscal_year=fiscal_year, field_code=field_code):
        menu = menu_of(item.department)
        (menu.can if item.can_do else menu.cannot).append(_item(item, door))
    for need in published_needs_queryset(center=center, field_code=field_code):
        menu_of(need.requester).needs.append(_need(need, door))
    return sorted(menus.values(), key=lambda menu: menu.department)


def city_menu_by_field(*, center, fiscal_year: int) -> list[tuple[m.ActivityField | None, list[PublicMenuItem]]]:
    """The same items by activity field (an item in several fields shows under each)."""
    door = public_door()
    sections: dict = {}
    for item in published_items(center=center, fiscal_year=fiscal_year):
        public = _item(item, door)
        for activity_field in public.fields or [None]:
            sections.setdefault(activity_field, []).append(public)
    return sorted(sections.items(), key=lambda pair: pair[0].code if pair[0] else 99)


def published_needs(*, center, field_code: int | None = None, limit: int | None = None) -> list[PublicNeed]:
    door = public_door()
    needs = published_needs_queryset(center=center, field_code=field_code)
    return [_need(need, door) for need in (needs[:limit] if limit else needs)]


def department_directory(*, center, q: str = "", field_code: int | None = None) -> list[PublicDesk]:
    """「どの課に相談すればいいか」: listed desks matching every word of `q` (in the desk's themes, name,
    summary, or its published items) and the activity field."""
    desks = (m.DepartmentDesk.objects.filter(center=center, is_listed=True).select_related("department")
             .prefetch_related("activity_fields").order_by("department__name_kana", "department__name"))
    if q.strip():
        items = search(m.MenuItem.objects.filter(center=center, publication=m.Publication.PUBLISHED), q)
        needs = search(m.Need.objects.filter(center=center, publication=m.Publication.PUBLISHED), q)
        desks = desks.filter(Q(pk__in=search(m.DepartmentDesk.objects.filter(center=center), q).values("pk"))
                             | Q(department__in=items.values("department"))
                             | Q(department__in=needs.values("requester")))
    if field_code is not None:
        desks = desks.filter(activity_fields__code=field_code).distinct()
    door = public_door()
    found = [(desk, _desk(desk, door)) for desk in desks]
    if not q.strip():
        return [public for _desk_row, public in found]
    # The database matched the stored search keys, which hold the texts as written; the words are
    # checked again on what the page shows, so nobody finds a desk by a name the door hides.
    shown = _department_texts(center=center, departments=[desk.department_id for desk, _public in found], door=door)
    return [public for desk, public in found
            if contains_all_words(" ".join([public.desk_name, public.summary, *public.themes,
                                            shown.get(desk.department_id, "")]), q)]


def _department_texts(*, center, departments: list[int], door: Door) -> dict[int, str]:
    """Per department, the scrubbed titles and descriptions of its published items and needs."""
    texts: dict[int, list[str]] = defaultdict(list)
    for department_id, title, description in m.MenuItem.objects.filter(
            center=center, department_id__in=departments, publication=m.Publication.PUBLISHED).values_list(
            "department_id", "title", "description"):
        texts[department_id] += [door.public_text(title), door.public_text(description)]
    for department_id, title, description in m.Need.objects.filter(
            center=center, requester_id__in=departments, publication=m.Publication.PUBLISHED).values_list(
            "requester_id", "title", "description"):
        texts[department_id] += [door.public_text(title), door.public_text(description)]
    return {department_id: " ".join(values) for department_id, values in texts.items()}


# --- the portal ----------------------------------------------------------------------------------


@dataclass
class PublicEvent:
    title: str
    kind: str
    starts_at: dt.datetime
    venue: str
    theme: str


@dataclass
class PublicGroup:
    name: str
    legal_form: str
    fields: list
    area: str
    summary: str


@dataclass
class PublicOffer:
    title: str
    description: str
    group: str
    area: str


def upcoming_events(*, center, limit: int = PORTAL_LIMIT) -> list[PublicEvent]:
    door = public_door()
    events = (m.Event.objects.filter(center=center, is_public=True, starts_at__gte=timezone.now())
              .exclude(status=m.EventStatus.CANCELLED).order_by("starts_at")[:limit])
    return [PublicEvent(title=door.public_text(e.title), kind=e.get_kind_display(), starts_at=e.starts_at,
                        venue=door.public_text(e.venue), theme=door.public_text(e.theme)) for e in events]


def listed_groups(*, center, q: str = "", field_code: int | None = None) -> list[PublicGroup]:
    """Active groups that consented to be listed (掲載の同意): name, fields, area, activity summary."""
    groups = (m.GroupRegistration.objects.filter(center=center, status=m.GroupStatus.ACTIVE,
                                                 consent_hub_listing_at__isnull=False)
              .select_related("organization").prefetch_related("activity_fields")
              .order_by("organization__name_kana", "organization__name"))
    if q.strip():
        groups = groups.filter(organization__in=search(Organization.objects.filter(center=center), q))
    if field_code is not None:
        groups = groups.filter(activity_fields__code=field_code).distinct()
    door = public_door()
    return [PublicGroup(name=g.organization.name, legal_form=g.get_legal_form_display(),
                        fields=list(g.activity_fields.all()), area=door.public_text(g.area),
                        summary=door.public_text(g.description, 200)) for g in groups]


def published_offers(*, center, limit: int = PORTAL_LIMIT) -> list[PublicOffer]:
    """Offers of listed groups that chose メニューに掲載."""
    door = public_door()
    offers = (m.Offer.objects.filter(center=center, is_published=True, group__status=m.GroupStatus.ACTIVE,
                                     group__consent_hub_listing_at__isnull=False)
              .select_related("group__organization").order_by("-updated_at")[:limit])
    return [PublicOffer(title=door.public_text(o.title), description=door.public_text(o.description, 160),
                        group=o.group.organization.name, area=door.public_text(o.area)) for o in offers]


def portal(*, center) -> dict:
    return {
        "events": upcoming_events(center=center),
        "needs": published_needs(center=center, limit=PORTAL_LIMIT),
        "menu": city_menu(center=center, fiscal_year=current_fiscal_year()),
        "offers": published_offers(center=center),
        "groups": listed_groups(center=center)[:PORTAL_LIMIT * 2],
        "fields": list(m.ActivityField.objects.all()),
    }


# --- printable ----------------------------------------------------------------------------------


def menu_document(*, center, fiscal_year: int) -> pdf.Document:
    """The year's menu as a printable A4 document: per department, its desk, できること, できないこと, 協働の種."""
    blocks: list = []
    header = [gettext("種類"), gettext("項目"), gettext("内容"), gettext("条件")]
    widths = [24, 40, 70, 46]
    for menu in city_menu(center=center, fiscal_year=fiscal_year):
        blocks.append(pdf.Heading(menu.department))
        if menu.desk:
            contact = " ／ ".join(part for part in (menu.desk.desk_name, menu.desk.switchboard,
                                                   menu.desk.public_inbox, menu.desk.location) if part)
            blocks.append(pdf.Text(gettext("窓口: %(contact)s") % {"contact": contact}))
        for label, items in ((gettext("できること"), menu.can), (gettext("できないこと"), menu.cannot)):
            if items:
                blocks.append(pdf.Text(f"■ {label}"))
                blocks.append(pdf.Rows(header, [[i.kind_label, i.title, i.description, i.conditions] for i in items],
                                       widths))
        for need in menu.needs:
            blocks.append(pdf.Text(gettext("協働の種: %(title)s\n%(description)s\n団体に期待すること: %(role)s")
                                   % {"title": need.title, "description": need.description,
                                      "role": need.partner_role or "—"}))
    if not blocks:
        blocks.append(pdf.Text(gettext("この年度に公開している項目はありません。")))
    return pdf.Document(
        title=gettext("市のメニュー（市でできること・できないこと） %(year)s") % {"year": fiscal_year_label(fiscal_year)},
        subtitle=gettext("%(center)s が確認して公開している、市の担当課の協働メニューと協働の種です。") % {"center": center.name},
        blocks=blocks, footer=center.name,
    )

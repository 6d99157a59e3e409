"""The talent bank as the public sees it (地域の名人・達人): search, a talent's card, the guidebook PDF.

A publication like the できることメニュー, so it reads no user's scope: only active talents who
consented, and only the fields below — never a name, a reading, a phone or an email. Every free text
passes the node's door (`Door.public_text`), so a name or a number typed into 「できること」 is
scrubbed, or the text withheld, before anyone reads it; the search runs on those scrubbed texts, so
nobody can find a talent by a name the page does not show.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy as _

from common import pdf
from common.japanese import date_label, normalize_for_search
from common.search import contains_all_words, search

from .models import ActivityField, TalentVolunteer
from .outgoing import Door

# Enough for any center's bank (seed 004's list holds a few dozen); more would call for paging.
PUBLIC_LIMIT = 200
TITLE_LIMIT, TEXT_LIMIT = 120, 400


def publicly_listed(queryset: QuerySet | None = None) -> QuerySet:
    """Talents anyone may find and ask for: active, and consented to the public search."""
    queryset = TalentVolunteer.objects.all() if queryset is None else queryset
    return queryset.filter(is_active=True, consent_public_listing_at__isnull=False)


def in_guidebook(queryset: QuerySet | None = None) -> QuerySet:
    """Talents printed in the public guidebook: active, and consented to the guidebook."""
    queryset = TalentVolunteer.objects.all() if queryset is None else queryset
    return queryset.filter(is_active=True, consent_guidebook_at__isnull=False)


@dataclass(frozen=True)
class PublicTalent:
    """What the public may read of a talent. Built from scrubbed texts; holds nothing else."""

    uuid: str
    center_name: str
    title: str
    skills: str
    fields: tuple[tuple[int, str], ...]
    area: str
    availability: str
    conditions: str

    def searchable(self) -> str:
        return normalize_for_search(" ".join((self.title, self.skills, self.area)))


def public_talent(talent: TalentVolunteer, door: Door) -> PublicTalent:
    title = door.public_text(talent.title, TITLE_LIMIT) or door.public_text(talent.skills, 30)
    return PublicTalent(
        uuid=str(talent.uuid), center_name=talent.center.name, title=title,
        skills=door.public_text(talent.skills, TEXT_LIMIT),
        fields=tuple((f.code, f.short_name) for f in talent.activity_fields.all()),
        area=door.public_text(talent.area), availability=door.public_text(talent.availability),
        conditions=door.public_text(talent.conditions),
    )


def public_door() -> Door:
    # Organizations are not people: a talent who teaches at 西区地区センター may say so.
    return Door(organizations=False)


def search_public(*, center=None, q: str = "", area: str = "", field_code: int | None = None) -> list[PublicTalent]:
    """Listed talents matching every word of `q` (in the title, skills or area) and of `area`, in a field.

    The database narrows the rows on the stored search key; the words are then checked again on the
    scrubbed texts, since the stored key also holds the talent's name (staff search by it)."""
    queryset = publicly_listed().select_related("center").prefetch_related("activity_fields")
    if center is not None:
        queryset = queryset.filter(center=center)
    if field_code:
        queryset = queryset.filter(activity_fields__code=field_code)
    queryset = search(search(queryset, q), area).order_by("center_id", "title", "id")
    door = public_door()
    found = []
    for talent in queryset[:PUBLIC_LIMIT]:
        card = public_talent(talent, door)
        if q and not contains_all_words(card.searchable(), q):
            continue
        if area and not contains_all_words(card.area, area):
            continue
        found.append(card)
    return found


def public_detail(uuid) -> tuple[TalentVolunteer, PublicTalent] | None:
    """A listed talent (for the request form) and its public card; None when not listed."""
    talent = publicly_listed().select_related("center").prefetch_related("activity_fields").filter(uuid=uuid).first()
    return (talent, public_talent(talent, public_door())) if talent else None


# --- ガイドブック (PDF) ------------------------------------------------------------------------------

GUIDEBOOK_HEADER = (_("名称"), _("できること"), _("地域"), _("活動できる日時"), _("条件"))
GUIDEBOOK_WIDTHS = [34, 62, 26, 30, 28]  # millimetres, the 180 between A4's margins


def guidebook_talents(*, center, for_staff: bool) -> QuerySet:
    """The public guidebook prints those who consented to it; the staff's copy (for the counter)
    also those who consented only to the web search. Neither prints anything personal."""
    queryset = TalentVolunteer.objects.filter(center=center, is_active=True)
    if for_staff:
        queryset = queryset.exclude(consent_guidebook_at__isnull=True, consent_public_listing_at__isnull=True)
    else:
        queryset = in_guidebook(queryset)
    return queryset.select_related("center").prefetch_related("activity_fields").order_by("title", "id")


def guidebook_pdf(*, center, for_staff: bool = False) -> bytes:
    """名人・達人ガイドブック: the center's talents by activity field, as a printable A4 PDF."""
    door = public_door()
    cards = [public_talent(talent, door) for talent in guidebook_talents(center=center, for_staff=for_staff)]
    by_field: dict[int, list[PublicTalent]] = defaultdict(list)
    for card in cards:
        for code, _label in card.fields or ((0, ""),):
            by_field[code].append(card)
    names = dict(ActivityField.objects.values_list("code", "name"))
    blocks: list = []
    for code in sorted(by_field, key=lambda c: c or 99):
        blocks.append(pdf.Heading(f"{code}. {names.get(code, '')}" if code else gettext("その他")))
        blocks.append(pdf.Rows(header=[str(h) for h in GUIDEBOOK_HEADER], widths=GUIDEBOOK_WIDTHS, rows=[
            [card.title, card.skills, card.area, card.availability, card.conditions] for card in by_field[code]]))
    if not blocks:
        blocks.append(pdf.Text(gettext("掲載している地域人材はまだいません。")))
    subtitle = gettext("%(date)s現在・%(count)s件（活動分野ごと）") % {
        "date": date_label(timezone.localdate()), "count": len(cards)}
    if for_staff:
        subtitle += gettext("・職員用（ウェブ掲載のみの方を含む）")
    return pdf.render(pdf.Document(
        title=gettext("%(center)s 地域の名人・達人ガイドブック") % {"center": center.name}, subtitle=subtitle,
        blocks=blocks,
        footer=gettext("ご依頼は%(center)sへ。地域人材の連絡先はお伝えせず、センターがお取り次ぎします。") % {
            "center": center.name},
    ))

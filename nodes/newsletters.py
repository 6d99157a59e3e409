"""Reads of the center's newsletters: the staff's lists and archive search, the records an edition may
draw from, the distribution totals, and an edition as it leaves the node — on the portal, in the
staff's preview and in the printed PDF, always through the node's door (nodes.outgoing)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet, Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, gettext_lazy as _

from common import pdf
from common.search import contains_all_words, search
from permissions.scoping import scoped_queryset

from . import models as m
from .outgoing import Door

# Groups registered within this many days before an issue count as 新しい登録団体.
NEW_GROUP_DAYS = 183
SECTION_ORDER = (m.ItemKind.COLUMN, m.ItemKind.EVENT, m.ItemKind.GROUP, m.ItemKind.CASE)
SECTION_TITLES = {
    m.ItemKind.EVENT: _("イベントのご案内"),
    m.ItemKind.GROUP: _("団体紹介"),
    m.ItemKind.CASE: _("協働の事例から"),
    m.ItemKind.COLUMN: _("コラム"),
}


def newsletters(*, user) -> QuerySet:
    return scoped_queryset(user, m.Newsletter, "view").select_related("center").order_by("title")


def editions(*, user, q: str = "", newsletter: m.Newsletter | None = None) -> QuerySet:
    """The staff's archive: every edition they may see, newest first; `q` searches titles and text."""
    queryset = scoped_queryset(user, m.NewsletterEdition, "view").select_related("newsletter")
    if newsletter is not None:
        queryset = queryset.filter(newsletter=newsletter)
    if q.strip():
        queryset = search(queryset, q)
    return queryset.order_by("-issue_date", "-number")


def published_editions(*, center, q: str = "", limit: int = 100) -> list:
    """The portal's archive: published editions only. A search match is checked again on the text the
    portal shows, so a scrubbed name finds nothing (the stored key holds the text as written)."""
    queryset = (m.NewsletterEdition.objects.filter(center=center, status=m.EditionStatus.PUBLISHED)
                .select_related("newsletter", "center").order_by("-issue_date", "-number"))
    if not q.strip():
        return list(queryset[:limit])
    found = []
    for edition in search(queryset, q)[:limit]:
        shown = public_edition(edition)
        texts = [shown.title, shown.headline, *(f"{i.heading} {i.body}" for s in shown.sections for i in s.items)]
        if contains_all_words(" ".join(texts), q):
            found.append(edition)
    return found


@dataclass
class Candidates:
    events: list
    groups: list
    cases: list


def candidates(*, edition: m.NewsletterEdition) -> Candidates:
    """What the edition may draw from and has not yet: public events from its issue date on, groups
    registered in the half year before it that consented to be listed, and the cases the center chose to
    share (匿名化 or 団体名を出して)."""
    used = edition.items.values_list
    issued = dt.datetime.combine(edition.issue_date, dt.time.min, tzinfo=timezone.get_current_timezone())
    events = (m.Event.objects.filter(center=edition.center_id, is_public=True, starts_at__gte=issued)
              .exclude(status=m.EventStatus.CANCELLED)
              .exclude(pk__in=used("event", flat=True).exclude(event=None)).order_by("starts_at")[:30])
    groups = (m.GroupRegistration.objects.filter(
        center=edition.center_id, status=m.GroupStatus.ACTIVE, consent_hub_listing_at__isnull=False,
        registered_on__gt=edition.issue_date - dt.timedelta(days=NEW_GROUP_DAYS), registered_on__lte=edition.issue_date)
        .exclude(pk__in=used("group", flat=True).exclude(group=None))
        .select_related("organization").order_by("-registered_on")[:30])
    cases = (m.CollaborationCase.objects.filter(center=edition.center_id)
             .exclude(sharing_level=m.SharingLevel.PRIVATE)
             .exclude(pk__in=used("case", flat=True).exclude(case=None)).order_by("-fiscal_year_start", "title")[:30])
    return Candidates(events=list(events), groups=list(groups), cases=list(cases))


@dataclass
class DistributionTotals:
    associations: int
    han: int
    han_copies: int
    facilities: int
    facility_copies: int

    @property
    def copies(self) -> int:
        return self.han_copies + self.facility_copies


def distribution_totals(*, edition: m.NewsletterEdition) -> DistributionTotals:
    lines = edition.distribution.all()
    han = lines.filter(kind=m.DistributionKind.HAN_KAIRAN).aggregate(n=Sum("han_count"), copies=Sum("copies"))
    facilities = lines.filter(kind=m.DistributionKind.FACILITY).aggregate(copies=Sum("copies"))
    return DistributionTotals(
        associations=lines.filter(kind=m.DistributionKind.HAN_KAIRAN).count(), han=han["n"] or 0,
        han_copies=han["copies"] or 0, facilities=lines.filter(kind=m.DistributionKind.FACILITY).count(),
        facility_copies=facilities["copies"] or 0)


# --- the edition as it leaves the node -------------------------------------------------------------


@dataclass
class PublicItem:
    heading: str
    body: str


@dataclass
class PublicSection:
    title: str
    items: list[PublicItem]


@dataclass
class PublicEdition:
    uuid: str
    title: str
    number: int
    issue_date: dt.date
    headline: str
    center: str
    sections: list[PublicSection]

    @property
    def masthead(self) -> str:
        return gettext("%(title)s 第%(number)s号") % {"title": self.title, "number": self.number}


def public_edition(edition: m.NewsletterEdition) -> PublicEdition:
    """Every text scrubbed by the door the portal's pages use (organizations may be named, as on the
    public calendar; a person's name, phone or email is replaced, and a text still holding one is withheld).
    A case not shared with its names (団体名を出して) has its organizations scrubbed as well."""
    door = Door(organizations=False)
    anonymous = None  # a case shared anonymized keeps its parties unnamed here too
    by_kind: dict[str, list[PublicItem]] = {}
    for item in edition.items.select_related("case"):
        item_door = door
        if item.kind == m.ItemKind.CASE and (item.case is None or item.case.sharing_level != m.SharingLevel.NAMED):
            anonymous = anonymous or Door()
            item_door = anonymous
        by_kind.setdefault(item.kind, []).append(
            PublicItem(heading=item_door.public_text(item.heading), body=item_door.public_text(item.body)))
    sections = [PublicSection(title=str(SECTION_TITLES[kind]), items=by_kind[kind])
                for kind in SECTION_ORDER if kind in by_kind]
    return PublicEdition(uuid=str(edition.uuid), title=door.public_text(edition.newsletter.title), number=edition.number,
                         issue_date=edition.issue_date, headline=door.public_text(edition.headline),
                         center=edition.center.name, sections=sections)


def edition_document(edition: PublicEdition) -> pdf.Document:
    """The printable A4: the masthead with 号 and 発行日, the headline, then a section per kind of item."""
    issued = date_format(edition.issue_date, "Y年n月j日")
    blocks: list = [pdf.Masthead(title=edition.title, left=gettext("第%(number)s号") % {"number": edition.number},
                                 right=gettext("%(date)s 発行") % {"date": issued})]
    if edition.headline:
        blocks.append(pdf.Subheading(edition.headline))
    for section in edition.sections:
        blocks.append(pdf.Heading(section.title))
        for item in section.items:
            blocks += [pdf.Subheading(item.heading), pdf.Text(item.body)]
    return pdf.Document(title="", blocks=blocks, footer=gettext("発行: %(center)s") % {"center": edition.center},
                        pdf_title=edition.masthead)

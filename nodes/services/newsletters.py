"""Writes of the center's newsletters: a title, its editions, the items an edition assembles from the
node's records (events, newly registered groups, shared cases) and the staff's column, the staff's
edits, publication, and the edition's distribution list. Every write is the center staff's, atomic and
audited; bad input raises a ValidationError with a code and changes nothing."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from common.japanese import search_key
from permissions.audit import audit_record

from ..models import (
    CollaborationCase,
    DistributionKind,
    DistributionLine,
    EditionItem,
    EditionStatus,
    Event,
    GroupRegistration,
    ItemKind,
    Newsletter,
    NewsletterEdition,
    SharingLevel,
)
from .pipeline import require_center_staff

# An item drawn from a record starts with this much of its text; staff shorten or rewrite it.
DRAWN_TEXT_LIMIT = 240


def _error(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def _audit(acting_user, action: str, target, detail: dict | None = None) -> None:
    audit_record(actor=acting_user, action=action, target=target, organization=target.center, detail=detail)


def _clean_save(record) -> None:
    """Validate (the model's constraints give the Japanese message) and save; a race that slips past the
    validation still meets the constraint and reads as the same error."""
    record.full_clean()
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError as error:
        raise ValidationError(gettext("保存できませんでした。入力を確認してください。"), code="conflict") from error


@transaction.atomic
def newsletter_create(*, acting_user, center, title: str, issues_per_year: int, format_note: str = "") -> Newsletter:
    require_center_staff(acting_user, center.pk)
    if not isinstance(issues_per_year, int) or not 1 <= issues_per_year <= 52:
        raise _error("issues_per_year", gettext("年間の発行回数は1〜52の数字で入力してください。"), "bad_frequency")
    newsletter = Newsletter(center=center, title=(title or "").strip(), issues_per_year=issues_per_year,
                            format_note=(format_note or "").strip())
    newsletter.search_text = search_key(newsletter.title)
    _clean_save(newsletter)
    _audit(acting_user, "newsletter.create", newsletter)
    return newsletter


def refresh_search_text(edition: NewsletterEdition) -> None:
    """An archived edition is found by its title, headline and every item's text."""
    texts = [edition.newsletter.title, edition.headline]
    for item in edition.items.all():
        texts += [item.heading, item.body]
    NewsletterEdition.objects.filter(pk=edition.pk).update(search_text=search_key(*texts))


def _locked_draft(edition: NewsletterEdition) -> NewsletterEdition:
    edition = NewsletterEdition.objects.select_for_update().select_related("newsletter").get(pk=edition.pk)
    if edition.status != EditionStatus.DRAFT:
        raise _error("status", gettext("発行済みの号は編集できません。"), "already_published")
    return edition


@transaction.atomic
def edition_create(*, acting_user, newsletter: Newsletter, number: int | None, issue_date: dt.date | None,
                   headline: str = "") -> NewsletterEdition:
    require_center_staff(acting_user, newsletter.center_id)
    if not isinstance(number, int) or number < 1:
        raise _error("number", gettext("号は1以上の数字で入力してください。"), "bad_number")
    edition = NewsletterEdition(center=newsletter.center, newsletter=newsletter, number=number, issue_date=issue_date,
                                headline=(headline or "").strip())
    _clean_save(edition)
    refresh_search_text(edition)
    _audit(acting_user, "newsletteredition.create", edition)
    return edition


def _event_text(event: Event) -> str:
    when = date_format(timezone.localtime(event.starts_at), "Y年n月j日（D） H:i")
    lines = [gettext("日時: %(when)s") % {"when": when}]
    if event.venue:
        lines.append(gettext("会場: %(venue)s") % {"venue": event.venue})
    if event.capacity:
        lines.append(gettext("定員: %(n)s名") % {"n": event.capacity})
    lines.append((event.description or event.theme)[:DRAWN_TEXT_LIMIT])
    return "\n".join(line for line in lines if line)


def _group_text(group: GroupRegistration) -> str:
    parts = [group.area and gettext("活動地域: %(area)s") % {"area": group.area}, group.description[:DRAWN_TEXT_LIMIT]]
    return "\n".join(part for part in parts if part)


def _next_position(edition: NewsletterEdition) -> int:
    last = edition.items.order_by("-position").values_list("position", flat=True).first()
    return (last or 0) + 1


def _require_own(edition: NewsletterEdition, records, field: str) -> None:
    if any(record.center_id != edition.center_id for record in records):
        raise _error(field, gettext("このセンターの記録ではありません。"), "other_center")


@transaction.atomic
def edition_add_items(*, acting_user, edition: NewsletterEdition, events=(), groups=(), cases=()) -> list[EditionItem]:
    """Draw items from the chosen records, after the items already there; the text is a starting point."""
    require_center_staff(acting_user, edition.center_id)
    edition = _locked_draft(edition)
    # Read again: a consent or sharing level is checked as it is now, not as the caller last saw it.
    events = list(Event.objects.filter(pk__in=[e.pk for e in events]).order_by("starts_at"))
    groups = list(GroupRegistration.objects.filter(pk__in=[g.pk for g in groups]).select_related("organization"))
    cases = list(CollaborationCase.objects.filter(pk__in=[c.pk for c in cases]))
    _require_own(edition, events, "events")
    _require_own(edition, groups, "groups")
    _require_own(edition, cases, "cases")
    if any(case.sharing_level == SharingLevel.PRIVATE for case in cases):
        raise _error("cases", gettext("非公開の協働事例は掲載できません。共有レベルを確認してください。"), "case_private")
    if any(not group.consent_hub_listing_at for group in groups):
        raise _error("groups", gettext("掲載に同意していない団体は載せられません。"), "group_not_listed")
    if not (events or groups or cases):
        raise _error("events", gettext("載せる記事を選んでください。"), "nothing_chosen")
    position = _next_position(edition)
    drafts = ([EditionItem(kind=ItemKind.EVENT, event=e, heading=e.title, body=_event_text(e)) for e in events]
              + [EditionItem(kind=ItemKind.GROUP, group=g, heading=g.organization.name, body=_group_text(g))
                 for g in groups]
              + [EditionItem(kind=ItemKind.CASE, case=c, heading=c.title, body=c.summary[:DRAWN_TEXT_LIMIT])
                 for c in cases])
    for offset, item in enumerate(drafts):
        item.edition, item.position = edition, position + offset
        item.heading = item.heading[:200]
        item.full_clean()
    EditionItem.objects.bulk_create(drafts)
    refresh_search_text(edition)
    _audit(acting_user, "newsletteredition.add_items", edition,
           {"events": len(events), "groups": len(groups), "cases": len(cases)})
    return drafts


@transaction.atomic
def edition_add_column(*, acting_user, edition: NewsletterEdition, heading: str, body: str) -> EditionItem:
    require_center_staff(acting_user, edition.center_id)
    edition = _locked_draft(edition)
    heading, body = (heading or "").strip(), (body or "").strip()
    if not heading:
        raise _error("heading", gettext("コラムの見出しを入力してください。"), "required")
    if not body:
        raise _error("body", gettext("コラムの本文を入力してください。"), "required")
    item = EditionItem(edition=edition, kind=ItemKind.COLUMN, heading=heading, body=body,
                       position=_next_position(edition))
    item.full_clean()
    item.save()
    refresh_search_text(edition)
    _audit(acting_user, "newsletteredition.add_column", edition)
    return item


@transaction.atomic
def edition_update(*, acting_user, edition: NewsletterEdition, headline: str, items: list[dict]) -> NewsletterEdition:
    """The staff's edit: the headline and, per item id, its heading, body, position or removal
    (`{"id", "heading", "body", "position", "delete"}`). Positions are renumbered 1, 2, 3 … in the order
    given, ties kept in their current order."""
    require_center_staff(acting_user, edition.center_id)
    edition = _locked_draft(edition)
    current = {item.pk: item for item in edition.items.select_for_update()}
    unknown = [row.get("id") for row in items if row.get("id") not in current]
    if unknown:
        raise _error("items", gettext("この号の記事ではありません。"), "unknown_item")
    kept, removed = [], []
    for row in items:
        item = current[row["id"]]
        if row.get("delete"):
            removed.append(item)
            continue
        item.heading, item.body = (row.get("heading") or "").strip(), (row.get("body") or "").strip()
        if not item.heading:
            raise _error("items", gettext("見出しのない記事があります。"), "heading_required")
        if len(item.heading) > 200:
            raise _error("items", gettext("見出しは200字以内にしてください。"), "heading_too_long")
        position = row.get("position")
        if not isinstance(position, int) or position < 1:
            raise _error("items", gettext("順番は1以上の数字で入力してください。"), "bad_position")
        kept.append((position, item.position, item))
    edition.headline = (headline or "").strip()
    if len(edition.headline) > 200:
        raise _error("headline", gettext("今号の特集は200字以内にしてください。"), "headline_too_long")
    EditionItem.objects.filter(pk__in=[item.pk for item in removed]).delete()
    ordered = [item for _position, _old, item in sorted(kept, key=lambda entry: (entry[0], entry[1]))]
    for number, item in enumerate(ordered, start=1):
        item.position = number
    EditionItem.objects.bulk_update(ordered, ["heading", "body", "position"])
    edition.version += 1
    edition.save(update_fields=["headline", "version", "updated_at"])
    refresh_search_text(edition)
    _audit(acting_user, "newsletteredition.update", edition, {"items": len(ordered), "removed": len(removed)})
    return edition


@transaction.atomic
def edition_publish(*, acting_user, edition: NewsletterEdition) -> NewsletterEdition:
    """Published: on the portal (through the node's door) and no longer edited."""
    require_center_staff(acting_user, edition.center_id)
    edition = _locked_draft(edition)
    if not edition.items.exists():
        raise _error("items", gettext("記事のない号は発行できません。"), "empty_edition")
    edition.status, edition.published_at = EditionStatus.PUBLISHED, timezone.now()
    edition.version += 1
    edition.save(update_fields=["status", "published_at", "version", "updated_at"])
    _audit(acting_user, "newsletteredition.publish", edition)
    return edition


@transaction.atomic
def edition_withdraw(*, acting_user, edition: NewsletterEdition, reason: str) -> NewsletterEdition:
    """Take a published edition off the portal (a mistake found after printing, a withdrawn event): it
    becomes a draft again, to be corrected and published anew. The reason stays in the audit log."""
    require_center_staff(acting_user, edition.center_id)
    edition = NewsletterEdition.objects.select_for_update().get(pk=edition.pk)
    if edition.status != EditionStatus.PUBLISHED:
        raise _error("status", gettext("発行していない号は取り下げられません。"), "not_published")
    reason = (reason or "").strip()
    if not reason:
        raise _error("reason", gettext("取り下げる理由を入力してください。"), "required")
    edition.status, edition.published_at = EditionStatus.DRAFT, None
    edition.version += 1
    edition.save(update_fields=["status", "published_at", "version", "updated_at"])
    _audit(acting_user, "newsletteredition.withdraw", edition, {"reason": reason[:200]})
    return edition


@transaction.atomic
def distribution_set(*, acting_user, edition: NewsletterEdition, lines: list[dict]) -> list[DistributionLine]:
    """Replace the edition's distribution list (`{"kind", "recipient", "han_count", "copies"}` each); the
    list stays editable after publication, when the print run is counted."""
    require_center_staff(acting_user, edition.center_id)
    edition = NewsletterEdition.objects.select_for_update().get(pk=edition.pk)
    built, seen = [], set()
    for index, row in enumerate(lines, start=1):
        kind = row.get("kind")
        line = DistributionLine(edition=edition, kind=kind, recipient=(row.get("recipient") or "").strip(),
                                han_count=row.get("han_count") if kind == DistributionKind.HAN_KAIRAN else None,
                                copies=row.get("copies"))
        try:
            line.full_clean(exclude=["edition"], validate_constraints=False)
        except ValidationError as error:
            raise _error("distribution", gettext("%(n)s行目: %(messages)s") % {
                "n": index, "messages": " ".join(error.messages)}, "bad_line") from error
        if kind == DistributionKind.HAN_KAIRAN and not line.han_count:
            raise _error("distribution", gettext("%(n)s行目: 班回覧には班数（1以上）を入力してください。") % {"n": index},
                         "han_count_required")
        if not line.copies:
            raise _error("distribution", gettext("%(n)s行目: 部数は1以上にしてください。") % {"n": index}, "bad_copies")
        if (kind, line.recipient) in seen:
            raise _error("distribution", gettext("%(n)s行目: 「%(name)s」が二度入っています。") % {
                "n": index, "name": line.recipient}, "duplicate_recipient")
        seen.add((kind, line.recipient))
        built.append(line)
    edition.distribution.all().delete()
    DistributionLine.objects.bulk_create(built)
    _audit(acting_user, "newsletteredition.distribution", edition, {"lines": len(built)})
    return built


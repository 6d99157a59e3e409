"""Writes of the mutual review sheet (相互検証シート) with the ward office: a 年度's sheet (copying the
previous sheet's items and carrying its open actions), both sides' ratings and comments, and the agreed
actions. Every change is audited with the names of what changed (never the texts), which is the
sheet's history."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from permissions.audit import audit_record

from ..models import ActionOwner, ActionStatus, Rating, ReviewAction, ReviewItem, ReviewSheet
from .pipeline import require_center_staff

# When no earlier sheet exists: the center's areas of work as seed 004 lays them out.
DEFAULT_HEADINGS = (
    "相談・コーディネート",
    "情報収集・発信",
    "人材育成",
    "交流・ネットワーク",
    "区役所との協働（報・連・相、定例会議）",
    "センターの運営",
)
ITEM_FIELDS = ("center_rating", "center_comment", "ward_rating", "ward_comment")
ACTION_FIELDS = ("status", "result_note", "due", "owner")


def _error(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def _audit(acting_user, action: str, sheet: ReviewSheet, detail: dict | None = None) -> None:
    audit_record(actor=acting_user, action=action, target=sheet, organization=sheet.center, detail=detail)


@transaction.atomic
def review_sheet_create(*, acting_user, center, fiscal_year: int | None, partner_name: str = "",
                        headings: list[str] | None = None) -> ReviewSheet:
    """The 年度's sheet. The latest earlier sheet gives the items (headings, ratings left empty) and
    its open actions, each copied and linked to the one it continues; without one, `headings` (the
    center's own, e.g. its plan's chapters) or DEFAULT_HEADINGS."""
    require_center_staff(acting_user, center.pk)
    previous = (ReviewSheet.objects.filter(center=center, fiscal_year__lt=fiscal_year or 0)
                .order_by("-fiscal_year").first())
    partner_name = (partner_name or "").strip() or (previous.partner_name if previous else "")
    sheet = ReviewSheet(center=center, fiscal_year=fiscal_year, partner_name=partner_name)
    sheet.full_clean()
    try:
        with transaction.atomic():
            sheet.save()
    except IntegrityError as error:
        raise _error("fiscal_year", gettext("この年度のシートはすでにあります。"), "duplicate_year") from error
    if previous:
        headings = list(previous.items.values_list("heading", flat=True))
    else:
        headings = list(dict.fromkeys(h.strip() for h in (headings or DEFAULT_HEADINGS) if h.strip()))
    items = ReviewItem.objects.bulk_create(
        [ReviewItem(sheet=sheet, position=number, heading=heading) for number, heading in enumerate(headings, 1)])
    by_heading = {item.heading: item for item in items}
    carried = []
    if previous:
        for action in previous.actions.filter(status=ActionStatus.OPEN).select_related("item"):
            carried.append(ReviewAction(sheet=sheet, item=by_heading.get(action.item.heading) if action.item else None,
                                        text=action.text, owner=action.owner, due=action.due, carried_from=action))
        ReviewAction.objects.bulk_create(carried)
    _audit(acting_user, "reviewsheet.create", sheet,
           {"item_count": len(items), "carried_actions": len(carried),
            "from_year": previous.fiscal_year if previous else None})
    return sheet


def _locked(sheet: ReviewSheet) -> ReviewSheet:
    return ReviewSheet.objects.select_for_update().get(pk=sheet.pk)


@transaction.atomic
def review_sheet_update(*, acting_user, sheet: ReviewSheet, values: dict, items: list[dict],
                        actions: list[dict] = ()) -> ReviewSheet:
    """The sheet's own fields (`partner_name`, `reviewed_on`, `summary`), the items' ratings and comments
    by id, and the actions' status, result, due and owner by id. The audit row names what changed."""
    require_center_staff(acting_user, sheet.center_id)
    sheet = _locked(sheet)
    changed_sheet = []
    for name in ("partner_name", "reviewed_on", "summary"):
        if name in values:
            value = values[name].strip() if isinstance(values[name], str) else values[name]
            if getattr(sheet, name) != value:
                setattr(sheet, name, value)
                changed_sheet.append(name)
    sheet.full_clean(validate_constraints=False)
    current_items = {item.pk: item for item in sheet.items.all()}
    changed_items: dict[str, list[str]] = {}
    for row in items:
        item = current_items.get(row.get("id"))
        if item is None:
            raise _error("items", gettext("このシートの項目ではありません。"), "unknown_item")
        for name in ITEM_FIELDS:
            value = (row.get(name) or "").strip()
            if name.endswith("rating") and value not in ("", *Rating.values):
                raise _error("items", gettext("「%(item)s」の評価は A・B・C・D から選んでください。") % {
                    "item": item.heading}, "bad_rating")
            if getattr(item, name) != value:
                setattr(item, name, value)
                changed_items.setdefault(item.heading, []).append(name)
    current_actions = {action.pk: action for action in sheet.actions.all()}
    changed_actions: dict[str, list[str]] = {}
    for row in actions:
        action = current_actions.get(row.get("id"))
        if action is None:
            raise _error("actions", gettext("このシートの取り組みではありません。"), "unknown_action")
        for name in ACTION_FIELDS:
            value = (row.get(name) or "").strip()
            if name == "status" and value not in ActionStatus.values:
                raise _error("actions", gettext("取り組みの状況を選んでください。"), "bad_status")
            if name == "owner" and value not in ActionOwner.values:
                raise _error("actions", gettext("取り組みの担当を選んでください。"), "bad_owner")
            if getattr(action, name) != value:
                setattr(action, name, value)
                changed_actions.setdefault(str(action.pk), []).append(name)
    if not (changed_sheet or changed_items or changed_actions):
        return sheet
    sheet.version += 1
    sheet.save()
    ReviewItem.objects.bulk_update(current_items.values(), ITEM_FIELDS)
    ReviewAction.objects.bulk_update(current_actions.values(), ACTION_FIELDS)
    _audit(acting_user, "reviewsheet.update", sheet,
           {"fields": changed_sheet, "items": changed_items, "actions": changed_actions})
    return sheet


@transaction.atomic
def review_action_add(*, acting_user, sheet: ReviewSheet, text: str, owner: str = ActionOwner.BOTH, due: str = "",
                      item: ReviewItem | None = None) -> ReviewAction:
    require_center_staff(acting_user, sheet.center_id)
    sheet = _locked(sheet)
    if item is not None and item.sheet_id != sheet.pk:
        raise _error("item", gettext("このシートの項目ではありません。"), "unknown_item")
    action = ReviewAction(sheet=sheet, item=item, text=(text or "").strip(), owner=owner, due=(due or "").strip())
    if not action.text:
        raise _error("text", gettext("取り組みの内容を入力してください。"), "required")
    action.full_clean()
    action.save()
    _audit(acting_user, "reviewsheet.add_action", sheet, {"action": action.pk})
    return action


@transaction.atomic
def review_item_add(*, acting_user, sheet: ReviewSheet, heading: str) -> ReviewItem:
    require_center_staff(acting_user, sheet.center_id)
    sheet = _locked(sheet)
    heading = (heading or "").strip()
    if not heading:
        raise _error("heading", gettext("項目名を入力してください。"), "required")
    if sheet.items.filter(heading=heading).exists():
        raise _error("heading", gettext("同じ項目が二度あります。"), "duplicate_heading")
    last = sheet.items.order_by("-position").values_list("position", flat=True).first() or 0
    item = ReviewItem(sheet=sheet, heading=heading, position=last + 1)
    item.full_clean()
    item.save()
    _audit(acting_user, "reviewsheet.add_item", sheet, {"item": heading})
    return item

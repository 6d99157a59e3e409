"""Reads of the mutual review sheets (相互検証シート): the years, one sheet's history from the audit
log (who changed what, when), and the printable sheet."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy as _

from common import pdf
from common.japanese import fiscal_year_of
from permissions.models import AuditEvent
from permissions.scoping import scoped_queryset

from . import models as m

ACTION_LABELS = {
    "reviewsheet.create": _("シートを作成"),
    "reviewsheet.update": _("評価・コメントを更新"),
    "reviewsheet.add_action": _("取り組みを追加"),
    "reviewsheet.add_item": _("項目を追加"),
}
FIELD_LABELS = {
    "partner_name": _("区役所の相手方"), "reviewed_on": _("ふりかえりの日"), "summary": _("総括"),
    "center_rating": _("センターの評価"), "center_comment": _("センターのコメント"), "ward_rating": _("区役所の評価"),
    "ward_comment": _("区役所のコメント"), "status": _("状況"), "result_note": _("結果・経過"), "due": _("期限"), "owner": _("担当"),
}


def review_sheets(*, user) -> QuerySet:
    return scoped_queryset(user, m.ReviewSheet, "view").select_related("center").order_by("-fiscal_year")


def next_fiscal_year(*, user) -> int:
    """The 年度 a new sheet is most likely for: the current one, or the one after the latest sheet."""
    latest = review_sheets(user=user).values_list("fiscal_year", flat=True).first()
    current = fiscal_year_of(timezone.localdate())
    return max(current, latest + 1) if latest and latest >= current else current


@dataclass
class HistoryEntry:
    at: object
    who: str
    what: str
    changes: list[str]


def _changes(detail: dict) -> list[str]:
    label = lambda names: "・".join(str(FIELD_LABELS.get(name, name)) for name in names)  # noqa: E731
    lines = []
    if detail.get("fields"):
        lines.append(label(detail["fields"]))
    for heading, names in (detail.get("items") or {}).items():
        lines.append(f"{heading}: {label(names)}")
    if detail.get("actions"):
        lines.append(gettext("取り組み %(n)s件: %(fields)s") % {
            "n": len(detail["actions"]), "fields": label(sorted({n for names in detail["actions"].values() for n in names}))})
    if detail.get("carried_actions"):
        lines.append(gettext("%(year)s年度から取り組み %(n)s件を引き継ぎ") % {
            "year": detail.get("from_year"), "n": detail["carried_actions"]})
    if detail.get("item"):
        lines.append(str(detail["item"]))
    return lines


def sheet_history(*, sheet: m.ReviewSheet) -> list[HistoryEntry]:
    events = list(AuditEvent.objects.filter(target_type="nodes.reviewsheet", target_uuid=sheet.uuid).order_by("-at"))
    users = {user.pk: user for user in get_user_model().objects.filter(pk__in={e.actor_id for e in events if e.actor_id})}
    entries = []
    for event in events:
        user = users.get(event.actor_id)
        who = (user.get_full_name() or user.get_username()) if user else gettext("（システム）")
        entries.append(HistoryEntry(at=event.at, who=who, what=str(ACTION_LABELS.get(event.action, event.action)),
                                    changes=_changes(event.detail or {})))
    return entries


def sheet_document(*, sheet: m.ReviewSheet) -> pdf.Document:
    """The sheet on A4: per item both sides' rating and comment, then the agreed actions."""
    rows = [[item.heading, item.center_rating or "—", item.center_comment, item.ward_rating or "—", item.ward_comment]
            for item in sheet.items.all()]
    actions = [[action.item.heading if action.item else "", action.text, action.get_owner_display(), action.due,
                action.get_status_display() + (gettext("（前年度から）") if action.carried_from_id else "")]
               for action in sheet.actions.select_related("item")]
    blocks: list = [pdf.Text(gettext("評価: A 十分にできた ／ B おおむねできた ／ C 一部できた ／ D できなかった"))]
    blocks += [pdf.Heading(gettext("検証項目")),
               pdf.Rows(header=[gettext("項目"), gettext("センター"), gettext("センターのコメント"), gettext("区役所"),
                                gettext("区役所のコメント")], rows=rows, widths=[34, 16, 57, 16, 57])]
    blocks += [pdf.Heading(gettext("合意した取り組み")),
               pdf.Rows(header=[gettext("項目"), gettext("取り組み"), gettext("担当"), gettext("時期"), gettext("状況")],
                        rows=actions or [["", gettext("（なし）"), "", "", ""]], widths=[32, 76, 18, 24, 30])]
    if sheet.summary:
        blocks += [pdf.Heading(gettext("総括")), pdf.Text(sheet.summary)]
    subtitle = gettext("%(center)s ／ %(partner)s") % {"center": sheet.center.name, "partner": sheet.partner_name}
    if sheet.reviewed_on:
        subtitle += gettext(" ／ ふりかえり %(day)s") % {"day": sheet.reviewed_on.strftime("%Y-%m-%d")}
    return pdf.Document(title=gettext("%(year)s年度 協働に関する相互検証シート") % {"year": sheet.fiscal_year},
                        subtitle=subtitle, blocks=blocks, footer=sheet.center.name)

"""Writes of emergency mode: receiving declarations from the feed, and centers reporting their status."""

from __future__ import annotations

import datetime as dt
import logging
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from permissions.models import Organization, OrganizationKind
from permissions.scoping import is_permitted
from permissions.services import audit_record
from sync import disaster, outbox
from sync.models import FeedItem, Priority

from .models import CenterStatusReport, DisasterDeclaration
from .selectors import declaration_covers

logger = logging.getLogger(__name__)
# A status note leaves the node: it must not carry a phone number or an e-mail address.
_CONTACT = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+|0\d{1,4}[-‐ー－(（ ]?\d{1,4}[-‐ー－)） ]?\d{3,4}")


@transaction.atomic
def declaration_receive(*, payload: dict, feed_seq: int) -> DisasterDeclaration | None:
    """Mirror a declaration from the hub; only a newer version changes the row. Returns it when it changed.

    ValueError (naming the field) when the payload is not a declaration this node can understand.
    """
    values = disaster.parse_declaration(payload)
    current = DisasterDeclaration.objects.select_for_update().filter(uuid=values["uuid"]).first()
    if current is not None and current.version >= values["version"]:
        return None
    if current is None:
        declaration = DisasterDeclaration.objects.create(feed_seq=feed_seq, **values)
    else:
        for name, value in values.items():
            setattr(current, name, value)
        current.feed_seq = feed_seq
        current.save()
        declaration = current
    audit_record(actor=None, action="emergency.declaration_receive", target=declaration,
                 detail={"version": declaration.version, "phase": declaration.phase, "exercise": declaration.exercise,
                         "closed": declaration.closed_at is not None})
    logger.info("disaster declaration %s v%s received (exercise=%s, closed=%s)", declaration.uuid,
                declaration.version, declaration.exercise, declaration.closed_at is not None)
    return declaration


def declaration_receive_item(item: FeedItem) -> DisasterDeclaration | None:
    """The feed handler for `disaster_declaration` (see sync.feed)."""
    return declaration_receive(payload=item.payload, feed_seq=item.seq)


def _refuse(field: str | None, message: str, code: str):
    error = ValidationError(message, code=code)
    return ValidationError({field: error}) if field else error


@transaction.atomic
def center_status_report(*, acting_user, center: Organization, declaration: DisasterDeclaration, status: str,
                         note: str = "", as_of: dt.datetime | None = None) -> CenterStatusReport:
    """A center's staff report its status for an open declaration that covers it; sent to the hub
    at once on the disaster queue."""
    if center.kind != OrganizationKind.CENTER:
        raise _refuse(None, "センターの状況はセンターについてのみ報告できます。", "not_a_center")
    report = CenterStatusReport.objects.select_for_update().filter(center=center, declaration=declaration).first()
    probe = report or CenterStatusReport(center=center, declaration=declaration)
    if not is_permitted(acting_user, CenterStatusReport, "change" if report else "add", probe):
        raise PermissionDenied("permission_denied")
    declaration = DisasterDeclaration.objects.select_for_update().get(pk=declaration.pk)
    if declaration.closed_at is not None:
        raise _refuse(None, "この災害宣言は終了しています。", "declaration_closed")
    if not declaration_covers(declaration, center):
        raise _refuse(None, "この災害宣言はこのセンターの市区町村を対象にしていません。", "not_covered")
    if status not in disaster.CenterStatus.values:
        raise _refuse("status", "状況を選んでください。", "invalid_choice")
    note = (note or "").strip()
    if len(note) > disaster.MAX_NOTE:
        raise _refuse("note", f"補足は{disaster.MAX_NOTE}字以内にしてください。", "max_length")
    if _CONTACT.search(note):
        raise _refuse("note", "補足はハブへ送られます。電話番号やメールアドレスは書かないでください。", "contact_in_note")
    now = timezone.now()
    as_of = as_of or now
    if as_of > now + dt.timedelta(minutes=5):
        raise _refuse("as_of", "未来の時点は報告できません。", "future")
    if report is None:
        report = CenterStatusReport(
            uuid=disaster.center_status_uuid(center_uuid=center.uuid, declaration_uuid=declaration.uuid),
            center=center, declaration=declaration, version=1)
    else:
        report.version += 1
    report.status, report.note, report.as_of = status, note, as_of
    report.reported_by = acting_user if getattr(acting_user, "is_authenticated", False) else None
    report.save()
    audit_record(actor=acting_user, action="emergency.center_status_report", target=report, organization=center,
                 detail={"status": status, "declaration": str(declaration.uuid), "version": report.version})
    outbox.record_changed(report, priority=Priority.DISASTER)
    return report

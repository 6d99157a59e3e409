"""Disaster contacts on the hub: time-limited grants to read a declaration's contacts (a stated
reason, approved by someone else), and their end with the declaration."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from permissions.audit import audit_record
from sync import disaster
from sync.wire.disaster import DISASTER_CONTACT

from ..models import ContactGrant, DisasterContactCopy, DisasterDeclaration, Node
from .shared import refusal
from .tombstones import bury


@transaction.atomic
def contact_grant_request(*, acting_user, declaration: DisasterDeclaration, reason: str,
                          hours: int = 24) -> ContactGrant:
    """A coordinator asks to see a declaration's disaster contacts, for a stated reason and a
    limited time; nothing is visible until someone else approves."""
    declaration = DisasterDeclaration.objects.select_for_update().get(pk=declaration.pk)
    if declaration.closed_at is not None:
        raise refusal(None, gettext("終了した災害宣言の連絡先は閲覧できません。"), "declaration_closed")
    reason = (reason or "").strip()
    if not reason:
        raise refusal("reason", gettext("閲覧の理由を入力してください。"), "required")
    if len(reason) > 500:
        raise refusal("reason", gettext("理由は500字以内にしてください。"), "max_length")
    if isinstance(hours, bool) or not isinstance(hours, int) or not 1 <= hours <= disaster.MAX_CONTACT_GRANT_HOURS:
        raise refusal("hours", gettext("期間は1〜%(max)s時間にしてください。") % {"max": disaster.MAX_CONTACT_GRANT_HOURS},
                      "invalid_hours")
    grant = ContactGrant.objects.create(declaration=declaration, grantee=acting_user, reason=reason,
                                        ends_at=timezone.now() + dt.timedelta(hours=hours))
    audit_record(actor=acting_user, action="hub.contact_grant_request", target=grant,
                 detail={"declaration": str(declaration.uuid), "hours": hours})
    return grant


@transaction.atomic
def contact_grant_approve(*, acting_user, grant: ContactGrant) -> ContactGrant:
    """A hub admin other than the grantee approves (the database refuses self-approval too)."""
    grant = ContactGrant.objects.select_for_update().select_related("declaration").get(pk=grant.pk)
    if grant.grantee_id == getattr(acting_user, "pk", None):
        raise refusal(None, gettext("自分の閲覧申請は承認できません。ほかの管理者に依頼してください。"), "self_approval")
    if grant.approver_id is not None:
        raise refusal(None, gettext("この申請はすでに承認されています。"), "already_approved")
    if grant.declaration.closed_at is not None:
        raise refusal(None, gettext("終了した災害宣言の連絡先は閲覧できません。"), "declaration_closed")
    if grant.ends_at <= timezone.now():
        raise refusal(None, gettext("この申請は期限が過ぎています。"), "expired")
    grant.approver, grant.approved_at = acting_user, timezone.now()
    grant.save(update_fields=["approver", "approved_at"])
    audit_record(actor=acting_user, action="hub.contact_grant_approve", target=grant,
                 detail={"declaration": str(grant.declaration.uuid), "grantee": grant.grantee_id,
                         "ends_at": grant.ends_at.isoformat()})
    return grant


@transaction.atomic
def contact_grant_end(*, acting_user, grant: ContactGrant) -> ContactGrant:
    """End a grant early (the grantee or an approver)."""
    grant = ContactGrant.objects.select_for_update().get(pk=grant.pk)
    now = timezone.now()
    if grant.ends_at > now:
        grant.ends_at = now
        grant.save(update_fields=["ends_at"])
        audit_record(actor=acting_user, action="hub.contact_grant_end", target=grant)
    return grant


def contacts_end(declaration: DisasterDeclaration) -> tuple[int, int]:
    """At close: every grant on the declaration ends now, and its contacts are deleted outright —
    a tombstone per contact (uuid and version, no values) keeps a late copy from coming back; the
    nodes purge their own rows when the close reaches them."""
    now = timezone.now()
    ended = ContactGrant.objects.filter(declaration=declaration, ends_at__gt=now).update(ends_at=now)
    contacts = list(DisasterContactCopy.objects.filter(declaration=declaration)
                    .values_list("node_id", "entity_uuid", "version"))
    for node_id, entity_uuid, version in contacts:
        bury(Node(pk=node_id), DISASTER_CONTACT, entity_uuid, version, "purge")
    DisasterContactCopy.objects.filter(declaration=declaration).delete()
    return ended, len(contacts)

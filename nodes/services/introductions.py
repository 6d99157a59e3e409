"""Introduction requests between centers through the hub (他センターへの紹介の依頼), both directions."""

from __future__ import annotations

import uuid as uuid_module

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext

from common.japanese import search_key
from permissions.audit import audit_record
from permissions.models import Organization, OrganizationKind
from permissions.scoping import get_scoped_or_deny
from sync.client import SyncError
from sync.wire import introductions as introductions_wire

from .. import hub_link
from ..known_data import all_personal_data
from ..models import (
    IntroductionDirection,
    IntroductionRequest,
    IntroductionStatus,
    Need,
    Offer,
)
from ..sharing import require_sendable
from .pipeline import require_center_staff, save_record

# --- 他センターへの紹介の依頼 (through the hub) ------------------------------------------------------

INTRODUCTION_MAX_MESSAGE = introductions_wire.MAX_MESSAGE


def _message(text: str, *, required: bool, label: str) -> str:
    text = (text or "").strip()
    if required and not text:
        raise ValidationError({"message": ValidationError(gettext("%(label)sを入力してください。") % {"label": label},
                                                          code="required")})
    if len(text) > INTRODUCTION_MAX_MESSAGE:
        raise ValidationError({"message": ValidationError(
            gettext("メッセージは%(limit)d字以内にしてください。") % {"limit": INTRODUCTION_MAX_MESSAGE},
            code="max_length")})
    return text


def introduction_request(*, acting_user, need: Need, offer_uuid, message: str, client=None) -> IntroductionRequest:
    """Ask, through the hub, the center owning another center's listed offer to introduce its group
    for `need`. The message and the need's title leave the node scrubbed; known personal data left
    after scrubbing refuses the request. Not one transaction: the hub is asked first (idempotent by
    the request's uuid), and only an accepted request is recorded here."""
    need = get_scoped_or_deny(acting_user, Need, "view", pk=need.pk)
    require_center_staff(acting_user, need.center_id)
    try:
        offer_uuid = uuid_module.UUID(str(offer_uuid))
    except ValueError as error:
        raise ValidationError({"offer": ValidationError(gettext("依頼するメニューを選んでください。"),
                                                        code="invalid")}) from error
    text = _message(message, required=True, label=gettext("依頼のメッセージ"))
    known = all_personal_data()
    checked = require_sendable(text, "message", known)
    title = require_sendable(need.title, "message", known)
    request_uuid = uuid_module.uuid4()
    try:
        answer = hub_link.hub_client(client).json("POST", "/sync/v1/introductions", {
            "uuid": str(request_uuid), "center": str(need.center.uuid), "offer": str(offer_uuid),
            "need_title": title.text, "message": checked.text})
    except SyncError as error:
        raise ValidationError(hub_link.hub_error_message(error), code=error.code) from error
    with transaction.atomic():
        return save_record(IntroductionRequest(uuid=request_uuid), acting_user=acting_user, perm="add", values={
            "center": need.center, "direction": IntroductionDirection.SENT, "need": need, "need_title": need.title,
            "offer_uuid": offer_uuid, "offer_title": answer.get("offer_title", "")[:400],
            "group_name": answer.get("group_name", "")[:200],
            "other_center_name": answer.get("to_center_name", "")[:200] or gettext("他のセンター"),
            "message": checked.text, "requested_by": acting_user})


def introduction_answer(*, acting_user, request: IntroductionRequest, accept: bool, message: str = "",
                        client=None) -> IntroductionRequest:
    """The owning center answers a received request once (forward only); the hub tells the asking center."""

    request = get_scoped_or_deny(acting_user, IntroductionRequest, "change", pk=request.pk)
    if request.direction != IntroductionDirection.RECEIVED:
        raise ValidationError(gettext("依頼したセンターは回答できません。"), code="not_owner")
    if request.status != IntroductionStatus.PENDING:
        raise ValidationError(gettext("この依頼にはすでに回答しています。"), code="already_answered")
    text = _message(message, required=not accept, label=gettext("紹介できない理由"))
    checked = require_sendable(text, "message", all_personal_data()) if text else None
    status = IntroductionStatus.ACCEPTED if accept else IntroductionStatus.DECLINED
    sent = checked.text if checked else ""
    try:
        hub_link.hub_client(client).json("POST", f"/sync/v1/introductions/{request.uuid}/answer",
                                {"status": status.value, "message": sent})
    except SyncError as error:
        raise ValidationError(hub_link.hub_error_message(error), code=error.code) from error
    with transaction.atomic():
        # Forward only: a concurrent answer that got here first wins, this one changes nothing.
        IntroductionRequest.objects.filter(pk=request.pk, status=IntroductionStatus.PENDING).update(
            status=status, answer_message=sent, answered_at=timezone.now(), answered_by=acting_user,
            version=F("version") + 1)
        request.refresh_from_db()
        audit_record(actor=acting_user, action="introductionrequest.answer", target=request,
                     organization=request.center, detail={"status": request.status})
    return request


def _feed_payload(item, keys: set[str]) -> dict:
    payload = item.payload
    if not isinstance(payload, dict) or not keys <= set(payload):
        raise ValueError("an introduction entry lacks fields")
    return payload


@transaction.atomic
def introduction_receive_item(item) -> IntroductionRequest:
    """Feed handler (introduction_request): the hub passes on another center's request to one of our
    centers; it lands in that center's inbox. Idempotent by the request's uuid."""
    payload = _feed_payload(item, introductions_wire.REQUEST_FEED_KEYS)
    center = Organization.objects.filter(kind=OrganizationKind.CENTER, uuid=payload["to_center"]).first()
    if center is None:
        raise ValueError("the request names no center of this node")
    offer = Offer.objects.filter(uuid=payload["offer"], center=center).first()
    record, created = IntroductionRequest.objects.get_or_create(uuid=payload["uuid"], defaults={
        "center": center, "direction": IntroductionDirection.RECEIVED, "offer": offer,
        "offer_uuid": payload["offer"], "need_title": str(payload["need_title"])[:400],
        "offer_title": str(payload["offer_title"])[:400], "group_name": str(payload["group_name"])[:200],
        "other_center_name": str(payload["from_center_name"])[:200], "message": str(payload["message"]),
        "search_text": search_key(payload["need_title"], payload["offer_title"], payload["from_center_name"])})
    if created:
        audit_record(actor=None, action="introductionrequest.receive", target=record, organization=center,
                     detail={"seq": item.seq})
    return record


@transaction.atomic
def introduction_answer_receive_item(item) -> IntroductionRequest:
    """Feed handler (introduction_answer): the owning center answered one of our requests."""
    payload = _feed_payload(item, introductions_wire.ANSWER_FEED_KEYS)
    if payload["status"] not in (IntroductionStatus.ACCEPTED, IntroductionStatus.DECLINED):
        raise ValueError("an answer is accepted or declined")
    record = IntroductionRequest.objects.select_for_update().filter(
        uuid=payload["uuid"], direction=IntroductionDirection.SENT).first()
    if record is None:
        raise ValueError("no request of this node has this uuid")
    if record.status == IntroductionStatus.PENDING:  # forward only: a re-delivered answer changes nothing
        record.status, record.answer_message = payload["status"], str(payload["message"])
        record.answered_at = parse_datetime(str(payload["answered_at"])) or timezone.now()
        record.version += 1
        record.save(update_fields=["status", "answer_message", "answered_at", "version", "updated_at"])
        audit_record(actor=None, action="introductionrequest.answered", target=record, organization=record.center,
                     detail={"status": record.status, "seq": item.seq})
    return record

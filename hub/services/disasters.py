"""Disaster coordination (みんかな) by the hub's coordinators: declaring, changing and closing a
disaster (each version goes to every node through the feed), committing offers or centers to
needs (sent to the committing node only), and numbered situation reports (第N報)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from permissions.audit import audit_record
from permissions.selectors import hub_operator
from sync import disaster
from sync.wire.disaster import MAX_INSTRUCTIONS

from ..models import DisasterCommitment, DisasterDeclaration, DisasterNeedCopy, DisasterOfferCopy, NodeCenter
from . import contacts
from .feed import feed_publish
from .shared import actor, refusal


def _declaration_area(*, municipality_codes, whole_prefecture: bool) -> list[str]:
    try:
        codes = disaster.normalize_codes(municipality_codes)
    except ValueError as error:
        raise ValidationError({"municipality_codes": ValidationError(
            gettext("全国地方公共団体コード「%(code)s」の検査数字が一致しません。"), code="invalid_check_digit",
            params={"code": str(error)})}) from error
    outside = [code for code in codes if not disaster.in_area(code)]
    if outside:
        raise ValidationError({"municipality_codes": ValidationError(
            gettext("「%(code)s」はこのハブの県の市区町村ではありません。"), code="outside_prefecture", params={"code": outside[0]})})
    if len(codes) > disaster.MAX_MUNICIPALITIES:
        raise ValidationError({"municipality_codes": ValidationError(gettext("市区町村が多すぎます。"), code="too_many")})
    if whole_prefecture and disaster.prefecture_code() == disaster.NATIONAL_CODE:
        raise ValidationError({"municipality_codes": ValidationError(
            gettext("全国ハブの広域宣言は対象の市区町村を指定してください。"), code="no_area")})
    if not codes and not whole_prefecture:
        raise ValidationError({"municipality_codes": ValidationError(
            gettext("対象の市区町村を入力するか「県内全域」を選んでください。"), code="no_area")})
    return [] if whole_prefecture else codes


def _declaration_publish(*, acting_user, declaration: DisasterDeclaration, action: str, detail: dict) -> None:
    """Audit the change and send the new version to every node (each decides whether it is covered)."""
    audit_record(actor=acting_user, action=action, target=declaration,
                 detail={"version": declaration.version, "phase": declaration.phase,
                         "exercise": declaration.exercise, **detail})
    feed_publish(acting_user=acting_user, kind=disaster.FEED_KIND, payload=disaster.declaration_payload(declaration))


@transaction.atomic
def disaster_declare(*, acting_user, name: str, hazard: str, municipality_codes: list[str],
                     whole_prefecture: bool = False, exercise: bool = False,
                     started_at: dt.datetime | None = None) -> DisasterDeclaration:
    """Declare a disaster (or a drill, `exercise=True`) in its first phase, 初動."""
    declaration = DisasterDeclaration(
        name=name.strip(), hazard=hazard, whole_prefecture=whole_prefecture, exercise=exercise,
        # Every declaration of the national hub is 広域: its prefectural hubs mirror it down.
        wide_area=disaster.prefecture_code() == disaster.NATIONAL_CODE,
        municipality_codes=_declaration_area(municipality_codes=municipality_codes, whole_prefecture=whole_prefecture),
        started_at=started_at or timezone.now(), created_by=actor(acting_user), declared_by=hub_operator())
    declaration.full_clean()
    declaration.save()
    _declaration_publish(acting_user=acting_user, declaration=declaration, action="hub.disaster_declare",
                         detail={"municipalities": len(declaration.municipality_codes),
                                 "whole_prefecture": declaration.whole_prefecture,
                                 "declared_by": str(declaration.declared_by.uuid) if declaration.declared_by else None})
    return declaration


@transaction.atomic
def disaster_update(*, acting_user, declaration: DisasterDeclaration, name: str, hazard: str,
                    municipality_codes: list[str], whole_prefecture: bool, phase: str) -> DisasterDeclaration:
    """Change an open declaration: its name, hazard, area, or move it to a later phase."""
    declaration = DisasterDeclaration.objects.select_for_update().get(pk=declaration.pk)
    if declaration.closed_at is not None:
        raise ValidationError(ValidationError(gettext("終了した災害宣言は変更できません。"), code="closed"))
    if phase not in disaster.Phase.values:
        raise ValidationError({"phase": ValidationError(gettext("不明なフェーズです。"), code="invalid_choice")})
    if disaster.phase_rank(phase) < disaster.phase_rank(declaration.phase):
        raise ValidationError({"phase": ValidationError(
            gettext("フェーズは先へ進めることしかできません（現在: %(current)s）。"), code="phase_backwards",
            params={"current": declaration.get_phase_display()})})
    codes = _declaration_area(municipality_codes=municipality_codes, whole_prefecture=whole_prefecture)
    changed = {field for field, value in (("name", name.strip()), ("hazard", hazard), ("municipality_codes", codes),
                                          ("whole_prefecture", whole_prefecture), ("phase", phase))
               if getattr(declaration, field) != value}
    if not changed:
        return declaration
    declaration.name, declaration.hazard, declaration.phase = name.strip(), hazard, phase
    declaration.municipality_codes, declaration.whole_prefecture = codes, whole_prefecture
    declaration.version += 1
    declaration.full_clean()
    declaration.save()
    _declaration_publish(acting_user=acting_user, declaration=declaration, action="hub.disaster_update",
                         detail={"fields": sorted(changed)})
    return declaration


@transaction.atomic
def disaster_close(*, acting_user, declaration: DisasterDeclaration,
                   closed_at: dt.datetime | None = None) -> DisasterDeclaration:
    """End a declaration: every node it covered returns to normal when it receives this version."""
    declaration = DisasterDeclaration.objects.select_for_update().get(pk=declaration.pk)
    if declaration.closed_at is not None:
        raise ValidationError(ValidationError(gettext("この災害宣言はすでに終了しています。"), code="already_closed"))
    declaration.closed_at = closed_at or timezone.now()
    declaration.version += 1
    declaration.full_clean()
    declaration.save()
    ended, purged = contacts.contacts_end(declaration)
    _declaration_publish(acting_user=acting_user, declaration=declaration, action="hub.disaster_close",
                         detail={"grants_ended": ended, "contacts_purged": purged})
    return declaration


def commitment_payload(commitment: DisasterCommitment, need: DisasterNeedCopy) -> dict:
    """The feed payload of `disaster_commitment` (sync.wire.disaster.COMMITMENT_FEED_KEYS), addressed
    to the committing center's node."""
    return {"uuid": str(commitment.uuid), "declaration": str(commitment.declaration.uuid),
            "center": str(commitment.center.center_uuid), "need": str(commitment.need_uuid),
            "offer": str(commitment.offer_uuid) if commitment.offer_uuid else None, "sector": commitment.sector,
            "need_center_name": need.center.name,
            "place": f"{need.municipality_code} {need.place_name}".strip(), "quantity": commitment.quantity,
            "instructions": commitment.instructions, "created_at": commitment.created_at.isoformat()}


@transaction.atomic
def disaster_commit(*, acting_user, need: DisasterNeedCopy, quantity: int, offer: DisasterOfferCopy | None = None,
                    center: NodeCenter | None = None, instructions: str = "",
                    now: dt.datetime | None = None) -> DisasterCommitment:
    """A coordinator commits an offer (or a center) to a live need. The hub writes the commitment and
    sends it to the committing node only; that node acknowledges and reports delivery itself."""
    now = now or timezone.now()
    need = DisasterNeedCopy.objects.select_for_update().select_related("declaration", "center").get(pk=need.pk)
    declaration = need.declaration
    if declaration.closed_at is not None:
        raise refusal(None, gettext("終了した災害宣言には割り当てできません。"), "declaration_closed")
    if need.status not in disaster.NEED_LIVE or need.expires_at <= now:
        raise refusal(None, gettext("このニーズは受付中ではありません（充足・期限切れ・取り下げ）。"), "need_not_live")
    if (offer is None) == (center is None):
        raise refusal("offer", gettext("支援の申し出かセンターのどちらか一方を選んでください。"), "offer_or_center")
    if offer is not None:
        offer = DisasterOfferCopy.objects.select_related("center").get(pk=offer.pk)
        if offer.declaration_id != declaration.pk or offer.status != disaster.OfferStatus.OPEN or offer.valid_until <= now:
            raise refusal("offer", gettext("この申し出はこの災害で受付中ではありません。"), "offer_not_open")
        center = offer.center
    if isinstance(quantity, bool) or not isinstance(quantity, int) or not 0 < quantity <= disaster.MAX_QUANTITY:
        raise refusal("quantity", gettext("数量は1以上の整数で入力してください。"), "invalid_quantity")
    instructions = (instructions or "").strip()
    if len(instructions) > MAX_INSTRUCTIONS:
        raise refusal("instructions", gettext("調整メモは%(limit)s字以内にしてください。") % {"limit": MAX_INSTRUCTIONS},
                      "max_length")
    commitment = DisasterCommitment.objects.create(
        declaration=declaration, need_uuid=need.entity_uuid, need_node_id=need.node_id,
        offer_uuid=offer.entity_uuid if offer else None, center=center, sector=need.sector,
        municipality_code=need.municipality_code, quantity=quantity, instructions=instructions,
        created_by=actor(acting_user))
    audit_record(actor=acting_user, action="hub.disaster_commit", target=commitment,
                 detail={"declaration": str(declaration.uuid), "need": str(need.entity_uuid),
                         "offer": str(offer.entity_uuid) if offer else None, "to_node": center.node_id,
                         "quantity": quantity})
    feed_publish(acting_user=acting_user, kind=disaster.COMMITMENT_KIND, node=center.node,
                 payload=commitment_payload(commitment, need))
    return commitment


@transaction.atomic
def disaster_sitrep_issue(*, acting_user, declaration: DisasterDeclaration) -> DisasterDeclaration:
    """Issue the next numbered situation report (第N報): the counter and its time are stored on the
    declaration (the database lets only this change through without a new version)."""
    declaration = DisasterDeclaration.objects.select_for_update().get(pk=declaration.pk)
    declaration.sitrep_number += 1
    declaration.sitrep_issued_at = timezone.now()
    declaration.save(update_fields=["sitrep_number", "sitrep_issued_at", "updated_at"])
    audit_record(actor=acting_user, action="hub.disaster_sitrep", target=declaration,
                 detail={"number": declaration.sitrep_number})
    return declaration

"""Enrolling nodes and their signing keys (two active at most, for rotation), and the nonces of
signed requests, each accepted once."""

from __future__ import annotations

import base64
import binascii
import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext

from common.japanese import municipality_code_is_valid
from permissions.audit import audit_record
from sync.keys import key_id_for
from sync.signing import fingerprint

from ..models import KeyStatus, Node, NodeKey, NodeKind, NodeStatus, SeenNonce


def public_key_bytes(public_key_b64: str) -> bytes:
    try:
        raw = base64.b64decode(public_key_b64.strip(), validate=True)
    except (binascii.Error, ValueError) as error:
        raise ValidationError({"public_key": ValidationError(gettext("公開鍵はBase64で入力してください。"), code="invalid_base64")}) from error
    if len(raw) != 32:
        raise ValidationError({"public_key": ValidationError(gettext("Ed25519の公開鍵（32バイト）ではありません。"), code="invalid_key_length")})
    return raw


def _add_key(node: Node, raw: bytes) -> NodeKey:
    key_id = key_id_for(raw)
    if NodeKey.objects.filter(key_id=key_id).exists():
        raise ValidationError({"public_key": ValidationError(gettext("この公開鍵はすでに登録されています。"), code="duplicate_key")})
    used = set(node.keys.filter(status=KeyStatus.ACTIVE).values_list("slot", flat=True))
    free = [slot for slot in (1, 2) if slot not in used]
    if not free:
        raise ValidationError({"public_key": ValidationError(
            gettext("有効な鍵はすでに2つあります。古い鍵を引退させてから追加してください。"), code="two_active_keys")})
    return NodeKey.objects.create(node=node, key_id=key_id, public_key=raw, fingerprint=fingerprint(raw), slot=free[0])


@transaction.atomic
def node_enroll(*, acting_user, name: str, municipality_code: str, public_key: str, slug: str = "",
                municipality_name: str = "", base_url: str = "") -> Node:
    """A hub admin registers a center's node with the public key the node generated."""
    if not municipality_code_is_valid(municipality_code):
        raise ValidationError({"municipality_code": ValidationError(
            gettext("全国地方公共団体コードの検査数字が一致しません。"), code="invalid_check_digit")})
    raw = public_key_bytes(public_key)
    node = Node(name=name.strip(), slug=slug or slugify(name, allow_unicode=False) or f"node-{municipality_code}",
                municipality_code=municipality_code, municipality_name=municipality_name, base_url=base_url)
    node.full_clean()
    node.save()
    key = _add_key(node, raw)
    audit_record(actor=acting_user, action="hub.node_enroll", target=node,
                 detail={"slug": node.slug, "key_id": key.key_id, "fingerprint": key.fingerprint})
    return node


@transaction.atomic
def prefectural_hub_enroll(*, acting_user, name: str, prefecture_code: str, public_key: str, slug: str = "",
                           prefecture_name: str = "", base_url: str = "") -> Node:
    """The national hub's admin registers a prefectural hub with the key that hub signs with (its
    `sync_keygen` key): from then on the prefectural hub syncs here as a node does with it."""
    if settings.KYODO_HUB_LEVEL != "national":
        raise ValidationError({"kind": ValidationError(
            gettext("都道府県ハブを登録できるのは全国ハブだけです（KYODO_HUB_LEVEL=national）。"), code="not_national")})
    if not (municipality_code_is_valid(prefecture_code) and prefecture_code[2:5] == "000"):
        raise ValidationError({"municipality_code": ValidationError(
            gettext("都道府県の団体コード（例: 神奈川県 140007）を入力してください。"), code="not_a_prefecture")})
    raw = public_key_bytes(public_key)
    node = Node(name=name.strip(), slug=slug or f"pref-{prefecture_code[:2]}", kind=NodeKind.PREFECTURAL_HUB,
                municipality_code=prefecture_code, municipality_name=prefecture_name, base_url=base_url)
    node.full_clean()
    node.save()
    key = _add_key(node, raw)
    audit_record(actor=acting_user, action="hub.prefectural_hub_enroll", target=node,
                 detail={"slug": node.slug, "key_id": key.key_id, "fingerprint": key.fingerprint})
    return node


@transaction.atomic
def node_key_add(*, acting_user, node: Node, public_key: str) -> NodeKey:
    """Rotation, step 1: the node's next key becomes valid beside the current one."""
    key = _add_key(Node.objects.select_for_update().get(pk=node.pk), public_key_bytes(public_key))
    audit_record(actor=acting_user, action="hub.key_add", target=node, detail={"key_id": key.key_id})
    return key


@transaction.atomic
def node_key_retire(*, acting_user, key: NodeKey, revoke: bool = False) -> NodeKey:
    """Rotation, step 2 (retire the old key) — or revocation of a compromised one."""
    key = NodeKey.objects.select_for_update().get(pk=key.pk)
    key.status = KeyStatus.REVOKED if revoke else KeyStatus.RETIRED
    key.slot, key.retired_at = None, timezone.now()
    key.save(update_fields=["status", "slot", "retired_at"])
    audit_record(actor=acting_user, action="hub.key_revoke" if revoke else "hub.key_retire", target=key.node,
                 detail={"key_id": key.key_id})
    return key


@transaction.atomic
def node_set_status(*, acting_user, node: Node, status: str) -> Node:
    node = Node.objects.select_for_update().get(pk=node.pk)
    node.status = status
    node.full_clean()
    node.save(update_fields=["status"])
    if status == NodeStatus.REVOKED:
        for key in node.keys.filter(status=KeyStatus.ACTIVE):
            node_key_retire(acting_user=acting_user, key=key, revoke=True)
    audit_record(actor=acting_user, action="hub.node_status", target=node, detail={"status": status})
    return node


def active_public_key(key_id: str) -> bytes | None:
    key = (NodeKey.objects.filter(key_id=key_id, status=KeyStatus.ACTIVE, node__status=NodeStatus.ACTIVE)
           .values_list("public_key", flat=True).first())
    return bytes(key) if key is not None else None


def nonce_record(*, key_id: str, nonce: str, expires: int) -> NodeKey | None:
    """Accept a nonce once; None when it was seen before (a replay)."""
    with transaction.atomic():  # one commit for the nonce and the contact times
        key = NodeKey.objects.select_related("node").get(key_id=key_id)
        try:
            with transaction.atomic():
                SeenNonce.objects.create(key=key, nonce=nonce,
                                         expires_at=dt.datetime.fromtimestamp(expires, tz=dt.UTC))
        except IntegrityError:
            return None
        now = timezone.now()
        NodeKey.objects.filter(pk=key.pk).update(last_used_at=now)
        _node_contacted(key.node_id, now)
    return key


def _node_contacted(node_id: int, now: dt.datetime) -> None:
    """Note the contact, unless a batch of the node holds its row: that batch notes the time itself,
    and waiting for it here would hold the next batch's checks behind its predecessor's apply."""
    if connection.vendor != "postgresql":
        Node.objects.filter(pk=node_id).update(last_contact_at=now)
        return
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {Node._meta.db_table} SET last_contact_at = %s WHERE id = (SELECT id FROM"
                       f" {Node._meta.db_table} WHERE id = %s FOR NO KEY UPDATE SKIP LOCKED)", [now, node_id])


def nonces_forget_expired() -> int:
    # A nonce only matters while its signature could still be accepted.
    return SeenNonce.objects.filter(expires_at__lt=timezone.now() - dt.timedelta(hours=1)).delete()[0]

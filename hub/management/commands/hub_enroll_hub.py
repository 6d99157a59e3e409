"""`kyodo manage hub_enroll_hub` on the national hub: register a prefectural hub and its public key."""

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from hub.models import Node, NodeKind
from hub.services import enrollment
from sync.keys import key_id_for


class Command(BaseCommand):
    help = "On the national hub: enroll a prefectural hub with the public key its `sync_keygen` printed."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="e.g. 神奈川県 協働ハブ")
        parser.add_argument("--slug", default="")
        parser.add_argument("--prefecture-code", required=True, help="全国地方公共団体コード of the prefecture, e.g. 140007")
        parser.add_argument("--prefecture-name", default="")
        parser.add_argument("--base-url", default="")
        parser.add_argument("--public-key", required=True, help="Base64 Ed25519 public key (sync_keygen on that hub)")

    def handle(self, *args, **o):
        try:
            existing = Node.objects.filter(slug=o["slug"], kind=NodeKind.PREFECTURAL_HUB).first() if o["slug"] else None
            raw = enrollment.public_key_bytes(o["public_key"])
            known = existing.keys.filter(key_id=key_id_for(raw)).first() if existing else None
            if known is not None:
                node, key = existing, known  # enrolled with this key already (a restarted runner)
            elif existing is not None:
                node, key = existing, enrollment.node_key_add(acting_user=None, node=existing,
                                                             public_key=o["public_key"])
            else:
                node = enrollment.prefectural_hub_enroll(
                    acting_user=None, name=o["name"], slug=o["slug"], prefecture_code=o["prefecture_code"],
                    prefecture_name=o["prefecture_name"], base_url=o["base_url"], public_key=o["public_key"])
                key = node.keys.get()
        except ValidationError as error:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())) from error
        self.stdout.write(json.dumps({"node": node.slug, "key_id": key.key_id, "fingerprint": key.fingerprint}))

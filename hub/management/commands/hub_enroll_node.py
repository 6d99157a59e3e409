"""`kyodo hub enroll-node`: register a node and its public key on the hub."""

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from hub.models import Node
from hub.services import enrollment
from sync.keys import key_id_for


class Command(BaseCommand):
    help = "Enroll a node (or add a key to an enrolled one) with the public key it generated."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True)
        parser.add_argument("--slug", default="")
        parser.add_argument("--municipality-code", required=True)
        parser.add_argument("--municipality-name", default="")
        parser.add_argument("--base-url", default="")
        parser.add_argument("--public-key", required=True, help="Base64 Ed25519 public key (sync_keygen)")

    def handle(self, *args, **o):
        try:
            existing = Node.objects.filter(slug=o["slug"]).first() if o["slug"] else None
            known = existing.keys.filter(key_id=key_id_for(enrollment.public_key_bytes(o["public_key"]))).first() if existing else None
            if known is not None:
                # Enrolling the same node with the same key again changes nothing (a restarted demo).
                node, key = existing, known
            elif existing is not None:
                key = enrollment.node_key_add(acting_user=None, node=existing, public_key=o["public_key"])
                node = existing
            else:
                node = enrollment.node_enroll(acting_user=None, name=o["name"], slug=o["slug"],
                                            municipality_code=o["municipality_code"],
                                            municipality_name=o["municipality_name"], base_url=o["base_url"],
                                            public_key=o["public_key"])
                key = node.keys.get()
        except ValidationError as error:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())) from error
        self.stdout.write(json.dumps({"node": node.slug, "key_id": key.key_id, "fingerprint": key.fingerprint}))

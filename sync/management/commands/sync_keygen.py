"""Create this deployment's Ed25519 signing key (once) and print its public half.

On a node: give it to the hub admin to enroll the node. On the hub: the key signs pokes to the
nodes, and its public half (and the next one, during a rotation) goes to every node through the feed."""

import json

from django.core.management.base import BaseCommand, CommandError

from sync import keys


class Command(BaseCommand):
    help = "Create (or show) the node's signing key; --rotate makes the next key, --promote switches to it."

    def add_arguments(self, parser):
        parser.add_argument("--rotate", action="store_true", help="create the next key for rotation")
        parser.add_argument("--promote", action="store_true", help="sign with the next key from now on")

    def handle(self, *args, rotate=False, promote=False, **options):
        try:
            if promote:
                pair = keys.promote_next_key()
            elif rotate:
                _current, pair = keys.rotate_key()
            else:
                pair = keys.load_key() or keys.create_key()
        except RuntimeError as error:
            raise CommandError(str(error)) from error
        keys.announce_keys()  # the hub publishes its public keys to the nodes (hub.apps listens)
        self.stdout.write(json.dumps({"key_id": pair.key_id, "public_key": pair.public_key_b64,
                                      "fingerprint": pair.fingerprint}))

"""Defaults for a developer's shell: `manage.py` and `kyodo manage` without a deployment's environment.

Served processes (gunicorn, Celery) read config.settings directly and still refuse to start without
KYODO_ROLE and SECRET_KEY; only these two entry points fill them in, and say so.
"""

from __future__ import annotations

import os
import sys

DEFAULTS = {"KYODO_ROLE": "node", "SECRET_KEY": "kyodo-development-only-not-secret", "KYODO_DEBUG": "1"}


def use_development_defaults() -> None:
    if os.environ.get("KYODO_ROLE"):
        return
    for name, value in DEFAULTS.items():
        os.environ.setdefault(name, value)
    print("Kyodo: KYODO_ROLE is not set; using development defaults (role node, debug, a development "
          "SECRET_KEY). Set the environment of a deployment (deploy/node.env.example) for anything else.",
          file=sys.stderr)

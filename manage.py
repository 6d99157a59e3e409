#!/usr/bin/env python
"""Django's command-line utility for a Kyodo deployment (role from KYODO_ROLE)."""

import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    from config.development import use_development_defaults

    use_development_defaults()

    execute_from_command_line(sys.argv)

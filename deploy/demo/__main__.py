"""`python -m deploy.demo …`: Django set up from this deployment's environment, then the demo's commands.

The federation runner calls it in each deployment's environment, as it calls manage.py; run by hand
without one, it takes the development defaults as manage.py does.
"""

import os
import sys

import django

from config.development import use_development_defaults

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
use_development_defaults()
django.setup()

from .cli import main  # noqa: E402 (the seeder imports models, which need the apps ready)

sys.exit(main())

"""`manage.py seed_demo --center odawara [--scale N] [--seed 0]`: one center's demo data.

Prints the demo logins as JSON lines on stdout (one object per login); counts and timings go to
stderr, so the output can be piped into other tools.
"""

from __future__ import annotations

import json
import time

from django.core.management.base import BaseCommand, CommandError

from nodes.demo import CENTERS, generate_volume, seed_center
from permissions.models import Organization, OrganizationKind


class Command(BaseCommand):
    help = "Seed one center's demo data (the seed documents' content) and optionally Faker volume."

    def add_arguments(self, parser):
        parser.add_argument("--center", required=True, choices=sorted(CENTERS), help="which center this node runs")
        parser.add_argument("--scale", type=int, default=None, help="also generate this many groups (and proportional records)")
        parser.add_argument("--seed", type=int, default=0, help="Faker and random seed for --scale")

    def handle(self, *args, center: str, scale: int | None, seed: int, **options):
        if scale is not None and scale < 0:
            raise CommandError("--scale must be 0 or more")
        logins = seed_center(center)
        if scale:
            organization = Organization.objects.get(kind=OrganizationKind.CENTER, name=CENTERS[center].name)
            started = time.perf_counter()
            counts = generate_volume(center=organization, scale=scale, seed=seed)
            elapsed = time.perf_counter() - started
            self.stderr.write(f"generate_volume(scale={scale}, seed={seed}): {json.dumps(counts)} in {elapsed:.1f} s")
        for login in logins:
            self.stdout.write(json.dumps(
                {"role": login.role, "organization": login.organization, "username": login.username,
                 "password": login.password}, ensure_ascii=False,
            ))

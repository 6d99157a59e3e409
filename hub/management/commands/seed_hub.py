"""Demo accounts of the hub: the prefecture organization, a hub admin and a coordinator."""

import json

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from permissions.models import Organization, OrganizationKind, Role
from permissions.services import membership_grant, organization_create

DEMO_PASSWORD = "kyodo-demo-2026"
ACCOUNTS = (("hub-admin", Role.HUB_ADMIN, "葵", "県庁"), ("hub-coordinator", Role.COORDINATOR, "湊", "協働"))


class Command(BaseCommand):
    help = "Create 神奈川県 (the hub's organization) and its demo logins; prints them as JSON lines."

    def handle(self, *args, **options):
        prefecture = Organization.objects.filter(kind=OrganizationKind.PREFECTURE).first() or organization_create(
            acting_user=None, name="神奈川県", name_kana="カナガワケン", kind=OrganizationKind.PREFECTURE,
            municipality_code="140007", municipality_name="神奈川県")
        users = get_user_model().objects
        for username, role, first_name, last_name in ACCOUNTS:
            user = users.filter(username=username).first()
            if user is None:
                user = users.create_user(username, password=DEMO_PASSWORD, first_name=first_name, last_name=last_name)
                membership_grant(acting_user=None, user=user, organization=prefecture, role=role)
            self.stdout.write(json.dumps({"role": str(role.label), "organization": prefecture.name, "username": username,
                                          "password": DEMO_PASSWORD}, ensure_ascii=False))

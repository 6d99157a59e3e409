"""`kyodo manage hub_organization`: record the hub's operator (a network of intermediate support
organizations) or a partner, creating the organization or changing an existing one's standing."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from permissions.models import HubStanding, Organization, OrganizationKind
from permissions.services import organization_create, organization_set_hub_standing


class Command(BaseCommand):
    help = "Make an organization the hub's operator or a partner (created when no organization has that name)."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True)
        parser.add_argument("--standing", required=True, choices=[v for v in HubStanding.values if v] + ["none"])
        parser.add_argument("--kind", choices=OrganizationKind.values, help="for a new organization")
        parser.add_argument("--kana", default="")

    def handle(self, *args, **o):
        standing = "" if o["standing"] == "none" else o["standing"]
        try:
            organization = Organization.objects.filter(name=o["name"], center__isnull=True).first()
            if organization is None:
                if not o["kind"]:
                    raise CommandError("a new organization needs --kind")
                organization = organization_create(acting_user=None, name=o["name"], name_kana=o["kana"],
                                                   kind=o["kind"], hub_standing=standing)
            else:
                organization = organization_set_hub_standing(acting_user=None, organization=organization,
                                                             hub_standing=standing)
        except ValidationError as error:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())) from error
        self.stdout.write(f"{organization.name}\t{organization.kind}\t{organization.hub_standing or 'none'}")

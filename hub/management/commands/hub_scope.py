"""`kyodo manage hub_scope`: list the hub's coordinators' scopes, grant one on top of a role, revoke it."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from hub.selectors.access import hub_roles_overview
from permissions import grants
from permissions.models import HubScope, Membership, ScopeGrant
from permissions.roles import COORDINATOR_ROLES


class Command(BaseCommand):
    help = "Grant or revoke a hub scope for one coordinator, in the name of the operator's hub admin (--by)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=("list", "grant", "revoke"))
        parser.add_argument("--by", help="username of the operator's hub admin making the change")
        parser.add_argument("--user", help="the coordinator's username")
        parser.add_argument("--scope", choices=HubScope.values)
        parser.add_argument("--organization", default="", help="the coordinator's organization, if they have several")
        parser.add_argument("--reason", default="")

    def handle(self, *args, **o):
        if o["action"] == "list":
            for organization, rows in hub_roles_overview():
                for row in rows:
                    granted = ",".join(sorted(row.grants)) or "-"
                    self.stdout.write(f"{organization.name}\t{row.membership.user.username}\t{row.membership.role}\t"
                                      f"granted:{granted}")
            return
        users = get_user_model().objects
        missing = [name for name in ("by", "user", "scope") if not o[name]]
        if missing:
            raise CommandError(f"{o['action']} needs --{' --'.join(missing)}")
        try:
            by, user = users.get(username=o["by"]), users.get(username=o["user"])
        except get_user_model().DoesNotExist as error:
            raise CommandError("no such user") from error
        memberships = Membership.objects.filter(user=user, role__in=COORDINATOR_ROLES).select_related("organization")
        if o["organization"]:
            memberships = memberships.filter(organization__name=o["organization"])
        organizations = {m.organization for m in memberships}
        if len(organizations) != 1:
            raise CommandError(f"{user.username} is a coordinator of {len(organizations)} organizations; "
                               "name one with --organization")
        organization = organizations.pop()
        try:
            if o["action"] == "grant":
                grants.scope_grant(acting_user=by, user=user, organization=organization, scope=o["scope"],
                                   reason=o["reason"])
            else:
                grant = ScopeGrant.objects.filter(user=user, organization=organization, scope=o["scope"]).first()
                if grant is None:
                    raise CommandError(f"{user.username} holds no grant of {o['scope']}")
                grants.scope_grant_revoke(acting_user=by, grant=grant)
        except PermissionDenied as error:
            raise CommandError(f"{by.username} is not the operator's hub admin") from error
        except ValidationError as error:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())) from error
        self.stdout.write(f"{o['action']} {o['scope']} {organization.name} {user.username}")

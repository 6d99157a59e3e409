"""Template filter for the kind of an organization as sent on the wire (its label in the UI's language)."""

from django import template

from permissions.models import OrganizationKind

register = template.Library()


@register.filter
def org_kind(value):
    return OrganizationKind(value).label if value in OrganizationKind.values else value

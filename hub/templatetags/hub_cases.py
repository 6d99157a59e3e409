"""Template filters for shared cases: labels of the wire values and anonymization placeholders."""

import re

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from hub.models import ACTIVITY_FIELDS, CaseOutcome, PartyRole
from permissions.models import OrganizationKind

register = template.Library()

# 〔人名〕, 〔電話番号〕 …: what the node's scrubber put where personal data was.
_PLACEHOLDER = re.compile(r"〔[^〔〕\n]{1,20}〕")


@register.filter
def placeholders(text):
    """Escape the text, then show each placeholder as a subtle badge so a reader sees what was removed."""
    escaped = str(conditional_escape(text or ""))
    title = conditional_escape(gettext("匿名化のため置き換えた箇所"))
    return mark_safe(_PLACEHOLDER.sub(
        lambda m: f'<span class="badge off placeholder" title="{title}">{m[0]}</span>', escaped))


@register.filter
def org_kind(value):
    return OrganizationKind(value).label if value in OrganizationKind.values else value


@register.filter
def case_outcome(value):
    return CaseOutcome(value).label if value in CaseOutcome.values else value


@register.filter
def party_role(value):
    return PartyRole(value).label if value in PartyRole.values else value


@register.filter
def field_names(codes):
    return "、".join(f"{code} {ACTIVITY_FIELDS.get(code, '')}".strip() for code in codes or [])


"""Template filters for shared cases, on the hub and in a node's view of the hub's library: labels of
the wire values (the shared vocabulary) and the anonymization placeholders shown as such."""

import re

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from common.vocabulary import ACTIVITY_FIELDS, CaseOutcome, CollaborationForm, PartyRole

register = template.Library()

_PLACEHOLDER = re.compile(r"〔[^〔〕\n]{1,20}〕")  # 〔人名〕, 〔電話番号〕 …: what the sharing node's scrubber put in


def _label(choices, value):
    return choices(value).label if value in choices.values else value


@register.filter
def placeholders(text):
    """Escape the text, then show each placeholder as a badge so a reader sees what was removed."""
    escaped = str(conditional_escape(text or ""))
    title = conditional_escape(gettext("匿名化のため置き換えた箇所"))
    return mark_safe(_PLACEHOLDER.sub(
        lambda m: f'<span class="badge off placeholder" title="{title}">{m[0]}</span>', escaped))


@register.filter
def case_form(value):
    return _label(CollaborationForm, value)


@register.filter
def case_outcome(value):
    return _label(CaseOutcome, value)


@register.filter
def party_role(value):
    return _label(PartyRole, value)



@register.filter
def field_names(codes):
    return "、".join(f"{code} {ACTIVITY_FIELDS.get(code, '')}".strip() for code in codes or [])


@register.filter
def month_label(value):
    """"2021-07" as 2021年7月."""
    year, _, month = str(value or "").partition("-")
    return gettext("%(year)s年%(month)s月") % {"year": year, "month": int(month)} if month.isdigit() else value

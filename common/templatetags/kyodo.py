"""Template filters for Japanese dates (西暦 and 和暦), 年度, months and yen; loaded as a builtin."""

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.dates import MONTHS

from common.japanese import date_label, fiscal_year_label, wareki_date

register = template.Library()


@register.filter
def wareki(value):
    """A date as 2021年7月26日（令和3年7月26日）; a datetime adds its local time."""
    if not value:
        return ""
    if isinstance(value, dt.datetime):
        local = timezone.localtime(value)
        return f"{date_label(local.date())} {local:%H:%M}"
    return date_label(value)


@register.filter
def wareki_short(value):
    if not value:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date()
    return wareki_date(value)


@register.filter
def nendo(value):
    return fiscal_year_label(int(value)) if value not in (None, "") else ""


@register.filter
def month_name(value):
    """4 → 4月: Django's month names, which its Japanese catalog writes so (April in English)."""
    return "" if value in (None, "") else MONTHS.get(int(value), value)


@register.filter
def yen(value):
    return "" if value in (None, "") else f"{int(value):,}円"


@register.filter
def percent_of(value, total):
    return 0 if not total else round(100 * value / total)


@register.filter
def person_name(user):
    """Family name first, as Japanese names are written."""
    full = f"{user.last_name} {user.first_name}".strip()
    return full or user.get_username()

"""Form helpers shared by hub and node UIs."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's ValidationError on the fields it names (or on top of the form)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            target = field if field in form.fields else None
            for item in errors:
                form.add_error(target, item)
    else:
        form.add_error(None, error)


class TourStopForm(forms.Form):
    """One visit of a study tour's agenda (the host node's form and the hub's)."""

    title = forms.CharField(label=_("訪問先・内容"), max_length=200)
    starts_at = forms.DateTimeField(label=_("開始時刻"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    ends_at = forms.DateTimeField(label=_("終了時刻"), required=False,
                                  widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    place = forms.CharField(label=_("場所"), max_length=200, required=False)
    directions = forms.CharField(label=_("行き方（地図がなくても分かるように）"), max_length=2000, required=False,
                                 widget=forms.Textarea(attrs={"rows": 2}))

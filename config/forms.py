"""Form helpers shared by hub and node UIs."""

from django import forms
from django.core.exceptions import ValidationError


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's ValidationError on the fields it names (or on top of the form)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            target = field if field in form.fields else None
            for item in errors:
                form.add_error(target, item)
    else:
        form.add_error(None, error)

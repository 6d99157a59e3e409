"""Model validation without looking up again what the caller already read."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db.models import Model


def full_clean_read_links(instance: Model, exclude: Iterable[str] = ()) -> None:
    """`full_clean`, except that a foreign key holding an instance that was read from the database is
    not queried again for existence (Django asks once per link and record: an import of thousands of
    cases spent a fifth of its time there). The database's foreign key constraint still guards it, and
    unique and check constraints are validated as `full_clean` does."""
    exclude = set(exclude)
    read_links = {
        field.name for field in instance._meta.concrete_fields
        if field.many_to_one and field.is_cached(instance)
        and getattr(instance, field.name) is not None and not getattr(instance, field.name)._state.adding
    }
    errors: dict = {}
    try:
        instance.clean_fields(exclude=exclude | read_links)
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    try:
        instance.clean()
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    failed = exclude | set(errors)
    for step in (instance.validate_unique, instance.validate_constraints):
        try:
            step(exclude=failed)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)

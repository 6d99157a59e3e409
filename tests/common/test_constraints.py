"""Check constraints evaluated in Python (common.constraints) answer as the database does: every
condition of every model that uses it, over a grid of values with NULLs and the edges; and the
validation errors are Django's own."""

from __future__ import annotations

import itertools

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models import CheckConstraint, F, Q

from common.constraints import LocalCheckConstraints, Unsupported, evaluate, failed_checks, field_values

pytestmark = pytest.mark.django_db


def _models():
    return [model for model in apps.get_models() if issubclass(model, LocalCheckConstraints)]


def _names(condition) -> set[str]:
    if isinstance(condition, tuple):
        lookup, rhs = condition
        return {lookup.split("__")[0], *([rhs.name] if isinstance(rhs, F) else [])}
    return set().union(*(_names(child) for child in condition.children))


def _candidates(field: models.Field) -> list:
    if isinstance(field, models.ForeignKey):
        return [None, 1]
    if isinstance(field, models.BooleanField):
        return [True, False]
    if isinstance(field, models.IntegerField):
        return [None, 0, 5, 1949, 1950, 2014, 2100, 2101]
    if field.choices:
        return [None, "", field.choices[0][0], "bogus"]
    return [None, "", "142077", "14207", "x"]


def test_the_import_path_uses_it():
    assert {model.__name__ for model in _models()} >= {"Organization"} | (
        {"CollaborationCase", "CaseYear"} if apps.is_installed("nodes") else set())


@pytest.mark.parametrize("model", _models(), ids=lambda model: model.__name__)
def test_python_and_the_database_agree_on_every_condition(model):
    checked = 0
    for constraint in [c for c in model._meta.constraints if isinstance(c, CheckConstraint)]:
        names = sorted(_names(constraint.condition))
        fields = [model._meta.get_field(name) for name in names]
        for combination in itertools.product(*(_candidates(field) for field in fields)):
            instance = model(**{field.attname: value for field, value in zip(fields, combination, strict=True)})
            try:
                python = evaluate(constraint.condition, field_values(instance, None))
            except Unsupported:
                break  # asked of the database in practice; nothing to compare
            database = not failed_checks(instance, [constraint], exclude=None, using="default")
            assert (python is not False) == database, (constraint.name, dict(zip(names, combination, strict=True)))
            checked += 1
    assert checked


def test_sql_three_valued_logic():
    values = {"a": None, "b": 3, "c": "x"}
    assert evaluate(Q(a__gte=1), values) is None
    assert evaluate(~Q(a__gte=1), values) is None
    assert evaluate(Q(a__gte=1) | Q(b=3), values) is True
    assert evaluate(Q(a__gte=1) & Q(b=4), values) is False
    assert evaluate(Q(a=None), values) is True and evaluate(Q(b=F("a")), values) is None
    assert evaluate(Q(c__in=["x", None]), values) is True and evaluate(Q(a__in=["x"]), values) is None
    for unsupported in (Q(c__regex="^x$"), Q(c__gte="a"), Q(b__lte=F("missing"))):
        with pytest.raises(Unsupported):
            evaluate(unsupported, values)


def test_errors_are_the_ones_django_gives():
    organization_model = apps.get_model("permissions", "Organization")
    organization = organization_model(name="", kind="citizen_group", municipality_code="12345")
    ours = _messages(organization.validate_constraints)
    theirs = _messages(lambda: models.Model.validate_constraints(organization))
    assert ours == theirs and len(ours["__all__"]) == 3
    assert connection.in_atomic_block  # the database path ran inside the test's transaction too


def _messages(validate) -> dict:
    with pytest.raises(ValidationError) as raised:
        validate()
    return raised.value.message_dict

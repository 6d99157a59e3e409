"""Model validation that checks a record's check constraints without a query per constraint.

Django's `Model.validate_constraints` asks the database about each CheckConstraint on its own: a query
compiled per constraint and wrapped in SAVEPOINT … RELEASE inside a transaction. For a case (five
constraints) and its budget line (three) that was about a third of the time of writing it through
the pipeline — an import writes thousands. The conditions these models use (comparisons, IN, IS NULL,
F() of another field, AND / OR / NOT) are evaluated here in Python with SQL's three-valued logic;
any other condition (a regex, a function) is asked of the database, all of them in one query. The
results are Django's: a condition over a field left out is skipped, NULL passes, and each failure
raises the constraint's own message and code. tests/common/test_constraints.py compares every
condition of the models that use this with the database's answer.
"""

from __future__ import annotations

import datetime as dt
import logging
from contextlib import nullcontext
from decimal import Decimal

from django.core.exceptions import FieldError, ValidationError
from django.db import DatabaseError, connections, router, transaction
from django.db.models import BooleanField, CheckConstraint, F, Q, Value
from django.db.models.functions import Coalesce
from django.db.models.sql import Query
from django.db.models.sql.constants import SINGLE

logger = logging.getLogger(__name__)

_ORDERED = (int, float, Decimal, dt.date, dt.datetime)  # compared alike in Python and SQL (not text: collations)
_COMPARE = {"lt": lambda a, b: a < b, "lte": lambda a, b: a <= b, "gt": lambda a, b: a > b, "gte": lambda a, b: a >= b}


class Unsupported(Exception):
    """A condition this module does not evaluate: the database is asked."""


class _LeftOut(Exception):
    """The condition reads a field left out of this validation: skipped, as Django skips it."""


def field_values(instance, exclude) -> dict:
    """The values a condition reads, by field name (`pk` too), as `_get_field_expression_map` has them."""
    exclude = set(exclude or ())
    values = {field.name: getattr(instance, field.attname) for field in instance._meta.local_concrete_fields
              if field.name not in exclude and not field.generated}
    if "pk" not in exclude:
        values["pk"] = instance.pk
    return values


def _operand(value, values: dict, exclude: set):
    if isinstance(value, F):
        if value.name in values:
            return values[value.name]
        raise _LeftOut if value.name in exclude else Unsupported(value)
    if hasattr(value, "resolve_expression"):
        raise Unsupported(value)
    return value


def _lookup(lookup: str, rhs, values: dict, exclude: set) -> bool | None:
    name, *rest = lookup.split("__")
    if len(rest) > 1 or name not in values:
        if name in exclude:
            raise _LeftOut
        raise Unsupported(lookup)
    kind = rest[0] if rest else "exact"
    left = values[name]
    if hasattr(left, "resolve_expression"):
        raise Unsupported(lookup)
    if kind == "isnull":
        return (left is None) == bool(rhs)
    if kind == "in":
        if isinstance(rhs, str) or not hasattr(rhs, "__iter__"):
            raise Unsupported(lookup)
        items = [_operand(item, values, exclude) for item in rhs]
        return None if left is None else left in [item for item in items if item is not None]
    right = _operand(rhs, values, exclude)
    if kind == "exact":
        if right is None and not isinstance(rhs, F):
            return left is None  # Q(field=None) is IS NULL
        return None if left is None or right is None else left == right
    if kind in _COMPARE:
        if left is None or right is None:
            return None
        if not (isinstance(left, _ORDERED) and isinstance(right, _ORDERED)) or isinstance(left, bool):
            raise Unsupported(lookup)
        try:
            return _COMPARE[kind](left, right)
        except TypeError as error:  # a date against a datetime, naive against aware: the database decides
            raise Unsupported(lookup) from error
    raise Unsupported(lookup)


def evaluate(condition, values: dict, exclude=()) -> bool | None:
    """SQL's answer to `condition` over the values: True, False or None (unknown, which a check passes).

    Raises Unsupported for what it does not evaluate, _LeftOut for a condition over a left-out field."""
    exclude = set(exclude or ())
    if isinstance(condition, tuple):
        return _lookup(*condition, values, exclude)
    if not isinstance(condition, Q) or condition.connector not in (Q.AND, Q.OR):
        raise Unsupported(condition)
    results = [evaluate(child, values, exclude) for child in condition.children]
    if condition.connector == Q.AND:
        result = False if False in results else (None if None in results else True)
    else:
        result = True if True in results else (None if None in results else False)
    return (None if result is None else not result) if condition.negated else result


def failed_checks(instance, constraints: list[CheckConstraint], *, exclude, using: str) -> list[CheckConstraint]:
    """The check constraints `instance` violates, asked of the database in one query."""
    query = Query(None)
    against = instance._get_field_expression_map(meta=instance._meta, exclude=exclude)
    for name, value in against.items():
        query.add_annotation(value if hasattr(value, "resolve_expression") else Value(value), name, select=False)
    asked = []
    for constraint in constraints:
        try:
            query.add_annotation(Coalesce(Q(constraint.condition), True, output_field=BooleanField()),
                                 f"_check_{len(asked)}")
        except FieldError:
            continue  # the condition reads a field left out of this validation (Django skips it too)
        asked.append(constraint)
    if not asked:
        return []
    connection = connections[using]
    try:
        with transaction.atomic(using=using) if connection.in_atomic_block else nullcontext():
            row = query.get_compiler(using=using).execute_sql(SINGLE)
    except DatabaseError as error:
        logger.warning("Got a database error checking %s: %s", [c.name for c in asked], error)
        return []
    return [constraint for constraint, passed in zip(asked, row, strict=True) if not passed]


class LocalCheckConstraints:
    """Mixin for a model whose check constraints are validated as the module says: in Python where the
    condition allows, the rest together in one query. Used by the models an import writes by the
    thousand (cases, their budget lines, organizations); any model may take it."""

    def validate_constraints(self, exclude=None):
        using = router.db_for_write(self.__class__, instance=self)
        parents = self.get_constraints()
        if len(parents) != 1 or not connections[using].features.supports_boolean_expr_in_select_clause:
            return super().validate_constraints(exclude=exclude)
        model, constraints = parents[0]
        values = field_values(self, exclude)
        failed, ask = set(), []
        for constraint in constraints:
            if not isinstance(constraint, CheckConstraint):
                continue
            try:
                if evaluate(constraint.condition, values, exclude) is False:
                    failed.add(constraint.name)
            except _LeftOut:
                continue
            except Unsupported:
                ask.append(constraint)
        if ask:
            failed.update(c.name for c in failed_checks(self, ask, exclude=exclude, using=using))
        errors: dict = {}
        for constraint in constraints:
            try:
                if isinstance(constraint, CheckConstraint):
                    if constraint.name in failed:
                        raise ValidationError(constraint.get_violation_error_message(),
                                              code=constraint.violation_error_code)
                else:
                    constraint.validate(model, self, exclude=exclude, using=using)
            except ValidationError as error:
                if getattr(error, "code", None) == "unique" and len(constraint.fields) == 1:
                    errors.setdefault(constraint.fields[0], []).append(error)
                else:
                    errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

"""What the node's and the hub's demo share: where the files are, reading them, and checking entries.

No app is imported here: the hub has no `nodes` app, and its demo logins are read with this too.
Every problem is reported with the file, the line, the section and the entry it is in, because the
files are edited by hand by people adding a center:
`odawara.yaml line 387, events[6] 「団体交流会（防災）」 › organizers[0]: 「防災対策科」 is not defined above …`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

import yaml
from django.db import models

from . import dates

HERE = Path(__file__).resolve().parent
CENTERS_DIR = HERE / "centers"
HUB_FILE = HERE / "hub.yaml"
# Each hub of the demo by its key: 神奈川県's (the one hub of a single-prefecture demo), 静岡県's and
# the national hub above both.
HUB_FILES = {"kanagawa": HUB_FILE, "shizuoka": HERE / "hub-shizuoka.yaml", "national": HERE / "hub-national.yaml"}
DEMO_PASSWORD = "kyodo-demo-2026"


@dataclass(frozen=True)
class DemoLogin:
    role: str
    organization: str
    username: str
    password: str


def center_keys() -> list[str]:
    """The centers there is a data file for (the file's name is the key: odawara, chigasaki …)."""
    return sorted(path.stem for path in CENTERS_DIR.glob("*.yaml"))


class DemoDataError(Exception):
    """A data file that cannot be seeded: the message names the file and the entry."""


class Invalid(Exception):
    """A value that does not fit its key; `where` grows as the error travels out of nested records."""

    def __init__(self, message: str, where: tuple[str, ...] = ()):
        super().__init__(message)
        self.message = message
        self.where = where


# --- reading YAML -------------------------------------------------------------------------------


class _Mapping(dict):
    """A YAML mapping that remembers its line, for error messages."""

    line: int = 0


class _Loader(yaml.SafeLoader):
    """Safe YAML without its timestamp type (dates stay text and are read by deploy.demo.dates, one
    syntax for absolute and relative dates) and with duplicate keys refused (YAML keeps the last)."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> _Mapping:
    mapping = _Mapping()
    mapping.line = node.start_mark.line + 1
    yield mapping
    lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in mapping:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r} (first on line {lines[key]})", key_node.start_mark)
        lines[key] = key_node.start_mark.line + 1
        mapping[key] = loader.construct_object(value_node, deep=True)


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)


def read_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as stream:
            return yaml.load(stream, Loader=_Loader)  # a SafeLoader: no arbitrary objects
    except OSError as error:
        raise DemoDataError(f"{path}: cannot be read ({error.strerror})") from error
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"{path.name} line {mark.line + 1}" if mark else path.name
        raise DemoDataError(f"{where}: not valid YAML: {' '.join(filter(None, [error.context, error.problem]))}") from error
    except yaml.YAMLError as error:
        raise DemoDataError(f"{path.name}: not valid YAML: {error}") from error


def line_of(value: Any) -> int:
    return getattr(value, "line", 0)


def place(path: Path, line: int, section: str, index: int | None = None, label: str = "") -> str:
    at = f"{path.name} line {line}" if line else path.name
    entry = section if index is None else f"{section}[{index}]"
    return f"{at}, {entry}" + (f" 「{label}」" if label else "")


def error_at(where: str, error: Invalid) -> DemoDataError:
    inside = "".join(part if part.startswith("[") else f" › {part}" for part in error.where)
    return DemoDataError(f"{where}{inside}: {error.message}")


# --- value converters ---------------------------------------------------------------------------
# Each takes the raw YAML value and the names defined so far, and returns what the seeder passes on
# (or an object of deploy.demo.dates, resolved at seeding time).


@dataclass
class Names:
    """What the file has defined so far: a record may refer only to what is above it."""

    organizations: set[str] = field(default_factory=set)
    groups: set[str] = field(default_factory=set)
    cases: set[str] = field(default_factory=set)


Convert = Callable[[Any, Names], Any]


@dataclass(frozen=True)
class Key:
    convert: Convert
    required: bool = False
    default: Any = None  # a callable is called for a fresh value (lists)


def text(value: Any, _names: Names) -> str:
    # A list is written as 「・」 lines, as the centers write roles and resources in their documents.
    if isinstance(value, list) and value and all(isinstance(item, str) for item in value):
        return "\n".join(f"・{item}" for item in value)
    if not isinstance(value, str):
        raise Invalid(f"expected text (got {value!r})")
    return value


def integer(value: Any, _names: Names) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(f"expected a whole number (got {value!r})")
    return value


def amount(value: Any, names: Names) -> int:
    number = integer(value, names)
    if number < 0:
        raise Invalid(f"expected 0 or more (got {number})")
    return number


def hours(value: Any, _names: Names) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise Invalid(f"expected a number of hours above 0 (got {value!r})")
    return value


def boolean(value: Any, _names: Names) -> bool:
    if not isinstance(value, bool):
        raise Invalid(f"expected true or false (got {value!r})")
    return value


def code(value: Any, _names: Names) -> str:
    # Municipality codes and document numbers have leading zeros: they must be quoted in YAML.
    if not isinstance(value, str):
        raise Invalid(f"expected text in quotes, like \"142069\" (got {value!r})")
    return value


def choice(choices: type[models.TextChoices]) -> Convert:
    def convert(value: Any, _names: Names) -> str:
        if value not in choices.values:
            raise Invalid(f"{value!r} is not one of {', '.join(choices.values)}")
        return value
    return convert


def _dated(parse: Callable[[Any], Any]) -> Convert:
    def convert(value: Any, _names: Names):
        try:
            return parse(value)
        except dates.DateSyntaxError as error:
            raise Invalid(str(error)) from error
    return convert


date = _dated(dates.parse_date)
moment = _dated(dates.parse_moment)
fiscal_year = _dated(dates.parse_fiscal_year)


class Ref(Enum):
    ORGANIZATION = "organizations"
    GROUP = "groups"
    CASE = "cases"


_REF_HINT = {Ref.ORGANIZATION: "the center, departments, partners or groups", Ref.GROUP: "groups",
             Ref.CASE: "cases"}


def ref(kind: Ref) -> Convert:
    def convert(value: Any, names: Names) -> str:
        if not isinstance(value, str):
            raise Invalid(f"expected a name (got {value!r})")
        if value not in getattr(names, kind.value):
            raise Invalid(f"「{value}」 is not defined above (in {_REF_HINT[kind]})")
        return value
    return convert


def list_of(convert: Convert) -> Convert:
    def convert_all(value: Any, names: Names) -> list:
        if not isinstance(value, list):
            raise Invalid(f"expected a list (got {value!r})")
        found = []
        for index, item in enumerate(value):
            try:
                found.append(convert(item, names))
            except Invalid as error:
                raise Invalid(error.message, (f"[{index}]", *error.where)) from error
        return found
    return convert_all


def records(schema: dict[str, Key]) -> Convert:
    """A list of small records (a case's parties, a consultation's steps …)."""
    def convert(value: Any, names: Names) -> list[dict]:
        if not isinstance(value, list):
            raise Invalid(f"expected a list (got {value!r})")
        return [record(item, schema, names, f"[{index}]") for index, item in enumerate(value)]
    return convert


def nested(schema: dict[str, Key]) -> Convert:
    """One small record (an account, the hub's organization)."""
    return lambda value, names: record(value, schema, names)


def record(value: Any, schema: dict[str, Key], names: Names, where: str = "") -> dict:
    """Check one mapping against its keys; the result holds every key, defaults filled in."""
    try:
        if not isinstance(value, Mapping):
            raise Invalid(f"expected a mapping of {', '.join(schema)} (got {value!r})")
        unknown = [key for key in value if key not in schema]
        if unknown:
            raise Invalid(f"unknown key {', '.join(map(repr, unknown))} (allowed: {', '.join(schema)})")
        checked = {}
        for key, spec in schema.items():
            if key not in value or value[key] is None:
                if spec.required:
                    raise Invalid(f"{key} is required")
                checked[key] = spec.default() if callable(spec.default) else spec.default
                continue
            try:
                checked[key] = spec.convert(value[key], names)
            except Invalid as error:
                raise Invalid(error.message, (key, *error.where)) from error
            if spec.required and checked[key] in ("", []):
                raise Invalid(f"{key} is required")
        return checked
    except Invalid as error:
        raise Invalid(error.message, ((where,) if where else ()) + error.where) from error


ACCOUNT = {"username": Key(text, required=True), "last_name": Key(text, required=True),
           "first_name": Key(text, required=True)}

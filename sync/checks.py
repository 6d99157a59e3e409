"""System checks for what imports cannot express: every type registered to leave the node has a
wire contract, and every model that holds personal data says which fields (`PERSONAL_FIELDS`)."""

from __future__ import annotations

import re

from django.apps import apps
from django.core import checks
from django.db import models

from . import registry
from .wire.registry import CONTRACTS

# Field names that hold a person's data wherever they appear: such a field must be listed in its
# model's PERSONAL_FIELDS (audited reads, known data for the scrubber, never on the wire).
PERSONAL_NAME = re.compile(r"(^|_)(phone|tel|email|mail|address|postal|zip|contact|representative|requester"
                           r"|author|full_name|first_name|last_name)(_|$)")
PROJECT_APPS = frozenset({"nodes", "emergency", "hub", "permissions", "sync"})


@checks.register()
def syncable_types_have_contracts(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    errors = []
    for syncable in registry.types():
        if syncable.entity_type not in CONTRACTS:
            errors.append(checks.Error(
                f"The synced type {syncable.entity_type!r} has no wire contract.",
                hint="Add its contract to sync.wire (keys, limits, forward-only rule), imported by both sides.",
                id="kyodo.E001"))
        for dependency in syncable.depends_on:
            if dependency not in {t.entity_type for t in registry.types()}:
                errors.append(checks.Error(f"{syncable.entity_type!r} depends on the unknown type {dependency!r}.",
                                           id="kyodo.E002"))
        if syncable.personal != CONTRACTS.get(syncable.entity_type, syncable).personal:
            errors.append(checks.Error(
                f"{syncable.entity_type!r}: the registry and the wire contract disagree on whether it carries "
                "personal data.", id="kyodo.E003"))
    return errors


def _text_fields(model) -> list[str]:
    return [f.name for f in model._meta.get_fields()
            if getattr(f, "concrete", False) and not f.is_relation and isinstance(f, models.CharField | models.TextField)]


@checks.register(checks.Tags.models)
def personal_fields_declared(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    errors = []
    for model in apps.get_models():
        if model._meta.app_label not in PROJECT_APPS:
            continue
        declared = getattr(model, "PERSONAL_FIELDS", ())
        names = {f.name for f in model._meta.get_fields()}
        for name in declared:
            if name not in names:
                errors.append(checks.Error(f"{model._meta.label}.PERSONAL_FIELDS names {name!r}, which is no field.",
                                           obj=model, id="kyodo.E011"))
        undeclared = [name for name in _text_fields(model) if PERSONAL_NAME.search(name) and name not in declared]
        if undeclared:
            errors.append(checks.Error(
                f"{model._meta.label} holds personal data ({', '.join(undeclared)}) not declared in PERSONAL_FIELDS.",
                hint="List every field that holds a person's data in the model's PERSONAL_FIELDS.",
                obj=model, id="kyodo.E010"))
    return errors

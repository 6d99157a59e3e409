"""The statistics pages' figures, computed once per change of the data they read and kept in the Django
cache (Redis when configured), so that a page view is one small query and a cache read.

Suppression costs seconds over thousands of cases (hub.disclosure audits every table), and fifty
coordinators reading the same tables must not each pay it. The figures are keyed by what was asked
(years, center, table, row), the language (titles and labels are translated when computed) and the
fiscal year of today (a case still running counts up to it); each entry carries the data version it
was computed at: the sums of hub_figuresversion's stamps, which database triggers move on every
write to the tables read (migration 0021), whoever writes them.

- Fresh (same version): served.
- Stale after new or changed rows only: served as it is, the page saying when it was computed, and one
  refresh queued however many read it meanwhile (a catch-up of 50,000 cases must not start fifty).
- Stale after a removal (a retracted or purged case, a node removed): never served — a retracted case
  leaves the figures with the next page, as ARCHITECTURE.md promises — computed in the request.

Beat, and the indexing task after each batch with cases, refresh the default pages as soon as they
are stale, so the first reader after a batch usually finds them fresh.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable

from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.db import connections, transaction
from django.db.models import Count, Max
from django.utils import timezone, translation
from kombu.exceptions import OperationalError

from common.replicas import read_alias

from .models import AggregateSnapshot, FiguresSource, FiguresVersion, NodeCenter, SharedCase
from .selectors import center_figures as figures_selectors, statistics as statistics_selectors
from .selectors.library import current_fiscal_year

logger = logging.getLogger(__name__)

REFRESH_TASK = "hub.tasks.refresh_statistics"
# A refresh that dies (a worker lost) frees the figures for another after this; a refresh of a million
# cases takes minutes.
REFRESH_LOCK_SECONDS = 600
# Entries live until replaced; this only bounds the cache for combinations nobody asks for again.
ENTRY_SECONDS = 7 * 24 * 3600
LOCAL_ENTRIES = 64  # per process: the last figures read, so a fresh page does not even unpickle them


@dataclasses.dataclass(frozen=True)
class Version:
    changed: int
    removed: int
    database: int = 0  # the database's oid: a database made again (tests) starts its stamps again


@dataclasses.dataclass(frozen=True)
class Figures:
    """What a page shows: the figures, when they were computed and whether newer data is waiting."""

    value: object
    computed_at: dt.datetime
    version: Version
    key: str
    fresh: bool = True

    @property
    def token(self) -> str:
        """Names these figures exactly: the page caches its rendered tables under it."""
        return f"{self.key}:{self.version.database}:{self.version.changed}:{self.version.removed}"


@dataclasses.dataclass(frozen=True)
class _Kind:
    sources: tuple[str, ...]
    compute: Callable[..., object]


def _statistics(*, first, last, center, only, form, track_form, using):
    center = NodeCenter.objects.using(using).filter(pk=center).first() if center else None
    if first is None and last is None:
        first, last = statistics_selectors.statistics_default_years(center=center, using=using)
    return statistics_selectors.case_statistics(first=first, last=last, center=center, only=only, form=form,
                                                track_form=track_form, using=using)


def _center_figures(*, first, last, center, only, using):
    center = NodeCenter.objects.using(using).filter(pk=center).first() if center else None
    return figures_selectors.center_figures(first=first, last=last, center=center, only=only, using=using)


KINDS = {
    "statistics": _Kind((FiguresSource.CASES, FiguresSource.CENTERS), _statistics),
    "centers": _Kind((FiguresSource.COUNTS, FiguresSource.CENTERS), _center_figures),
}
DEFAULTS = {
    "statistics": {"first": None, "last": None, "center": None, "only": None, "form": None, "track_form": None},
    "centers": {"first": None, "last": None, "center": None, "only": None},
}

_local: OrderedDict[str, tuple[Version, dt.datetime, object]] = OrderedDict()
_local_lock = threading.Lock()


def data_version(sources, *, using: str) -> Version:
    """The version of the data read from `sources`, as `using` sees it (a replica has its own)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return _counted_version(sources, using=using)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT coalesce(sum(changed), 0), coalesce(sum(removed), 0),"
                       f" (SELECT oid FROM pg_database WHERE datname = current_database())"
                       f" FROM {FiguresVersion._meta.db_table} WHERE source = ANY(%s)", [list(sources)])
        changed, removed, database = cursor.fetchone()
    return Version(int(changed), int(removed), int(database))


def _counted_version(sources, *, using: str) -> Version:
    # SQLite (the embedded default) has no statement triggers: the tables' counts and last writes,
    # each change counted as a removal too, so nothing stale is ever served there.
    models = {FiguresSource.CASES: SharedCase, FiguresSource.COUNTS: AggregateSnapshot, FiguresSource.CENTERS: NodeCenter}
    parts = []
    for source in sorted(sources):
        model = models[source]
        stamp = "received_at" if model is not NodeCenter else "version"
        found = model.objects.using(using).aggregate(n=Count("id"), top=Max("id"), last=Max(stamp))
        parts.append(f"{found['n']}:{found['top']}:{found['last']}")
    number = int(hashlib.sha256("|".join(parts).encode()).hexdigest()[:15], 16)
    return Version(number, number)


def _key(kind: str, params: dict, language: str) -> str:
    database = settings.DATABASES["default"]["NAME"]
    asked = json.dumps({"kind": kind, "params": params, "language": language, "fy": current_fiscal_year(),
                        "database": str(database)}, sort_keys=True)
    return "kyodo:figures:" + hashlib.sha256(asked.encode()).hexdigest()


def _read_entry(key: str, version: Version):
    with _local_lock:
        entry = _local.get(key)
    if entry is None or entry[0] != version:
        entry = cache.get(key) or entry
        if entry is not None:
            _remember(key, entry)
    return entry


def _remember(key: str, entry) -> None:
    with _local_lock:
        _local[key] = entry
        _local.move_to_end(key)
        while len(_local) > LOCAL_ENTRIES:
            _local.popitem(last=False)


def _compute(kind: str, params: dict, *, using: str) -> Figures:
    version = data_version(KINDS[kind].sources, using=using)  # before the data: never newer than it
    value = KINDS[kind].compute(**params, using=using)
    entry = (version, timezone.now(), value)
    key = _key(kind, params, translation.get_language())
    cache.set(key, entry, ENTRY_SECONDS)
    _remember(key, entry)
    return Figures(value, entry[1], version, key)


def figures(kind: str, **params) -> Figures:
    """The figures of `kind` ("statistics" or "centers") for `params` (center as its pk), as fresh as
    the rules of this module allow."""
    params = {**DEFAULTS[kind], **params}
    using = read_alias()
    if transaction.get_connection(using).in_atomic_block:
        # A transaction may have written rows others do not see yet (and may roll them back): its
        # figures are its own, neither read from the cache nor kept there.
        return Figures(KINDS[kind].compute(**params, using=using), timezone.now(), Version(0, 0), "", fresh=True)
    version = data_version(KINDS[kind].sources, using=using)
    key = _key(kind, params, translation.get_language())
    entry = _read_entry(key, version)
    if entry is not None:
        cached_version, computed_at, value = entry
        if cached_version == version:
            return Figures(value, computed_at, version, key)
        if cached_version.database == version.database and cached_version.removed >= version.removed:
            refresh_request(kind, params)
            return Figures(value, computed_at, cached_version, key, fresh=False)
    return _compute(kind, params, using=using)


def refresh_request(kind: str, params: dict) -> None:
    """Queue one refresh of these figures (none while one is queued or running)."""
    language = translation.get_language()
    lock = _key(kind, params, language) + ":refreshing"
    if not cache.add(lock, 1, REFRESH_LOCK_SECONDS):
        return
    try:
        current_app.send_task(REFRESH_TASK, kwargs={"kind": kind, "params": params, "language": language})
    except OperationalError as error:
        cache.delete(lock)
        logger.warning("statistics refresh not requested: broker unavailable: %s", type(error).__name__)


def refresh(*, kind: str, params: dict, language: str) -> Figures:
    """Compute the figures again (the task queued by refresh_request)."""
    with translation.override(language):
        try:
            return _compute(kind, {**DEFAULTS[kind], **params}, using=read_alias())
        finally:
            cache.delete(_key(kind, {**DEFAULTS[kind], **params}, language) + ":refreshing")


def refresh_defaults() -> int:
    """The pages as first opened (every language), computed again when their data changed; how many were."""
    done = 0
    using = read_alias()
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            for kind, params in DEFAULTS.items():
                version = data_version(KINDS[kind].sources, using=using)
                key = _key(kind, params, language)
                entry = _read_entry(key, version)
                # Skipped while a refresh of the same figures runs (beat comes back in a minute).
                if (entry is None or entry[0] != version) and cache.add(key + ":refreshing", 1, REFRESH_LOCK_SECONDS):
                    try:
                        _compute(kind, params, using=using)
                    finally:
                        cache.delete(key + ":refreshing")
                    done += 1
    return done

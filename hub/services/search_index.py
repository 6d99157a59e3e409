"""The case library's word index: tokenizing received cases after they arrive, in batches, off the
receiver's path (a batch of 500 records would otherwise wait for Sudachi), and the lag it has."""

from __future__ import annotations

import logging
import time

from celery import current_app
from django.db import transaction
from kombu.exceptions import OperationalError

from common.japanese_tokens import index_terms

from ..models import SharedCase

logger = logging.getLogger(__name__)

INDEX_TASK = "hub.tasks.index_case_search"
BATCH = 500


def case_texts(title: str, summary: str, lessons: str, parties: list[dict]) -> list[str]:
    """The texts a case is searched by, for the receiver's `search_text` and for the words here."""
    return [title, summary, lessons, *(party.get("contribution") or "" for party in parties),
            *(party["name"] for party in parties if party.get("name"))]


def request_indexing() -> None:
    """After commit of a batch with cases: queue the indexing (beat also runs it every minute)."""
    try:
        current_app.send_task(INDEX_TASK)
    except OperationalError as error:
        logger.warning("case search index not requested: broker unavailable: %s", type(error).__name__)


@transaction.atomic
def cases_index_batch(*, limit: int = BATCH) -> int:
    """Tokenize up to `limit` cases not yet indexed; returns how many. Rows are locked and skipped
    when locked, so two workers share the queue; a case the receiver rewrites meanwhile waits for
    this transaction and comes back as pending (its upsert sets the words to NULL)."""
    cases = list(SharedCase.objects.filter(search_tokens__isnull=True).order_by("id")
                 .select_for_update(skip_locked=True, of=("self",))
                 .only("id", "title", "summary", "lessons", "parties")[:limit])
    for case in cases:
        case.search_tokens, case.search_readings = index_terms(
            *case_texts(case.title, case.summary, case.lessons, case.parties))
    SharedCase.objects.bulk_update(cases, ["search_tokens", "search_readings"], batch_size=limit)
    return len(cases)


def cases_index_pending(*, seconds: float = 50.0) -> int:
    """Batches until none is left or `seconds` have passed (the next run takes the rest)."""
    done, deadline = 0, time.monotonic() + seconds
    while time.monotonic() < deadline:
        count = cases_index_batch()
        done += count
        if count < BATCH:
            break
    return done


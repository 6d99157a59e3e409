"""Where `make fuzz` leaves its figures: bench-results.jsonl, as `fuzz.requests` and `fuzz.server_errors`
per deployment and role, and `fuzz.schema_violations`."""

from __future__ import annotations

import os

from tests.bench.common import record

from .engine import RoleReport

# `make fuzz` sets it: the full run (≥ 1,000 requests per role) and its figures; `make test` runs a smoke.
FULL = os.environ.get("KYODO_FUZZ_FULL") == "1"
REQUESTS_PER_ROLE = int(os.environ.get("KYODO_FUZZ_REQUESTS", "1000" if FULL else "30"))
# The full run goes over every operation in each of the four kinds (valid or invalid data, made-up or
# existing records) at least once; the smoke takes one round, the kinds spread over the operations.
MIN_ROUNDS = 4 if FULL else 1


def record_reports(deployment: str, reports: list[RoleReport]) -> None:
    if not FULL:
        return
    for report in reports:
        print(report.summary())
        target = f"{deployment} API as {report.role}"
        record(f"fuzz.requests.{deployment}.{report.role}", report.requests, "requests", f"{target}: >= 1000")
        record(f"fuzz.server_errors.{deployment}.{report.role}", report.server_errors, "responses", f"{target}: 0")
        record(f"fuzz.schema_violations.{deployment}.{report.role}", report.schema_violations, "responses",
               f"{target}: 0")

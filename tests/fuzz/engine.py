"""Schemathesis against this deployment's own `/api/schema/`, in process: every operation, as one role.

Cases are generated per operation (valid and invalid ones alike) with Hypothesis, sent through the
WSGI application with the role's token, and checked: no answer ≥ 500, and every answer conforms to
the schema (its status code documented, its content type and body as documented). Findings are
collected instead of raised, so one run counts them all.
"""

from __future__ import annotations

import math
import os
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

SCHEMA_CHECKS = [status_code_conformance, content_type_conformance, response_headers_conformance,
                 response_schema_conformance]
# How much of a finding the report shows (KYODO_FUZZ_DETAIL: more when investigating one).
DETAIL = int(os.environ.get("KYODO_FUZZ_DETAIL", "1500"))
MODES = (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE)


@dataclass
class Finding:
    operation: str
    status: int
    kind: str  # "server_error" or the failed check's title
    detail: str


@dataclass
class RoleReport:
    role: str
    requests: int = 0
    server_errors: int = 0
    schema_violations: int = 0
    statuses: Counter = field(default_factory=Counter)
    by_operation: dict[str, Counter] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    def summary(self) -> str:
        lines = [f"{self.role}: {self.requests} requests, {self.server_errors} ≥ 500, "
                 f"{self.schema_violations} schema violations, statuses {dict(sorted(self.statuses.items()))}"]
        if os.environ.get("KYODO_FUZZ_VERBOSE"):
            lines += [f"  {label}: {dict(sorted(counts.items()))}" for label, counts in sorted(self.by_operation.items())]
            lines += [f"  {seconds:.2f} s {label}" for label, seconds in
                      sorted(self.seconds.items(), key=lambda item: -item[1])[:15]]
        seen = set()
        for finding in self.findings:
            key = (finding.operation, finding.kind, finding.status)
            if key not in seen:
                seen.add(key)
                lines.append(f"  {finding.operation} → {finding.status} {finding.kind}: {finding.detail[:DETAIL]}")
        return "\n".join(lines)


def load_schema(app):
    return schemathesis.openapi.from_wsgi("/api/schema/", app)


def operations(schema) -> list:
    """Every operation, or those whose "METHOD /path" contains KYODO_FUZZ_ONLY (when investigating one)."""
    only = os.environ.get("KYODO_FUZZ_ONLY", "")
    found = [result.ok() for result in schema.get_all_operations()]
    return [op for op in found if only in f"{op.method.upper()} {op.path}"]


def fuzz_role(schema, *, role: str, token: str, requests: int, path_parameters: Callable[[object], dict] | None = None,
              min_rounds: int = 4, rounds_limit: int = 200) -> RoleReport:
    """At least `requests` generated requests as `role`, spread evenly over the operations, in rounds
    over every operation with a new seed each round (an operation with little to vary yields fewer
    examples than asked), until the count is reached and `min_rounds` have run.

    Each operation takes the four kinds in turn, one per round, starting at its own index, so even a
    single round has all of them: valid or invalid data, in paths that name a made-up record or,
    through `path_parameters(operation)` (e.g. {"uuid": …}), an existing one — detail, update and
    delete paths meet real rows, not only 404s."""
    report = RoleReport(role)
    ops = operations(schema)
    per_round = max(1, math.ceil(requests / len(ops) / min_rounds))
    headers = {"Authorization": f"Token {token}"}
    for round_number in range(rounds_limit):
        if report.requests >= requests and round_number >= min_rounds:
            break
        for index, operation in enumerate(ops):
            kind = (round_number + index) % 4
            fixed = path_parameters(operation) if path_parameters and kind % 2 else None
            mode = MODES[kind // 2]
            if fixed and mode is schemathesis.GenerationMode.NEGATIVE and not _has_input(operation):
                # With the path fixed there is nothing left to make invalid: Hypothesis would try
                # a thousand times before giving up. Valid requests on the existing record instead.
                mode = schemathesis.GenerationMode.POSITIVE
            started = time.monotonic()
            _run_operation(operation, report, headers, mode, fixed, per_round, seed_value=round_number)
            report.seconds[f"{operation.method.upper()} {operation.path} {mode.value}{' fixed' if fixed else ''}"] = (
                time.monotonic() - started)
    return report


def _has_input(operation) -> bool:
    return bool(len(operation.query) or len(operation.body))


def _run_operation(operation, report: RoleReport, headers: dict, mode, fixed: dict | None, examples: int,
                   seed_value: int) -> None:
    strategy = operation.as_strategy(generation_mode=mode, path_parameters=fixed or None)
    label = f"{operation.method.upper()} {operation.path}"

    @seed(seed_value)
    @settings(max_examples=examples, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(case=strategy)
    def send(case):
        response = case.call(headers=headers)
        report.requests += 1
        report.statuses[response.status_code] += 1
        report.by_operation.setdefault(label, Counter())[response.status_code] += 1
        if response.status_code >= 500:
            report.server_errors += 1
            report.findings.append(Finding(label, response.status_code, "server_error",
                                           f"{case.as_curl_command()}\n{response.text[:400]}"))
            return
        try:
            case.validate_response(response, checks=SCHEMA_CHECKS)
        except FailureGroup as failures:
            report.schema_violations += 1
            report.findings.append(Finding(label, response.status_code, "schema_violation",
                                           f"{case.as_curl_command()}\n{str(failures)[:DETAIL]}"))

    try:
        send()
    except Unsatisfiable:
        pass  # nothing of this operation can be made invalid (no parameters, no body): the valid rounds cover it


def assert_clean(reports: list[RoleReport], *, minimum: int) -> None:
    text = "\n".join(report.summary() for report in reports)
    for report in reports:
        assert report.requests >= minimum, text
        assert report.server_errors == 0 and report.schema_violations == 0, text


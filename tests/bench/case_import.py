"""Historical case import (CSV, CP932): 2,000 rows through the import against PostgreSQL COPY of the
rows it stored.

The import validates every row through case_create, creates the departments and groups a file names,
writes the outbox and the audit; the reference copies the same stored case and 年度 rows with COPY into
copies of those tables (with their indexes), so the ratio says what validation and bookkeeping cost.
The import runs in a transaction that is rolled back, so every run starts from the same database.
"""

from __future__ import annotations

import csv
import io
import time

ROWS = 2_000
HEADER = ["事業名", "形態", "年度", "開始年度", "終了年度", "事業費", "市負担額", "予算（市民自治推進課/担当課）",
          "担当課", "実施団体", "活動分野", "概要", "継続状況"]
FORMS = ["共催", "事業協力", "委託", "実行委員会"]


def _file() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for i in range(ROWS):
        writer.writerow([f"過去の事業{i:04}", FORMS[i % 4], f"H{24 + i % 8}", "", "", f"{100_000 + i:,}",
                         f"{50_000 + i:,}円", ["担当課", "市民自治推進課"][i % 2], f"課{i % 30}", f"団体{i % 300}",
                         str(1 + i % 20), f"事業{i}の概要", "終了"])
    return out.getvalue().encode("cp932")


def _center_and_staff():
    from django.contrib.auth import get_user_model

    from permissions.models import Organization, Role
    from permissions.services import membership_grant, organization_create

    center = Organization.objects.filter(name="ベンチ取込センター").first()
    if center is None:
        center = organization_create(acting_user=None, name="ベンチ取込センター", kind="center")
        staff = get_user_model().objects.create_user("bench-import-staff", password="bench-password-123")
        membership_grant(acting_user=None, user=staff, organization=center, role=Role.CENTER_STAFF)
    return center, get_user_model().objects.get(username="bench-import-staff")


class _RollBack(Exception):
    pass


def _copy_seconds(cursor, table: str, where: str, parameter) -> float:
    """COPY the rows `where` selects out of `table` and back into a copy of it with its indexes."""
    cursor.execute(f"CREATE TEMP TABLE bench_copy (LIKE {table} INCLUDING ALL)")
    buffer = io.BytesIO()
    with cursor.copy(f"COPY (SELECT * FROM {table} WHERE {where}) TO STDOUT", (parameter,)) as copy:
        for chunk in copy:
            buffer.write(chunk)
    started = time.perf_counter()
    with cursor.copy("COPY bench_copy FROM STDIN") as copy:
        copy.write(buffer.getvalue())
    elapsed = time.perf_counter() - started
    cursor.execute("DROP TABLE bench_copy")
    return elapsed


def run() -> None:
    from django.db import connection, transaction

    from nodes import case_import, models as m

    from .common import record

    center, staff = _center_and_staff()
    raw = _file()
    timings = {}
    try:
        with transaction.atomic():
            started, cpu = time.perf_counter(), time.process_time()
            result = case_import.import_cases(acting_user=staff, center=center, raw=raw, commit=True)
            timings["import"], timings["cpu"] = time.perf_counter() - started, time.process_time() - cpu
            assert (result.created, result.year_lines) == (ROWS, ROWS), result.errors[:3]
            with connection.cursor() as django_cursor:
                cursor = django_cursor.cursor
                cases = m.CollaborationCase._meta.db_table
                years = m.CaseYear._meta.db_table
                timings["copy"] = (_copy_seconds(cursor, cases, "center_id = %s", center.pk)
                                   + _copy_seconds(cursor, years, f"case_id IN (SELECT id FROM {cases} "
                                                   "WHERE center_id = %s)", center.pk))
            raise _RollBack
    except _RollBack:
        pass
    print(f"case import, {ROWS:,} CSV rows (CP932), all-or-nothing:")
    print(f"  import {timings['import']:.2f} s ({timings['cpu']:.2f} s CPU in this process); "
          f"COPY of the stored rows {timings['copy'] * 1000:.0f} ms")
    record("node.case_import.seconds_2000", timings["import"], "s", "< 10")
    record("node.case_import.ratio_copy_to_import", timings["copy"] / timings["import"], "ratio", "—")

"""Emergency survey results: each question as a table suppressed like the statistics."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext

from sync import disaster

from .. import disclosure
from ..models import EmergencySurvey
from .statistics import StatisticsTable, lay_out, table_csv_rows, with_note


def surveys(*, declaration) -> QuerySet:
    return EmergencySurvey.objects.filter(declaration=declaration)


@dataclass
class SurveyResults:
    survey: EmergencySurvey
    respondents: disclosure.Entry
    tables: list[StatisticsTable]

    def table(self, slug: str) -> StatisticsTable | None:
        return next((t for t in self.tables if t.slug == slug), None)


RESPONDENTS_COLUMN = "回答団体数"
SUM_COLUMN = "合計"


def survey_results(survey: EmergencySurvey) -> SurveyResults:
    """Each question as a table suppressed like the statistics: choice questions by option ×
    center (groups), number questions by center (sums), and the groups answering by center. Every
    answering group is an organization the figures are about, so a cell about 1–2 groups is hidden
    and complements keep it from being worked out from the totals."""
    copies = list(survey.counts.select_related("center").order_by("center__municipality_code", "center__name"))
    centers = [copy.center for copy in copies]
    center_labels = {center.pk: center.name for center in centers}
    order = [center.pk for center in centers]
    one_way = {"col_order": [RESPONDENTS_COLUMN]}
    respondent_records = [{"center": c.center_id, "n": c.respondents,
                           "organizations": frozenset(("g", c.center_id, i) for i in range(c.respondents))}
                          for c in copies if c.respondents]
    respondents_table = disclosure.build_table(respondent_records, "center", lambda r: RESPONDENTS_COLUMN,
                                               unit=disclosure.Unit.CASES, value_key="n", row_order=order, **one_way)
    tables = [lay_out(StatisticsTable("respondents", gettext("回答した団体の数"), gettext("センター"), respondents_table,
                                       center_labels, one_way=True))]
    for question in survey.questions:
        key = question["key"]
        if question["kind"] == disaster.QuestionKind.NUMBER:
            records = [{"center": c.center_id, "sum": c.questions[key]["sum"], "organizations": frozenset(
                ("g", c.center_id, i) for i in range(c.questions[key]["answered"]))}
                for c in copies if c.questions[key]["answered"]]
            table = disclosure.build_table(records, "center", lambda r: SUM_COLUMN, unit=disclosure.Unit.CASES,
                                           value_key="sum", row_order=order, col_order=[SUM_COLUMN])
            tables.append(lay_out(StatisticsTable(key, question["text"], gettext("センター"), table, center_labels,
                                                   one_way=True, note=gettext("回答の合計（1〜2団体の値は秘匿）。"))))
            continue
        single = question["kind"] == disaster.QuestionKind.SINGLE
        records = []
        for copy in copies:
            for option, count in copy.questions[key]["options"].items():
                if count:
                    # A single choice splits the groups between options; with several choices one group
                    # may be behind every option, so totals count no more groups than the largest cell.
                    records.append({"option": option, "center": copy.center_id, "n": count, "organizations":
                                    frozenset(("g", copy.center_id, option if single else "", i) for i in range(count))})
        labels = {**{o["key"]: o["label"] for o in question["options"]}, **center_labels}
        table = disclosure.build_table(records, "option", "center", unit=disclosure.Unit.CASES, value_key="n",
                                       row_order=[o["key"] for o in question["options"]], col_order=order)
        stat = lay_out(StatisticsTable(key, question["text"], gettext("選択肢"), table, labels,
                                        note="" if single else gettext("複数回答のため合計は延べ数です。")))
        stat.header = [{"key": pk, "label": center_labels[pk]} for pk in table.col_keys]
        tables.append(stat)
    return SurveyResults(survey=survey, respondents=respondents_table.entry(disclosure.TOTAL, disclosure.TOTAL),
                         tables=tables)


def survey_csv_rows(results: SurveyResults, slug: str) -> list[list[str]] | None:
    stat = results.table(slug)
    if stat is None:
        return None
    rows = with_note(stat, table_csv_rows(stat))
    return [[f"{results.survey.title}：{stat.title}"], *rows]

"""Requests, decisions and the asset register as typed tables, written to CSV or XLSX.

Times are UTC. Amounts stay Decimals until the writer: CSV gets plain numbers, XLSX gets
numeric cells with a number format, dates as date cells. Text that a spreadsheet would run as
a formula (a request objective starting with "=") is written as text. The decision amounts by
treatment count a monthly bill for a year, as the approval routes do.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal, TextIO

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from bot.core import Answer, Decision
from bot.core.budget import Approval, BudgetRequest
from bot.finance.impact import line_schedules, schedule_start
from bot.finance.records import as_utc
from bot.storage import Store
from bot.storage.models import DecisionRecord

Kind = Literal["text", "int", "money", "number", "datetime", "date", "bool"]
FORMATS: dict[str, str] = {
    "int": "0",
    "money": "#,##0.00",
    "number": "0.##",
    "datetime": "yyyy-mm-dd hh:mm",
    "date": "yyyy-mm-dd",
}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind = "text"


@dataclass(frozen=True)
class Sheet:
    name: str  # the XLSX sheet title and the CSV view name
    columns: list[Column]
    rows: list[list[Any]]


def _cols(spec: str) -> list[Column]:
    """``"id:int, name"`` → columns; the kind defaults to text."""
    columns = []
    for part in spec.split(","):
        name, _, kind = part.strip().partition(":")
        columns.append(Column(name, kind or "text"))  # type: ignore[arg-type]
    return columns


DECISION_COLUMNS = _cols(
    "decision_id:int, recorded_utc:datetime, surface, user_id, channel, kind, verdict, "
    "framework, summary, lines:int, capex_base:money, opex_base:money, review_base:money, "
    "base_currency, budget_bucket, approval_route, request_ref, rules_version, "
    "knowledge_version, input_text"
)
REQUEST_COLUMNS = _cols(
    "request_ref, created_utc:datetime, requester, objective, cost_center, phase, environment, "
    "asset_type, amount:money, currency, useful_life_years:number, "
    "forecast_conservative:money, forecast_expected:money, forecast_accelerated:money, "
    "verdict, budget_bucket, route, needs_finance:bool, status, decided_by, "
    "decided_utc:datetime, decision_id:int"
)
ASSET_COLUMNS = _cols(
    "request_ref, decision_id:int, line:int, asset, description, asset_type, cost:money, "
    "currency, cost_base:money, useful_life_months:int, monthly_depreciation:money, "
    "depreciation_start:date, depreciation_end:date, cost_center, approved_by, "
    "approved_utc:datetime"
)


@dataclass(frozen=True)
class ExportOptions:
    depreciation_start: str = "next_month"  # see Config.depreciation_start
    base_currency: str = "USD"


def _utc(moment: datetime | None) -> datetime | None:
    return None if moment is None else as_utc(moment)


def _decision_row(record: DecisionRecord, request: BudgetRequest | None, base: str) -> list[Any]:
    decision = Decision.model_validate(record.decision)
    by = {"capex": Decimal(0), "opex": Decimal(0), "needs_review": Decimal(0)}
    for line in decision.line_items:
        amount = line.yearly_amount_base
        if amount is not None:
            by[line.treatment] += amount
    return [
        record.id,
        _utc(record.created_at),
        record.surface,
        record.user_id,
        record.channel,
        record.kind,
        record.verdict,
        decision.framework,
        record.summary,
        len(decision.line_items),
        by["capex"],
        by["opex"],
        by["needs_review"],
        base,
        decision.budget_bucket.id if decision.budget_bucket else None,
        decision.approval.route if decision.approval else None,
        request.ref if request else None,
        record.rules_version,
        record.knowledge_version,
        record.input_text,
    ]


def _request_row(
    request: BudgetRequest, decision: Decision | None, approval: Approval | None
) -> list[Any]:
    form = request.form
    bucket = decision.budget_bucket if decision else None
    return [
        request.ref,
        request.created_at,
        request.requester,
        request.objective,
        request.cost_center,
        form.phase,
        form.environment,
        form.asset_type,
        form.amount,
        form.currency,
        form.useful_life_years,
        *form.forecast.cases().values(),
        request.verdict,
        bucket.id if bucket else None,
        request.route,
        request.needs_finance,
        request.status,
        approval.approver if approval else None,
        approval.decided_at if approval else None,
        request.decision_id,
    ]


def _asset_rows(
    request: BudgetRequest,
    record: DecisionRecord,
    approval: Approval,
    options: ExportOptions,
) -> list[list[Any]]:
    answer = Answer.from_json(record.decision)
    recorded = as_utc(record.created_at).date()
    start = schedule_start(answer.finance, recorded, options.depreciation_start)
    rows = []
    for item in line_schedules(answer.decision, start):
        line, schedule = item.line, item.schedule
        rows.append(
            [
                request.ref,
                record.id,
                item.number,
                line.asset_label or line.description,
                line.description,
                line.asset_type,
                schedule.cost,
                schedule.currency,
                line.amount_base,
                len(schedule.periods),
                schedule.monthly,
                schedule.start,
                schedule.end,
                request.cost_center,
                approval.approver,
                approval.decided_at,
            ]
        )
    return rows


def build_sheets(
    store: Store,
    options: ExportOptions,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[Sheet]:
    """Decisions and requests recorded in [since, until), and their approved CapEx lines."""
    requests = store.requests_between(since, until)
    approvals = store.approvals_for([r.id for r in requests])
    by_decision = {r.decision_id: r for r in requests}
    decision_rows = []
    for record in store.decisions_between(since, until):
        request = by_decision.get(record.id) or store.request_for_decision(record.id)
        decision_rows.append(_decision_row(record, request, options.base_currency))
    request_rows, asset_rows = [], []
    for request in requests:
        filed = store.get_decision(request.decision_id)
        decision = Decision.model_validate(filed.decision) if filed else None
        approval = approvals.get(request.id)
        request_rows.append(_request_row(request, decision, approval))
        if filed and approval and approval.outcome == "approved":
            asset_rows += _asset_rows(request, filed, approval, options)
    return [
        Sheet("Decisions", DECISION_COLUMNS, decision_rows),
        Sheet("Requests", REQUEST_COLUMNS, request_rows),
        Sheet("Asset register", ASSET_COLUMNS, asset_rows),
    ]


def _safe_text(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def _csv_value(value: Any, kind: Kind) -> str:
    if value is None:
        return ""
    if kind == "datetime":
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    if kind == "date":
        return value.isoformat()
    if kind == "bool":
        return "true" if value else "false"
    if kind == "text":
        return _safe_text(str(value))
    return str(value)


def write_csv(sheet: Sheet, stream: TextIO) -> None:
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow([c.name for c in sheet.columns])
    for row in sheet.rows:
        writer.writerow([_csv_value(v, c.kind) for v, c in zip(row, sheet.columns, strict=True)])


def _xlsx_value(value: Any, kind: Kind) -> Any:
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)  # Excel has no time zones; the column says UTC
    if isinstance(value, date) or kind != "text" or value is None:
        return value
    return str(value)


def write_xlsx(sheets: list[Sheet], path: Path) -> None:
    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    for sheet in sheets:
        ws = workbook.create_sheet(sheet.name)
        ws.append([c.name for c in sheet.columns])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in sheet.rows:
            ws.append([_xlsx_value(v, c.kind) for v, c in zip(row, sheet.columns, strict=True)])
        for index, column in enumerate(sheet.columns, start=1):
            letter = get_column_letter(index)
            for (cell,) in ws.iter_rows(min_row=2, min_col=index, max_col=index):
                if column.kind in FORMATS:
                    cell.number_format = FORMATS[column.kind]
                elif cell.data_type == "f":  # text that looks like a formula stays text
                    cell.data_type = "s"
            width = max([len(column.name), *(len(str(r[index - 1] or "")) for r in sheet.rows)])
            ws.column_dimensions[letter].width = min(60, width + 2)
        ws.freeze_panes = "A2"
        ws.auto_filter.ref = ws.dimensions
    workbook.save(path)

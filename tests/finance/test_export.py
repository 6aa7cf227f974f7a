"""Exports of requests, decisions and the asset register: CSV content, XLSX sheets and types."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from pathlib import Path

import openpyxl

from bot.finance.export import ExportOptions, Sheet, build_sheets, write_csv, write_xlsx
from bot.storage import Store

from .conftest import Clock, Filer, form

OPTIONS = ExportOptions(depreciation_start="next_month", base_currency="USD")


def _fill(filer: Filer, clock: Clock) -> None:
    clock.set(2026, 2, 3)
    filer.request(
        form("GPU servers for production inference", 96_000), "UALICE", outcome="approved"
    )
    clock.set(2026, 2, 10)
    filer.request(
        form(
            "Storage array for the feature store",
            60_000,
            asset_type="storage_hardware",
            cost_center="CC-420 Data",
        ),
        "UBOB",
    )  # pending: not in the register yet
    clock.set(2026, 2, 11)
    filer.request(form("A GPU box nobody needs", 70_000), "UCAROL", outcome="rejected")
    clock.set(2026, 3, 1)
    filer.request(
        form(
            '=HYPERLINK("http://evil") cloud GPU hours for the pilot',
            20_000,
            asset_type="cloud_usage",
            phase="experiment",
            environment="cloud",
        ),
        "UDAN",
        outcome="approved",
    )  # approved but OpEx: not an asset
    clock.set(2026, 3, 2)
    filer.question("is a $2k monitor capex?")


def _csv(sheet: Sheet) -> list[dict[str, str]]:
    stream = io.StringIO()
    write_csv(sheet, stream)
    return list(csv.DictReader(io.StringIO(stream.getvalue())))


def test_csv_views(filer: Filer, clock: Clock, store: Store) -> None:
    _fill(filer, clock)
    decisions, requests, assets = build_sheets(store, OPTIONS)
    rows = _csv(decisions)
    assert [r["decision_id"] for r in rows] == ["1", "2", "3", "4", "5"]
    first = rows[0]
    assert first["recorded_utc"] == "2026-02-03T10:00:00Z"
    assert (first["verdict"], first["capex_base"], first["opex_base"]) == ("capex", "96000.00", "0")
    assert (first["request_ref"], first["budget_bucket"], first["approval_route"]) == (
        "CX-00001",
        "platform_build",
        "controller",
    )
    assert rows[4]["surface"] == "mention" and rows[4]["request_ref"] == ""

    reqs = _csv(requests)
    assert [(r["request_ref"], r["status"], r["decided_by"]) for r in reqs] == [
        ("CX-00001", "approved", "UFIN"),
        ("CX-00002", "pending", ""),
        ("CX-00003", "rejected", "UFIN"),
        ("CX-00004", "approved", "UFIN"),
    ]
    assert reqs[0]["amount"] == "96000" and reqs[0]["needs_finance"] == "true"
    # a formula in user text stays text for a spreadsheet
    assert reqs[3]["objective"].startswith("'=HYPERLINK(")

    (asset,) = _csv(assets)
    assert asset == {
        "request_ref": "CX-00001",
        "decision_id": "1",
        "line": "1",
        "asset": "Servers and GPU/accelerator hardware",
        "description": "GPU servers for production inference",
        "asset_type": "gpu_server",
        "cost": "96000.00",
        "currency": "USD",
        "cost_base": "96000.00",
        "useful_life_months": "60",
        "monthly_depreciation": "1600.00",
        "depreciation_start": "2026-03-01",
        "depreciation_end": "2031-02-01",
        "cost_center": "CC-410 Platform",
        "approved_by": "UFIN",
        "approved_utc": "2026-02-03T10:00:00Z",
    }


def test_since_and_until_are_inclusive_days(filer: Filer, clock: Clock, store: Store) -> None:
    _fill(filer, clock)
    since = datetime(2026, 2, 10, tzinfo=UTC)
    until = datetime(2026, 3, 1, tzinfo=UTC)  # the day after 2026-02-28: February only
    decisions, requests, _ = build_sheets(store, OPTIONS, since, until)
    assert [row[0] for row in decisions.rows] == [2, 3]
    assert [row[0] for row in requests.rows] == ["CX-00002", "CX-00003"]


def test_xlsx_has_the_three_sheets_with_typed_cells(
    filer: Filer, clock: Clock, store: Store, tmp_path: Path
) -> None:
    _fill(filer, clock)
    path = tmp_path / "export.xlsx"
    write_xlsx(build_sheets(store, OPTIONS), path)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Decisions", "Requests", "Asset register"]

    decisions = book["Decisions"]
    header = [c.value for c in decisions[1]]
    row = dict(zip(header, decisions[2], strict=True))
    assert row["decision_id"].value == 1 and row["decision_id"].data_type == "n"
    assert row["recorded_utc"].value == datetime(2026, 2, 3, 10, 0)
    assert row["recorded_utc"].is_date and row["recorded_utc"].number_format == "yyyy-mm-dd hh:mm"
    assert row["capex_base"].value == 96000 and row["capex_base"].number_format == "#,##0.00"
    assert decisions.max_row == 6 and decisions.freeze_panes == "A2"

    requests = book["Requests"]
    header = [c.value for c in requests[1]]
    formula_row = dict(zip(header, requests[5], strict=True))
    assert formula_row["objective"].data_type == "s"  # text, not a formula
    assert formula_row["objective"].value.startswith("=HYPERLINK(")
    assert formula_row["needs_finance"].value is False

    register = book["Asset register"]
    header = [c.value for c in register[1]]
    assert register.max_row == 2
    asset = dict(zip(header, register[2], strict=True))
    assert asset["cost"].value == 96000 and asset["cost"].data_type == "n"
    assert asset["useful_life_months"].value == 60
    assert asset["monthly_depreciation"].value == 1600
    assert asset["depreciation_start"].is_date
    assert asset["depreciation_start"].value.date() == date(2026, 3, 1)
    assert asset["depreciation_start"].number_format == "yyyy-mm-dd"
    assert asset["cost_center"].value == "CC-410 Platform"
    assert asset["request_ref"].value == "CX-00001"


def test_empty_store_exports_headers_only(store: Store, tmp_path: Path) -> None:
    sheets = build_sheets(store, OPTIONS)
    assert all(sheet.rows == [] for sheet in sheets)
    write_xlsx(sheets, tmp_path / "empty.xlsx")
    book = openpyxl.load_workbook(tmp_path / "empty.xlsx")
    assert book["Asset register"]["A1"].value == "request_ref"

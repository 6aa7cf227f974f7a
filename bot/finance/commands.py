"""``capexbot memo``, ``capexbot export`` and ``capexbot digest``.

Registered on the main CLI by :func:`register`. The heavy libraries (fpdf2, openpyxl,
matplotlib) are imported inside the commands, so ``capexbot ask`` starts as fast as before.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli_options import DataOption, KnowledgeOption, RulesOption, config_for, fail
from bot.config import Config
from bot.errors import CapexbotError

if TYPE_CHECKING:
    from bot.app.services import Services

OutputOption = Annotated[Path | None, typer.Option("--output", "-o", help="File to write.")]
DAY = ["%Y-%m-%d"]


class MemoFormat(StrEnum):
    MD = "md"
    PDF = "pdf"


class ExportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


class View(StrEnum):
    ALL = "all"
    DECISIONS = "decisions"
    REQUESTS = "requests"
    ASSETS = "assets"


SHEETS = {View.DECISIONS: "Decisions", View.REQUESTS: "Requests", View.ASSETS: "Asset register"}


def _month(text: str | None) -> date | None:
    if text is None:
        return None
    from bot.finance.schedule import parse_month

    try:
        return parse_month(text)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc


def register(
    app: typer.Typer,
    services_for: Callable[[Config], AbstractContextManager[Services]],
) -> None:
    @app.command()
    def memo(
        id: Annotated[str, typer.Argument(help="Decision id (12) or request id (CX-00012).")],
        format: Annotated[MemoFormat, typer.Option(help="Markdown or PDF.")] = MemoFormat.MD,
        output: OutputOption = None,
        start: Annotated[
            str | None,
            typer.Option(help="First month of depreciation, YYYY-MM (default: as answered)."),
        ] = None,
        rules_dir: RulesOption = None,
        knowledge_dir: KnowledgeOption = None,
        data_dir: DataOption = None,
    ) -> None:
        """The decision memo an auditor reads: facts, rules, citations, approvals, versions."""
        config = config_for(rules_dir, knowledge_dir, data_dir)
        with services_for(config) as services:
            try:
                document = services.outputs.memo(id, _month(start))
            except CapexbotError as exc:
                raise fail(str(exc)) from exc
        if format == MemoFormat.MD and output is None:
            typer.echo(document.markdown(), nl=False)
            return
        path = output or Path(f"{document.name}.{format.value}")
        if format == MemoFormat.PDF:
            path.write_bytes(document.pdf())
        else:
            path.write_text(document.markdown(), encoding="utf-8")
        typer.echo(f"Wrote {path}", err=True)

    @app.command()
    def export(
        format: Annotated[ExportFormat, typer.Option(help="CSV or XLSX.")] = ExportFormat.CSV,
        since: Annotated[
            datetime | None, typer.Option(formats=DAY, help="From this day (UTC), inclusive.")
        ] = None,
        until: Annotated[
            datetime | None, typer.Option(formats=DAY, help="To this day (UTC), inclusive.")
        ] = None,
        output: OutputOption = None,
        view: Annotated[
            View,
            typer.Option(
                help="Which table (to stdout unless -o); all: a file each, or XLSX sheets."
            ),
        ] = View.ALL,
        rules_dir: RulesOption = None,
        knowledge_dir: KnowledgeOption = None,
        data_dir: DataOption = None,
    ) -> None:
        """Requests, decisions and the asset register of approved CapEx lines, as CSV or XLSX."""
        from bot.finance.export import write_csv, write_xlsx
        from bot.finance.records import day_after, day_start

        config = config_for(rules_dir, knowledge_dir, data_dir)
        if format == ExportFormat.CSV and view == View.ALL and output is None:
            output = Path("capexbot-export.csv")  # one file per table: CSV holds one
        with services_for(config) as services:
            sheets = services.outputs.sheets(
                day_start(since.date()) if since else None,
                day_after(until.date()) if until else None,
            )
        if format == ExportFormat.XLSX:
            path = output or Path("capexbot-export.xlsx")
            write_xlsx(sheets, path)
            rows = ", ".join(f"{s.name} {len(s.rows)}" for s in sheets)
            typer.echo(f"Wrote {path} (rows: {rows})", err=True)
            return
        chosen = [s for s in sheets if view == View.ALL or s.name == SHEETS[view]]
        if output is None:
            write_csv(chosen[0], sys.stdout)
            return
        for sheet in chosen:
            path = output
            if view == View.ALL:
                slug = sheet.name.lower().replace(" ", "-")
                path = output.with_name(f"{output.stem}-{slug}{output.suffix or '.csv'}")
            with path.open("w", encoding="utf-8", newline="") as stream:
                write_csv(sheet, stream)
            typer.echo(f"Wrote {path} ({len(sheet.rows)} rows)", err=True)

    @app.command()
    def digest(
        month: Annotated[str | None, typer.Option(help="YYYY-MM (default: last month).")] = None,
        chart: Annotated[
            Path | None, typer.Option(help="Write the spend chart to this PNG file.")
        ] = None,
        post: Annotated[
            bool, typer.Option("--post", help="Post it to the finance channel in Slack.")
        ] = False,
        rules_dir: RulesOption = None,
        knowledge_dir: KnowledgeOption = None,
        data_dir: DataOption = None,
    ) -> None:
        """The monthly digest: spend by bucket and treatment, approvals waiting, pilots."""
        from bot.finance.chart import digest_chart
        from bot.finance.digest import previous_month
        from bot.finance.digest_view import digest_text

        config = config_for(rules_dir, knowledge_dir, data_dir)
        if post and not (config.slack_bot_token and config.finance_channel):
            raise fail("--post needs SLACK_BOT_TOKEN and CAPEXBOT_FINANCE_CHANNEL.")
        today = datetime.now(UTC).date()
        with services_for(config) as services:
            result = services.outputs.digest(_month(month) or previous_month(today), today)
        typer.echo(digest_text(result), nl=False)
        if chart is not None:
            chart.write_bytes(digest_chart(result))
            typer.echo(f"Wrote {chart}", err=True)
        if post:
            from slack_sdk import WebClient

            from bot.finance.slack import post_digest

            client = WebClient(token=config.slack_bot_token, base_url=config.slack_api_url)
            assert config.finance_channel is not None  # checked above
            post_digest(client, config.finance_channel, result)
            typer.echo(f"Posted to {config.finance_channel}", err=True)

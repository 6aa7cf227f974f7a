"""``capexbot review list|record|export`` and ``capexbot replay``: corrections and rules changes.

``review`` is finance's side of the "Wrong" button (the same use case as App Home's flagged
answers, :mod:`bot.app.reviews`); ``replay`` shows what a proposed rules folder would change in
the answers already given (:mod:`bot.app.replay`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from bot.cli_options import DataOption, JsonOption, KnowledgeOption, RulesOption, config_for, fail
from bot.config import Config
from bot.core import Policy
from bot.core.decision import VERDICT_LABELS
from bot.errors import CapexbotError

if TYPE_CHECKING:
    from bot.app.replay import ReplayReport
    from bot.app.reviews import Flagged
    from bot.app.services import Services

AsOption = Annotated[str, typer.Option("--as", help="Who is acting: an approver's user id.")]
DAY = ["%Y-%m-%d"]


def register(
    app: typer.Typer,
    services_for: Callable[[Config], AbstractContextManager[Services]],
    policy_for: Callable[[Config], Policy],
) -> None:
    review = typer.Typer(
        help="Answers flagged as wrong: list, record the right verdict, export as test cases.",
        no_args_is_help=True,
    )
    app.add_typer(review, name="review")

    @review.command("list")
    def list_(
        user: AsOption,
        every: Annotated[
            bool, typer.Option("--all", help="Reviewed answers too, with their review.")
        ] = False,
        as_json: JsonOption = False,
        rules_dir: RulesOption = None,
        knowledge_dir: KnowledgeOption = None,
        data_dir: DataOption = None,
    ) -> None:
        """Flagged answers waiting for a review (newest first)."""
        config = config_for(rules_dir, knowledge_dir, data_dir)
        with services_for(config) as services:
            try:
                found = services.reviews.flagged(user, reviewed=every)
            except CapexbotError as exc:
                raise fail(str(exc)) from exc
        if as_json:
            typer.echo(json.dumps([_flagged_json(f) for f in found], indent=2, default=str))
            return
        if not found:
            typer.echo("No flagged answers to review." if not every else "No flagged answers.")
        for item in found:
            typer.echo(_flagged_text(item))

    @review.command("record")
    def record(
        decision: Annotated[int, typer.Argument(help="The answer's id (from `review list`).")],
        verdict: Annotated[str, typer.Argument(help="capex, opex, split or needs_review.")],
        reason: Annotated[str, typer.Option(help="Why: kept with the correction.")],
        user: AsOption,
        rules_dir: RulesOption = None,
        knowledge_dir: KnowledgeOption = None,
        data_dir: DataOption = None,
    ) -> None:
        """Record the right verdict of an answer, and why."""
        config = config_for(rules_dir, knowledge_dir, data_dir)
        with services_for(config) as services:
            try:
                services.reviews.review(decision, user, verdict, reason)
            except CapexbotError as exc:
                raise fail(str(exc)) from exc
        typer.echo(f"Answer {decision}: {VERDICT_LABELS[verdict]}, recorded by {user}.")

    @review.command("export")
    def export(
        user: AsOption,
        output: Annotated[
            Path, typer.Option("--output", "-o", help="The JSONL file to write.")
        ] = Path("capexbot-corrections.jsonl"),
        rules_dir: RulesOption = None,
        knowledge_dir: KnowledgeOption = None,
        data_dir: DataOption = None,
    ) -> None:
        """Write every reviewed answer as a scenario line that `capexbot eval` scores."""
        config = config_for(rules_dir, knowledge_dir, data_dir)
        with services_for(config) as services:
            try:
                lines = services.reviews.corrections(user)
            except CapexbotError as exc:
                raise fail(str(exc)) from exc
        output.write_text(
            "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines),
            encoding="utf-8",
        )
        count = f"{len(lines)} correction" + ("" if len(lines) == 1 else "s")
        typer.echo(f"Wrote {output}: {count}", err=True)

    @app.command()
    def replay(
        rules: Annotated[
            Path, typer.Option("--rules", help="The proposed rules folder (an edited copy).")
        ],
        since: Annotated[
            datetime | None, typer.Option(formats=DAY, help="Decisions from this day (UTC).")
        ] = None,
        as_json: JsonOption = False,
        rules_dir: RulesOption = None,
        knowledge_dir: KnowledgeOption = None,
        data_dir: DataOption = None,
    ) -> None:
        """Decide every stored decision again with another rules folder; list what changes."""
        from bot.app.replay import replay as run_replay
        from bot.finance.records import day_start  # with the store: not on every command's path

        config = config_for(rules_dir, knowledge_dir, data_dir)
        proposed = policy_for(config.model_copy(update={"rules_dir": rules}))
        with services_for(config) as services:
            report = run_replay(
                services.requests.store,
                services.questions.assistant.policy,
                proposed,
                day_start(since.date()) if since else None,
            )
        if as_json:
            typer.echo(json.dumps(asdict(report), indent=2, default=str, ensure_ascii=False))
        else:
            typer.echo(_replay_text(report, config.rules_dir, rules))


def _flagged_json(item: Flagged) -> dict[str, Any]:
    return {
        "decision_id": item.decision_id,
        "asked_at": item.asked_at,
        "asked_by": item.asked_by,
        "surface": item.surface,
        "text": item.text,
        "verdict": item.verdict,
        "expected": item.expected,
        "flags": [f.model_dump(mode="json") for f in item.flags],
        "review": item.review.model_dump(mode="json") if item.review else None,
    }


def _flagged_text(item: Flagged) -> str:
    expected = VERDICT_LABELS[item.expected] if item.expected else "not said"
    who = ", ".join(dict.fromkeys(f.user_id for f in item.flags)) or "-"
    lines = [
        f"#{item.decision_id}  {item.asked_at:%Y-%m-%d}  {item.asked_by or '-'} ({item.surface})"
        f"  answered {VERDICT_LABELS.get(item.verdict, item.verdict)}"
        f"  · expected {expected}  · flagged by {who}",
        f"    “{' '.join(item.text.split())[:200]}”",
    ]
    lines.extend(f"    note: {note}" for note in item.notes)
    if item.review is not None:
        lines.append(
            f"    reviewed by {item.review.user_id}: "
            f"{VERDICT_LABELS.get(item.review.verdict or '', item.review.verdict)}: "
            f"{item.review.note}"
        )
    return "\n".join(lines)


def _replay_text(report: ReplayReport, current: Path, proposed: Path) -> str:
    lines = [
        f"Replayed {report.decisions} stored decisions: rules in force {current} "
        f"({report.current_version}) against {proposed} ({report.proposed_version}).",
    ]
    if not report.changed:
        lines.append("Nothing would change.")
    for item in report.changed:
        lines.append(
            f"#{item.decision_id}  {item.at:%Y-%m-%d}  {item.user_id or '-'} ({item.surface})"
            f"  “{' '.join(item.text.split())[:100]}”"
        )
        for change in item.changes:
            label = f"line {change.line}" if change.line else change.what
            if change.description:
                label += f" “{change.description[:60]}”"
            rule = ""
            if change.rule_before or change.rule_after:
                rule = f"  [{change.rule_before or '-'} → {change.rule_after or '-'}]"
            lines.append(f"    {label}: {change.before} → {change.after}{rule}")
    unchanged = report.decisions - len(report.changed)
    lines.append(f"{len(report.changed)} would change, {unchanged} would not.")
    if report.drifted:
        lines.append(
            f"{len(report.drifted)} stored answers differ already under the rules in force "
            "(the rules or the bot changed since they were given); they are compared with "
            "today's answer, not the stored one."
        )
    return "\n".join(lines)

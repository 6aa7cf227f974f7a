"""Replay: what a proposed rules folder would change in the answers already given. No Slack.

Every stored decision is decided twice from what its requester gave (:mod:`bot.app.stored`):
with the rules in force and with the proposed ones. What differs, verdict, line or approval
route, is listed with the rule that decided it before and after. Comparing with the rules in
force rather than with the stored answer keeps earlier changes of the rules (or of the engine)
out of the list; the stored answers that today's rules already answer differently are counted
apart as drift.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from bot.app.stored import given_of
from bot.core import Decision, Policy
from bot.core.decision import VERDICT_LABELS, LineItem
from bot.core.given import decide_given
from bot.storage import Store

What = Literal["verdict", "line", "lines", "route"]


@dataclass(frozen=True)
class Change:
    """One thing the proposed rules answer differently; ``line`` counts from 1."""

    what: What
    before: str
    after: str
    rule_before: str | None = None
    rule_after: str | None = None
    line: int | None = None
    description: str | None = None


@dataclass(frozen=True)
class Replayed:
    """A stored decision the proposed rules would answer differently."""

    decision_id: int
    at: datetime
    user_id: str | None
    surface: str
    text: str
    changes: list[Change]


@dataclass(frozen=True)
class ReplayReport:
    current_version: str
    proposed_version: str
    decisions: int
    changed: list[Replayed] = field(default_factory=list)
    #: stored answers the rules in force already answer differently (not the proposal's doing)
    drifted: list[int] = field(default_factory=list)


def replay(
    store: Store, current: Policy, proposed: Policy, since: datetime | None = None
) -> ReplayReport:
    """Decide every decision stored since ``since`` (UTC) under both rules folders."""
    records = store.decisions_between(since)
    report = ReplayReport(current.version, proposed.version, len(records))
    for record in records:
        given = given_of(record, store)
        before, after = decide_given(given, current), decide_given(given, proposed)
        if before.verdict != record.verdict:
            report.drifted.append(record.id)
        changes = changes_between(before, after)
        if changes:
            report.changed.append(
                Replayed(
                    record.id,
                    record.created_at,
                    record.user_id,
                    record.surface,
                    record.input_text,
                    changes,
                )
            )
    return report


def changes_between(before: Decision, after: Decision) -> list[Change]:
    """The verdict, each line and the approval route, where they differ."""
    changes: list[Change] = []
    if (before.kind, before.verdict) != (after.kind, after.verdict):
        changes.append(
            Change(
                "verdict",
                _verdict(before),
                _verdict(after),
                _rules(before, before.line_items),
                _rules(after, after.line_items),
            )
        )
    for index, (old, new) in enumerate(zip(before.line_items, after.line_items, strict=False)):
        if _line(old) != _line(new) or old.rule_id != new.rule_id:
            changes.append(
                Change(
                    "line",
                    _line(old),
                    _line(new),
                    _rules(before, [old]),
                    _rules(after, [new]),
                    line=index + 1,
                    description=new.description,
                )
            )
    if len(before.line_items) != len(after.line_items):
        changes.append(
            Change("lines", f"{len(before.line_items)} lines", f"{len(after.line_items)} lines")
        )
    old_route, new_route = before.approval, after.approval
    if (old_route and old_route.route) != (new_route and new_route.route):
        changes.append(
            Change(
                "route",
                _route(before),
                _route(after),
                f"§{old_route.section}" if old_route else None,
                f"§{new_route.section}" if new_route else None,
            )
        )
    return changes


def _verdict(decision: Decision) -> str:
    if decision.kind != "decision":
        return decision.kind.replace("_", " ")
    return VERDICT_LABELS[decision.verdict]


def _line(line: LineItem) -> str:
    parts = [line.treatment, line.asset_type or "unknown kind"]
    if line.treatment == "capex" and line.useful_life_months:
        parts.append(f"{line.useful_life_months} months")
    return " · ".join(parts)


def _rules(decision: Decision, lines: list[LineItem]) -> str | None:
    """The rules that decided ``lines``, each with its policy section."""
    sections = {rule.id: rule.section for rule in decision.rules_fired}
    ids = list(dict.fromkeys(line.rule_id for line in lines if line.rule_id))
    named = [f"{i} §{sections[i]}" if i in sections else i for i in ids]
    return ", ".join(named) or None


def _route(decision: Decision) -> str:
    approval = decision.approval
    if approval is None:
        return "no route"
    return f"{approval.route} ({', '.join(approval.approvers)})"

"""A Decision as plain text, for the terminal and for logs people read."""

from __future__ import annotations

from bot.core.decision import VERDICT_LABELS, Decision
from bot.core.frameworks import FRAMEWORK_LABELS, SideBySide
from bot.finance.impact import impact_lines


def render_text(decision: Decision) -> str:
    out: list[str] = []
    if decision.kind == "decision":
        out.append(f"Verdict: {VERDICT_LABELS[decision.verdict]}  ({decision.framework})")
    out.append(decision.summary)
    if decision.line_items:
        out.append("")
        out.append("Lines:")
        for line in decision.line_items:
            amount = f"  {line.amount}" if line.amount else ""
            out.append(f"  - [{line.treatment}] {line.asset_label or line.description}{amount}")
            if line.depreciation_per_month is not None and line.amount is not None:
                out.append(
                    f"      {line.write_off_word} straight-line over "
                    f"{line.useful_life_months} months: "
                    f"{line.amount.currency} {line.depreciation_per_month:,.2f}/month, "
                    f"{line.depreciation_per_year:,.2f} in a full year"
                )
    year_one = impact_lines(decision)
    if year_one:
        out.append("")
        out.append("Year one:")
        out.extend(f"  - {line}" for line in year_one)
    if decision.rules_fired:
        out.append("")
        out.append("Why:")
        for rule in decision.rules_fired:
            out.append(f"  - {rule.id}: {rule.reason} (policy §{rule.section}; {rule.standard})")
    if decision.counterfactuals:
        out.append("")
        out.append("What would change it:")
        out.extend(f"  - {flip.text}" for flip in decision.counterfactuals)
    if decision.citations:
        out.append("")
        out.append("Policy text:")
        for citation in decision.citations:
            passage = citation.passage.replace("\n", " ")
            if len(passage) > 220:
                passage = passage[:217].rsplit(" ", 1)[0] + "…"
            out.append(f"  - {citation.source} › {citation.section}")
            out.append(f"      “{passage}”")
    facts = _facts_lines(decision)
    if facts:
        out.append("")
        out.append("Facts:")
        out.extend(facts)
    if decision.assumptions:
        out.append("")
        out.append("Assumed:")
        out.extend(f"  - {a}" for a in decision.assumptions)
    if decision.missing:
        out.append("")
        out.append("Missing:")
        for missing in decision.missing:
            where = f" (for “{missing.item_description}”)" if missing.item_description else ""
            out.append(f"  - {missing.fact.replace('_', ' ')}{where}: {missing.why}")
    if decision.next_question:
        question = decision.next_question
        out.append("")
        out.append(f"Next question: {question.text}")
        for option in question.options:
            out.append(f"  · {option.label}")
    if decision.budget_bucket or decision.approval:
        out.append("")
    if decision.budget_bucket:
        out.append(f"Budget bucket: {decision.budget_bucket.label}")
    if decision.tracking:
        out.append(f"Tracking: {decision.tracking}")
    if decision.approval:
        approval = decision.approval
        out.append(
            f"Approval: {', '.join(approval.approvers)} "
            f"(total {approval.currency} {approval.amount_base:,.2f}; policy §{approval.section})"
        )
        out.extend(f"  note: {n}" for n in approval.notes)
    for note in decision.notes:
        out.append(f"Note: {note}")
    versions = f"rules {decision.rules_version}"
    if decision.knowledge_version:
        versions += f", knowledge {decision.knowledge_version}"
    out.append(f"({versions})")
    return "\n".join(out)


def _facts_lines(decision: Decision) -> list[str]:
    lines = [
        f"  - {name.replace('_', ' ')}: {fact.describe()} [{fact.source.value}]"
        for name, fact in decision.facts.shared.items()
    ]
    many = len(decision.facts.items) > 1
    for item in decision.facts.items:
        prefix = f"{item.description}: " if many else ""
        for name, fact in item.facts.items():
            lines.append(
                f"  - {prefix}{name.replace('_', ' ')}: {fact.describe()} [{fact.source.value}]"
            )
    return lines


def render_side_by_side(both: SideBySide) -> str:
    """Both frameworks' answers, then the lines on which they differ and why."""
    out: list[str] = []
    for name, decision in (("us_gaap", both.us_gaap), ("ifrs", both.ifrs)):
        out.append(f"=== {FRAMEWORK_LABELS[name]} ===")
        out.append(render_text(decision))
        out.append("")
    if not both.differences:
        out.append("Differences: none; both frameworks treat every line alike, by the same rules.")
        return "\n".join(out)
    out.append("Differences:")
    for difference in both.differences:
        us, ifrs = difference.us_gaap, difference.ifrs
        out.append(
            f"  - {difference.description}: US GAAP {VERDICT_LABELS[us.treatment]}"
            f" ({us.rule or 'no rule'}), IFRS {VERDICT_LABELS[ifrs.treatment]}"
            f" ({ifrs.rule or 'no rule'})"
        )
        out.append(f"      {difference.why}")
    return "\n".join(out)

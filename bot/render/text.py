"""An answer as plain text, for the terminal and for logs people read."""

from __future__ import annotations

from bot.core.decision import VERDICT_LABELS
from bot.core.frameworks import FRAMEWORK_LABELS, SideBySide
from bot.render.document import DecisionDocument, build_document


def render_text(doc: DecisionDocument) -> str:
    out: list[str] = []
    if doc.decided:
        out.append(f"Verdict: {doc.verdict_label}  ({doc.framework})")
    out.append(doc.summary)
    if doc.lines:
        out.append("")
        out.append("Lines:")
        for line in doc.lines:
            amount = f"  {line.amount}" if line.amount else ""
            out.append(f"  - [{line.treatment}] {line.name}{amount}")
            if line.per_month is not None and line.amount is not None:
                out.append(
                    f"      {line.write_off_word} straight-line over {line.life_months} months: "
                    f"{line.amount.currency} {line.per_month:,.2f}/month, "
                    f"{line.per_year:,.2f} in a full year"
                )
    if doc.year_one:
        out.append("")
        out.append("Year one:")
        out.extend(f"  - {line}" for line in doc.year_one)
    if doc.reasons:
        out.append("")
        out.append("Why:")
        for rule in doc.reasons:
            out.append(f"  - {rule.id}: {rule.reason} (policy §{rule.section}; {rule.standard})")
    if doc.counterfactuals:
        out.append("")
        out.append("What would change it:")
        out.extend(f"  - {flip.text}" for flip in doc.counterfactuals)
    if doc.citations:
        out.append("")
        out.append("Policy text:")
        for citation in doc.citations:
            passage = citation.passage.replace("\n", " ")
            if len(passage) > 220:
                passage = passage[:217].rsplit(" ", 1)[0] + "…"
            out.append(f"  - {citation.source} › {citation.section}")
            out.append(f"      “{passage}”")
    if doc.facts:
        out.append("")
        out.append("Facts:")
        for fact in doc.facts:
            prefix = f"{fact.item}: " if fact.item is not None and doc.several_items else ""
            out.append(f"  - {prefix}{fact.name}: {fact.value} [{fact.source}]")
    if doc.assumptions:
        out.append("")
        out.append("Assumed:")
        out.extend(f"  - {a}" for a in doc.assumptions)
    if doc.missing:
        out.append("")
        out.append("Missing:")
        for missing in doc.missing:
            where = f" (for “{missing.item_description}”)" if missing.item_description else ""
            out.append(f"  - {missing.fact.replace('_', ' ')}{where}: {missing.why}")
    if doc.next_question:
        question = doc.next_question
        out.append("")
        out.append(f"Next question: {question.text}")
        for option in question.options:
            out.append(f"  · {option.label}")
    if doc.budget_bucket or doc.approval:
        out.append("")
    if doc.budget_bucket:
        out.append(f"Budget bucket: {doc.budget_bucket.label}")
    if doc.tracking:
        out.append(f"Tracking: {doc.tracking}")
    if doc.approval:
        out.append(f"Approval: {doc.approval_text}")
        out.extend(f"  note: {n}" for n in doc.approval.notes)
    for note in doc.notes:
        out.append(f"Note: {note}")
    versions = f"rules {doc.rules_version}"
    if doc.knowledge_version:
        versions += f", knowledge {doc.knowledge_version}"
    out.append(f"({versions})")
    return "\n".join(out)


def render_side_by_side(both: SideBySide) -> str:
    """Both frameworks' answers, then the lines on which they differ and why."""
    out: list[str] = []
    for name, answer in (("us_gaap", both.us_gaap), ("ifrs", both.ifrs)):
        out.append(f"=== {FRAMEWORK_LABELS[name]} ===")
        out.append(render_text(build_document(answer)))
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

"""The model words the answer from the rules' decision and its citations; a check keeps it honest.

The wording replaces only the summary sentence: the verdict, lines, reasons, citations and
versions still come from the rules. A wording is not used when it could mislead: when it
names a treatment the decision does not have, leaves out one it has, or quotes an amount that
is not one of the decision's.
"""

from __future__ import annotations

import re
from decimal import Decimal

from bot.core import Decision
from bot.core.money import find_amounts

MAX_WORDING = 1200
_CAPEX = re.compile(r"\bcapex\b|\bcapitali[sz]", re.IGNORECASE)
# "expensed" or "expense it", not "depreciation expense", which a CapEx answer may mention
_OPEX = re.compile(r"\bopex\b|\bexpensed\b|\bexpense (?:it|them|the|this|as)\b", re.IGNORECASE)
_REVIEW = re.compile(r"\breview\b|\bneed|\bmissing\b|\bquestion\b|\bwhich\b|\bhow\b", re.IGNORECASE)
_CONFIDENT = re.compile(r"\b(?:is|are|as)\s+(?:capex|opex)\b", re.IGNORECASE)


def decision_brief(decision: Decision) -> str:
    """What the model may say, as plain text: nothing else is given to it."""
    lines = [f"Verdict: {decision.verdict}", f"Summary: {decision.summary}"]
    for line in decision.line_items:
        amount = f" {line.amount}" if line.amount else ""
        lines.append(f"Line: {line.treatment}: {line.asset_label or line.description}{amount}")
        if line.depreciation_per_month is not None and line.amount is not None:
            lines.append(
                f"  straight-line over {line.useful_life_months} months, "
                f"{line.amount.currency} {line.depreciation_per_month:,.2f} a month"
            )
    lines += [f"Reason ({r.id}, policy §{r.section}): {r.reason}" for r in decision.rules_fired]
    if decision.next_question:
        lines.append(f"Next question: {decision.next_question.text}")
    lines += [f"Policy text ({c.section}): {c.passage}" for c in decision.citations[:3]]
    return "\n".join(lines)


def _decision_amounts(decision: Decision) -> set[Decimal]:
    amounts: set[Decimal] = set()
    for line in decision.line_items:
        values = [line.amount.amount if line.amount else None, line.amount_base]
        values += [line.depreciation_per_month, line.depreciation_per_year, line.year_one_charge]
        amounts.update(v.quantize(Decimal("0.01")) for v in values if v is not None)
    if decision.approval and decision.approval.amount_base is not None:
        amounts.add(decision.approval.amount_base.quantize(Decimal("0.01")))
    return amounts


def wording_problem(wording: str, decision: Decision) -> str | None:
    """Why the wording cannot stand in for the rules' summary; None when it can."""
    if not wording.strip() or len(wording) > MAX_WORDING:
        return "it was empty or too long"
    treatments = {line.treatment for line in decision.line_items}
    says_capex, says_opex = bool(_CAPEX.search(wording)), bool(_OPEX.search(wording))
    if decision.verdict == "needs_review":
        if _CONFIDENT.search(wording) or not _REVIEW.search(wording):
            return "it did not say the request needs review"
    elif ("capex" in treatments) != says_capex or ("opex" in treatments) != says_opex:
        return f"it did not match the verdict ({decision.verdict})"
    known = _decision_amounts(decision)
    for found in find_amounts(wording, None):
        if found.money.amount.quantize(Decimal("0.01")) not in known:
            return f"it quoted an amount ({found.text}) that is not in the decision"
    return None

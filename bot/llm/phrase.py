"""The model words the answer from the rules' decision and its citations; a check keeps it honest.

The wording replaces only the summary sentence: the verdict, lines, reasons, citations and
versions still come from the rules. A wording is not used when it could mislead: when it
names a treatment the decision does not have, leaves out one it has, or quotes an amount that
is not one of the decision's.
"""

from __future__ import annotations

import re
from decimal import Decimal

from bot.core.money import find_amounts
from bot.render.document import DecisionDocument

MAX_WORDING = 1200
_CAPEX = re.compile(r"\bcapex\b|\bcapitali[sz]", re.IGNORECASE)
# "expensed" or "expense it", not "depreciation expense", which a CapEx answer may mention
_OPEX = re.compile(r"\bopex\b|\bexpensed\b|\bexpense (?:it|them|the|this|as)\b", re.IGNORECASE)
_REVIEW = re.compile(r"\breview\b|\bneed|\bmissing\b|\bquestion\b|\bwhich\b|\bhow\b", re.IGNORECASE)
_CONFIDENT = re.compile(r"\b(?:is|are|as)\s+(?:capex|opex)\b", re.IGNORECASE)


def decision_brief(doc: DecisionDocument) -> str:
    """What the model may say, as plain text: nothing else is given to it."""
    lines = [f"Verdict: {doc.verdict}", f"Summary: {doc.summary}"]
    for line in doc.lines:
        amount = f" {line.amount}" if line.amount else ""
        lines.append(f"Line: {line.treatment}: {line.name}{amount}")
        if line.per_month is not None and line.amount is not None:
            lines.append(
                f"  straight-line over {line.life_months} months, "
                f"{line.amount.currency} {line.per_month:,.2f} a month"
            )
    lines += [f"Reason ({r.id}, policy §{r.section}): {r.reason}" for r in doc.reasons]
    if doc.next_question:
        lines.append(f"Next question: {doc.next_question.text}")
    lines += [f"Policy text ({c.section}): {c.passage}" for c in doc.citations[:3]]
    return "\n".join(lines)


def wording_problem(wording: str, doc: DecisionDocument) -> str | None:
    """Why the wording cannot stand in for the rules' summary; None when it can."""
    if not wording.strip() or len(wording) > MAX_WORDING:
        return "it was empty or too long"
    treatments = {line.treatment for line in doc.lines}
    says_capex, says_opex = bool(_CAPEX.search(wording)), bool(_OPEX.search(wording))
    if doc.verdict == "needs_review":
        if _CONFIDENT.search(wording) or not _REVIEW.search(wording):
            return "it did not say the request needs review"
    elif ("capex" in treatments) != says_capex or ("opex" in treatments) != says_opex:
        return f"it did not match the verdict ({doc.verdict})"
    known = doc.amounts
    for found in find_amounts(wording, None):
        if found.money.amount.quantize(Decimal("0.01")) not in known:
            return f"it quoted an amount ({found.text}) that is not in the decision"
    return None

"""The decision memo: everything an auditor needs to follow one decision, from the stored record.

Every value comes from the stored record (decision, request, approval, timeline) and the
finance settings, never from the clock, so the same record rendered twice gives the same memo
and the same input decided against the same rules and knowledge versions gives the same body.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.config import Config
from bot.core import Decision
from bot.core.answer import FinanceFigures
from bot.core.budget import STATUS_LABELS, ApprovalProgress, BudgetForm
from bot.finance.document import Block, Bullets, Heading, Paragraph, Quote, Table, to_markdown
from bot.finance.forecast import forecast_costs
from bot.finance.impact import LineSchedule, budget_impact, line_schedules, schedule_start
from bot.finance.pdf import to_pdf
from bot.finance.records import StoredDecision, as_utc
from bot.finance.schedule import fiscal_year_end, month_label
from bot.render.document import DecisionDocument, FactRow, build_document, money

LAST_THREE = frozenset({1, 2, 3})  # the amount columns of the small schedule tables


@dataclass(frozen=True)
class MemoOptions:
    depreciation_start: str = "next_month"  # see Config.depreciation_start
    fiscal_year_start_month: int = 1
    start: date | None = None  # a fixed first month of depreciation, overriding the rest

    @classmethod
    def from_config(cls, config: Config, start: date | None = None) -> MemoOptions:
        return cls(config.depreciation_start, config.fiscal_year_start_month, start)


@dataclass(frozen=True)
class Memo:
    title: str
    name: str  # for file names: memo-CX-00012, memo-decision-12
    created: datetime
    blocks: list[Block]

    def markdown(self) -> str:
        return to_markdown(self.blocks)

    def pdf(self) -> bytes:
        return to_pdf(self.blocks, title=self.title, created=self.created)


def when(moment: datetime) -> str:
    return as_utc(moment).strftime("%Y-%m-%d %H:%M UTC")


def build_memo(stored: StoredDecision, options: MemoOptions) -> Memo:
    answer = stored.answer
    ref = stored.request.ref if stored.request else None
    subject = f"budget request {ref}" if ref else f"decision {stored.record.id}"
    title = f"Decision memo: {subject}"
    start = options.start or schedule_start(
        answer.finance, stored.created.date(), options.depreciation_start
    )
    finance = budget_impact(answer.decision, start, options.fiscal_year_start_month)
    doc = build_document(answer.model_copy(update={"finance": finance}))
    schedules = line_schedules(answer.decision, start)
    blocks: list[Block] = [Heading(title, 1), _record_table(stored, doc)]
    blocks += _request(stored)
    blocks += _verdict(doc)
    blocks += _facts(doc)
    blocks += _rules(doc)
    blocks += _counterfactuals(doc)
    blocks += _citations(doc)
    blocks += _routing(doc)
    blocks += _depreciation(schedules, options.fiscal_year_start_month)
    if stored.request is not None:
        blocks += _forecast(stored.request.form, answer.decision, finance)
        blocks += _steps(stored)
        blocks += _timeline(stored)
    if doc.notes:
        blocks += [Heading("Notes"), Bullets(list(doc.notes))]
    blocks += _appendix(schedules)
    blocks += _trace(doc)
    blocks.append(
        Paragraph(
            "This memo is rendered from the stored decision record. The rules and knowledge "
            "versions above identify the policy it was decided on; deciding the same input "
            "against the same versions gives the same verdict, lines and reasons."
        )
    )
    name = f"memo-{ref}" if ref else f"memo-decision-{stored.record.id}"
    return Memo(title=title, name=name, created=stored.created, blocks=blocks)


def _record_table(stored: StoredDecision, doc: DecisionDocument) -> Table:
    record, request = stored.record, stored.request
    asked = record.user_id or "unknown"
    where = record.surface + (f" in {record.channel}" if record.channel else "")
    rows = [
        ["Decision", str(record.id)],
        ["Recorded", when(record.created_at)],
        ["Asked by", f"{asked} ({where})"],
    ]
    if request is not None:
        rows += [
            [
                "Budget request",
                f"{request.ref}, {STATUS_LABELS.get(request.status, request.status)}",
            ],
            ["Requester", request.requester],
            ["Cost center", request.cost_center],
            ["Approval", _approval_text(stored)],
        ]
    rows += [
        ["Framework", doc.framework],
        ["Rules version", doc.rules_version],
        ["Knowledge version", doc.knowledge_version or "none (no policy text was searched)"],
    ]
    return Table(["Record", "Value"], rows)


def _approval_text(stored: StoredDecision) -> str:
    approval, request = stored.approval, stored.request
    assert request is not None
    if approval is not None:
        return f"{approval.outcome} by {approval.approver} on {when(approval.decided_at)}"
    route = f" (route {request.route})" if request.route else ""
    return f"not decided: {STATUS_LABELS.get(request.status, request.status)}{route}"


def _request(stored: StoredDecision) -> list[Block]:
    blocks: list[Block] = [Heading("Request")]
    text = stored.record.input_text.strip()
    blocks.append(Quote(text) if text else Paragraph("No free text: the facts were given."))
    if stored.request is not None:
        blocks.append(Table(["Form field", "Value"], _form_rows(stored.request.form)))
    return blocks


def _form_rows(form: BudgetForm) -> list[list[str]]:
    rows = [
        ["Phase", str(form.phase)],
        ["Environment", str(form.environment)],
        ["Asset type", form.asset_type],
        ["Useful life (years)", str(form.useful_life_years)],
        ["Amount", str(form.amount)],
        ["Currency", form.currency],
        ["Cost center", form.cost_center],
    ]
    for case, value in form.forecast.cases().items():
        if value is not None:
            rows.append([f"Forecast, {case} case", str(value)])
    return rows


def _verdict(doc: DecisionDocument) -> list[Block]:
    blocks: list[Block] = [
        Heading("Verdict"),
        Paragraph(f"**{doc.verdict_label}** ({doc.framework}). {doc.summary}"),
    ]
    if doc.lines:
        rows = [
            [
                str(line.number),
                line.name,
                line.treatment,
                line.rule or "-",
                str(line.amount) if line.amount else "-",
                "-" if line.amount_base is None else f"{line.amount_base:,.2f}",
                line.asset_type or "-",
                str(line.life_months or "-"),
                "-" if line.per_month is None else f"{line.per_month:,.2f}",
            ]
            for line in doc.lines
        ]
        headers = ["#", "Line", "Treatment", "Rule", "Amount", "Base amount", "Asset type"]
        headers += ["Life (months)", "Per month"]
        blocks.append(Table(headers, rows, frozenset({0, 4, 5, 7, 8})))
        descriptions = "; ".join(f"{line.number}. “{line.description}”" for line in doc.lines)
        blocks.append(Paragraph(f"Line descriptions: {descriptions}"))
    return blocks


def _fact_row(fact: FactRow) -> list[str]:
    where = "request" if fact.item is None else fact.item
    return [fact.name, where, fact.value, fact.source, fact.evidence or ""]


def _facts(doc: DecisionDocument) -> list[Block]:
    """The request's own facts first, then each line's, by name."""
    ordered = sorted(doc.facts, key=lambda f: (-1 if f.line is None else f.line, f.name))
    blocks: list[Block] = [Heading("Facts and where they came from")]
    if ordered:
        headers = ["Fact", "Applies to", "Value", "Source", "Evidence"]
        blocks.append(Table(headers, [_fact_row(fact) for fact in ordered]))
    else:
        blocks.append(Paragraph("No facts could be read."))
    if doc.assumptions:
        blocks += [Paragraph("Assumed by policy default:"), Bullets(list(doc.assumptions))]
    if doc.conflicts:
        blocks += [Paragraph("Contradictory values in the request:"), Bullets(list(doc.conflicts))]
    if doc.ignored_instructions:
        ignored = [f"“{text}”" for text in doc.ignored_instructions]
        blocks += [Paragraph("Instructions in the request, recorded and ignored:")]
        blocks.append(Bullets(ignored))
    return blocks


def _rules(doc: DecisionDocument) -> list[Block]:
    if not doc.reasons:
        return [Heading("Rules that fired"), Paragraph("No rule decided this request.")]
    items = []
    for rule in doc.reasons:
        text = (
            f"`{rule.id}` → {rule.outcome} for “{rule.item}”: {rule.reason} "
            f"(policy §{rule.section}; {rule.standard})"
        )
        if rule.review_question:
            text += f" Finance to settle: {rule.review_question}"
        items.append(text)
    return [Heading("Rules that fired"), Bullets(items)]


def _counterfactuals(doc: DecisionDocument) -> list[Block]:
    """The one-fact changes that would flip the verdict, found by running the rules."""
    if not doc.counterfactuals:
        return []
    items = [
        flip.text + (f" (`{flip.rule}`, policy §{flip.section})" if flip.rule else "")
        for flip in doc.counterfactuals
    ]
    return [Heading("What would change the answer"), Bullets(items)]


def _trace(doc: DecisionDocument) -> list[Block]:
    """Every rule evaluated for each line, in policy order, with the facts it read."""
    if not doc.decided:
        return []
    blocks: list[Block] = [Heading("Rule trace")]
    if not doc.trace:
        return [*blocks, Paragraph("This decision was recorded before rule traces were kept.")]
    for line in doc.trace:
        decided = f"decided by `{line.decided_by}`" if line.decided_by else "no rule decided it"
        blocks.append(Paragraph(f"Line {line.item + 1}, “{line.description}”: {decided}."))
        rows = [
            [
                entry.rule,
                entry.result,
                entry.outcome,
                "; ".join(
                    f"{name} = {'not given' if value is None else value}"
                    for name, value in entry.facts.items()
                ),
                f"§{entry.section}",
            ]
            for entry in line.rules
        ]
        blocks.append(Table(["Rule", "Result", "Outcome", "Facts read", "Policy"], rows))
    return blocks


def _citations(doc: DecisionDocument) -> list[Block]:
    blocks: list[Block] = [Heading("Policy passages cited")]
    if not doc.citations:
        return [*blocks, Paragraph("No policy passages were stored with this decision.")]
    for citation in doc.citations:
        blocks.append(Paragraph(f"{citation.source} › {citation.section}"))
        blocks.append(Quote(citation.passage.strip()))
    return blocks


def _routing(doc: DecisionDocument) -> list[Block]:
    items = []
    if doc.budget_bucket:
        bucket = doc.budget_bucket
        items.append(f"Budget bucket: {bucket.label} (policy §{bucket.section})")
    if doc.tracking:
        items.append(f"Tracking: {doc.tracking}")
    if doc.approval:
        items.append(f"Approval route: {doc.approval.route}: {doc.approval_text}")
        items += [f"Approval note: {note}" for note in doc.approval.notes]
    for missing in doc.missing:
        items.append(f"Missing fact: {missing.fact.replace('_', ' ')}: {missing.why}")
    if doc.next_question and not doc.complete:
        items.append(f"Next question: {doc.next_question.text}")
    return [Heading("Budget, tracking and approval"), Bullets(items)] if items else []


def _depreciation(schedules: list[LineSchedule], fiscal_start: int) -> list[Block]:
    if not schedules:
        return []
    start = schedules[0].schedule.start
    year_end = fiscal_year_end(start, fiscal_start)
    rows = []
    for item in schedules:
        s, currency = item.schedule, item.schedule.currency
        year_one = s.year_one_charge(fiscal_start)
        rows.append(
            [
                f"{item.number}. {item.line.asset_label or item.line.description}",
                money(s.cost, currency),
                str(len(s.periods)),
                money(s.monthly, currency),
                month_label(s.start),
                month_label(s.end),
                money(year_one, currency),
                money(s.cost, currency),
                money(s.cost - year_one, currency),
            ]
        )
    headers = ["Line", "Cost", "Months", "Per month", "From", "To", "Year one"]
    headers += ["If expensed", "Deferred"]
    blocks: list[Block] = [
        Heading("Depreciation and year-one P&L"),
        Paragraph(
            f"Straight-line by month, no residual value, a full month from "
            f"{month_label(start)}, the month assumed to be the in-service month. Year one is "
            f"the fiscal year ending {month_label(year_end)}: capitalizing charges the year-one "
            "column to the P&L there; expensing would charge the whole cost."
        ),
        Table(headers, rows, frozenset({1, 2, 3, 6, 7, 8})),
    ]
    for item in schedules:
        s = item.schedule
        years = [
            [y.label, str(y.months), money(y.charge, s.currency), money(y.book_value, s.currency)]
            for y in s.fiscal_years(fiscal_start)
        ]
        blocks.append(Paragraph(f"By fiscal year, line {item.number}:"))
        blocks.append(
            Table(["Fiscal year", "Months", "Charge", "Book value at end"], years, LAST_THREE)
        )
    return blocks


def _forecast(form: BudgetForm, decision: Decision, finance: FinanceFigures | None) -> list[Block]:
    costs = forecast_costs(form.forecast, decision, finance)
    if not costs:
        return []
    currency = form.currency
    rows = [
        [
            c.case,
            money(c.total, currency),
            money(c.capex, currency),
            money(c.opex, currency),
            money(c.review, currency),
            money(c.year_one_pnl, currency),
        ]
        for c in costs
    ]
    return [
        Heading("Forecast cases"),
        Paragraph(
            "Each case is split in the proportions the decision split the request; the "
            "year-one P&L charges the CapEx share's year-one depreciation and the OpEx share "
            "in full."
        ),
        Table(
            ["Case", "Total", "CapEx", "OpEx", "Needs review", "Year-one P&L"],
            rows,
            frozenset({1, 2, 3, 4, 5}),
        ),
    ]


def _steps(stored: StoredDecision) -> list[Block]:
    """Each approver role of a request sent to finance, in order: who approved and when."""
    request, route = stored.request, stored.answer.decision.approval
    if request is None or route is None or not request.needs_finance:
        return []
    progress = ApprovalProgress.of(route.approvers, stored.events)
    done = {event.step: event for event in progress.done}
    rejected = next((e for e in stored.events if e.kind == "rejected"), None)
    rows = []
    for number, role in enumerate(progress.roles, start=1):
        event = done.get(number)
        if event is None and rejected is not None and rejected.step == number:
            event = rejected
        if event is not None:
            outcome = "rejected" if event.kind == "rejected" else "approved"
            rows.append([str(number), role, outcome, event.user_id, when(event.at)])
        else:
            waiting = number == progress.next_step and stored.approval is None
            rows.append([str(number), role, "waiting" if waiting else "-", "", ""])
    return [
        Heading(f"Approval steps (policy §{route.section})"),
        Table(["Step", "Role", "Outcome", "By", "When"], rows),
    ]


def _timeline(stored: StoredDecision) -> list[Block]:
    if not stored.events:
        return []
    rows = [[when(e.at), e.described(), e.user_id, e.note or ""] for e in stored.events]
    return [Heading("Timeline"), Table(["When", "Event", "By", "Note"], rows)]


def _appendix(schedules: list[LineSchedule]) -> list[Block]:
    blocks: list[Block] = []
    for item in schedules:
        s = item.schedule
        rows = [
            [
                month_label(p.month),
                money(p.charge, s.currency),
                money(p.accumulated, s.currency),
                money(p.book_value, s.currency),
            ]
            for p in s.periods
        ]
        name = item.line.asset_label or item.line.description
        blocks.append(Heading(f"Appendix: monthly schedule, line {item.number} ({name})", 3))
        blocks.append(Table(["Month", "Charge", "Accumulated", "Book value"], rows, LAST_THREE))
    return blocks

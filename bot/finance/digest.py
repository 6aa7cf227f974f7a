"""The monthly digest: spend requested by budget bucket and treatment, what waits for approval,
and experiments whose requests look like production (the pilot quietly becoming permanent).

Spend is what budget requests (the /capex form) asked for in the month, classified by their
decisions; questions asked in channels are not spend. Rejected requests are left out and
counted. Amounts are in the policy's base currency, a monthly bill counted for a year.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from bot.core import Decision, Policy, Request, read_request
from bot.core.budget import BudgetRequest
from bot.core.facts import Facts, Money, Phase
from bot.finance.records import day_start
from bot.finance.schedule import add_months, month_label
from bot.storage import Store

TREATMENTS = ("capex", "opex", "needs_review")
WAITING = ("pending", "info_requested")
UNASSIGNED = "unassigned"


@dataclass
class BucketSpend:
    id: str
    label: str
    requests: int = 0
    by_treatment: dict[str, Decimal] = field(
        default_factory=lambda: {t: Decimal(0) for t in TREATMENTS}
    )

    @property
    def total(self) -> Decimal:
        return sum(self.by_treatment.values(), Decimal(0))


@dataclass(frozen=True)
class Waiting:
    ref: str
    requester: str
    objective: str
    amount: str  # as requested, in the form's currency
    route: str | None
    status: str
    days: int  # since the request was filed


@dataclass(frozen=True)
class PilotFlag:
    ref: str
    requester: str
    cost_center: str
    objective: str
    total: Decimal
    signals: list[str]


@dataclass(frozen=True)
class Digest:
    month: date
    as_of: date
    currency: str
    buckets: list[BucketSpend]
    requests: int
    rejected: int
    waiting: list[Waiting]
    pilots: list[PilotFlag]

    @property
    def by_treatment(self) -> dict[str, Decimal]:
        return {t: sum((b.by_treatment[t] for b in self.buckets), Decimal(0)) for t in TREATMENTS}

    @property
    def total(self) -> Decimal:
        return sum(self.by_treatment.values(), Decimal(0))


def previous_month(today: date) -> date:
    return add_months(today.replace(day=1), -1)


def _request_spend(
    request: BudgetRequest, decision: Decision, policy: Policy
) -> dict[str, Decimal]:
    spend = {t: Decimal(0) for t in TREATMENTS}
    for line in decision.line_items:
        amount = line.yearly_amount_base
        if amount is not None:
            spend[line.treatment] += amount
    if not any(spend.values()):  # nothing classified with an amount: finance has to look
        amount = policy.settings.to_base(request.form.amount, request.form.currency)
        spend["needs_review"] = amount or Decimal(0)
    return spend


def _is_experiment(decision: Decision) -> bool:
    phase = decision.facts.shared.get("phase")
    bucket = decision.budget_bucket.id if decision.budget_bucket else None
    return bucket == "experimentation" or (phase is not None and phase.value == Phase.EXPERIMENT)


def _cloud_monthly(facts: Facts, policy: Policy) -> Decimal:
    """The largest monthly run-rate, in the base currency, of recurring cloud spend in ``facts``.

    A recurring amount with no period (a form's single amount) is read as a year's budget.
    """
    rates = [Decimal(0)]
    for item in facts.items:
        kind, amount = item.facts.get("asset_type"), item.facts.get("amount")
        if kind is None or kind.value != "cloud_usage" or amount is None:
            continue
        money: Money = amount.value
        recurring = item.facts.get("recurring")
        if money.per is None and not (recurring and recurring.value):
            continue
        in_base = policy.settings.to_base(money.amount, money.currency)
        if in_base is not None:
            rates.append(in_base if money.per == "month" else in_base / 12)
    return max(rates)


def pilot_signals(
    request: BudgetRequest,
    decision: Decision,
    total: Decimal,
    policy: Policy,
    cloud_monthly: Decimal,
) -> list[str]:
    """Why an experiment's request looks like production; empty when nothing does."""
    signals = []
    currency = policy.settings.base_currency
    objective = read_request(Request(text=request.objective), policy)
    phase = objective.shared.get("phase")
    live = {Phase.PRODUCTION.value, Phase.MAINTENANCE.value}
    if phase is not None and phase.describe() in live:
        signals.append(f"the objective reads as {phase.describe()} (“{phase.evidence}”)")
    elif live & set(objective.conflicts.get("phase", [])):
        said = " and ".join(objective.conflicts["phase"])
        signals.append(f"the objective speaks of both {said}")
    run_rate = max(_cloud_monthly(decision.facts, policy), _cloud_monthly(objective, policy))
    if run_rate and run_rate >= cloud_monthly:
        signals.append(f"recurring cloud spend of {currency} {run_rate:,.2f} a month")
    cap = policy.settings.experiment_cap
    if total > cap:
        signals.append(f"{currency} {total:,.2f} requested, above the experiment cap of {cap:,.0f}")
    accelerated = request.form.forecast.accelerated
    if accelerated is not None and total <= cap:
        in_base = policy.settings.to_base(accelerated, request.form.currency)
        if in_base is not None and in_base > cap:
            signals.append(
                f"the accelerated forecast ({currency} {in_base:,.2f}) is above the experiment cap"
            )
    return signals


def build_digest(
    store: Store, policy: Policy, month: date, as_of: date, pilot_cloud_monthly: Decimal
) -> Digest:
    month = month.replace(day=1)
    buckets = {b.id: BucketSpend(b.id, b.label) for b in policy.settings.budget_buckets}
    requests = rejected = 0
    pilots: list[PilotFlag] = []
    for request in store.requests_between(day_start(month), day_start(add_months(month, 1))):
        record = store.get_decision(request.decision_id)
        if record is None:
            continue
        if request.status == "rejected":
            rejected += 1
            continue
        requests += 1
        decision = Decision.model_validate(record.decision)
        bucket_id = decision.budget_bucket.id if decision.budget_bucket else UNASSIGNED
        bucket = buckets.setdefault(bucket_id, BucketSpend(bucket_id, "Unassigned"))
        spend = _request_spend(request, decision, policy)
        bucket.requests += 1
        for treatment, amount in spend.items():
            bucket.by_treatment[treatment] += amount
        if _is_experiment(decision):
            total = sum(spend.values(), Decimal(0))
            signals = pilot_signals(request, decision, total, policy, pilot_cloud_monthly)
            if signals:
                pilots.append(
                    PilotFlag(
                        request.ref,
                        request.requester,
                        request.cost_center,
                        request.objective,
                        total,
                        signals,
                    )
                )
    waiting = [
        Waiting(
            ref=r.ref,
            requester=r.requester,
            objective=r.objective,
            amount=r.form.amount_text(),
            route=r.route,
            status=r.status,
            days=(as_of - r.created_at.date()).days,
        )
        for r in store.requests_between(statuses=WAITING)
    ]
    return Digest(
        month=month,
        as_of=as_of,
        currency=policy.settings.base_currency,
        buckets=list(buckets.values()),
        requests=requests,
        rejected=rejected,
        waiting=waiting,
        pilots=pilots,
    )


def month_title(digest: Digest) -> str:
    return f"CapEx digest {month_label(digest.month)}"

"""Budget requests as typed records: the form, the filed request, its approval and timeline.

The form is validated here once, whichever surface it comes from (the ``/capex`` modal,
``capexbot request file``): ranges and the cross-field rule on the forecast are in the model,
and the choices that depend on the organisation (asset types, currencies) are checked against
the policy passed as validation context. Read back from the store, a form is validated without
that context: it was checked when it was filed, and the policy may have changed since.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from bot.core.decide import Request
from bot.core.facts import Environment, Fact, Money, Phase, Source, UsefulLife
from bot.core.policy import Policy

MAX_OBJECTIVE = 2000
MAX_AMOUNT = Decimal(10) ** 12

RequestStatus = Literal["submitted", "pending", "info_requested", "approved", "rejected"]
ApprovalOutcome = Literal["approved", "rejected"]

#: Where a request stands, in words.
STATUS_LABELS: dict[str, str] = {
    "submitted": "recorded (approval with the budget owner)",
    "pending": "waiting for finance approval",
    "info_requested": "finance asked for more information",
    "approved": "approved",
    "rejected": "rejected",
}

#: What a person sees when a field is wrong; a cross-field rule says its own.
FIELD_MESSAGES = {
    "objective": f"Say what the money is for, in at most {MAX_OBJECTIVE} characters.",
    "phase": "Pick one of the listed phases.",
    "environment": "Pick one of the listed environments.",
    "asset_type": "Pick one of the listed asset types.",
    "useful_life_years": "Enter a life in years, above 0 and at most 100.",
    "amount": "Enter an amount above zero.",
    "currency": "Pick one of the listed currencies.",
    "cost_center": "Enter the cost center that pays.",
    "conservative": "Enter an amount, or leave it empty.",
    "expected": "Enter an amount, or leave it empty.",
    "accelerated": "Enter an amount, or leave it empty.",
}


def _number(value: Any) -> Any:
    """People write ``96,000``; a thousands comma is not a decimal point here."""
    return value.replace(",", "").strip() or None if isinstance(value, str) else value


class Forecast(BaseModel):
    """The three forecast cases, each a total in the form's currency, each optional."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    conservative: Decimal | None = Field(default=None, ge=0, le=MAX_AMOUNT)
    expected: Decimal | None = Field(default=None, ge=0, le=MAX_AMOUNT)
    accelerated: Decimal | None = Field(default=None, ge=0, le=MAX_AMOUNT)

    _numbers = field_validator("conservative", "expected", "accelerated", mode="before")(_number)

    @model_validator(mode="after")
    def _rising(self) -> Forecast:
        given = [value for value in self.cases().values() if value is not None]
        if given != sorted(given):
            raise PydanticCustomError(
                "forecast_order", "The cases should rise: conservative ≤ expected ≤ accelerated."
            )
        return self

    def cases(self) -> dict[str, Decimal | None]:
        """Every case by name, from the conservative to the accelerated."""
        return {name: getattr(self, name) for name in type(self).model_fields}


#: The forecast cases by name, in order; the one list of them.
FORECAST_CASES: tuple[str, ...] = tuple(Forecast.model_fields)


class BudgetForm(BaseModel):
    """The one-page budget request, validated."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", str_strip_whitespace=True, allow_inf_nan=False
    )

    objective: str = Field(min_length=1, max_length=MAX_OBJECTIVE)
    phase: Phase
    environment: Environment
    asset_type: str = Field(min_length=1)
    useful_life_years: Decimal = Field(gt=0, le=100)
    amount: Decimal = Field(gt=0, le=MAX_AMOUNT)
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    cost_center: str = Field(min_length=1, max_length=100)
    forecast: Forecast = Forecast()

    _numbers = field_validator("useful_life_years", "amount", mode="before")(_number)

    @field_validator("asset_type", "currency")
    @classmethod
    def _offered_by_policy(cls, value: str, info: ValidationInfo) -> str:
        """The asset types and currencies are the policy's (``rules/policy.yaml``)."""
        context = info.context
        policy = context.get("policy") if isinstance(context, dict) else None
        if policy is None or info.field_name is None:
            return value
        settings = policy.settings
        offered = settings.asset_types if info.field_name == "asset_type" else settings.fx_rates
        if value not in offered:
            raise PydanticCustomError("choice", FIELD_MESSAGES[info.field_name])
        return value

    @classmethod
    def read(cls, data: dict[str, Any], policy: Policy) -> BudgetForm | dict[str, str]:
        """The form, checked against ``policy``; or what is wrong, by field name."""
        try:
            return cls.model_validate(data, context={"policy": policy})
        except ValidationError as exc:
            return form_problems(exc)

    @property
    def useful_life_months(self) -> int:
        return max(1, int((self.useful_life_years * 12).to_integral_value()))

    def to_request(self) -> Request:
        """The form as a core request: the objective is read as text, the fields as facts."""
        months = self.useful_life_months
        facts = {
            "phase": Fact(value=self.phase, source=Source.FORM),
            "environment": Fact(value=self.environment, source=Source.FORM),
            "asset_type": Fact(value=self.asset_type, source=Source.FORM),
            "useful_life": Fact(
                value=UsefulLife(min_months=months, max_months=months), source=Source.FORM
            ),
            "amount": Fact(
                value=Money(amount=self.amount, currency=self.currency), source=Source.FORM
            ),
        }
        return Request(text=self.objective, facts=facts)

    def amount_text(self) -> str:
        return f"{self.currency} {self.amount:,.2f}"


def form_problems(error: ValidationError) -> dict[str, str]:
    """One message per wrong field (the first), by field name; forecast cases by case name."""
    problems: dict[str, str] = {}
    for item in error.errors():
        location = [str(part) for part in item["loc"]]
        name = location[-1] if location else "forecast"
        if item["type"] in ("choice", "forecast_order"):
            message = item["msg"]
            if item["type"] == "forecast_order":
                name = "accelerated"
        else:
            message = FIELD_MESSAGES.get(name, item["msg"])
        problems.setdefault(name, message)
    return problems


def phase_labels(policy: Policy) -> dict[Phase, str]:
    """Each phase as the checklist's phase question names it."""
    question = policy.question_for("phase")
    named = {str(option.value): option.label for option in question.options} if question else {}
    return {phase: named.get(phase.value, phase.value) for phase in Phase}


def format_ref(request_id: int) -> str:
    return f"CX-{request_id:05d}"


_REF = re.compile(r"^(?:cx-?)?0*(\d{1,9})$", re.IGNORECASE)


def parse_ref(text: str) -> int | None:
    """``CX-00012``, ``cx-12`` and ``12`` all name request 12."""
    match = _REF.match(text.strip())
    return int(match.group(1)) if match else None


class Approval(BaseModel):
    """The final word on a request: approved or rejected, by whom, when (UTC)."""

    model_config = ConfigDict(frozen=True)

    request_id: int
    outcome: ApprovalOutcome
    approver: str
    decided_at: datetime


class RequestEvent(BaseModel):
    """One entry of a request's timeline: submitted, info_requested, step_approved (one
    approver role's step, not the last), approved (the last step), rejected.

    An approval step's event names the step (1 for the route's first role) and the role.
    """

    model_config = ConfigDict(frozen=True)

    request_id: int
    kind: str
    user_id: str
    at: datetime
    note: str | None = None
    step: int | None = None
    role: str | None = None

    def described(self) -> str:
        """The event in words, with the role it was done as: ``step_approved as controller``."""
        return f"{self.kind} as {self.role}" if self.role else self.kind


@dataclass(frozen=True)
class ApprovalProgress:
    """Where a request stands on its route: the roles in order and the steps approved so far.

    ``roles`` are the route's approvers as the request was decided (the decision records them),
    so a later change of the routes does not move a request already on its way.
    """

    roles: tuple[str, ...]
    done: tuple[RequestEvent, ...] = ()

    @classmethod
    def of(cls, roles: Sequence[str], events: Iterable[RequestEvent]) -> ApprovalProgress:
        steps = [e for e in events if e.step is not None and e.kind in STEP_APPROVED]
        return cls(tuple(roles), tuple(sorted(steps, key=lambda e: e.step or 0)))

    @property
    def next_step(self) -> int | None:
        """The step waiting (1-based), or None once every role approved."""
        step = len(self.done) + 1
        return step if step <= len(self.roles) else None

    @property
    def next_role(self) -> str | None:
        step = self.next_step
        return None if step is None else self.roles[step - 1]

    @property
    def last(self) -> bool:
        """Whether the step waiting is the route's last one."""
        return self.next_step == len(self.roles)

    def approved_by(self, user: str) -> bool:
        """Whether ``user`` approved a step of this request already."""
        return any(e.user_id == user for e in self.done)

    def waiting_text(self) -> str:
        """``step 2 of 3: finance business partner`` (or empty once every role approved)."""
        role = self.next_role
        return f"step {self.next_step} of {len(self.roles)}: {role}" if role else ""


#: The kinds of event that approve one step of a route.
STEP_APPROVED = frozenset({"step_approved", "approved"})


class BudgetRequest(BaseModel):
    """A filed budget request: the form, the decision it was classified by, where it stands."""

    model_config = ConfigDict(frozen=True)

    id: int
    created_at: datetime
    updated_at: datetime
    requester: str
    objective: str
    cost_center: str
    form: BudgetForm
    decision_id: int
    verdict: str
    route: str | None
    needs_finance: bool
    status: RequestStatus
    finance_channel: str | None = None
    finance_ts: str | None = None

    @property
    def ref(self) -> str:
        return format_ref(self.id)

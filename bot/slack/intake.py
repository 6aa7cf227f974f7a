"""The /capex budget request: the modal, and its submission read into validated facts.

Validation happens in the acknowledgement, so problems come back next to their field
(``response_action: errors``) before the modal closes.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import BaseModel

from bot.core import Fact, Policy, Request, Source
from bot.core.facts import Environment, Money, Phase, UsefulLife

CALLBACK_ID = "capex_intake"

PHASES = {
    Phase.EXPERIMENT: "Experiment / pilot",
    Phase.BUILD: "Build (approved at Gate 2)",
    Phase.PRODUCTION: "Production",
    Phase.MAINTENANCE: "Maintenance",
}
ENVIRONMENTS = {
    Environment.CLOUD: "Cloud",
    Environment.ON_PREM: "On-prem",
    Environment.HYBRID: "Hybrid",
}
FORECAST_CASES = ("conservative", "expected", "accelerated")
MAX_OBJECTIVE = 2000


class IntakeForm(BaseModel):
    """A submitted budget request, validated."""

    objective: str
    phase: Phase
    environment: Environment
    asset_type: str
    useful_life_years: Decimal
    amount: Decimal
    currency: str
    cost_center: str
    forecast: dict[str, Decimal | None]

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

    def stored(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


def _option(value: str, label: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": label[:75]}, "value": value}


def _select(options: list[tuple[str, str]], initial: str | None = None) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "static_select",
        "action_id": "value",
        "options": [_option(v, label) for v, label in options],
    }
    if initial is not None:
        element["initial_option"] = _option(initial, dict(options)[initial])
    return element


def _number(decimal: bool = True) -> dict[str, Any]:
    return {"type": "number_input", "is_decimal_allowed": decimal, "action_id": "value"}


def _input(
    block_id: str,
    label: str,
    element: dict[str, Any],
    *,
    optional: bool = False,
    hint: str | None = None,
) -> dict[str, Any]:
    block: dict[str, Any] = {
        "type": "input",
        "block_id": block_id,
        "label": {"type": "plain_text", "text": label},
        "element": element,
        "optional": optional,
    }
    if hint:
        block["hint"] = {"type": "plain_text", "text": hint}
    return block


def intake_modal(policy: Policy, channel_id: str | None = None) -> dict[str, Any]:
    """The one-page budget request."""
    currencies = sorted(policy.settings.fx_rates)
    asset_types = [(key, t.label) for key, t in policy.settings.asset_types.items()]
    blocks = [
        _input(
            "objective",
            "Objective",
            {
                "type": "plain_text_input",
                "action_id": "value",
                "multiline": True,
                "max_length": MAX_OBJECTIVE,
            },
            hint="What you want to buy or build, and what for.",
        ),
        _input("phase", "Phase", _select([(p.value, label) for p, label in PHASES.items()])),
        _input(
            "environment",
            "Environment",
            _select([(e.value, label) for e, label in ENVIRONMENTS.items()]),
        ),
        _input("asset_type", "Asset type", _select(asset_types)),
        _input(
            "useful_life",
            "Expected useful life (years)",
            _number(),
            hint="For example 5, or 0.5 for six months.",
        ),
        _input("amount", "Amount", _number()),
        _input(
            "currency",
            "Currency",
            _select([(c, c) for c in currencies], policy.settings.base_currency),
        ),
        _input(
            "cost_center",
            "Cost center",
            {"type": "plain_text_input", "action_id": "value", "max_length": 100},
        ),
    ]
    for case in FORECAST_CASES:
        blocks.append(
            _input(f"forecast_{case}", f"Forecast: {case} case", _number(), optional=True)
        )
    return {
        "type": "modal",
        "callback_id": CALLBACK_ID,
        "private_metadata": channel_id or "",
        "title": {"type": "plain_text", "text": "Budget request"},
        "submit": {"type": "plain_text", "text": "Submit"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": blocks,
    }


def read_submission(view: dict[str, Any], policy: Policy) -> IntakeForm | dict[str, str]:
    """The validated form, or ``{block_id: message}`` for Slack to show beside each field."""
    values = (view.get("state") or {}).get("values") or {}
    errors: dict[str, str] = {}

    def raw(block_id: str) -> str | None:
        element = values.get(block_id, {}).get("value") or {}
        if not isinstance(element, dict):
            return None
        selected = element.get("selected_option")
        if isinstance(selected, dict):
            return str(selected.get("value", "")) or None
        value = element.get("value")
        return str(value).strip() or None if value is not None else None

    def required(block_id: str, message: str) -> str:
        value = raw(block_id)
        if value is None:
            errors[block_id] = message
            return ""
        return value

    def number(
        block_id: str,
        *,
        low: Decimal,
        high: Decimal,
        message: str,
        optional: bool = False,
        allow_zero: bool = False,
    ) -> Decimal | None:
        text = raw(block_id)
        if text is None:
            if not optional:
                errors[block_id] = message
            return None
        try:
            value = Decimal(text.replace(",", ""))
        except InvalidOperation:
            errors[block_id] = message
            return None
        above_low = value >= low if allow_zero else value > low
        if not value.is_finite() or not above_low or value > high:
            errors[block_id] = message
            return None
        return value

    objective = required("objective", "Say what the money is for.")
    if len(objective) > MAX_OBJECTIVE:
        errors["objective"] = f"Keep it under {MAX_OBJECTIVE} characters."
    phase = required("phase", "Pick a phase.")
    if phase and phase not in {p.value for p in Phase}:
        errors["phase"] = "Pick one of the listed phases."
    environment = required("environment", "Pick an environment.")
    if environment and environment not in {e.value for e in Environment}:
        errors["environment"] = "Pick one of the listed environments."
    asset_type = required("asset_type", "Pick an asset type.")
    if asset_type and asset_type not in policy.settings.asset_types:
        errors["asset_type"] = "Pick one of the listed asset types."
    life = number(
        "useful_life",
        low=Decimal(0),
        high=Decimal(100),
        message="Enter a life in years, above 0 and at most 100.",
    )
    amount = number(
        "amount", low=Decimal(0), high=Decimal(10) ** 12, message="Enter an amount above zero."
    )
    currency = required("currency", "Pick a currency.")
    if currency and currency not in policy.settings.fx_rates:
        errors["currency"] = "Pick one of the listed currencies."
    cost_center = required("cost_center", "Enter the cost center that pays.")
    forecast = {
        case: number(
            f"forecast_{case}",
            low=Decimal(0),
            high=Decimal(10) ** 12,
            optional=True,
            allow_zero=True,
            message="Enter an amount, or leave it empty.",
        )
        for case in FORECAST_CASES
    }
    given = [value for c in FORECAST_CASES if (value := forecast[c]) is not None]
    if given != sorted(given) and "forecast_accelerated" not in errors:
        errors["forecast_accelerated"] = (
            "The cases should rise: conservative ≤ expected ≤ accelerated."
        )
    if errors:
        return errors
    assert life is not None and amount is not None  # checked above
    return IntakeForm(
        objective=objective,
        phase=Phase(phase),
        environment=Environment(environment),
        asset_type=asset_type,
        useful_life_years=life,
        amount=amount,
        currency=currency,
        cost_center=cost_center,
        forecast=forecast,
    )

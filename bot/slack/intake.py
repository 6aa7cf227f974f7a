"""The /capex budget request: the modal, and its submission read into validated facts.

Validation happens in the acknowledgement, so problems come back next to their field
(``response_action: errors``) before the modal closes.
"""

from __future__ import annotations

from typing import Any

from bot.core import Policy
from bot.core.budget import FORECAST_CASES, MAX_OBJECTIVE, BudgetForm, phase_labels

CALLBACK_ID = "capex_intake"

#: The modal's block ids that differ from the form's field names.
_BLOCK_OF_FIELD = {"useful_life_years": "useful_life"} | {
    case: f"forecast_{case}" for case in FORECAST_CASES
}


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
        _input(
            "phase",
            "Phase",
            _select([(p.value, label) for p, label in phase_labels(policy).items()]),
        ),
        _input(
            "environment",
            "Environment",
            _select([(e.value, label) for e, label in policy.settings.environments.items()]),
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


def read_submission(view: dict[str, Any], policy: Policy) -> BudgetForm | dict[str, str]:
    """The validated form, or ``{block_id: message}`` for Slack to show beside each field."""
    values = (view.get("state") or {}).get("values") or {}

    def raw(block_id: str) -> str | None:
        element = values.get(block_id, {}).get("value") or {}
        if not isinstance(element, dict):
            return None
        selected = element.get("selected_option")
        if isinstance(selected, dict):
            return str(selected.get("value", "")) or None
        value = element.get("value")
        return str(value).strip() or None if value is not None else None

    fields = [name for name in BudgetForm.model_fields if name != "forecast"]
    data: dict[str, Any] = {name: raw(_BLOCK_OF_FIELD.get(name, name)) for name in fields}
    data["forecast"] = {case: raw(_BLOCK_OF_FIELD[case]) for case in FORECAST_CASES}
    form = BudgetForm.read(data, policy)
    if isinstance(form, BudgetForm):
        return form
    return {_BLOCK_OF_FIELD.get(name, name): message for name, message in form.items()}

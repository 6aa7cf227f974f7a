"""``capexbot request file|decide|list|show``: budget requests without Slack.

The same use cases as ``/capex`` and the finance channel's buttons (:mod:`bot.app`), so a
request filed here is classified, routed and approved exactly as one filed in Slack, and
``capexbot memo``, ``export`` and ``digest`` read it the same way. ``--as`` names who is
acting: a Slack user id, as ``approvers_by_role`` in ``rules/policy.yaml`` names approvers.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer

from bot.cli_options import DataOption, JsonOption, KnowledgeOption, RulesOption, config_for, fail
from bot.config import Config
from bot.core.budget import STATUS_LABELS, BudgetForm, BudgetRequest, parse_ref
from bot.errors import CapexbotError

if TYPE_CHECKING:
    from bot.app.budget_requests import Shown
    from bot.app.services import Services

AsOption = Annotated[str, typer.Option("--as", help="Who is acting (a Slack user id).")]
Amount = Annotated[str | None, typer.Option(help="A forecast total (form currency).")]

#: The form's field names as options, where they differ.
_OPTION = {"useful_life_years": "--life", "cost_center": "--cost-center"}


class Verb(StrEnum):
    approve = "approve"
    reject = "reject"
    info = "info"


def _notice(message: str) -> None:
    typer.echo(message, err=True)


def _request_id(ref: str) -> int:
    number = parse_ref(ref)
    if number is None:
        raise fail(f"{ref!r} is not a request id (CX-00012)")
    return number


def _option(field: str) -> str:
    return _OPTION.get(field, "--" + field.replace("_", "-"))


def register(
    app: typer.Typer,
    services_for: Callable[[Config], AbstractContextManager[Services]],
) -> None:
    requests = typer.Typer(help="Budget requests: file, decide, list, show.", no_args_is_help=True)
    app.add_typer(requests, name="request")

    @requests.command("file")
    def file(
        objective: Annotated[str, typer.Option(help="What the money is for.")],
        phase: Annotated[str, typer.Option(help="experiment, build, production, maintenance")],
        environment: Annotated[str, typer.Option(help="cloud, on_prem, hybrid")],
        asset_type: Annotated[str, typer.Option(help="An asset type of rules/policy.yaml.")],
        life: Annotated[str, typer.Option(help="Expected useful life in years.")],
        amount: Annotated[str, typer.Option(help="The amount requested.")],
        cost_center: Annotated[str, typer.Option(help="The cost center that pays.")],
        user: AsOption,
        currency: Annotated[str | None, typer.Option(help="Default: the base currency.")] = None,
        conservative: Amount = None,
        expected: Amount = None,
        accelerated: Amount = None,
        as_json: JsonOption = False,
        rules_dir: RulesOption = None,
        knowledge_dir: KnowledgeOption = None,
        data_dir: DataOption = None,
    ) -> None:
        """File a budget request: classified, recorded, routed for approval like /capex."""
        config = config_for(rules_dir, knowledge_dir, data_dir)
        with services_for(config) as services:
            policy = services.questions.assistant.policy
            data: dict[str, Any] = {
                "objective": objective,
                "phase": phase,
                "environment": environment,
                "asset_type": asset_type,
                "useful_life_years": life,
                "amount": amount,
                "currency": currency or policy.settings.base_currency,
                "cost_center": cost_center,
                "forecast": {
                    "conservative": conservative,
                    "expected": expected,
                    "accelerated": accelerated,
                },
            }
            form = BudgetForm.read(data, policy)
            if not isinstance(form, BudgetForm):
                problems = "\n".join(f"  {_option(k)}: {m}" for k, m in form.items())
                raise fail(f"The request is not valid:\n{problems}")
            services.questions.assistant.open_knowledge(notify=None if as_json else _notice)
            filed = services.requests.file(form, user, surface="cli")
        request, answer = filed.request, filed.answer
        if as_json:
            typer.echo(json.dumps(_request_json(request), indent=2))
            return
        typer.echo(f"Filed {request.ref}: {answer.summary}")
        typer.echo(f"Status: {_status(request)}")

    @requests.command("decide")
    def decide(
        ref: Annotated[str, typer.Argument(help="The request id, e.g. CX-00012.")],
        verb: Annotated[Verb, typer.Argument(help="approve, reject, or info (ask for more).")],
        user: AsOption,
        note: Annotated[str | None, typer.Option(help="A note for the timeline.")] = None,
        rules_dir: RulesOption = None,
        knowledge_dir: KnowledgeOption = None,
        data_dir: DataOption = None,
    ) -> None:
        """Approve or reject the step of a request waiting for you, or ask for information.

        The route's approver roles (rules/policy.yaml, §10.1) approve one after another; the
        last step approves the request, a rejection at any step rejects it.
        """
        config = config_for(rules_dir, knowledge_dir, data_dir)
        with services_for(config) as services:
            try:
                done = services.requests.decide(_request_id(ref), user, verb.value, note)
            except CapexbotError as exc:
                raise fail(str(exc)) from exc
        waiting = done.progress.waiting_text()
        nxt = f"; next: {waiting}" if waiting and done.approval is None else ""
        typer.echo(f"{done.request.ref}: {_status(done.request)}{nxt}")

    @requests.command("list")
    def list_(
        user: Annotated[
            str | None, typer.Option("--as", help="Only this requester's requests.")
        ] = None,
        limit: Annotated[int, typer.Option(min=1, help="How many, newest first.")] = 20,
        as_json: JsonOption = False,
        rules_dir: RulesOption = None,
        knowledge_dir: KnowledgeOption = None,
        data_dir: DataOption = None,
    ) -> None:
        """The latest budget requests, newest first."""
        config = config_for(rules_dir, knowledge_dir, data_dir)
        with services_for(config) as services:
            found = services.requests.mine(user, limit) if user else services.requests.latest(limit)
        if as_json:
            typer.echo(json.dumps([_request_json(r) for r in found], indent=2))
            return
        if not found:
            typer.echo("No budget requests yet: `capexbot request file --help` files one.")
        for r in found:
            typer.echo(
                f"{r.ref}  {r.created_at:%Y-%m-%d}  {r.requester:<12} {r.form.amount_text():>18}"
                f"  {r.verdict:<12} {_status(r)}  {' '.join(r.objective.split())[:60]}"
            )

    @requests.command("show")
    def show(
        ref: Annotated[str, typer.Argument(help="The request id, e.g. CX-00012.")],
        as_json: JsonOption = False,
        rules_dir: RulesOption = None,
        knowledge_dir: KnowledgeOption = None,
        data_dir: DataOption = None,
    ) -> None:
        """One request: the form, the verdict, where it stands and its timeline."""
        config = config_for(rules_dir, knowledge_dir, data_dir)
        with services_for(config) as services:
            try:
                shown = services.requests.show(_request_id(ref))
            except CapexbotError as exc:
                raise fail(str(exc)) from exc
        if as_json:
            typer.echo(json.dumps(_shown_json(shown), indent=2))
        else:
            typer.echo(_shown_text(shown))


def _status(request: BudgetRequest) -> str:
    route = f" (route {request.route})" if request.route else ""
    return STATUS_LABELS.get(request.status, request.status) + route


def _request_json(request: BudgetRequest) -> dict[str, Any]:
    return {"ref": request.ref, **request.model_dump(mode="json")}


def _shown_json(shown: Shown) -> dict[str, Any]:
    return {
        **_request_json(shown.request),
        "summary": shown.answer.summary,
        "approval": shown.approval.model_dump(mode="json") if shown.approval else None,
        "timeline": [event.model_dump(mode="json") for event in shown.events],
    }


def _shown_text(shown: Shown) -> str:
    r, form = shown.request, shown.request.form
    lines = [
        f"{r.ref}: {_status(r)}",
        f"Objective: {r.objective}",
        f"Requester: {r.requester} · cost center {r.cost_center} · {form.amount_text()}",
        f"Phase {form.phase} · environment {form.environment} · asset type {form.asset_type} "
        f"· useful life {form.useful_life_years} years",
    ]
    cases = {k: v for k, v in form.forecast.cases().items() if v is not None}
    if cases:
        lines.append("Forecast: " + ", ".join(f"{k} {_plain(v)}" for k, v in cases.items()))
    lines.append(f"Verdict: {r.verdict}: {shown.answer.summary}")
    lines.append(f"Decision {r.decision_id} (memo: capexbot memo {r.ref})")
    progress = shown.progress
    if progress.roles:
        waiting = progress.waiting_text() if shown.approval is None else ""
        nxt = f"; waiting for {waiting}" if waiting else ""
        lines.append(f"Approval steps: {', '.join(progress.roles)}{nxt}")
    lines.append("Timeline:")
    for event in shown.events:
        note = f": {event.note}" if event.note else ""
        what = event.described()
        lines.append(f"  {event.at:%Y-%m-%d %H:%M} UTC  {what} by {event.user_id}{note}")
    return "\n".join(lines)


def _plain(amount: Decimal) -> str:
    return f"{amount:,.2f}"

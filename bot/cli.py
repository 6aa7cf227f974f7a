"""The ``capexbot`` command line."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from bot.config import Config
from bot.core import Framework, Policy, PolicyError, Request, load_policy
from bot.evaluation import ScenarioFileError, load_scenarios, run_eval
from bot.render.text import render_text
from bot.service import Assistant

app = typer.Typer(
    help="The CapEx assistant: is this CapEx or OpEx, from your own capitalization policy.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

RulesOption = Annotated[
    Path | None,
    typer.Option("--rules-dir", help="Policy rules folder [env: CAPEXBOT_RULES_DIR]"),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _config(rules_dir: Path | None = None) -> Config:
    config = Config()
    if rules_dir is not None:
        config.rules_dir = rules_dir
    return config


def _policy(config: Config) -> Policy:
    try:
        return load_policy(config.rules_dir)
    except PolicyError as exc:
        typer.echo(f"The rules in {config.rules_dir} are not valid:", err=True)
        for problem in exc.problems:
            typer.echo(f"  {problem}", err=True)
        raise typer.Exit(2) from exc


@app.command()
def ask(
    text: Annotated[str, typer.Argument(help="The question, as you would write it in Slack.")],
    framework: Annotated[
        Framework | None, typer.Option(help="Accounting framework (default: the policy's).")
    ] = None,
    as_json: JsonOption = False,
    rules_dir: RulesOption = None,
) -> None:
    """Answer one question: CapEx, OpEx, split, or what is needed to decide."""
    config = _config(rules_dir)
    assistant = Assistant(config, _policy(config))
    decision = assistant.answer(Request(text=text, framework=framework))
    if as_json:
        typer.echo(decision.model_dump_json(indent=2))
    else:
        typer.echo(render_text(decision))


@app.command()
def check(rules_dir: RulesOption = None) -> None:
    """Validate the rules folder; exit non-zero with file, line and field of each problem."""
    config = _config(rules_dir)
    policy = _policy(config)
    typer.echo(
        f"OK: {config.rules_dir}: {len(policy.rules)} rules, "
        f"{len(policy.checklist.questions)} checklist questions, "
        f"{len(policy.settings.asset_types)} asset types (version {policy.version})"
    )


@app.command("eval")
def evaluate(
    file: Annotated[Path, typer.Argument(help="JSONL lines: id, text, framework, expected.")],
    as_json: JsonOption = False,
    rules_dir: RulesOption = None,
) -> None:
    """Score the engine on a labelled scenario set: accuracy, confusion, confident-wrong."""
    policy = _policy(_config(rules_dir))
    try:
        scenarios = load_scenarios(file)
    except (OSError, ScenarioFileError) as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc
    report = run_eval(scenarios, policy)
    if as_json:
        typer.echo(report.model_dump_json(indent=2))
        return
    for case in report.cases:
        mark = "ok " if case.correct else ("XX " if case.confident_wrong else "-- ")
        typer.echo(f"{mark}{case.id:<44} expected {case.expected:<12} got {case.verdict}")
    s = report.summary
    typer.echo("")
    typer.echo(
        f"accuracy {s.accuracy:.1%} ({s.correct}/{s.cases}); "
        f"confident-wrong {s.confident_wrong}; capex/opex swapped {s.swapped}"
    )
    typer.echo("confusion (rows expected, columns verdict):")
    verdicts = list(s.confusion)
    typer.echo(" " * 14 + "".join(f"{v:>14}" for v in verdicts))
    for expected, row in s.confusion.items():
        typer.echo(f"{expected:<14}" + "".join(f"{row[v]:>14}" for v in verdicts))


@app.command()
def chat(
    user: Annotated[
        str, typer.Option(help="Who is talking (the checklist is kept per user).")
    ] = "local",
    rules_dir: RulesOption = None,
) -> None:
    """The guided checklist in the terminal (reads stdin, so it works piped too)."""
    from bot.conversation import ConversationService
    from bot.conversation.terminal import run_chat
    from bot.storage import Store

    config = _config(rules_dir)
    store = Store.open(config.database)
    service = ConversationService(Assistant(config, _policy(config)), store)
    interactive = sys.stdin.isatty()

    def prompt() -> None:
        if interactive:
            typer.echo("> ", nl=False)

    try:
        run_chat(service, user, sys.stdin, typer.echo, prompt)
    finally:
        store.close()


@app.command()
def serve(
    http: Annotated[
        bool, typer.Option("--http", help="HTTP mode even when SLACK_APP_TOKEN is set.")
    ] = False,
    port: Annotated[
        int, typer.Option(envvar="CAPEXBOT_PORT", help="HTTP port (Slack posts to /slack/events).")
    ] = 3000,
    host: Annotated[str, typer.Option(help="HTTP address to listen on.")] = "0.0.0.0",
    rules_dir: RulesOption = None,
) -> None:
    """Run the Slack app: Socket Mode when SLACK_APP_TOKEN is set, else HTTP."""
    import logging

    from bot.slack.app import build_app
    from bot.slack.server import http_server, socket_mode
    from bot.storage import Store

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    config = _config(rules_dir)
    if not config.slack_bot_token:
        typer.echo("SLACK_BOT_TOKEN is not set; `capexbot chat` runs without Slack.", err=True)
        raise typer.Exit(2)
    socket = bool(config.slack_app_token) and not http
    if not socket and not config.slack_signing_secret:
        typer.echo("HTTP mode needs SLACK_SIGNING_SECRET (or set SLACK_APP_TOKEN).", err=True)
        raise typer.Exit(2)
    store = Store.open(config.database)
    slack_app = build_app(config, Assistant(config, _policy(config)), store)
    if socket:
        typer.echo("Serving Slack in Socket Mode", err=True)
        socket_mode(slack_app, config.slack_app_token or "")
        return
    server = http_server(slack_app, host, port)
    typer.echo(f"Serving Slack over HTTP on {host}:{server.server_port}/slack/events", err=True)
    try:
        server.serve_forever()
    finally:
        store.close()


def main() -> None:  # pragma: no cover - console entry for `python -m bot.cli`
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

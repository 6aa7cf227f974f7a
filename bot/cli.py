"""The ``capexbot`` command line."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from bot.cli_options import DataOption, JsonOption, KnowledgeOption, RulesOption, config_for
from bot.config import Config
from bot.core import Framework, Policy, PolicyError, Request, load_policy
from bot.evaluation import ScenarioFileError, load_scenarios, run_eval
from bot.finance.commands import register as register_finance_commands
from bot.render.document import build_document
from bot.render.text import render_side_by_side, render_text
from bot.request_commands import register as register_request_commands
from bot.review_commands import register as register_review_commands
from bot.service import Assistant

if TYPE_CHECKING:
    from bot.app.services import Services
    from bot.retrieval.search import KnowledgeBase

app = typer.Typer(
    help="The CapEx assistant: is this CapEx or OpEx, from your own capitalization policy.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


def _print_version(wanted: bool) -> None:
    if wanted:
        from importlib.metadata import version

        typer.echo(f"capexbot {version('capexbot')}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """The CapEx assistant: is this CapEx or OpEx, from your own capitalization policy."""


class SearchMode(StrEnum):
    hybrid = "hybrid"
    fusion = "fusion"
    semantic = "semantic"
    keyword = "keyword"


ModeOption = Annotated[
    SearchMode,
    typer.Option(
        "--mode",
        help="hybrid: fused and ranked by structure (default); fusion: semantic and keyword "
        "fused by rank only; or one of them alone.",
    ),
]


def _knowledge(config: Config, quiet: bool = False) -> KnowledgeBase:
    """The knowledge base, indexed first if the documents changed or were never ingested.

    ``quiet`` keeps the indexing notice off the terminal, for output that must be pure JSON.
    """
    from bot.retrieval.knowledge import open_knowledge

    def notify(message: str) -> None:
        if not quiet:
            typer.echo(message, err=True)

    progress = not quiet and sys.stderr.isatty()
    return open_knowledge(config.knowledge_dir, config.data_dir, notify=notify, progress=progress)


@contextmanager
def _services(config: Config) -> Iterator[Services]:
    """The use cases over the configured state database, closed afterwards. The policy index
    is not opened here: of these commands only ``request file`` answers, and it opens it."""
    from bot.app.services import Services
    from bot.storage import Store

    assistant = Assistant(config, _policy(config))
    store = Store.open(config.database)
    try:
        yield Services.build(config, assistant, store)
    finally:
        store.close()


def _policy(config: Config) -> Policy:
    try:
        return load_policy(config.rules_dir)
    except PolicyError as exc:
        typer.echo(f"The rules in {config.rules_dir} are not valid:", err=True)
        for problem in exc.problems:
            typer.echo(f"  {problem}", err=True)
        raise typer.Exit(2) from exc


class FrameworkChoice(StrEnum):
    us_gaap = "us_gaap"
    ifrs = "ifrs"
    both = "both"


@app.command()
def ask(
    text: Annotated[str, typer.Argument(help="The question, as you would write it in Slack.")],
    framework: Annotated[
        FrameworkChoice | None,
        typer.Option(help="Accounting framework (default: the policy's); both: side by side."),
    ] = None,
    as_json: JsonOption = False,
    rules_dir: RulesOption = None,
    knowledge_dir: KnowledgeOption = None,
    data_dir: DataOption = None,
) -> None:
    """Answer one question: CapEx, OpEx, split, or what is needed to decide."""
    config = config_for(rules_dir, knowledge_dir, data_dir)
    policy = _policy(config)
    assistant = Assistant(config, policy, _knowledge(config, quiet=as_json))
    if framework is FrameworkChoice.both:
        both = assistant.answer_both(Request(text=text))
        typer.echo(_json(both.as_json()) if as_json else render_side_by_side(both))
        return
    chosen = Framework(framework.value) if framework else None
    answer = assistant.answer(Request(text=text, framework=chosen))
    typer.echo(_json(answer.as_json()) if as_json else render_text(build_document(answer)))


def _json(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False)


@app.command()
def check(
    rules_dir: RulesOption = None,
    knowledge_dir: KnowledgeOption = None,
    data_dir: DataOption = None,
) -> None:
    """Validate the rules folder and that every section it cites is in the policy documents."""
    from bot.core.understanding import classifier_for
    from bot.retrieval.sections import cited_sections, missing_sections

    config = config_for(rules_dir, knowledge_dir, data_dir, state=False)
    policy = _policy(config)
    typer.echo(
        f"OK: {config.rules_dir}: {len(policy.rules)} rules, "
        f"{len(policy.checklist.questions)} checklist questions, "
        f"{len(policy.settings.asset_types)} asset types (version {policy.version})"
    )
    problems = missing_sections(config.rules_dir, config.knowledge_dir)
    if problems:
        typer.echo(
            f"The policy documents in {config.knowledge_dir} do not match the rules:", err=True
        )
        for problem in problems:
            typer.echo(f"  {problem}", err=True)
        raise typer.Exit(2)
    cited = {ref.section for ref in cited_sections(config.rules_dir)}
    typer.echo(f"OK: {config.knowledge_dir}: all {len(cited)} sections the rules cite exist")
    classifier = classifier_for(policy)  # trained here once per content, then read from cache
    if classifier is not None:
        examples = sum(len(p) for c in policy.classes.values() for p in c.examples.values())
        typer.echo(
            f"OK: classifier ready: {len(policy.classes)} classes, {examples:,} example phrases"
            f"{'' if classifier.semantic else ' (character n-grams only)'}"
        )


@app.command("eval")
def evaluate(
    file: Annotated[Path, typer.Argument(help="JSONL lines: id, text, framework, expected.")],
    as_json: JsonOption = False,
    rules_dir: RulesOption = None,
    knowledge_dir: KnowledgeOption = None,
    data_dir: DataOption = None,
) -> None:
    """Score the engine on a labelled scenario set: accuracy, confusion, confident-wrong."""
    policy = _policy(config_for(rules_dir, knowledge_dir, data_dir, state=False))
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
    for title, groups in (("kind", s.by_kind), ("language", s.by_language)):
        if groups:
            typer.echo(
                f"by {title}: "
                + "; ".join(
                    f"{label} {g.correct}/{g.cases} ({g.confident_wrong} confident-wrong)"
                    for label, g in groups.items()
                )
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
    knowledge_dir: KnowledgeOption = None,
    data_dir: DataOption = None,
) -> None:
    """The guided checklist in the terminal (reads stdin, so it works piped too)."""
    from bot.conversation import ConversationService
    from bot.conversation.terminal import run_chat
    from bot.storage import Store

    config = config_for(rules_dir, knowledge_dir, data_dir)
    assistant = Assistant(config, _policy(config), _knowledge(config))
    store = Store.open(config.database)
    service = ConversationService(assistant, store)
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
        int | None,
        typer.Option(help="HTTP port (Slack posts to /slack/events); default CAPEXBOT_PORT, 3000."),
    ] = None,
    host: Annotated[str, typer.Option(help="HTTP address to listen on.")] = "0.0.0.0",
    rules_dir: RulesOption = None,
    knowledge_dir: KnowledgeOption = None,
    data_dir: DataOption = None,
) -> None:
    """Run the Slack app: Socket Mode when SLACK_APP_TOKEN is set, else HTTP."""
    from bot.ops import logs
    from bot.slack.run import serve as run

    config = config_for(rules_dir, knowledge_dir, data_dir)
    logs.configure(logs.secrets_of(config), fmt=config.log_format, level=config.log_level)
    if not config.slack_bot_token:
        typer.echo("SLACK_BOT_TOKEN is not set; `capexbot chat` runs without Slack.", err=True)
        raise typer.Exit(2)
    socket = bool(config.slack_app_token) and not http
    if not socket and not config.slack_signing_secret:
        typer.echo("HTTP mode needs SLACK_SIGNING_SECRET (or set SLACK_APP_TOKEN).", err=True)
        raise typer.Exit(2)
    run(
        config,
        Assistant(config, _policy(config)),
        socket=socket,
        host=host,
        port=config.port if port is None else port,
    )


@app.command()
def ingest(
    rules_dir: RulesOption = None,
    knowledge_dir: KnowledgeOption = None,
    data_dir: DataOption = None,
    rebuild: Annotated[
        bool, typer.Option("--rebuild", help="Throw the index away and build it anew.")
    ] = False,
) -> None:
    """Index the policy documents; only new or changed ones are embedded again."""
    from bot.retrieval.ingest import ingest as run_ingest

    config = config_for(rules_dir, knowledge_dir, data_dir)
    if not config.knowledge_dir.is_dir():
        typer.echo(f"{config.knowledge_dir} is not a folder.", err=True)
        raise typer.Exit(2)
    report = run_ingest(
        config.knowledge_dir, config.data_dir, progress=sys.stderr.isatty(), rebuild=rebuild
    )
    for source, why in report.skipped.items():
        typer.echo(f"skipped {source}: {why}", err=True)
    counts = ", ".join(
        f"{len(names)} {label}"
        for label, names in (
            ("added", report.added),
            ("updated", report.updated),
            ("unchanged", report.unchanged),
            ("removed", report.removed),
        )
    )
    typer.echo(
        f"Indexed {config.knowledge_dir}: {counts}; {report.chunks} chunks, "
        f"{report.embedded} embedded, in {report.seconds:.1f} s (knowledge {report.version})"
    )


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="What to look for in the policy documents.")],
    k: Annotated[int, typer.Option("--k", min=1, help="How many sections.")] = 5,
    mode: ModeOption = SearchMode.hybrid,
    as_json: JsonOption = False,
    rules_dir: RulesOption = None,
    knowledge_dir: KnowledgeOption = None,
    data_dir: DataOption = None,
) -> None:
    """Search the policy: the best sections, each with its best passage."""
    import json

    from bot.retrieval.expansion import expand_query

    config = config_for(rules_dir, knowledge_dir, data_dir)
    policy = _policy(config)
    hits = _knowledge(config, quiet=as_json).search(expand_query(query, policy), k, mode.value)
    results = [
        {
            "source": h.chunk.source,
            "section": h.chunk.section,
            "text": h.chunk.text,
            "score": h.score,
        }
        for h in hits
    ]
    if as_json:
        typer.echo(json.dumps(results, ensure_ascii=False, indent=2))
        return
    if not results:
        typer.echo("Nothing found in the policy documents.")
    for rank, result in enumerate(results, start=1):
        typer.echo(
            f"{rank}. {result['source']} › {result['section']}  (score {result['score']:.3f})"
        )
        typer.echo(f"   {' '.join(str(result['text']).split())[:300]}")


@app.command("eval-retrieval")
def eval_retrieval(
    file: Annotated[Path, typer.Argument(help="JSONL lines: id, query, expected sections.")],
    mode: ModeOption = SearchMode.hybrid,
    as_json: JsonOption = False,
    rules_dir: RulesOption = None,
    knowledge_dir: KnowledgeOption = None,
    data_dir: DataOption = None,
) -> None:
    """Score retrieval on a labelled query set: recall@1/3/5 and MRR."""
    from bot.retrieval.evaluation import QueryFileError, evaluate, load_cases
    from bot.retrieval.expansion import expand_query

    config = config_for(rules_dir, knowledge_dir, data_dir)
    policy = _policy(config)
    try:
        cases = load_cases(file)
    except (OSError, QueryFileError) as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc
    knowledge = _knowledge(config, quiet=as_json)
    report = evaluate(knowledge, cases, mode.value, lambda q: expand_query(q, policy))
    if as_json:
        typer.echo(report.model_dump_json(indent=2))
        return
    for case in report.cases:
        rank = case.first_relevant_rank
        mark = "ok " if rank is not None and rank <= 3 else "-- "
        shown = f"rank {rank}" if rank else "not in top 10"
        top = case.retrieved[0].split(" › ")[-1] if case.retrieved else "nothing"
        typer.echo(f"{mark}{case.id:<28} {shown:<14} top: {top}")
    s = report.summary
    typer.echo("")
    typer.echo(
        f"{s.mode}: recall@1 {s.recall_at_1:.3f}, recall@3 {s.recall_at_3:.3f}, "
        f"recall@5 {s.recall_at_5:.3f}, MRR {s.mrr:.3f} ({s.cases} queries, "
        f"knowledge {knowledge.version})"
    )


register_finance_commands(app, _services)
register_request_commands(app, _services)
register_review_commands(app, _services, _policy)


if __name__ == "__main__":  # pragma: no cover - `python -m bot.cli`
    app()

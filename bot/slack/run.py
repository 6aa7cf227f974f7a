"""``capexbot serve``: one replica, from start to a clean stop.

Start: migrate the schema (or, when the database server does not answer, serve anyway and
migrate once it does), open the policy index (a damaged one is reported with the command
that rebuilds it, and the app serves anyway: answers then say they cannot cite the policy),
start the recovery sweep, then listen. ``SIGTERM`` (what an orchestrator sends) stops taking
requests and lets the work already acknowledged finish before the process exits; whatever
does not finish is taken over by another replica's sweep, or by this one's after a restart.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from types import FrameType

from slack_bolt import App

from bot.config import Config
from bot.retrieval.knowledge import KnowledgeIndexMissing
from bot.retrieval.search import KnowledgeIndexUnusable
from bot.service import Assistant
from bot.slack import server as slack_server
from bot.slack.app import build_app
from bot.slack.durable import Ledger
from bot.slack.recovery import Recovery
from bot.storage import Store
from bot.storage.db import Schema, unavailable

log = logging.getLogger(__name__)


def serve(config: Config, assistant: Assistant, *, socket: bool, host: str, port: int) -> None:
    store = Store.open(config.database, run_migrations=False)
    schema = Schema(store.engine)
    _migrate_at_start(schema)
    ledger = Ledger(
        store,
        config.spool_folder,
        lease=config.work_lease,
        recover_after=config.recover_after,
        schema=schema,
    )
    app = build_app(config, assistant, store, ledger=ledger)
    open_index(assistant)
    recovery = Recovery(app, ledger, interval=config.sweep_interval or 2.0)
    if config.sweep_interval:
        recovery.start()
    try:
        if socket:
            _serve_socket_mode(app, config.slack_app_token or "")
        else:
            server = slack_server.http_server(
                app,
                host,
                port,
                store=store,
                signing_secret=config.slack_signing_secret,
                read_timeout=config.http_read_timeout,
            )
            _stop_on_sigterm(server.shutdown)
            log.info("serving Slack over HTTP on %s:%d/slack/events", host, server.server_port)
            server.serve_forever()
            server.server_close()
            log.info("stopped taking requests; finishing the work already acknowledged")
            _finish_background_work(app)
    finally:
        recovery.stop()
        store.close()


def _migrate_at_start(schema: Schema) -> None:
    """Migrate now; a database server that does not answer is waited for, not fatal (an
    orchestrator restarting the replica would not bring it back any sooner)."""
    try:
        schema.migrate()
    except Exception as exc:
        if schema.engine.dialect.name == "sqlite" or not unavailable(exc):
            raise
        log.warning(
            "the database does not answer (%s: %s); serving anyway: deliveries wait in the "
            "spool and the schema is migrated as soon as it answers",
            type(exc).__name__,
            next(iter(str(getattr(exc, "orig", exc)).strip().splitlines()), ""),
        )


def _serve_socket_mode(app: App, app_token: str) -> None:
    """Until ``SIGTERM``: then close the connection (Slack sends new envelopes to another
    connection of the app) and finish the work already acknowledged. Without this, the process
    as a container's PID 1 ignored SIGTERM and ``docker stop`` waited until it killed it."""
    handler = slack_server.socket_mode(app, app_token)
    stop = threading.Event()
    _stop_on_sigterm(stop.set)
    handler.connect()
    log.info("serving Slack in Socket Mode")
    stop.wait()
    log.info("SIGTERM: closing the Socket Mode connection; finishing the acknowledged work")
    handler.close()
    _finish_background_work(app)
    log.info("stopped")


def open_index(assistant: Assistant) -> None:
    """Open the policy index (built or refreshed first if the documents changed) and load the
    embedding model now, not on the first question. An index that cannot be used is logged
    with the command that rebuilds it; the app serves anyway, its answers saying they cannot
    cite the policy until the index loads again (:attr:`Assistant.knowledge`)."""
    try:
        assistant.open_knowledge().search("capitalization threshold", 1)
    except (KnowledgeIndexMissing, KnowledgeIndexUnusable) as exc:
        log.error("the policy index cannot be used: %s", exc)


def _stop_on_sigterm(shutdown: Callable[[], object]) -> None:
    def handler(signum: int, frame: FrameType | None) -> None:
        # The main thread is serving (or waiting): shutdown() must run on another, as a signal
        # handler runs between two of the main thread's steps, perhaps inside a lock it holds.
        threading.Thread(target=shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, handler)


def _finish_background_work(app: App) -> None:
    executor = app.listener_runner.listener_executor
    executor.shutdown(wait=True)  # type: ignore[attr-defined]

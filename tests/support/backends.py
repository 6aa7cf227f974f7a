"""A pytest plugin: at the end of the run, say which suites ran against real servers.

A PostgreSQL or Chroma server that does not answer makes its tests skip; CI's output must
show that plainly rather than in the skip list. Tests count as PostgreSQL-backed when a
parameter named ``postgresql`` feeds them or they are marked ``postgres``; ``chroma_server``
and ``replicas`` mark the Chroma-server and multi-process tests.
"""

from __future__ import annotations

from collections import Counter, defaultdict

import pytest

from tests.support.databases import postgres_base_url

BACKENDS = {
    "postgres": f"PostgreSQL ({postgres_base_url().split('@')[-1]})",
    "chroma_server": "Chroma server (`chroma run`)",
    "replicas": "replicas (`capexbot serve --http` processes)",
}
_outcomes: dict[str, Counter[str]] = defaultdict(Counter)
_reasons: dict[str, set[str]] = defaultdict(set)
_backends_of: dict[str, list[str]] = {}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "postgres: needs the PostgreSQL test server")
    config.addinivalue_line("markers", "chroma_server: needs a local `chroma run` server")
    config.addinivalue_line("markers", "replicas: starts `capexbot serve` processes")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        found = [name for name in BACKENDS if item.get_closest_marker(name)]
        if "postgres" not in found and "[postgresql" in item.nodeid:
            found.append("postgres")
        if found:
            _backends_of[item.nodeid] = found


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    backends = _backends_of.get(report.nodeid)
    # One count per test: its call, or its setup when that skipped or failed it.
    if not backends or not (
        report.when == "call" or (report.when == "setup" and not report.passed)
    ):
        return
    for backend in backends:
        _outcomes[backend][report.outcome] += 1
        if report.skipped and isinstance(report.longrepr, tuple):
            _reasons[backend].add(str(report.longrepr[2]).removeprefix("Skipped: "))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not _backends_of:
        return
    terminalreporter.section("server-backed suites")
    for backend, label in BACKENDS.items():
        counts = _outcomes.get(backend)
        if not counts:
            continue
        ran = ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items()))
        terminalreporter.write_line(f"{label}: {ran}")
        for reason in sorted(_reasons.get(backend, ())):
            terminalreporter.write_line(f"    skipped because: {reason}")

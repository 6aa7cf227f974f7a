"""``capexbot serve --http`` as real processes on loopback ports: start, stop, kill, read logs.

Each replica runs this tree's code (``python -m bot.cli`` with the tree on ``PYTHONPATH``),
logs JSON to a file, and listens on a free port; it is up when ``/healthz`` answers.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from slack_harness import FINANCE, WATCHED
from slack_requests import SECRET, SlackSender

from tests.support.chroma import free_port

ROOT = Path(__file__).resolve().parent.parent.parent
START_SECONDS = 90

#: Secrets the replicas are given, which their logs must never show.
BOT_TOKEN = "xoxb-424242-replica-token-do-not-log"


def replica_env(
    slack_url: str,
    database_url: str,
    data_dir: Path,
    spool_dir: Path,
    *,
    root: Path = ROOT,
    **extra: str,
) -> dict[str, str]:
    """The environment of a replica running the code in ``root`` (this tree by default; a
    benchmark passes an older revision's tree to compare with)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CAPEXBOT_", "SLACK_"))
    }
    env.update(
        {
            "PYTHONPATH": str(root),
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": slack_url,
            "CAPEXBOT_DATABASE_URL": database_url,
            "CAPEXBOT_DATA_DIR": str(data_dir),
            "CAPEXBOT_SPOOL_DIR": str(spool_dir),
            "CAPEXBOT_FINANCE_CHANNEL": FINANCE,
            "CAPEXBOT_WATCHED_CHANNELS": WATCHED,
            "CAPEXBOT_RECOVER_AFTER": "2",
            "CAPEXBOT_WORK_LEASE": "4",
            "CAPEXBOT_SWEEP_INTERVAL": "0.5",
            **extra,
        }
    )
    return env


@dataclass
class Replica:
    name: str
    process: subprocess.Popen[bytes]
    log_path: Path
    port: int

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def sender(self) -> SlackSender:
        return SlackSender(f"{self.base_url}/slack/events")

    def logs(self) -> list[dict[str, Any]]:
        entries = []
        for line in self.log_path.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                entries.append(json.loads(line))
            except ValueError:
                entries.append({"msg": line, "level": "raw"})
        return entries

    def health(self) -> dict[str, Any]:
        with urllib.request.urlopen(f"{self.base_url}/healthz", timeout=5) as response:
            return dict(json.loads(response.read()))

    def metrics(self) -> str:
        with urllib.request.urlopen(f"{self.base_url}/metrics", timeout=5) as response:
            return str(response.read().decode())

    def stop(self, timeout: float = 30) -> int:
        """SIGTERM: stop taking requests, finish the acknowledged work, exit."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode

    def kill(self) -> None:
        """SIGKILL: the process dies at once, whatever it was doing."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def start_replica(name: str, env: dict[str, str], folder: Path) -> Replica:
    """Start a replica on a free port and return once its ``/healthz`` answers."""
    folder.mkdir(parents=True, exist_ok=True)
    log_path = folder / f"{name}.log"
    port = free_port()
    command = [sys.executable, "-m", "bot.cli", "serve", "--http", "--host", "127.0.0.1"]
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [*command, "--port", str(port)],
            env=env,
            cwd=env.get("PYTHONPATH", ROOT),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    replica = Replica(name, process, log_path, port)
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode}: {_tail(log_path)}")
        try:
            replica.health()
            return replica
        except OSError:
            time.sleep(0.1)
    replica.kill()
    raise RuntimeError(f"{name} did not start within {START_SECONDS} s: {_tail(log_path)}")


def _tail(path: Path) -> str:
    return path.read_text(errors="replace")[-2000:]

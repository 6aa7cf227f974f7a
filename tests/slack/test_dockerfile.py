"""The Dockerfile's install and start steps, run in a fresh venv (no Docker daemon needed).

The build stage's RUN lines and the runtime stage's RUN, ENV and CMD are read from the
Dockerfile itself, with the image's paths mapped into a temporary folder; then the CMD is
started against the fake Slack API and must answer a signed mention over HTTP. Account
set-up (``useradd``/``chown``) is the one kind of step left to the image build.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from fake_slack import BOT_USER, FakeSlack
from slack_requests import SECRET, SlackSender

from bot.config import PROJECT_ROOT

DOCKERFILE = PROJECT_ROOT / "Dockerfile"


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    result, pending = [], ""
    for line in DOCKERFILE.read_text().splitlines():
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        pending += line.rstrip("\\").strip() + " "
        if not line.endswith("\\"):
            word, _, rest = pending.strip().partition(" ")
            result.append((word.upper(), rest.strip()))
            pending = ""
    return result


def test_the_image_is_slim_and_runs_as_a_non_root_user() -> None:
    steps = instructions()
    assert all("slim" in arg for word, arg in steps if word == "FROM")
    users = [arg for word, arg in steps if word == "USER"]
    assert users and users[-1] not in ("root", "0")
    assert json.loads(dict(steps)["CMD"])[:2] == ["capexbot", "serve"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_install_and_start_steps_work_in_a_fresh_venv(tmp_path: Path) -> None:
    paths = {"/opt/venv": tmp_path / "venv", "/var/lib/capexbot": tmp_path / "state"}
    shim = tmp_path / "shim"
    shim.mkdir()
    (shim / "python").symlink_to(getattr(sys, "_base_executable", sys.executable))

    def mapped(text: str) -> str:
        for image_path, local in sorted(paths.items(), key=lambda p: -len(p[0])):
            text = text.replace(image_path, str(local))
        return text

    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("CAPEXBOT_", "SLACK_", "VIRTUAL_ENV"))
    }
    env["PATH"] = f"{shim}:{env['PATH']}"
    workdir = tmp_path
    for word, arg in instructions():
        if word == "FROM":
            workdir = tmp_path
        elif word == "WORKDIR":
            paths.setdefault(arg, tmp_path / arg.strip("/").replace("/", "_"))
            workdir = paths[arg]
            workdir.mkdir(parents=True, exist_ok=True)
        elif word == "COPY" and not arg.startswith("--from"):
            *sources, target = shlex.split(arg)
            for source in sources:
                destination = workdir / target if target != "./" else workdir
                if (PROJECT_ROOT / source).is_dir():
                    shutil.copytree(
                        PROJECT_ROOT / source,
                        destination,
                        ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"),
                        dirs_exist_ok=True,
                    )
                else:
                    shutil.copy(PROJECT_ROOT / source, workdir / Path(source).name)
        elif word == "ENV":
            for pair in shlex.split(arg):
                key, _, value = pair.partition("=")
                env[key] = mapped(value.replace("$PATH", env["PATH"]))
        elif word == "RUN" and "useradd" not in arg:
            subprocess.run(
                ["bash", "-euc", mapped(arg)], cwd=workdir, env=env, check=True, timeout=600
            )
    (tmp_path / "state").mkdir(exist_ok=True)

    slack = FakeSlack().start()
    port = _free_port()
    command = json.loads(dict(instructions())["CMD"])
    env.update(
        SLACK_BOT_TOKEN="xoxb-docker",
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=slack.url,
        CAPEXBOT_PORT=str(port),
    )
    server = subprocess.Popen(
        command, cwd=workdir, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        _wait_healthy(port, server)
        sender = SlackSender(f"http://127.0.0.1:{port}/slack/events")
        event = {
            "type": "app_mention",
            "user": "U1",
            "channel": "C1",
            "ts": "1.000001",
            "text": f"<@{BOT_USER}> is a $40k GPU server for production CapEx?",
        }
        assert sender.event(event).status == 200
        [post] = slack.wait_for("chat.postMessage", timeout=30)
        assert post.params["thread_ts"] == "1.000001" and "CapEx" in post.params["text"]
        assert (tmp_path / "state" / "capexbot.db").exists()  # state where the image keeps it
        index = json.loads((paths["/app"] / "data" / "knowledge" / "manifest.json").read_text())
        packaged = Path(index["knowledge_dir"]).resolve()  # the policy the wheel carries
        assert packaged.is_relative_to(paths["/opt/venv"].resolve()), packaged
    finally:
        server.terminate()
        print(server.communicate(timeout=10)[0].decode())  # shown when the test fails
        print("Slack API calls:", slack.summary())
        slack.stop()


def _wait_healthy(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            output = server.stdout.read().decode() if server.stdout else ""
            pytest.fail(f"capexbot serve exited with {server.returncode}:\n{output}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as reply:
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    pytest.fail("capexbot serve did not answer /healthz within 60 s")

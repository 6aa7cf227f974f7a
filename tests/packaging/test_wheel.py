"""The built wheel works outside the repository (slow: one wheel build and one fresh venv, a
few minutes on a 2-core machine).

The wheel is built from this checkout and installed into a new venv; ``capexbot`` then runs
from a folder outside the repository with no ``CAPEXBOT_*`` variable set: it must read the
example policy the wheel carries (``bot/defaults/``), keep its state (index and database) in
the user's data folder (``$XDG_DATA_HOME/capexbot``) and write nothing into site-packages.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT
from bot.core import load_policy

pytestmark = pytest.mark.slow

GPU_SERVER = "We're buying a $40,000 GPU server for production inference, 5 year life"


def _files(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``folder``: its size and modification time."""
    return {
        str(path.relative_to(folder)): (path.stat().st_size, path.stat().st_mtime_ns)
        for path in folder.rglob("*")
        if path.is_file()
    }


def test_the_installed_wheel_answers_from_its_packaged_policy(tmp_path: Path) -> None:
    dist, venv, elsewhere, xdg = (tmp_path / name for name in ("dist", "venv", "work", "xdg"))
    elsewhere.mkdir()
    base_python = getattr(sys, "_base_executable", sys.executable)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), PROJECT_ROOT],
        check=True,
        timeout=600,
    )
    [wheel] = dist.glob("capexbot-*.whl")
    subprocess.run([base_python, "-m", "venv", str(venv)], check=True, timeout=120)
    subprocess.run(
        [str(venv / "bin" / "pip"), "install", "-q", str(wheel)], check=True, timeout=900
    )
    [site_packages] = venv.glob("lib/python*/site-packages")
    installed = _files(site_packages)

    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("CAPEXBOT_", "VIRTUAL_ENV", "PYTHONPATH"))
    }
    env["XDG_DATA_HOME"] = str(xdg)

    def capexbot(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [str(venv / "bin" / "capexbot"), *args],
            cwd=elsewhere,
            env=env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, f"capexbot {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
        return done

    assert capexbot("--version").stdout.strip() == f"capexbot {wheel.name.split('-')[1]}"

    packaged = site_packages / "bot" / "defaults"
    checked = capexbot("check").stdout
    assert f"OK: {packaged / 'rules'}:" in checked
    assert f"OK: {packaged / 'knowledge'}: all" in checked
    assert "OK: classifier ready" in checked

    answer = json.loads(capexbot("ask", "--json", GPU_SERVER).stdout)
    assert answer["verdict"] == "capex"
    assert answer["rules_version"] == load_policy(PROJECT_ROOT / "rules").version  # same policy
    assert {c["source"] for c in answer["citations"]} >= {"capitalization-policy.md"}

    chat = capexbot("chat", stdin="is a $40k GPU server for production CapEx?\n").stdout
    assert "CapEx" in chat

    state = xdg / "capexbot"
    assert (state / "capexbot.db").is_file()  # the checklist's state and the audit trail
    assert (state / "knowledge" / "manifest.json").is_file()  # the index of the packaged policy
    assert not list(elsewhere.iterdir())  # nothing left in the working folder
    assert _files(site_packages) == installed  # nothing written into the installed package

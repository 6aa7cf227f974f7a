"""Approver roles in rules/policy.yaml (§10.1): every role a route names is held by someone,
every role held is named by a route, and a holder is a Slack user id; each mistake points at
its line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.core import Policy, PolicyError, load_policy
from bot.core.budget import ApprovalProgress, RequestEvent
from tests.conftest import RULES_DIR


@pytest.fixture
def policy_file(tmp_path: Path) -> Path:
    shutil.copytree(RULES_DIR, tmp_path / "rules")
    return tmp_path / "rules" / "policy.yaml"


def _problems(policy_file: Path, old: str, new: str) -> list[str]:
    text = policy_file.read_text(encoding="utf-8")
    assert old in text
    policy_file.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(PolicyError) as caught:
        load_policy(policy_file.parent)
    return [str(problem) for problem in caught.value.problems]


def _line(policy_file: Path, needle: str, after: str = "") -> int:
    lines = policy_file.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if after in line)
    return next(i for i, line in enumerate(lines) if i >= start and needle in line) + 1


def test_the_shipped_routes_name_roles_that_are_held(policy: Policy) -> None:
    held = policy.settings.approvers_by_role
    cfo_route = policy.settings.approval_routes[-1]
    assert cfo_route.approvers == ["budget owner", "finance business partner", "controller", "CFO"]
    assert all(held[role] for role in cfo_route.approvers)


def test_a_role_nobody_holds_is_named_at_its_route(policy_file: Path) -> None:
    problems = _problems(policy_file, "  CFO: [U0CFO]\n", "")
    line = _line(policy_file, "CFO]", after="id: cfo")
    assert any(
        f"policy.yaml:{line}:" in p and "approval_routes[3].approvers[3]" in p and "'CFO'" in p
        for p in problems
    ), problems


def test_a_misspelt_role_is_named(policy_file: Path) -> None:
    problems = _problems(policy_file, "  controller: [U0CONTROLLER]", "  controler: [U0CONTROLLER]")
    assert any("'controler' is not a role any approval route names" in p for p in problems)
    assert any("nobody holds 'controller'" in p for p in problems), problems


def test_a_holder_must_be_a_slack_user_id(policy_file: Path) -> None:
    problems = _problems(policy_file, "[U0CFO]", "[jane.doe@example.com]")
    assert any("approvers_by_role.CFO" in p for p in problems), problems


def _event(step: int, user: str, role: str) -> RequestEvent:
    return RequestEvent(
        request_id=1, kind="step_approved", user_id=user, at="2026-01-01T00:00:00Z",
        step=step, role=role,
    )  # fmt: skip


def test_progress_follows_the_route_in_order() -> None:
    roles = ["budget owner", "finance business partner", "controller"]
    fresh = ApprovalProgress.of(roles, [])
    assert (fresh.next_step, fresh.next_role, fresh.last) == (1, "budget owner", False)
    one = ApprovalProgress.of(roles, [_event(1, "UA", "budget owner")])
    assert one.waiting_text() == "step 2 of 3: finance business partner"
    assert one.approved_by("UA") and not one.approved_by("UB")
    two = ApprovalProgress.of(roles, [_event(2, "UB", "x"), _event(1, "UA", "budget owner")])
    assert two.last and two.next_role == "controller"
    done = ApprovalProgress.of(roles, [_event(n, f"U{n}", r) for n, r in enumerate(roles, 1)])
    assert done.next_step is None and done.waiting_text() == ""

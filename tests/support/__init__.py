"""Helpers of the server-backed suites (ops, faults, scale, hostile): the Slack fakes of
``tests/slack``, throwaway databases, the app in-process or as ``capexbot serve`` processes."""

import sys
from pathlib import Path

SLACK_HELPERS = Path(__file__).resolve().parent.parent / "slack"
if str(SLACK_HELPERS) not in sys.path:
    sys.path.insert(0, str(SLACK_HELPERS))  # fake_slack, slack_requests, slack_harness

"""The manifest asks Slack for what the app listens to, and nothing needs a second edit."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.config import PROJECT_ROOT

MANIFEST = yaml.safe_load((PROJECT_ROOT / "manifest.yaml").read_text())


def test_events_commands_and_interactivity() -> None:
    events = set(MANIFEST["settings"]["event_subscriptions"]["bot_events"])
    assert {
        "app_mention",
        "message.im",
        "message.channels",
        "app_home_opened",
        "assistant_thread_started",
    } <= events
    assert [c["command"] for c in MANIFEST["features"]["slash_commands"]] == ["/capex"]
    assert MANIFEST["settings"]["interactivity"]["is_enabled"]
    assert MANIFEST["features"]["app_home"]["home_tab_enabled"]
    assert "assistant_view" in MANIFEST["features"]


def test_scopes_cover_the_calls_the_app_makes() -> None:
    scopes = set(MANIFEST["oauth_config"]["scopes"]["bot"])
    assert {
        "app_mentions:read",
        "chat:write",
        "commands",
        "im:history",
        "assistant:write",
        "reactions:write",  # the working reaction on a mention
        # conversations.history / replies: a replay reads its own posts back (bot/slack/posts.py)
        "channels:history",
        "groups:history",
        "mpim:history",
    } <= scopes


def test_every_url_is_the_bolt_events_path() -> None:
    urls = [
        MANIFEST["settings"]["event_subscriptions"]["request_url"],
        MANIFEST["settings"]["interactivity"]["request_url"],
        *(c["url"] for c in MANIFEST["features"]["slash_commands"]),
    ]
    assert {Path(u).name for u in urls} == {"events"} and all(
        u.endswith("/slack/events") for u in urls
    )

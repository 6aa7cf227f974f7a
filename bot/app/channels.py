"""How the bot behaves in each channel: read it, and let a finance admin set it. Free of Slack.

A channel's mode is the one a finance admin last set (stored, append-only, so who set what
and when is the audit log); until then the configuration's default: every spend question in
``CAPEXBOT_WATCHED_CHANNELS``, mentions only elsewhere.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from bot.app.access import Access
from bot.core.channels import ChannelMode, ChannelSetting
from bot.storage import Store

log = logging.getLogger(__name__)


class Channels:
    def __init__(self, store: Store, access: Access, watched: Iterable[str]) -> None:
        self.store = store
        self.access = access
        self.watched = frozenset(watched)

    def mode_of(self, channel: str) -> ChannelSetting:
        """The channel's mode: as set in Slack, else the configured default."""
        stored = self.store.channel_mode(channel)
        if stored is not None:
            return stored
        return ChannelSetting(
            channel=channel, mode="all" if channel in self.watched else "mentions"
        )

    def set(self, channel: str, user: str, mode: ChannelMode) -> ChannelSetting:
        """Set the channel's mode; :class:`~bot.errors.NotAllowed` unless ``user`` is a finance
        admin."""
        self.access.check_finance_admin(user)
        setting = self.store.set_channel_mode(channel, mode, user)
        log.info("channel %s set to %s by %s", channel, mode, user)
        return setting

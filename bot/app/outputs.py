"""The finance outputs' queries: a decision's memo, the export tables, the monthly digest.

The memo is built only from the stored record; who may have it (the person who asked, and
the approvers) is decided in :mod:`bot.app.access`. Export and digest read every request:
they are for the finance team's own tools (the command line, a scheduled post).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from bot.app.access import NOT_YOURS, Access
from bot.config import Config
from bot.core import Policy
from bot.errors import NotAllowed
from bot.finance.digest import Digest, build_digest
from bot.finance.export import ExportOptions, Sheet, build_sheets
from bot.finance.memo import Memo, MemoOptions, build_memo
from bot.finance.records import load
from bot.storage import Store


class Outputs:
    def __init__(self, store: Store, access: Access, policy: Policy, config: Config) -> None:
        self.store = store
        self.access = access
        self.policy = policy
        self.config = config
        self.options = MemoOptions.from_config(config)

    def memo(self, ref: str, start: date | None = None) -> Memo:
        """The memo of decision ``12`` or request ``CX-00012``; :class:`NotFound` if none.

        ``start`` fixes the first month of depreciation (default: as answered).
        """
        options = self.options if start is None else replace(self.options, start=start)
        return build_memo(load(self.store, ref), options)

    def memo_for(self, decision_id: int, user: str) -> Memo:
        """The memo for ``user``, who must have asked the question or be an approver."""
        stored = load(self.store, str(decision_id))
        if not self.access.may_see(user, stored.record.user_id):
            raise NotAllowed(NOT_YOURS)
        return build_memo(stored, self.options)

    def sheets(self, since: datetime | None, until: datetime | None) -> list[Sheet]:
        """Decisions and requests recorded in [since, until), and their approved CapEx lines."""
        options = ExportOptions(self.options.depreciation_start, self.policy.settings.base_currency)
        return build_sheets(self.store, options, since, until)

    def digest(self, month: date, today: date) -> Digest:
        """The digest of ``month`` as it stands ``today``."""
        return build_digest(self.store, self.policy, month, today, self.config.pilot_cloud_monthly)

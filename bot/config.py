"""Configuration from environment variables (``CAPEXBOT_*``); CLI options override them.

Where the policy and the state live by default depends on how the package runs. From a checkout
(the editable install ``make`` makes, the tests): the repository's top-level ``rules/`` and
``knowledge/``, and ``data/`` beside them. From a built wheel (``pip install`` of the package,
the Docker image): the copies of ``rules/`` and ``knowledge/`` the wheel carries in
``bot/defaults/`` (read only), and the state in the user's data folder
(``$XDG_DATA_HOME/capexbot``, else ``~/.local/share/capexbot``), never inside site-packages.
"""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_DIR.parent
#: The example policy a built wheel carries (pyproject.toml copies the repository's ``rules/``
#: and ``knowledge/`` here at build time); absent in a checkout, where the originals are used.
BUNDLED_DEFAULTS = PACKAGE_DIR / "defaults"


def installed() -> bool:
    """Running from a built wheel rather than from a checkout of the repository."""
    return BUNDLED_DEFAULTS.is_dir()


def _policy_root() -> Path:
    return BUNDLED_DEFAULTS if installed() else PROJECT_ROOT


def _default_data_dir() -> Path:
    """``data/`` in a checkout; the user's data folder (XDG base directories) when installed."""
    if not installed():
        return PROJECT_ROOT / "data"
    xdg = os.environ.get("XDG_DATA_HOME", "")
    base = Path(xdg) if os.path.isabs(xdg) else Path.home() / ".local" / "share"
    return base / "capexbot"


def _slack(name: str) -> AliasChoices:
    return AliasChoices(name, f"CAPEXBOT_{name}")


class Config(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CAPEXBOT_", extra="ignore")

    rules_dir: Path = Field(default_factory=lambda: _policy_root() / "rules")
    knowledge_dir: Path = Field(default_factory=lambda: _policy_root() / "knowledge")
    data_dir: Path = Field(default_factory=_default_data_dir)

    # State and audit trail: SQLite under data_dir unless a SQLAlchemy URL is given.
    database_url: str | None = None
    #: A Chroma server (``http://chroma:8000``) for the policy vectors, shared by every replica,
    #: instead of a store under the data folder.
    chroma_url: str | None = None

    # Slack. The tokens keep Slack's usual names; CAPEXBOT_-prefixed names work too.
    slack_bot_token: str | None = Field(default=None, validation_alias=_slack("SLACK_BOT_TOKEN"))
    slack_signing_secret: str | None = Field(
        default=None, validation_alias=_slack("SLACK_SIGNING_SECRET")
    )
    slack_app_token: str | None = Field(default=None, validation_alias=_slack("SLACK_APP_TOKEN"))
    slack_api_url: str = Field(
        default="https://slack.com/api/", validation_alias=_slack("SLACK_API_URL")
    )
    #: Retired: who approves is set per role in rules/policy.yaml (``approvers_by_role``);
    #: a value here stops the bot with that advice rather than being silently ignored.
    approvers: str | None = None
    #: Channel id where requests above the finance threshold are posted for approval.
    finance_channel: str | None = None
    #: Channel ids where every message (not only @mentions) is answered (comma-separated).
    watched_channels: Annotated[list[str], NoDecode] = Field(default_factory=list)
    #: The workspace (team id, ``T…``) this app serves; requests for any other are refused.
    slack_team_id: str | None = Field(default=None, validation_alias=_slack("SLACK_TEAM_ID"))

    # Running several replicas: durable work and operations.
    #: Where a replica keeps deliveries it acknowledged while the database was unreachable
    #: (default: ``spool`` under the data folder).
    spool_dir: Path | None = None
    #: Seconds after which an acknowledged delivery nobody took is answered by the recovery sweep.
    recover_after: float = Field(default=5.0, gt=0)
    #: Seconds a replica's hold on a delivery lasts unless renewed (its sweep renews it); when
    #: a replica dies, another takes its deliveries over after this long.
    work_lease: float = Field(default=15.0, gt=0)
    #: Seconds between two recovery sweeps (0: no sweep).
    sweep_interval: float = Field(default=2.0, ge=0)
    #: Logs: ``json`` (one object a line, with the request id) or ``text``; and the level.
    log_format: Literal["json", "text"] = "json"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    #: HTTP mode: seconds a connection may stay silent (mid-request or idle) before it is closed.
    http_read_timeout: int = Field(default=30, ge=1)
    #: HTTP mode: the port Slack posts to (``/slack/events``); ``--port`` overrides it.
    port: int = Field(default=3000, ge=1, le=65535)

    # Finance outputs: depreciation schedules, memos, the monthly digest.
    #: First month of straight-line depreciation: the decision's month (this_month), the month
    #: after it (next_month), or a fixed month (YYYY-MM) for planning.
    depreciation_start: str = Field(
        default="next_month", pattern=r"^(this_month|next_month|\d{4}-(0[1-9]|1[0-2]))$"
    )
    #: The month (1-12) the fiscal year starts in; "year one" is the fiscal year of the first
    #: month of depreciation.
    fiscal_year_start_month: int = Field(default=1, ge=1, le=12)
    #: Recurring cloud spend (base currency, a month) above which an experiment looks like
    #: production in the monthly digest.
    pilot_cloud_monthly: Decimal = Field(default=Decimal(5000), ge=0)

    #: Optional language model, off when unset: a name for LangChain's init_chat_model, e.g.
    #: "openai:gpt-4o-mini" (the provider's package and its own environment variables needed).
    llm_model: str | None = None

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("approvers")
    @classmethod
    def _retired(cls, value: str | None) -> None:
        if value is not None:
            raise ValueError("approvers are set per role in rules/policy.yaml")

    @field_validator("watched_channels", mode="before")
    @classmethod
    def _comma_list(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @property
    def spool_folder(self) -> Path:
        return self.spool_dir or self.data_dir / "spool"

    @property
    def database(self) -> str:
        """The SQLAlchemy URL of the state database."""
        if self.database_url:
            return self.database_url
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{self.data_dir / 'capexbot.db'}"

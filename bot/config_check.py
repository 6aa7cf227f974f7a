"""Configuration mistakes found before anything starts, each told in one line that names the
environment variable and the fix (rather than the traceback of whatever tripped over it later).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from pydantic import AliasChoices, ValidationError

from bot.config import Config

#: What a valid value looks like, for the settings whose own message does not say.
_FIXES = {
    "depreciation_start": "use this_month, next_month or a month as YYYY-MM",
    "log_level": "use DEBUG, INFO, WARNING or ERROR",
    "log_format": "use json or text",
    "fiscal_year_start_month": "use a month number, 1 to 12",
    "approvers": (
        "it is no longer read; list each approver role's Slack user ids under "
        "approvers_by_role in rules/policy.yaml (§10.1) and remove this variable"
    ),
    "watched_channels": "use Slack channel ids separated by commas",
}


class ConfigurationError(Exception):
    """One or more configuration mistakes; ``str()`` is one line for each."""


def load_config() -> Config:
    """The configuration from the environment, or :class:`ConfigurationError`."""
    try:
        return Config()
    except ValidationError as exc:
        raise ConfigurationError("\n".join(_lines(exc))) from None


def check_state(config: Config) -> None:
    """The folders the app writes to and the database URL, or :class:`ConfigurationError`."""
    problems = [
        *_writable("CAPEXBOT_DATA_DIR", config.data_dir),
        *([] if config.spool_dir is None else _writable("CAPEXBOT_SPOOL_DIR", config.spool_dir)),
        *_database(config.database_url),
    ]
    if problems:
        raise ConfigurationError("\n".join(problems))


def variable(field: str) -> str:
    """The environment variable a setting is read from."""
    alias = Config.model_fields[field].validation_alias
    if isinstance(alias, AliasChoices) and isinstance(alias.choices[0], str):
        return alias.choices[0]
    return f"CAPEXBOT_{field.upper()}"


def _lines(error: ValidationError) -> list[str]:
    lines = []
    for problem in error.errors():
        field = str(problem["loc"][0]) if problem["loc"] else ""
        if field not in Config.model_fields:
            lines.append(f"configuration: {problem['msg']}")
            continue
        fix = _FIXES.get(field, problem["msg"].lower())
        value = problem.get("input")
        shown = f"={value!r}" if isinstance(value, str) and "token" not in field else ""
        lines.append(f"{variable(field)}{shown} is not valid: {fix}.")
    return lines


def _writable(name: str, folder: Path) -> list[str]:
    """A folder that exists and takes files, or whose nearest existing parent does."""
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        what = "is a file" if existing == folder else f"is under a file ({existing})"
        return [f"{name}={folder} {what}, not a folder: point it at a folder the bot may write to."]
    try:
        with tempfile.TemporaryFile(dir=existing):
            pass
    except OSError as exc:
        return [
            f"{name}={folder}: the bot cannot write there ({exc.strerror or exc}): "
            "point it at a folder the bot may write to."
        ]
    return []


def _database(url: str | None) -> list[str]:
    if not url:
        return []
    name = "CAPEXBOT_DATABASE_URL"
    example = "e.g. postgresql+psycopg://user@host/db or sqlite:////var/lib/capexbot/capexbot.db"
    # SQLAlchemy is imported only to check a URL someone set: `ask` and `check` start without it
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    try:
        parsed = make_url(url)
        parsed.get_dialect()
    except NoSuchModuleError:  # (an ArgumentError too)
        return [f"{name} names a database this install has no driver for: {example}."]
    except (ArgumentError, ValueError):
        return [f"{name} is not a database URL: {example}."]
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        return _writable(name, Path(parsed.database).parent)
    return []

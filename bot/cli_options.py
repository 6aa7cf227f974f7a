"""The options every ``capexbot`` command takes, and the configuration they make.

Each setting comes from the environment (``CAPEXBOT_*``, read by :class:`bot.config.Config`);
an option given on the command line wins over it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.config import Config
from bot.config_check import ConfigurationError, check_state, load_config

RulesOption = Annotated[
    Path | None,
    typer.Option("--rules-dir", help="Policy rules folder [env: CAPEXBOT_RULES_DIR]"),
]
KnowledgeOption = Annotated[
    Path | None,
    typer.Option("--knowledge-dir", help="Policy documents folder [env: CAPEXBOT_KNOWLEDGE_DIR]"),
]
DataOption = Annotated[
    Path | None,
    typer.Option(
        "--data-dir", help="State folder: database and knowledge index [env: CAPEXBOT_DATA_DIR]"
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def config_for(
    rules_dir: Path | None = None,
    knowledge_dir: Path | None = None,
    data_dir: Path | None = None,
    *,
    state: bool = True,
) -> Config:
    """The configuration from the environment, with the folders given as options; or one line
    per mistake (naming the variable and the fix) and exit code 2. ``state``: the command
    writes state, so the data folder and the database must be usable."""
    given = {"rules_dir": rules_dir, "knowledge_dir": knowledge_dir, "data_dir": data_dir}
    try:
        config = load_config().model_copy(
            update={name: path for name, path in given.items() if path}
        )
        if state:
            check_state(config)
    except ConfigurationError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    return config


def fail(message: str) -> typer.Exit:
    """The message on stderr and exit status 2: what every command does with a refusal."""
    typer.echo(message, err=True)
    return typer.Exit(2)

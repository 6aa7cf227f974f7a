"""Configuration from environment variables (``CAPEXBOT_*``); CLI options override them."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Config(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CAPEXBOT_", extra="ignore")

    rules_dir: Path = PROJECT_ROOT / "rules"
    knowledge_dir: Path = PROJECT_ROOT / "knowledge"
    data_dir: Path = PROJECT_ROOT / "data"

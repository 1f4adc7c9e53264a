"""Every setting the bot reads from the environment, in one place (documented in README.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from platformdirs import user_data_dir
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_API_URL = "https://api.telegram.org"


def default_database_url() -> str:
    data_dir = Path(user_data_dir("odop-saathi", appauthor=False))
    return f"sqlite:///{data_dir / 'saathi.db'}"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: SecretStr | None = Field(default=None)
    telegram_api_url: str = DEFAULT_API_URL
    database_url: str = Field(default_factory=default_database_url)
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    timezone: str = "Asia/Kolkata"
    log_level: str = "INFO"
    # Webhook mode (polling when WEBHOOK_URL is empty).
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    host: str = "0.0.0.0"
    port: int = 8443
    # Processed update ids are kept this long to drop redeliveries, then pruned.
    processed_update_retention_hours: int = 48
    # The outbox (bulk notices): messages/s overall, seconds between two messages to one chat,
    # messages/s for paid broadcasts (Telegram's allow_paid_broadcast), attempts per message.
    outbox_rate: float = Field(default=28.0, gt=0, le=1000)
    outbox_per_chat_interval: float = Field(default=1.0, ge=0)
    outbox_paid_rate: float = Field(default=1000.0, gt=0, le=1000)
    outbox_max_attempts: int = Field(default=5, ge=1)
    # Several processes on one PostgreSQL (bot/inbox.py): with INBOX_WORKERS > 0, received
    # updates are stored in the inbox and handled from there by that many concurrent turns per
    # process; RECEIVE_UPDATES=false makes a process a worker only (no polling, no webhook).
    inbox_workers: int = Field(default=0, ge=0, le=64)
    receive_updates: bool = True

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p for p in value.replace(";", ",").replace(" ", ",").split(",") if p]
            return frozenset(int(p) for p in parts)
        if isinstance(value, int):
            return frozenset({value})
        return value

    @model_validator(mode="after")
    def _something_takes_updates(self) -> Settings:
        if not self.receive_updates and self.inbox_workers == 0:
            raise ValueError(
                "RECEIVE_UPDATES=false needs INBOX_WORKERS of at least 1 (or the process does nothing)"
            )
        return self

    @field_validator("telegram_api_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @property
    def database_is_default(self) -> bool:
        return self.database_url == default_database_url()

    @property
    def token(self) -> str | None:
        return self.telegram_bot_token.get_secret_value() if self.telegram_bot_token else None

"""The migrations build exactly the schema the models describe (on SQLite and PostgreSQL)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine
from sqlmodel import SQLModel

import models  # noqa: F401 - every table registered with the metadata
from bot import db as dbmod


def test_head_schema_matches_the_models(db_url: str) -> None:
    _, sync_url = dbmod._driver_urls(db_url)
    engine = create_engine(sync_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            differences = compare_metadata(context, SQLModel.metadata)
    finally:
        engine.dispose()
    assert differences == [], "a model and the migrations disagree; add a migration:\n" + "\n".join(
        map(str, differences)
    )
    assert dbmod.current_revision(db_url) == dbmod.head_revision()

"""The Alembic migrations build exactly the schema the models describe."""

import os
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, text

from compete import create_app
from compete.extensions import db


def migrated_differences(url: str) -> list:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "t", "TESTING": True})
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), db.metadata)
        downgrade(revision="base")
        with db.engine.connect() as connection:
            remaining = set(db.inspect(connection).get_table_names()) - {"alembic_version"}
        db.session.remove()
        db.engine.dispose()
    assert remaining == set(), "downgrade to base left tables behind"
    return differences


def test_migrations_match_the_models_on_sqlite(tmp_path):
    assert migrated_differences(f"sqlite:///{tmp_path}/migrated.sqlite3") == []


@pytest.mark.skipif(
    not os.environ.get("COMPETE_TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="runs when COMPETE_TEST_DATABASE_URL names a PostgreSQL server",
)
def test_migrations_match_the_models_on_postgresql():
    server_url = os.environ["COMPETE_TEST_DATABASE_URL"]
    name = f"compete_migrations_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        assert migrated_differences(server_url.rsplit("/", 1)[0] + f"/{name}") == []
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()

"""The databases a bench runs on: SQLite always, PostgreSQL when one answers (its tables are dropped and created)."""

import os

PG_URL = os.environ.get("COMPETE_BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def postgres_answers() -> bool:
    try:
        from sqlalchemy import create_engine, text

        engine = create_engine(PG_URL)
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
        return True
    except Exception:
        return False

"""Results at scale: ranking an event of 1,000 competitors × 30 criteria × 5 judges (150,000 marks) from the
database, and the public results page of a 100-event competition served from its published snapshot.

Each figure is a median of several runs, printed beside a floor measured in the same run: for ranking, fetching
the same 150,000 marks as bare rows; for the public page, the app's trivial route (the static OpenAPI document).
Targets: ranking under 1 s; the public page under 50 ms.

Run: .venv/bin/python bench/results_load.py [--runs 5]   (SQLite, and PostgreSQL when it answers; its tables
are dropped and created again: set COMPETE_BENCH_DATABASE_URL to use another database than the test one)
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "examples"))

from databases import PG_URL, postgres_answers  # noqa: E402  (beside this script)


def median_seconds(action, runs: int) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def bench(label: str, url: str, runs: int) -> dict:
    import generate
    from sqlalchemy import select, text

    from compete import create_app
    from compete.competitions.models import Event
    from compete.extensions import db
    from compete.results.compute import event_results
    from compete.scenarios import loader
    from tests.factories import make_user

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False})
    figures = {"database": label}
    with app.test_request_context():
        db.drop_all()
        db.create_all()
        owner = make_user("organizer")
        started = time.perf_counter()
        big_id = loader.load(generate.large(), owner)
        db.session.commit()
        figures["load 150,000 marks s"] = time.perf_counter() - started
        event = db.session.scalar(select(Event).where(Event.competition_id == big_id))
        marks_query = text("SELECT station_number, criterion_id, value FROM marks WHERE event_id = :e")

        def bare_rows():
            rows = db.session.execute(marks_query, {"e": event.id}).all()
            assert len(rows) > 140_000

        def rank():
            assert event_results(event).ranked_entrants > 900

        figures["fetch marks s"] = median_seconds(bare_rows, runs)
        figures["rank event s"] = median_seconds(rank, runs)
        started = time.perf_counter()
        wide_id = loader.load(generate.large(events=100, competitors=12), owner, finalize=True)
        db.session.commit()
        figures["load 100 events s"] = time.perf_counter() - started
        db.session.remove()
    client = app.test_client()
    for path in (f"/results/{wide_id}", "/api/v1/openapi.json"):
        assert client.get(path).status_code == 200  # warm: the first request renders and caches the snapshot
    figures["public page ms"] = median_seconds(lambda: client.get(f"/results/{wide_id}"), runs * 4) * 1000
    figures["trivial route ms"] = median_seconds(lambda: client.get("/api/v1/openapi.json"), runs * 4) * 1000
    with app.app_context():
        db.engine.dispose()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="compete-results-")
    runs = [("SQLite", f"sqlite:///{folder}/results.sqlite3")]
    if postgres_answers():
        runs.append(("PostgreSQL", PG_URL))
    results = [bench(label, url, args.runs) for label, url in runs]
    shutil.rmtree(folder, ignore_errors=True)
    keys = [key for key in results[0] if key != "database"]
    print(f"\nmedians of {args.runs} runs (public page: {args.runs * 4}), Flask test client, one process\n")
    print(f"{'':<24}" + "".join(f"{r['database']:>14}" for r in results))
    for key in keys:
        print(f"{key:<24}" + "".join(f"{r[key]:>14.3f}" for r in results))
    for r in results:
        print(
            f"{r['database']}: ranking is {r['rank event s'] / r['fetch marks s']:.1f}× the bare fetch "
            f"(target < 1 s: {'met' if r['rank event s'] < 1 else 'NOT met'}); the public page is "
            f"{r['public page ms'] / r['trivial route ms']:.1f}× the trivial route "
            f"(target < 50 ms: {'met' if r['public page ms'] < 50 else 'NOT met'})"
        )


if __name__ == "__main__":
    main()

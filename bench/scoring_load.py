"""Mark entry under load: N tablets sign in by their judges' links and enter a whole event's marks at once.

A real server (gunicorn, several sync workers) serves a fresh database on SQLite and, when one answers,
on PostgreSQL. Each simulated tablet is a thread with its own session: it opens its badge link, loads a
station's page for the CSRF token, then PUTs its marks; a share of the PUTs is sent twice with the same
key, as a tablet does when an answer is lost. At the end the database is counted: every mark must be
stored exactly once (0 lost, 0 duplicated). The same server's throughput on a trivial route (the API's
static OpenAPI document) is measured in the same run as the ceiling.

Run: .venv/bin/python bench/scoring_load.py [--tablets 100] [--workers 4] [--retry-share 0.1] [--databases postgresql]
PostgreSQL: set COMPETE_BENCH_DATABASE_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/test,
used only when it answers; its tables are dropped and created again).
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from databases import PG_URL, postgres_answers  # noqa: E402  (beside this script)

JUDGES_PER_STATION = 5
CRITERIA = (
    ("A1", "measurement", "20", "0.5"),
    ("A2", "measurement", "30", "0.5"),
    ("A3", "measurement", "30", "1"),
    ("B1", "judgement", "10", "1"),
    ("B2", "judgement", "10", "1"),
)


@dataclass
class Tablet:
    link: str
    stations: list[int]
    cookie: str = ""
    csrf: str = ""


@dataclass
class Run:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    sent: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def seed(database_url: str, tablets: int) -> tuple[list[Tablet], dict[int, int], int]:
    """An event with one station per tablet; each judge marks five stations. Returns tablets, criteria, event."""
    from compete import create_app
    from compete.accounts.models import Role
    from compete.competitions import services as competitions
    from compete.extensions import db
    from compete.people.models import Gender, Person
    from compete.registration.models import Registration, RegistrationSource, RegistrationStatus
    from compete.rules import idcard
    from compete.venue import judging
    from compete.venue import services as venue
    from compete.venue.models import DrawStage, PanelRole
    from tests.factories import competition_values, event_values, make_user

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False})
    with app.test_request_context():
        db.drop_all()
        db.create_all()
        organizer = make_user("organizer")
        supervisor = make_user("supervisor", Role.SUPERVISOR)
        from compete.columns import local_now

        today = local_now().date()
        competition = competitions.create_competition(
            organizer, competition_values(starts_on=today, ends_on=today, year=today.year)
        )
        event = competitions.create_event(
            organizer,
            competition,
            event_values(
                registration_opens_at=None,
                registration_closes_at=None,
                capacity=None,
                judges_per_station=JUDGES_PER_STATION,
            ),
        )
        competitions.replace_marking_scheme(
            organizer,
            event,
            [{"code": c, "name": c, "kind": k, "max_mark": Decimal(m), "step": Decimal(s)} for c, k, m, s in CRITERIA],
        )

        def person(index: int) -> Person:
            body = f"32130219900307{index:03d}" if index < 1000 else f"3213021991{index:07d}"[:17]
            card = idcard.parse(body + idcard.check_character(body))
            created = Person(
                name=f"人{index}", id_number=card.number, gender=Gender(card.gender), birth_date=card.birth_date
            )
            db.session.add(created)
            return created

        for index in range(tablets):
            db.session.add(
                Registration(
                    event=event,
                    person=person(index),
                    status=RegistrationStatus.APPROVED,
                    source=RegistrationSource.ORGANIZER,
                )
            )
        db.session.flush()
        for entry in venue.entries(event):
            venue.check_in(organizer, event, entry)
        venue.close_check_in(organizer, event)
        venue.run_draw(organizer, event, DrawStage.COMPETITOR_NUMBERS, supervisor)
        venue.run_draw(organizer, event, DrawStage.STATIONS, supervisor)
        judges = [judging.add_judge(organizer, person(500 + index), occupations="焊工") for index in range(tablets)]
        for judge in judges:
            judging.seat_judge(organizer, event, judge, PanelRole.JUDGE)
        teams = {
            station: tuple(judges[(station - 1 + k) % tablets].id for k in range(JUDGES_PER_STATION))
            for station in range(1, tablets + 1)
        }
        judging.assign_station_judges(organizer, event, teams)
        result = []
        for judge in judges:
            link = judging.issue_link(organizer, event, judge)
            result.append(Tablet(f"/judge/link/{link.token}", judging.stations_of(judge, event)))
        criteria = {c.id: c for c in event.criteria}
        db.session.commit()
        kinds = {cid: str(c.kind) for cid, c in criteria.items()}
        event_id = event.id
        db.session.remove()
        db.engine.dispose()
    return result, kinds, event_id


def request(port: int, method: str, path: str, *, body: bytes | None = None, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.getheader("Set-Cookie") or "", response.read()
    finally:
        connection.close()


def sign_in(port: int, tablet: Tablet) -> None:
    _status, cookie, _body = request(port, "GET", tablet.link)
    tablet.cookie = cookie.split(";", 1)[0]
    _status, cookie, page = request(
        port, "GET", f"/judge/stations/{tablet.stations[0]}", headers={"Cookie": tablet.cookie}
    )
    # The page puts the CSRF token in the session, so the session cookie changes with it.
    tablet.cookie = cookie.split(";", 1)[0] if cookie else tablet.cookie
    tablet.csrf = re.search(rb'data-csrf="([^"]+)"', page)[1].decode()


def enter_marks(port: int, tablet: Tablet, kinds: dict[int, str], args, run: Run, rng: random.Random, start: float):
    """One judge's marks. Paced: the judge types a mark every `pace` seconds, and a mark's latency runs from the
    moment it was typed to its answer, so time spent waiting behind a slow answer counts. Flat out: no pause."""
    headers = {"Cookie": tablet.cookie, "X-CSRFToken": tablet.csrf, "Content-Type": "application/json"}
    typed_at = start
    for station in tablet.stations:
        for criterion_id, kind in kinds.items():
            value = str(rng.randint(0, 3)) if kind == "judgement" else str(rng.randint(0, 20))
            body = f'{{"value": "{value}", "base_version": 0, "key": "{uuid.uuid4()}"}}'.encode()
            if args.pace:
                time.sleep(max(0.0, typed_at - time.time()))
            else:
                typed_at = time.time()
            sends = 2 if rng.random() < args.retry_share else 1
            for _ in range(sends):
                status, _cookie, answer = request(
                    port, "PUT", f"/api/v1/stations/{station}/marks/{criterion_id}", body=body, headers=headers
                )
                elapsed = time.time() - typed_at
                typed_at = time.time()  # a retry is measured from its own sending
                with run.lock:
                    run.latencies.append(elapsed)
                    run.sent += 1
                    if status != 200:
                        run.errors.append(f"{status} {answer[:120]!r}")
            typed_at += args.pace


def _client(port: int, tablets: list[Tablet], kinds: dict, args, first: int, start_at: float, spread: list[float]):
    """One client process: a thread per tablet, all starting together (paced tablets spread over one pause)."""
    run = Run()
    threads = [
        threading.Thread(
            target=enter_marks, args=(port, t, kinds, args, run, random.Random(first + i), start_at + spread[i])
        )
        for i, t in enumerate(tablets)
    ]
    time.sleep(max(0.0, start_at - time.time()))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return run.latencies, run.errors, run.sent


def enter_all(port: int, tablets: list[Tablet], kinds: dict, args) -> tuple[Run, float]:
    """The tablets spread over client processes, so that the client's own Python does not starve the server."""
    import multiprocessing

    processes = max(1, min(args.client_processes, len(tablets)))
    chunks = [tablets[index::processes] for index in range(processes)]
    offsets = [args.pace * index / len(tablets) for index in range(len(tablets))]
    spreads = [offsets[index::processes] for index in range(processes)]
    start_at = time.time() + 1.0
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        waiting = [
            pool.apply_async(_client, (port, chunk, kinds, args, index * 10_000, start_at, spreads[index]))
            for index, chunk in enumerate(chunks)
        ]
        answers = [result.get() for result in waiting]
    elapsed = time.time() - start_at
    run = Run()
    for latencies, errors, sent in answers:
        run.latencies += latencies
        run.errors += errors
        run.sent += sent
    return run, elapsed


def server_cpu_seconds(master_pid: int) -> float:
    """User and system CPU time of gunicorn's workers so far, from /proc (Linux)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    for pid in [str(master_pid), *children]:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def ceiling(port: int, seconds: float, threads: int) -> float:
    """Requests per second on the static OpenAPI document: the same server doing (almost) nothing."""
    count, stop, lock = [0], time.perf_counter() + seconds, threading.Lock()

    def hammer():
        while time.perf_counter() < stop:
            request(port, "GET", "/api/v1/openapi.json")
            with lock:
                count[0] += 1

    workers = [threading.Thread(target=hammer) for _ in range(threads)]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return count[0] / (time.perf_counter() - started)


def count_stored(database_url: str, event_id: int) -> tuple[int, int]:
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url.replace("sqlite:///", "sqlite:///", 1))
    with engine.connect() as connection:
        marks = connection.execute(text("SELECT count(*) FROM marks WHERE event_id = :e"), {"e": event_id}).scalar()
        versions = connection.execute(
            text(
                "SELECT count(*) FROM mark_versions JOIN marks ON marks.id = mark_versions.mark_id "
                "WHERE marks.event_id = :e"
            ),
            {"e": event_id},
        ).scalar()
    engine.dispose()
    return marks, versions


def bench(label: str, database_url: str, args) -> dict:
    tablets, kinds, event_id = seed(database_url, args.tablets)
    port = free_port()
    environment = dict(
        os.environ,
        COMPETE_DATABASE_URL=database_url,
        COMPETE_SECRET_KEY="bench",
        COMPETE_LOGIN_RATE_LIMIT="100000 per minute",
    )
    environment.pop("COMPETE_REDIS_URL", None)
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "--workers",
            str(args.workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=environment,
    )
    try:
        for _ in range(100):
            try:
                request(port, "GET", "/api/v1/openapi.json")
                break
            except OSError:
                time.sleep(0.1)
        for tablet in tablets:
            sign_in(port, tablet)
        cpu_before = server_cpu_seconds(server.pid)
        run, elapsed = enter_all(port, tablets, kinds, args)
        cpu = server_cpu_seconds(server.pid) - cpu_before
        top = ceiling(port, 5.0, args.tablets)
    finally:
        server.terminate()
        server.wait(timeout=30)
    expected = sum(len(t.stations) for t in tablets) * len(kinds)
    marks, versions = count_stored(database_url, event_id)
    latencies = sorted(run.latencies)
    return {
        "database": label,
        "tablets": args.tablets,
        "marks": expected,
        "requests": run.sent,
        "seconds": elapsed,
        "marks/s": expected / elapsed,
        "requests/s": run.sent / elapsed,
        "p50 ms": statistics.median(latencies) * 1000,
        "p95 ms": latencies[int(len(latencies) * 0.95) - 1] * 1000,
        "ceiling req/s": top,
        "lost": expected - marks,
        "duplicated": versions - marks,
        "server CPU ms/mark": cpu * 1000 / expected,
        "errors": len(run.errors),
        "first error": run.errors[0] if run.errors else "",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tablets", type=int, default=100)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--retry-share", type=float, default=0.1)
    parser.add_argument("--client-processes", type=int, default=4)
    parser.add_argument(
        "--pace", type=float, default=0.3, help="seconds between a paced judge's marks (0.3: 100 tablets offer 333/s)"
    )
    parser.add_argument(
        "--databases", default="sqlite,postgresql", help="which to measure, comma-separated: sqlite, postgresql"
    )
    args = parser.parse_args()
    chosen = set(args.databases.split(","))
    folder = tempfile.mkdtemp(prefix="compete-load-")
    runs = [("SQLite", f"sqlite:///{folder}/load.sqlite3")] if "sqlite" in chosen else []
    if "postgresql" in chosen and postgres_answers():
        runs.append(("PostgreSQL", PG_URL))
    elif "postgresql" in chosen:
        print(f"PostgreSQL at {PG_URL} does not answer: it is not measured")
    # Paced: judges typing fast, one mark every --pace seconds each. Flat out: no pause, the server's limit.
    modes = [("paced", args.pace), ("flat out", 0.0)]
    results = []
    for label, url in runs:
        for mode, pace in modes:
            result = bench(label, url, argparse.Namespace(**(vars(args) | {"pace": pace})))
            results.append(result | {"database": f"{label} {mode}"})
    shutil.rmtree(folder, ignore_errors=True)
    print(
        f"\n{args.tablets} tablets, {JUDGES_PER_STATION} judges per station, {len(CRITERIA)} criteria, "
        f"gunicorn {args.workers} sync workers, {args.retry_share:.0%} of PUTs sent twice; "
        f"paced: a mark every {args.pace} s per tablet ({args.tablets / args.pace:.0f} marks/s offered), "
        "latency from typing to answer\n"
    )
    keys = [
        "marks",
        "requests",
        "seconds",
        "marks/s",
        "requests/s",
        "p50 ms",
        "p95 ms",
        "server CPU ms/mark",
        "ceiling req/s",
        "lost",
        "duplicated",
        "errors",
    ]
    print(f"{'':<20}" + "".join(f"{r['database']:>20}" for r in results))
    for key in keys:
        cells = "".join(f"{r[key]:>20.1f}" if isinstance(r[key], float) else f"{r[key]:>20}" for r in results)
        print(f"{key:<20}{cells}")
    for r in results:
        print(
            f"{r['database']}: marks/s is {r['requests/s'] / r['ceiling req/s']:.0%} of the trivial route's rate"
            + (f"; first error: {r['first error']}" if r["first error"] else "")
        )


if __name__ == "__main__":
    main()

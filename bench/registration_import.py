"""Registration import speed: read_registration_sheet on 10,000 rows against openpyxl's bare read-only iteration.

Target: 10,000 rows read in well under 2 s, and a 50,000-row sheet refused quickly (the default limit is
20,000 rows). The baseline, openpyxl's read-only iteration over the same bytes, is timed in the same run so
that the ratio holds when the machine's speed drifts. Each stage of the import is one function; a later
stage (matching persons, checking duplicates against the database) is added to STAGES.

Run: .venv/bin/python bench/registration_import.py
"""

from __future__ import annotations

import io
import platform
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import openpyxl
from openpyxl import Workbook, load_workbook

from compete.registration.spreadsheet import (
    DEFAULT_MAX_ROWS,
    SheetUnreadable,
    read_registration_sheet,
)
from tests.registration_sheets import HEADERS, build_sheet, many_rows

ROWS = 10_000
REFUSED_ROWS = 50_000
RUNS = 5


@dataclass
class Timing:
    label: str
    sheet: str
    rows: int
    seconds: list[float]
    peak_bytes: int | None = None

    @property
    def best(self) -> float:
        return min(self.seconds)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


def timed(label: str, sheet: str, rows: int, run: Callable[[], object], *, memory: bool = True) -> Timing:
    seconds = []
    for _ in range(RUNS):
        started = time.perf_counter()
        run()
        seconds.append(time.perf_counter() - started)
    peak = None
    if memory:
        # A separate run: tracemalloc slows Python down and would spoil the times.
        tracemalloc.start()
        run()
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return Timing(label, sheet, rows, seconds, peak)


# --- the sheets --------------------------------------------------------------------------------------------------


def inline_strings_sheet(rows: int) -> bytes:
    """As streaming writers save it (openpyxl write-only, many exports): every text in its cell."""
    return build_sheet(many_rows(rows))


def shared_strings_sheet(rows: int) -> bytes:
    """As Excel and WPS save it: texts in the shared-strings table, cells pointing into it."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "报名表"
    sheet.append(list(HEADERS))
    for row in many_rows(rows):
        sheet.append(row)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


# --- the stages --------------------------------------------------------------------------------------------------


def bare_openpyxl(data: bytes) -> int:
    """The baseline: openpyxl's read-only iteration over every value, nothing else."""
    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        count = 0
        for _row in workbook.worksheets[0].iter_rows(values_only=True):
            count += 1
        return count
    finally:
        workbook.close()


def stage_read(data: bytes) -> int:
    """Stage 1: the file-level work, read_registration_sheet."""
    reading = read_registration_sheet(data)
    if reading.errors:
        raise AssertionError(f"the bench sheet should be clean, got {len(reading.errors)} errors")
    return len(reading.rows)


_APP = None


def _bench_app():
    """An app on a fresh SQLite file with one event, and half the sheet's people already in the registry."""
    global _APP
    if _APP is None:
        import tempfile

        from compete import create_app
        from compete.extensions import db
        from compete.people.models import Gender, Person
        from compete.rules import idcard
        from tests.factories import make_competition, make_event, make_user

        folder = tempfile.mkdtemp(prefix="compete-bench-")
        _APP = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite3",
                "SECRET_KEY": "bench",
                "JOBS_RUNNER": "inline",  # the job's own work, timed without a thread's start-up
            }
        )
        _APP.instance_path = folder
        with _APP.test_request_context():
            db.create_all()
            organizer = make_user()
            make_event(organizer, make_competition(organizer))
            reading = read_registration_sheet(inline_strings_sheet(ROWS))
            for row in reading.rows[::2]:
                card = idcard.parse(row.values["id_number"])
                db.session.add(
                    Person(
                        name=row.values["name"],
                        id_number=card.number,
                        gender=Gender(card.gender),
                        birth_date=card.birth_date,
                    )
                )
            db.session.commit()
    return _APP


def stage_check(data: bytes) -> int:
    """Stage 2: the whole check an organizer waits for: the file, then every row against registry and event."""
    from compete.competitions.models import Event
    from compete.extensions import db
    from compete.registration.importing import check_import

    with _bench_app().test_request_context():
        event = db.session.scalar(db.select(Event))
        check = check_import(event, data)
        if check.errors:
            raise AssertionError(f"the bench sheet should be clean, got {check.errors[:3]}")
        return len(check.planned)


def stage_check_job(data: bytes) -> int:
    """Stage 3: the same check as a background job (what a big upload runs), with its progress writes."""
    import secrets

    from compete.accounts.models import User
    from compete.competitions.models import Event
    from compete.extensions import db
    from compete.jobs import runner
    from compete.jobs import services as jobs
    from compete.registration import importing
    from compete.registration import jobs as registration_jobs

    with _bench_app().test_request_context():
        event = db.session.scalar(db.select(Event))
        token = secrets.token_urlsafe(24)
        importing.upload_path(event, token).write_bytes(data)
        params = {"event_id": event.id, "token": token}
        job = jobs.create_job(db.session.scalar(db.select(User)), registration_jobs.CHECK, params, locale="zh_CN")
        db.session.commit()
        runner.start(job)
        db.session.refresh(job)
        if job.result is None or job.result["errors"]:
            raise AssertionError(f"the bench job should succeed on a clean sheet, got {job.state} {job.error}")
        return job.result["importable"]


# (label, function of the sheet's bytes) in import order.
STAGES: list[tuple[str, Callable[[bytes], object]]] = [
    ("read_registration_sheet", stage_read),
    ("check_import (file+registry)", stage_check),
    ("check as a background job", stage_check_job),
]


def refuse(data: bytes) -> None:
    try:
        read_registration_sheet(data)
    except SheetUnreadable:
        return
    raise AssertionError("a sheet over the limit was read")


# --- the table ---------------------------------------------------------------------------------------------------


def print_table(timings: list[Timing], ratios: list[tuple[str, str, float, float]]) -> None:
    print(f"{'sheet':<34}{'stage':<30}{'best s':>8}{'median s':>10}{'rows/s (median)':>17}{'peak MiB':>10}")
    print("-" * 109)
    for timing in timings:
        peak = f"{timing.peak_bytes / 2**20:.1f}" if timing.peak_bytes is not None else "-"
        rate = f"{timing.rows / timing.median:,.0f}"
        print(f"{timing.sheet:<34}{timing.label:<30}{timing.best:>8.3f}{timing.median:>10.3f}{rate:>17}{peak:>10}")
    print()
    print(f"{'sheet':<34}{'ratio':<42}{'best':>8}{'median':>10}")
    print("-" * 94)
    for sheet, label, best, median in ratios:
        print(f"{sheet:<34}{label:<42}{best:>8.2f}{median:>10.2f}")


def main() -> None:
    print(
        f"Registration import bench: Python {platform.python_version()}, openpyxl {openpyxl.__version__}, "
        f"{RUNS} runs each, best and median wall time (time.perf_counter); "
        f"peak memory by tracemalloc in one extra run."
    )
    print()
    timings: list[Timing] = []
    ratios: list[tuple[str, str, float, float]] = []
    for name, build in (
        ("inline strings", inline_strings_sheet),
        ("shared strings", shared_strings_sheet),
    ):
        data = build(ROWS)
        sheet = f"{name}, {ROWS:,} rows"
        bare = timed("bare openpyxl read-only", sheet, ROWS, lambda data=data: bare_openpyxl(data))
        timings.append(bare)
        for label, stage in STAGES:
            ours = timed(label, sheet, ROWS, lambda data=data, stage=stage: stage(data))
            timings.append(ours)
            ratios.append((sheet, f"{label} / bare", ours.best / bare.best, ours.median / bare.median))

    big = inline_strings_sheet(REFUSED_ROWS)
    sheet = f"{REFUSED_ROWS:,} rows (limit {DEFAULT_MAX_ROWS:,})"
    refused = timed("refused (SheetUnreadable)", sheet, REFUSED_ROWS, lambda: refuse(big))
    bare_big = timed("bare openpyxl read-only", sheet, REFUSED_ROWS, lambda: bare_openpyxl(big), memory=False)
    timings += [bare_big, refused]
    ratios.append((sheet, "refusal / bare", refused.best / bare_big.best, refused.median / bare_big.median))

    print_table(timings, ratios)
    print()
    print("inline strings: texts in their cells, as streaming writers save them; shared strings: as Excel and WPS do.")
    print("Peak memory of read_registration_sheet includes the rows it returns; the baseline keeps none.")


if __name__ == "__main__":
    main()

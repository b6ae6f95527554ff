"""Certificates at scale: a batch of 1,000 printed as one PDF, and a single certificate downloaded over HTTP.

Batch: a finalized competition of 1,000 competitors (examples/generate.py, loaded through the scenario loader), its
certificates issued, then printing.certificates_pdf on 1,000 of them, as the print job and `certificates print` do
(database rows to pages, QR codes, seal, layout in parts by this process and its helper processes, one PDF). Beside
it in the same run: WeasyPrint's layout alone of the same pages (weasyprint.HTML(string=one HTML of all the pages)
.render(), with the same image fetcher, which also draws the QR codes: ~0.3 ms a page); the same layout done as the
batch does it (parts of 50, one font configuration, the cyclic garbage collector off), one process; and the batch
printed by this process alone (no helpers). The PDF is read back with pdfinfo and pdffonts: page count, size, every
font embedded as a subset.
Single: GET /admin/certificates/<id>.pdf on gunicorn (one sync worker), signed in as the organizer, a different
certificate each time, against the trivial route (the static OpenAPI document) on the same server.

Targets: the batch in <= 10 s (>= 100 a second) and within 2x of layout alone; the PDF under 20 MB with its fonts
embedded and subset; a single certificate in <= 100 ms (median).

Run: .venv/bin/python bench/certificates.py [--certificates 1000] [--runs 3] [--requests 30]   (SQLite; other
processes on the machine slow the helpers most: the load average is printed before and after)
"""

from __future__ import annotations

import argparse
import gc
import http.client
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "examples"))

# Helper processes start by importing this file again (multiprocessing's spawn): everything else is imported
# inside the functions, so that they import only what a helper needs.


def make_app(database_url: str):
    from compete import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False})


def seed(database_url: str, competitors: int) -> tuple[int, float, float]:
    """A finalized competition with its certificates issued. Returns its id and the seconds to load and to issue."""
    import random

    import generate

    from compete.certificates import printing
    from compete.certificates import services as certificates
    from compete.competitions.models import Competition
    from compete.extensions import db
    from compete.scenarios import loader
    from tests.factories import make_user

    app = make_app(database_url)
    with app.test_request_context():
        db.drop_all()
        db.create_all()
        owner = make_user("organizer")
        scenario = {
            "competition": generate.competition("2026年宿迁市职业技能大赛（证书批量打印）"),
            # Marks matter here only as far as they give ranks, awards and promotions: 3 criteria × 3 judges.
            "events": [
                generate.event(
                    random.Random(2028),
                    "ZS01",
                    competitors=competitors,
                    criteria=3,
                    judges=3,
                    first=1000,
                    ties=5,
                    absent=0,
                )
            ],
        }
        started = time.perf_counter()
        competition_id = loader.load(scenario, owner, finalize=True)
        db.session.commit()
        loaded = time.perf_counter() - started
        started = time.perf_counter()
        with printing.url_context():
            certificates.issue_certificates(owner, db.session.get(Competition, competition_id))
        db.session.commit()
        issued = time.perf_counter() - started
        db.session.remove()
        db.engine.dispose()
    return competition_id, loaded, issued


def timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def busy_seconds() -> float:
    """CPU time the whole machine has spent busy so far (Linux /proc/stat), 0 where that cannot be read."""
    try:
        fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    except (OSError, ValueError):
        return 0.0
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def measured(action, runs: int) -> dict:
    """Median wall time of runs, with that run's CPU time (this process and the helpers it waited for) and the
    CPU time other processes took meanwhile: a busy machine explains a slow figure."""
    results = []
    for _ in range(runs):
        before, machine_before = os.times(), busy_seconds()
        wall = timed(action)
        after, machine = os.times(), busy_seconds() - machine_before
        cpu = sum(after[index] - before[index] for index in range(4))
        results.append({"s": wall, "cpu s": cpu, "others cpu s": max(0.0, machine - cpu)})
    return sorted(results, key=lambda result: result["s"])[len(results) // 2]


def batch(database_url: str, competition_id: int, count: int, runs: int, folder: str) -> dict:
    import weasyprint
    from flask import render_template

    from compete.certificates import artwork, printing, render
    from compete.certificates import services as certificates
    from compete.extensions import db

    app = make_app(database_url)
    figures: dict = {}
    with app.test_request_context():
        chosen = certificates.valid_certificates(competition_id=competition_id)[:count]
        assert len(chosen) == count, f"only {len(chosen)} certificates issued"
        printing.certificates_pdf(chosen[:2], title="warm")  # fonts and templates loaded once, as in a server
        reports: list[tuple[float, int]] = []
        pdf = b""

        def full():
            nonlocal pdf
            reports.clear()
            started = time.perf_counter()
            pdf = printing.certificates_pdf(
                chosen,
                title="bench",
                progress=lambda done, total: reports.append((time.perf_counter() - started, done)),
            )

        def alone():
            helpers, render.MAX_HELPERS = render.MAX_HELPERS, 0
            try:
                printing.certificates_pdf(chosen, title="bench")
            finally:
                render.MAX_HELPERS = helpers

        # The same pages as one HTML, laid out by WeasyPrint and nothing else: no database, no parts, no PDF.
        pages, styles = printing._pages((c.kind, c.content, c.number, c.token) for c in chosen)
        html = render_template(
            "certificates/certificate.html",
            certificates=pages,
            page_styles=styles,
            language="zh-CN",
            document_title="bench",
        )
        images = {url: image for style in styles for url, image in style.get("images", {}).items()}

        def layout_alone():
            document = weasyprint.HTML(string=html, url_fetcher=artwork.PageImages(images)).render()
            assert len(document.pages) == count

        # The same, as the batch lays out: in parts, one font configuration, the cyclic collector off.
        parts = [
            render_template(
                "certificates/certificate.html",
                certificates=pages[start : start + render.PART_SIZE],
                page_styles=styles,
                language="zh-CN",
                document_title="bench",
            )
            for start in range(0, count, render.PART_SIZE)
        ]

        def layout_in_parts():
            fonts = weasyprint.text.fonts.FontConfiguration()
            fetcher = artwork.PageImages(images)
            gc.disable()
            try:
                documents = [
                    weasyprint.HTML(string=part, url_fetcher=fetcher).render(font_config=fonts) for part in parts
                ]
            finally:
                gc.enable()
            assert sum(len(document.pages) for document in documents) == count

        for key, action in (
            ("batch", full),
            ("layout alone", layout_alone),
            ("layout in parts", layout_in_parts),
            ("one process", alone),
        ):
            figures[key] = measured(action, runs)
        figures["helpers"] = render._helper_count() if count >= render.PARALLEL_FROM_PAGES else 0
        figures["progress reports"] = len(reports)
        figures["first report s"] = reports[0][0] if reports else float("nan")
        assert reports and reports[-1][1] == count, reports[-3:]
        db.session.remove()
        db.engine.dispose()
    path = Path(folder) / "batch.pdf"
    path.write_bytes(pdf)
    figures.update(read_back(path))
    return figures


def read_back(path: Path) -> dict:
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    rows = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout.splitlines()[2:]
    fonts = [row.split() for row in rows]
    # name type... emb sub uni object generation: the flags are the 5th to 3rd columns from the end.
    return {
        "pages": int(re.search(r"^Pages:\s+(\d+)$", info, re.MULTILINE)[1]),
        "MB": path.stat().st_size / 1e6,
        "fonts": len(fonts),
        "fonts embedded and subset": sum(
            1 for row in fonts if row[-5:-3] == ["yes", "yes"] and re.fullmatch(r"[A-Z]{6}\+.+", row[0])
        ),
        "font names": sorted({row[0].split("+", 1)[-1] for row in fonts}),
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def request(port: int, method: str, path: str, *, body: bytes | None = None, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.getheader("Set-Cookie") or "", response.read()
    finally:
        connection.close()


def session_cookie(set_cookie: str) -> str:
    return set_cookie.split(";", 1)[0]


def sign_in(port: int) -> str:
    from tests.factories import PASSWORD

    _status, cookie, page = request(port, "GET", "/login")
    token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page)[1].decode()
    form = urlencode({"csrf_token": token, "username": "organizer", "password": PASSWORD}).encode()
    status, signed_in, _body = request(
        port,
        "POST",
        "/login",
        body=form,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": session_cookie(cookie)},
    )
    assert status == 302 and signed_in, f"sign-in refused: {status}"
    return session_cookie(signed_in)


def single(database_url: str, competition_id: int, requests: int) -> dict:
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    with engine.connect() as connection:
        ids = (
            connection.execute(
                text("SELECT id FROM certificates WHERE competition_id = :c ORDER BY id LIMIT :n"),
                {"c": competition_id, "n": requests + 3},
            )
            .scalars()
            .all()
        )
    engine.dispose()
    port = free_port()
    environment = dict(
        os.environ,
        COMPETE_DATABASE_URL=database_url,
        COMPETE_SECRET_KEY="bench",
        COMPETE_LOGIN_RATE_LIMIT="100000 per minute",
    )
    environment.pop("COMPETE_REDIS_URL", None)
    command = [str(ROOT / ".venv/bin/gunicorn"), "--workers", "1", "--bind", f"127.0.0.1:{port}"]
    server = subprocess.Popen(
        [*command, "--log-level", "warning", "wsgi:app"],
        cwd=ROOT,
        env=environment,
    )
    figures = {}
    try:
        for _ in range(200):
            try:
                request(port, "GET", "/api/v1/openapi.json")
                break
            except OSError:
                time.sleep(0.1)
        cookie = sign_in(port)

        def download(certificate_id: int) -> float:
            started = time.perf_counter()
            status, _set, body = request(
                port, "GET", f"/admin/certificates/{certificate_id}.pdf", headers={"Cookie": cookie}
            )
            elapsed = time.perf_counter() - started
            assert status == 200 and body.startswith(b"%PDF-"), f"{status} {body[:120]!r}"
            return elapsed

        figures["first download ms"] = download(ids[0]) * 1000  # this worker's first: fonts and templates loaded
        download(ids[1])
        download(ids[2])
        timings = sorted(download(certificate_id) for certificate_id in ids[3:])
        figures["download median ms"] = statistics.median(timings) * 1000
        figures["download p95 ms"] = timings[min(len(timings) - 1, round(len(timings) * 0.95))] * 1000
        trivial = [timed(lambda: request(port, "GET", "/api/v1/openapi.json")) for _ in range(requests)]
        figures["trivial route ms"] = statistics.median(trivial) * 1000
    finally:
        server.terminate()
        server.wait(timeout=30)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--certificates", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    folder = tempfile.mkdtemp(prefix="compete-certificates-")
    url = f"sqlite:///{folder}/certificates.sqlite3"
    try:
        competition_id, loaded, issued = seed(url, args.certificates)
        figures = batch(url, competition_id, args.certificates, args.runs, folder)
        figures.update(single(url, competition_id, args.requests))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    count = args.certificates
    cpus = len(os.sched_getaffinity(0))
    print(
        f"\n{count} certificates of a finalized competition (loaded in {loaded:.1f} s, issued in {issued:.1f} s), "
        f"SQLite; {cpus} CPUs, load average {load_before:.2f} before and {os.getloadavg()[0]:.2f} after; "
        f"medians of {args.runs} runs (single: {args.requests} requests)\n"
    )
    rows = [
        ("batch (this process + helpers)", figures["batch"]),
        ("  same, this process alone", figures["one process"]),
        ("  WeasyPrint layout alone", figures["layout alone"]),
        ("  same, in parts of 50, GC off", figures["layout in parts"]),
    ]
    print(f"{'':<34}{'seconds':>8}{'a second':>10}{'CPU s':>8}{'others CPU s':>14}")
    for label, run in rows:
        print(f"{label:<34}{run['s']:>8.2f}{count / run['s']:>10.0f}{run['cpu s']:>8.1f}{run['others cpu s']:>14.1f}")
    print(
        f"{'  helper processes':<34}{figures['helpers']:>8}\n"
        f"{'  progress reports':<34}{figures['progress reports']:>8}"
        f"   (first after {figures['first report s']:.2f} s)\n"
        f"{'  PDF':<34}{figures['MB']:>8.1f} MB, {figures['pages']} pages, {figures['fonts']} fonts "
        f"({figures['fonts embedded and subset']} embedded and subset: {', '.join(figures['font names'])})"
    )
    for key in ("first download ms", "download median ms", "download p95 ms", "trivial route ms"):
        print(f"{'single ' + key:<34}{figures[key]:>8.1f}")
    batch_s, layout_s = figures["batch"]["s"], figures["layout alone"]["s"]
    parts_s, one_process_s = figures["layout in parts"]["s"], figures["one process"]["s"]
    batch_ok = batch_s <= 10 * count / 1000 and batch_s <= 2 * layout_s
    pdf_ok = figures["MB"] < 20 and figures["pages"] == count
    pdf_ok = pdf_ok and figures["fonts embedded and subset"] == figures["fonts"]
    single_ms = figures["download median ms"]
    print(
        f"\nbatch: {count / batch_s:.0f} a second, {batch_s / layout_s:.2f}× layout alone "
        f"({batch_s / parts_s:.2f}× its layout in parts); one process alone takes {one_process_s / batch_s:.2f}× "
        f"as long (target >= 100/s and <= 2× layout alone: {'met' if batch_ok else 'NOT met'}); "
        f"PDF {'met' if pdf_ok else 'NOT met'} (< 20 MB, fonts embedded and subset)\n"
        f"single: {single_ms:.0f} ms median, {single_ms / figures['trivial route ms']:.0f}× the trivial route "
        f"(target <= 100 ms: {'met' if single_ms <= 100 else 'NOT met'})"
    )


if __name__ == "__main__":
    main()

"""The batch print laid out by helper processes: the same pages in the same order, fonts embedded, progress."""

import re
import subprocess

import pytest

from compete.certificates import printing, render
from compete.certificates import services as certificates
from tests.certificate_world import final
from tests.factories import make_user

pytestmark = pytest.mark.usefixtures("ctx")


def test_a_batch_laid_out_with_a_helper_process_keeps_its_order_fonts_and_progress(monkeypatch, tmp_path):
    organizer = make_user("organizer")
    chosen = certificates.issue_certificates(organizer, final(organizer))
    assert len(chosen) >= 6
    monkeypatch.setattr(render, "PART_SIZE", 1)
    monkeypatch.setattr(render, "PARALLEL_FROM_PAGES", 2)
    monkeypatch.setattr(render, "_helper_count", lambda: 1)
    reports = []
    pdf = printing.certificates_pdf(chosen, title="t", progress=lambda done, total: reports.append((done, total)))
    path = tmp_path / "batch.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    printed = [re.search(r"\d{4}C\d+-[A-Z]{2}\d{4}", page)[0] for page in text.split("\f") if page.strip()]
    assert printed == [c.number for c in chosen]
    assert reports[-1] == (len(chosen), len(chosen))
    rows = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout.splitlines()[2:]
    names = [row.split()[0] for row in rows]
    assert all(row.split()[-5:-3] == ["yes", "yes"] for row in rows)
    assert len(names) == len(set(names))  # each process's subset has a tag of its own

"""The certificates commands: `certificates issue` prints what it issued as JSON, `certificates print` one PDF."""

import json
import re
import subprocess

import pytest
import zxingcpp
from PIL import Image
from sqlalchemy import func, select

from compete.certificates import services as certificates
from compete.certificates.models import Certificate
from compete.extensions import db
from tests.certificate_world import ABSENT, ZHANG, final, loaded
from tests.factories import make_user


@pytest.fixture
def competition_id(app):
    with app.test_request_context():
        competition = final(make_user("organizer"))
        db.session.commit()
        return competition.id


def run(app, *args):
    return app.test_cli_runner().invoke(args=["certificates", *map(str, args)])


def page_count(path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)$", info, re.MULTILINE)[1])


def test_issue_prints_number_kind_id_number_and_verify_url_and_is_idempotent(app, competition_id):
    first = run(app, "issue", competition_id)
    assert first.exit_code == 0, first.output
    listed = json.loads(first.output)
    assert len(listed) == 10
    assert all(set(item) == {"number", "kind", "id_number", "verify_url"} for item in listed)
    assert [(item["number"], item["kind"], item["id_number"]) for item in listed[:6]] == [
        (f"2026C{competition_id}-HJ0001", "award", ZHANG),
        (f"2026C{competition_id}-HJ0002", "award", "321302199003070043"),
        (f"2026C{competition_id}-HJ0003", "award", "321302199003070027"),
        (f"2026C{competition_id}-CS0001", "participation", "321302199003070035"),
        (f"2026C{competition_id}-CS0002", "participation", "321302199003070051"),
        (f"2026C{competition_id}-JS0001", "promotion", ZHANG),
    ]
    assert ABSENT not in {item["id_number"] for item in listed}
    with app.app_context():
        tokens = dict(db.session.execute(select(Certificate.number, Certificate.token)).all())
    assert len(tokens) == 10  # committed
    for item in listed:
        # Outside a request, addresses are built for PUBLIC_URL (here the default, the local server).
        assert item["verify_url"] == f"http://localhost:5000/verify/{tokens[item['number']]}"
    again = run(app, "issue", competition_id)
    assert again.exit_code == 0 and json.loads(again.output) == listed
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Certificate)) == 10


def test_issue_uses_the_public_address_when_configured(app, competition_id):
    app.config["PUBLIC_URL"] = "https://zs.rsj.suqian.gov.cn"
    try:
        listed = json.loads(run(app, "issue", competition_id).output)
    finally:
        app.config.pop("PUBLIC_URL")
    assert all(
        re.fullmatch(r"https://zs\.rsj\.suqian\.gov\.cn/verify/[A-Za-z0-9_-]{32}", i["verify_url"]) for i in listed
    )


def test_issue_refuses_results_that_are_not_final_and_writes_nothing(app):
    with app.test_request_context():
        competition = loaded(make_user("organizer"))
        db.session.commit()
        competition_id = competition.id
    result = run(app, "issue", competition_id)
    assert result.exit_code == 1 and result.output.startswith("Error:")
    assert run(app, "issue", 999).output.strip() == "Error: no competition 999"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Certificate)) == 0


def test_print_writes_one_page_per_valid_certificate(app, competition_id, tmp_path):
    listed = json.loads(run(app, "issue", competition_id).output)
    with app.test_request_context():
        revoked = db.session.scalar(select(Certificate).where(Certificate.number == listed[1]["number"]))
        certificates.revoke(make_user("auditor"), revoked, "issued in error")
        db.session.commit()
    out = tmp_path / "all.pdf"
    result = run(app, "print", competition_id, "--out", out)
    assert result.exit_code == 0, result.output
    assert f"wrote 9 certificates to {out}" in result.output
    assert "warning" not in result.output  # every font is installed here
    assert out.read_bytes().startswith(b"%PDF-") and page_count(out) == 9
    text = subprocess.run(["pdftotext", str(out), "-"], check=True, capture_output=True, text=True).stdout
    assert listed[0]["number"] in text and listed[1]["number"] not in text and listed[2]["number"] in text
    # The first page's code leads to the first certificate's verification address.
    subprocess.run(["pdftoppm", "-f", "1", "-l", "1", "-r", "200", "-png", str(out), str(tmp_path / "p")], check=True)
    (image,) = tmp_path.glob("p*.png")
    decoded = [r.text for r in zxingcpp.read_barcodes(Image.open(image)) if r.format == zxingcpp.BarcodeFormat.QRCode]
    assert decoded == [listed[0]["verify_url"]]


def test_print_before_issuing_is_refused_and_writes_no_file(app, competition_id, tmp_path):
    out = tmp_path / "none.pdf"
    result = run(app, "print", competition_id, "--out", out)
    assert result.exit_code == 1 and result.output.startswith("Error:")
    assert not out.exists()


def test_what_the_commands_print_of_personal_data_is_in_the_trail(app, competition_id, tmp_path):
    from compete.audit.models import AuditEntry

    listed = json.loads(run(app, "issue", competition_id).output)
    assert run(app, "print", competition_id, "--out", tmp_path / "all.pdf").exit_code == 0
    exported = app.test_cli_runner().invoke(args=["results", "export", str(competition_id)])
    assert exported.exit_code == 0
    with app.app_context():
        trail = {
            entry.action: (entry.actor_name, entry.competition_id, entry.after["rows"])
            for entry in db.session.scalars(select(AuditEntry).where(AuditEntry.action.like("%.export")))
        }
    ranked = sum(len(event["results"]) for event in json.loads(exported.output)["events"])
    assert trail == {
        "certificate_list.export": ("system", competition_id, len(listed)),
        "certificate_print.export": ("system", competition_id, len(listed)),
        "results.export": ("system", competition_id, ranked),
    }

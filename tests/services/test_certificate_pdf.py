"""Certificates as PDF, read back the way people and scanners read them: text layer, fonts, pages, QR code."""

import io
import re
import subprocess

import pytest
import zxingcpp
from flask_babel import force_locale
from PIL import Image

from compete.certificates import designs, fonts, printing
from compete.certificates import services as certificates
from compete.certificates.models import CertificateKind
from compete.errors import InvalidInput
from tests.certificate_world import ZHANG, final
from tests.factories import make_user

pytestmark = pytest.mark.usefixtures("ctx")
AUTHORITY = "宿迁市人力资源和社会保障局"
TITLES = {
    "zh": {
        CertificateKind.AWARD: "获奖证书",
        CertificateKind.HONOUR: "荣誉证书",
        CertificateKind.PROMOTION: "职业技能等级晋升证书",
        CertificateKind.PARTICIPATION: "参赛证书",
    },
    "en": {
        CertificateKind.AWARD: "Certificate of Award",
        CertificateKind.HONOUR: "Certificate of Honour",
        CertificateKind.PROMOTION: "Skill Grade Promotion Certificate",
        CertificateKind.PARTICIPATION: "Certificate of Participation",
    },
}
A4_POINTS = (841.89, 595.276)


@pytest.fixture
def organizer():
    return make_user("organizer")


def poppler(*args) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def write(tmp_path, pdf: bytes, name="certificates.pdf"):
    assert pdf.startswith(b"%PDF-")
    path = tmp_path / name
    path.write_bytes(pdf)
    return path


def page_count(path) -> int:
    return int(re.search(r"^Pages:\s+(\d+)$", poppler("pdfinfo", str(path)), re.MULTILINE)[1])


def page_size(path, page: int) -> tuple[float, float]:
    info = poppler("pdfinfo", "-f", str(page), "-l", str(page), str(path))
    width, height = re.search(rf"^Page\s+{page} size:\s+([\d.]+) x ([\d.]+) pts", info, re.MULTILINE).groups()
    return float(width), float(height)


def text_of(path, page: int | None = None) -> str:
    """The text layer without white space: letter-spaced titles come out with gaps between the characters."""
    pages = ["-f", str(page), "-l", str(page)] if page else []
    return re.sub(r"\s+", "", poppler("pdftotext", *pages, str(path), "-"))


def squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def one_of_each_kind(organizer, layout="landscape", **changes) -> dict:
    """A certificate of every kind, issued with this layout: tianjin-municipal-1 gives awards, participations and
    promotions; zhejiang gives titles."""
    issued = []
    for policy, name in (("tianjin-municipal-1", "2026年宿迁市职业技能大赛"), ("zhejiang", "2026年宿迁市焊工技能竞赛")):
        competition = final(organizer, policy, name=name, **changes)
        issuer = designs.issuer_of_competition(competition)
        for kind in CertificateKind:
            design = designs.design_of(issuer, kind)
            designs.save_design(
                organizer,
                design,
                enabled=True,
                layout=layout,
                title="",
                wording="",
                number_pattern=design.number_pattern,
                year=2026,
            )
        issued += certificates.issue_certificates(organizer, competition)
    return {kind: next(c for c in issued if c.kind == kind) for kind in CertificateKind}


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("layout", ["landscape", "portrait"])
def test_every_kind_prints_on_its_own_page_with_name_number_authority_and_title(organizer, tmp_path, layout, language):
    chosen = one_of_each_kind(organizer, layout)
    with force_locale(language):
        path = write(tmp_path, printing.certificates_pdf(list(chosen.values()), title="批量打印"))
    assert page_count(path) == 4
    expected_size = A4_POINTS if layout == "landscape" else A4_POINTS[::-1]
    for page, (kind, certificate) in enumerate(chosen.items(), start=1):
        assert page_size(path, page) == pytest.approx(expected_size, abs=0.5)
        text = text_of(path, page)
        name = certificate.content["facts"]["name"]
        assert name in text and certificate.number in text and AUTHORITY in text
        assert squeezed(TITLES[language][kind]) in text
        assert "3213**********" in text and ZHANG not in text  # the ID number is printed masked
        assert ("二〇二六年十月十五日" if language == "zh" else "October15,2026") in text
        others = {squeezed(title) for other, title in TITLES[language].items() if other != kind}
        assert not {title for title in others if title in text}, f"page {page} prints another kind's title"
    honour = text_of(path, 2)
    assert "市技术能手" in honour
    promotion = text_of(path, 3)
    assert ("高级工→技师" if language == "zh" else "Seniorworker→Technician") in promotion


def test_fonts_are_all_embedded_as_subsets(organizer, tmp_path):
    chosen = one_of_each_kind(organizer)
    for language in ("zh", "en"):
        with force_locale(language):
            path = write(tmp_path, printing.certificates_pdf(list(chosen.values()), title="t"), f"{language}.pdf")
        rows = poppler("pdffonts", str(path)).splitlines()[2:]
        assert rows, "no fonts listed"
        for row in rows:
            name, *_, embedded, subset, _unicode, _object, _generation = row.split()
            assert (embedded, subset) == ("yes", "yes"), row
            assert re.fullmatch(r"[A-Z]{6}\+.+", name), row
        if language == "zh":
            assert any("SungtiL" in row or "Noto-Serif-CJK" in row for row in rows)


def test_rare_characters_of_a_name_print_as_text(organizer, tmp_path):
    # 䶮 (U+4DAE, CJK extension A) must print; 𠈌 (extension B) may come from a fallback font.
    chosen = one_of_each_kind(organizer, names={ZHANG: "欧阳䶮"})
    award = chosen[CertificateKind.AWARD]
    assert award.content["facts"]["name"] == "欧阳䶮"
    path = write(tmp_path, printing.certificates_pdf([award], title="t"))
    assert "欧阳䶮" in text_of(path)
    fonts_used = poppler("pdffonts", str(path))
    assert "Noto-Serif-CJK" in fonts_used or "SungtiL" in fonts_used


def test_html_in_a_name_prints_as_literal_text(organizer, tmp_path):
    name = "<script>alert(1)</script><b>王</b>&amp;"
    chosen = one_of_each_kind(organizer, names={ZHANG: name})
    award = chosen[CertificateKind.AWARD]
    path = write(tmp_path, printing.certificates_pdf([award], title="t"))
    text = text_of(path)
    # Printed in the salutation and in the name field, exactly as typed: nothing was taken for markup.
    assert text.count(name) == 2
    assert "JavaScript:no" in squeezed(poppler("pdfinfo", str(path)))


@pytest.mark.parametrize("layout", ["landscape", "portrait"])
def test_a_hundred_character_name_stays_on_one_page(organizer, tmp_path, layout):
    name = "欧阳" + "德馨" * 49
    assert len(name) == 100
    chosen = one_of_each_kind(organizer, layout, names={ZHANG: name})
    printed = [chosen[CertificateKind.AWARD], chosen[CertificateKind.PROMOTION], chosen[CertificateKind.HONOUR]]
    assert {c.content["facts"]["name"] for c in printed} == {name}
    path = write(tmp_path, printing.certificates_pdf(printed, title="t"))
    assert page_count(path) == 3
    for page, certificate in enumerate(printed, start=1):
        text = text_of(path, page)
        assert name in text and certificate.number in text and AUTHORITY in text


def decoded_qr_codes(path, tmp_path, page: int = 1) -> list[str]:
    subprocess.run(
        ["pdftoppm", "-f", str(page), "-l", str(page), "-r", "200", "-png", str(path), str(tmp_path / "page")],
        check=True,
    )
    (image_path,) = tmp_path.glob("page*.png")
    image = Image.open(image_path)
    image.load()
    image_path.unlink()
    found = zxingcpp.read_barcodes(image)
    return [result.text for result in found if result.format == zxingcpp.BarcodeFormat.QRCode]


@pytest.mark.parametrize("layout", ["landscape", "portrait"])
def test_the_printed_qr_code_reads_as_the_verification_address(organizer, tmp_path, layout):
    chosen = one_of_each_kind(organizer, layout)
    printed = [chosen[CertificateKind.AWARD], chosen[CertificateKind.HONOUR]]
    path = write(tmp_path, printing.certificates_pdf(printed, title="t"))
    for page, certificate in enumerate(printed, start=1):
        url = printing.verify_url(certificate.token)
        assert url == f"http://localhost/verify/{certificate.token}"
        assert decoded_qr_codes(path, tmp_path, page) == [url]


def test_the_qr_code_uses_the_public_address_when_one_is_configured(app, organizer, tmp_path):
    award = one_of_each_kind(organizer)[CertificateKind.AWARD]
    app.config["PUBLIC_URL"] = "https://zs.rsj.suqian.gov.cn/"
    try:
        path = write(tmp_path, printing.certificates_pdf([award], title="t"))
        assert decoded_qr_codes(path, tmp_path) == [f"https://zs.rsj.suqian.gov.cn/verify/{award.token}"]
        assert "zs.rsj.suqian.gov.cn/verify" in text_of(path)
    finally:
        app.config.pop("PUBLIC_URL")


@pytest.mark.parametrize(("language", "mark"), [("zh", "样张"), ("en", "SPECIMEN")])
def test_a_specimen_is_marked_and_its_code_leads_nowhere_real(organizer, tmp_path, language, mark):
    award = one_of_each_kind(organizer)[CertificateKind.AWARD]
    with force_locale(language):
        path = write(tmp_path, printing.specimen_pdf(award.kind, award.content, "2026C1-HJ0042"))
    # The mark is set slanted across the page: read in content order, not by layout.
    assert mark in squeezed(poppler("pdftotext", "-raw", str(path), "-"))
    assert "2026C1-HJ0042" in text_of(path)
    assert decoded_qr_codes(path, tmp_path) == ["http://localhost/verify/specimen"]


def test_an_uploaded_seal_is_printed_in_place_of_the_drawn_one(organizer, tmp_path):
    competition = final(organizer)
    buffer = io.BytesIO()
    Image.new("RGBA", (321, 321), (208, 22, 27, 255)).save(buffer, "PNG")
    designs.upload_seal(organizer, designs.issuer_of_competition(competition), buffer.getvalue())
    award = certificates.issue_certificates(organizer, competition)[0]
    path = write(tmp_path, printing.certificates_pdf([award], title="t"))
    images = poppler("pdfimages", "-list", str(path))
    assert re.search(r"\b321\s+321\b", images)  # the upload, at its own size
    assert not re.search(rf"\b{600}\s+{600}\b", images)  # not the drawn seal


def test_nothing_to_print_is_refused():
    with force_locale("en"), pytest.raises(InvalidInput, match=r"^There are no certificates to print\.$"):
        printing.certificates_pdf([], title="t")


def test_missing_fonts_are_named_with_their_debian_packages():
    with force_locale("en"):
        (warning,) = fonts.missing_font_warnings(families=frozenset())
    assert "apt-get install fonts-arphic-gbsn00lp fonts-arphic-gkai00mp fonts-dejavu-core fonts-noto-cjk" in warning
    for family in fonts.REQUIRED:
        assert family in warning
    only_kai = fonts.missing(frozenset(fonts.REQUIRED) - {"AR PL KaitiM GB"})
    assert only_kai == {"AR PL KaitiM GB": "fonts-arphic-gkai00mp"}
    assert fonts.missing_font_warnings(families=frozenset(fonts.REQUIRED)) == []


def test_the_fonts_certificates_need_are_installed_here():
    assert fonts.missing() == {}
    assert fonts.missing_font_warnings() == []

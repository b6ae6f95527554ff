"""Importing registrations from Excel: every row checked, valid rows imported once."""

import io
import json

import pytest
from flask_babel import gettext
from openpyxl import Workbook
from sqlalchemy import func, select

from compete.errors import InvalidInput
from compete.extensions import db
from compete.people.models import Person, Unit
from compete.registration import importing
from compete.registration.models import Registration, RegistrationSource, RegistrationStatus
from tests.factories import make_competition, make_event, make_user, valid_id_number

HEADER = ["序号", "姓名", "身份证号码", "工作单位", "现职业技能等级", "手机号"]
ZHANG = valid_id_number("32130219900307001")
LI = valid_id_number("32130219880512002")


def sheet(*rows, header=HEADER, title="2026年宿迁市职业技能大赛报名表") -> bytes:
    workbook = Workbook()
    worksheet = workbook.active
    if title:
        worksheet.append([title])
    worksheet.append(header)
    for number, row in enumerate(rows, start=1):
        worksheet.append([number, *row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def event(ctx):
    organizer = make_user()
    return make_event(organizer, make_competition(organizer))


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("高级工", "g3"),
        ("三级", "g3"),
        ("三级/高级工", "g3"),
        ("高级工（三级）", "g3"),
        ("技师", "g2"),
        ("高级技师", "g1"),
        ("", "none"),
        ("无", "none"),
        ("初级工", "g5"),
        ("大师", None),
    ],
)
def test_grade_names_people_write(text, code):
    assert importing.grade_from_text(text) == code


def test_a_clean_sheet_imports_persons_units_and_registrations(event):
    data = sheet(
        ["张伟", ZHANG, "江苏洋河酒厂股份有限公司", "高级工", "13912345678"], ["李娜", LI, "宿迁技师学院", "三级", ""]
    )
    check = importing.check_import(event, data)
    assert (len(check.planned), check.errors) == (2, [])
    assert importing.import_registrations(None, event, check, file_name="报名表.xlsx") == 2
    assert count(Registration) == 2 and count(Person) == 2
    assert {(u.name, u.kind.value) for u in db.session.scalars(select(Unit))} == {
        ("江苏洋河酒厂股份有限公司", "employer"),
        ("宿迁技师学院", "school"),
    }
    registration = db.session.scalar(select(Registration).join(Person).where(Person.name == "张伟"))
    assert (registration.source, registration.status) == (RegistrationSource.IMPORT, RegistrationStatus.SUBMITTED)
    assert registration.person.grade == "g3"


def test_reimporting_the_same_file_changes_nothing(event):
    data = sheet(["张伟", ZHANG, "", "高级工", ""])
    importing.import_registrations(None, event, importing.check_import(event, data))
    again = importing.check_import(event, data)
    assert again.planned == []
    assert again.errors == [{"row": 3, "column": "身份证号", "message": gettext("Already registered for this event.")}]
    assert count(Registration) == 1


def test_bad_rows_are_reported_with_row_column_and_message(event):
    data = sheet(
        ["张伟", ZHANG[:-1] + ("0" if ZHANG[-1] != "0" else "1"), "", "高级工", ""],
        ["李娜", LI, "", "大师", ""],
        ["王五", "32130219901332001X", "", "", ""],
        ["赵六", valid_id_number("32130219950101001"), "", "", ""],
    )
    check = importing.check_import(event, data)
    assert [(e["row"], e["column"]) for e in check.errors] == [(3, "身份证号"), (4, "现职业技能等级"), (5, "身份证号")]
    assert [p.name for p in check.planned] == ["赵六"]


def test_a_known_person_under_another_name_is_reported(event):
    importing.import_registrations(None, event, importing.check_import(event, sheet(["张伟", ZHANG, "", "", ""])))
    other = make_event(event.competition.owner, event.competition, code="DG-S")
    check = importing.check_import(other, sheet(["张玮", ZHANG, "", "", ""]))
    assert [(e["row"], e["column"]) for e in check.errors] == [(3, "姓名")]


@pytest.mark.parametrize("data", [b"", b"name,id\n1,2\n", b"\x89PNG\r\n\x1a\n" + b"0" * 100])
def test_a_file_that_is_not_a_workbook_is_refused_whole(event, data):
    with pytest.raises(InvalidInput) as refused:
        importing.check_import(event, data)
    assert refused.value.field == "file"


def test_the_cli_checks_then_imports_idempotently(app, tmp_path):
    with app.test_request_context():
        organizer = make_user()
        event = make_event(organizer, make_competition(organizer))
        db.session.commit()
        competition_id = event.competition_id
    path = tmp_path / "报名表.xlsx"
    path.write_bytes(sheet(["张伟", ZHANG, "", "高级工", ""], ["李娜", "123", "", "", ""]))
    runner = app.test_cli_runner()
    arguments = ["registrations", "import", str(competition_id), "HG-W", str(path)]
    checked = json.loads(runner.invoke(args=arguments).output)
    assert (checked["valid"], checked["imported"], [e["row"] for e in checked["errors"]]) == (1, 0, [4])
    assert checked["errors"][0]["column"] == "身份证号"
    imported = json.loads(runner.invoke(args=[*arguments, "--commit"]).output)
    assert imported["imported"] == 1
    again = json.loads(runner.invoke(args=[*arguments, "--commit"]).output)
    assert (again["valid"], again["imported"]) == (0, 0)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Registration)) == 1

"""Reading registration sheets: header variants, numbers Excel mangled, dates, merged cells, formulas, limits."""

import io
import re
import zipfile
from datetime import date, datetime

import pytest
from flask_babel import force_locale
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from compete.registration.sheet_template import template_workbook
from compete.registration.spreadsheet import (
    COLUMNS,
    TEMPLATE_TITLE,
    RowError,
    SheetReading,
    SheetRow,
    SheetUnreadable,
    read_registration_sheet,
)
from tests.registration_sheets import (
    HEADERS,
    build_sheet,
    empty_workbook,
    error_cell,
    formula_cell,
    id_number,
    many_rows,
    number_cell,
    replace_part,
)

ID_1 = id_number(1)
ID_2 = id_number(2)
ID_3 = id_number(3)
KEYS = tuple(column.key for column in COLUMNS)


@pytest.fixture(autouse=True)
def english(app):
    """Messages are lazy: render them in English whatever the catalogue holds, so these tests read them as text."""
    with app.test_request_context(), force_locale("en"):
        yield


def errors_of(reading: SheetReading) -> list[tuple[int, str, str]]:
    return [(error.row, error.column, str(error.message)) for error in reading.errors]


def refusal(source, **options) -> str:
    with pytest.raises(SheetUnreadable) as refused:
        read_registration_sheet(source, **options)
    return str(refused.value.message)


def values(**given) -> dict[str, str]:
    return {key: given.get(key, "") for key in KEYS}


# --- a clean file ------------------------------------------------------------------------------------------------


def test_a_clean_sheet_gives_one_row_per_person_with_every_column():
    sheet = build_sheet(
        [
            ["张伟", ID_1, "13912345678", "宿迁市第一职业学校", "高级工", "S320000000123", "2019-06-30"],
            ["王秀英", ID_2, None, None, None, None, datetime(2020, 1, 5)],
        ]
    )
    reading = read_registration_sheet(sheet)
    assert reading.header_row == 1
    assert reading.errors == []
    assert reading.rows == [
        SheetRow(
            2,
            values(
                name="张伟",
                id_number=ID_1,
                phone="13912345678",
                unit="宿迁市第一职业学校",
                grade="高级工",
                grade_certificate_number="S320000000123",
                grade_certified_on="2019-06-30",
            ),
        ),
        SheetRow(3, values(name="王秀英", id_number=ID_2, grade_certified_on="2020-01-05")),
    ]


@pytest.mark.parametrize(
    "source_kind",
    ["bytes", "path", "str", "stream at its end", "stream that cannot seek"],
)
def test_bytes_paths_and_streams_are_all_accepted(tmp_path, source_kind):
    data = build_sheet([["张伟", ID_1]])
    path = tmp_path / "报名表.xlsx"
    path.write_bytes(data)

    class Unseekable(io.RawIOBase):
        def __init__(self):
            self.inner = io.BytesIO(data)

        def readable(self):
            return True

        def readinto(self, buffer):
            chunk = self.inner.read(len(buffer))
            buffer[: len(chunk)] = chunk
            return len(chunk)

    if source_kind == "bytes":
        source = data
    elif source_kind == "path":
        source = path
    elif source_kind == "str":
        source = str(path)
    elif source_kind == "stream at its end":
        # The caller measured the upload's size first.
        source = io.BytesIO(data)
        source.seek(0, io.SEEK_END)
    else:
        source = io.BufferedReader(Unseekable())
    assert [row.values["id_number"] for row in read_registration_sheet(source).rows] == [ID_1]


# --- headers -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name_title", "id_title"),
    [
        ("姓名", "身份证号"),
        ("名字", "身份证号码"),
        ("选手姓名", "公民身份号码"),
        ("参赛选手", "证件号码"),
        (" 姓 名 ", "身份证\n号码"),  # spaces and a line break inside the cell
        ("姓名\u3000", "\u3000身份证号"),  # ideographic spaces
        ("姓名*", "身份证号＊"),  # required markers, ASCII and full-width
        ("*姓名", "身份证号（必填）"),
        ("姓名(必填)", "身份证号*(必填)"),
        ("姓名", "身份证号(18位)"),  # a hint in brackets
        ("姓名", "居民身份证号（18位）*"),
    ],
)
def test_header_variants_are_recognised_and_errors_name_the_header_as_found(name_title, id_title):
    sheet = build_sheet([["张伟", ID_1], ["李娜", None]], headers=[name_title, id_title])
    reading = read_registration_sheet(sheet)
    assert [row.values["name"] for row in reading.rows] == ["张伟", "李娜"]
    assert reading.rows[0].values["id_number"] == ID_1
    assert errors_of(reading) == [(3, " ".join(id_title.split()), "Required, but empty.")]


def test_unknown_columns_are_ignored_and_optional_titles_have_variants_too():
    sheet = build_sheet(
        [
            [1, "张伟", ID_1, "13912345678", "备注", "宿迁学院"],
            [2, None, None, None, None, None],
            [3, None, None, None, "只有备注", None],
        ],
        headers=["序号", "姓名", "身份证号", "联系电话", "备注", "工作单位（全称）"],
    )
    reading = read_registration_sheet(sheet)
    # Rows with something only in ignored columns (a 序号 numbered in advance, a remark) are empty rows.
    assert reading.rows == [SheetRow(2, values(name="张伟", id_number=ID_1, phone="13912345678", unit="宿迁学院"))]
    assert reading.errors == []


def test_a_title_row_above_the_header_is_skipped():
    sheet = build_sheet([["张伟", ID_1]], title_row="2026年宿迁市职业技能大赛报名表")
    reading = read_registration_sheet(sheet)
    assert reading.header_row == 2
    assert reading.rows == [SheetRow(3, values(name="张伟", id_number=ID_1))]
    # The merged title row is above the header, so it is no concern.
    assert reading.errors == []


def test_the_header_may_be_as_low_as_row_ten_but_no_lower():
    notes = [["2026年宿迁市职业技能大赛报名表"], ["填表单位（盖章）："], [], [], [], [], [], [], []]
    reading = read_registration_sheet(build_sheet([*notes, list(HEADERS), ["张伟", ID_1]], headers=None))
    assert reading.header_row == 10
    assert [row.row for row in reading.rows] == [11]

    message = refusal(build_sheet([*notes, [], list(HEADERS), ["张伟", ID_1]], headers=None))
    assert "No column titles in the first 10 rows" in message
    assert "姓名" in message and "身份证号" in message


def test_when_two_columns_mean_the_same_the_first_wins():
    sheet = build_sheet([["张伟", "Zhang Wei", ID_1]], headers=["姓名", "名字", "身份证号"])
    assert read_registration_sheet(sheet).rows[0].values["name"] == "张伟"


@pytest.mark.parametrize(
    ("headers", "named", "not_named"),
    [
        (["姓名", "手机号", "工作单位"], "身份证号", "姓名"),
        (["序号", "身份证号码", "单位"], "姓名", "身份证号"),
        (["手机号", "工作单位"], "姓名、身份证号", None),
    ],
)
def test_a_missing_required_column_refuses_the_file_and_names_it(headers, named, not_named):
    message = refusal(build_sheet([["x"] * len(headers)], headers=headers))
    assert named in message
    assert "row 1" in message
    if not_named:
        assert not_named not in message


def test_a_sheet_without_any_known_title_has_no_header():
    message = refusal(build_sheet([["a", "b"], ["c", "d"]], headers=["Name", "ID"]))
    assert message.startswith("No column titles")


# --- files that are not registration sheets ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "The file is empty."),
        ("姓名,身份证号\n张伟,321302199003070019\n".encode(), "This is not an Excel file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64), "This is not an Excel file"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), "This is an old .xls file"),
    ],
    ids=["empty", "csv", "png", "xls"],
)
def test_files_that_are_not_xlsx_are_refused(data, expected):
    assert refusal(data).startswith(expected)


def test_a_zip_that_is_not_a_workbook_or_a_damaged_sheet_is_refused():
    other_zip = io.BytesIO()
    with zipfile.ZipFile(other_zip, "w") as archive:
        archive.writestr("word/document.xml", "<document/>")
    assert refusal(other_zip.getvalue()).startswith("The file could not be read as an Excel workbook")

    damaged = replace_part(build_sheet([["张伟", ID_1]]), "xl/worksheets/sheet1.xml", b"<worksheet><sheetData><row")
    assert refusal(damaged).startswith("The file could not be read as an Excel workbook")


def test_an_empty_sheet_and_a_header_only_sheet():
    assert refusal(empty_workbook()) == "The sheet is empty."
    assert refusal(build_sheet(headers=None)) == "The sheet is empty."
    assert read_registration_sheet(build_sheet()) == SheetReading(rows=[], errors=[], header_row=1)


def test_the_registration_sheet_is_found_behind_other_sheets():
    sheet = build_sheet([["张伟", ID_1]], sheet_title="Sheet2", sheets_before=[("说明", [["请按要求填写"]])])
    assert [row.values["name"] for row in read_registration_sheet(sheet).rows] == ["张伟"]


# --- ID numbers --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        # A library wrote the number exactly: the digits may be right, but Excel may have changed them.
        (number_cell("321302199003070019"), "Stored as a number: Excel may have changed the last digits."),
        # What Excel saves after someone typed an ID number into a General cell.
        (number_cell("3.2130219900307E+17"), "Stored as a number in scientific notation"),
        (number_cell("321302199003070"), "Stored as a number in scientific notation"),  # 15 digits
        (number_cell("12345"), "Stored as a number. Format the column as text"),
        (number_cell("12345.5"), "Stored as a number. Format the column as text"),
        (("inlineStr", "<is><t>3.21302E+17</t></is>"), "Stored as a number in scientific notation"),  # copied text
    ],
    ids=["int-18-digits", "scientific", "int-15-digits", "short-int", "short-float", "scientific-text"],
)
def test_an_id_number_stored_as_a_number_is_reported_and_never_used(cell, expected):
    sheet = build_sheet([["张伟", None], ["李娜", ID_2]], headers=["姓名", "身份证号码*"], raw_cells={"B2": cell})
    reading = read_registration_sheet(sheet)
    assert reading.rows[0].values["id_number"] == ""
    assert reading.rows[1].values["id_number"] == ID_2
    [(row, column, message)] = errors_of(reading)
    assert (row, column) == (2, "身份证号码*")
    assert message.startswith(expected)
    assert "text" in message


def test_an_id_number_written_as_a_float_by_a_library_is_reported():
    reading = read_registration_sheet(build_sheet([["张伟", 3.21302199003070e17]]))
    assert errors_of(reading)[0][:2] == (2, "身份证号")
    assert "scientific notation" in errors_of(reading)[0][2]


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        (" 11010519491231002x ", "11010519491231002X"),
        ("１１０１０５１９４９１２３１００２Ｘ", "11010519491231002X"),  # full-width, from a Chinese IME
        ("'11010519491231002X", "11010519491231002X"),  # an apostrophe pasted along
        ("\u200b11010519491231002X", "11010519491231002X"),  # an invisible character from a web page
        ("1101051949", "1101051949"),  # wrong, but the check is the import service's job
    ],
)
def test_id_numbers_as_text_are_normalized_but_not_validated(typed, kept):
    reading = read_registration_sheet(build_sheet([["王秀英", typed]]))
    assert reading.rows[0].values["id_number"] == kept
    assert reading.errors == []


def test_a_repeated_id_number_names_the_row_of_its_first_occurrence():
    sheet = build_sheet(
        [["张伟", ID_1], ["李娜", ID_2], ["张伟", ID_1.lower()], [None, None], ["张卫", " " + ID_1], ["王芳", ID_3]]
    )
    reading = read_registration_sheet(sheet)
    assert errors_of(reading) == [
        (4, "身份证号", "Same ID number as row 2."),
        (6, "身份证号", "Same ID number as row 2."),
    ]
    # The repeated rows are still returned, so the import can show them with their error.
    assert [row.row for row in reading.rows] == [2, 3, 4, 6, 7]


# --- required cells, empty rows, other columns -------------------------------------------------------------------


def test_empty_rows_are_skipped_and_a_half_filled_row_misses_its_required_cell():
    sheet = build_sheet(
        [
            ["张伟", ID_1],
            [None, None, None],
            ["  ", "\u3000", " "],  # only spaces
            ["李娜", None, "13912345678"],
            [None, ID_2],
            [None, None, None, "宿迁市人民医院"],
        ]
    )
    reading = read_registration_sheet(sheet)
    assert [row.row for row in reading.rows] == [2, 5, 6, 7]
    assert errors_of(reading) == [
        (5, "身份证号", "Required, but empty."),
        (6, "姓名", "Required, but empty."),
        (7, "姓名", "Required, but empty."),
        (7, "身份证号", "Required, but empty."),
    ]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (13912345678, "13912345678"),
        (13912345678.0, "13912345678"),
        ("１３９１２３４５６７８", "13912345678"),
        (" 0527-84361234 ", "0527-84361234"),
    ],
)
def test_phone_numbers_come_back_as_typed_text(cell, expected):
    reading = read_registration_sheet(build_sheet([["张伟", ID_1, cell]]))
    assert reading.rows[0].values["phone"] == expected
    assert reading.errors == []


@pytest.mark.parametrize(
    ("cell", "kept", "expected"),
    [
        (number_cell("1.63200000012345E+15"), "", "Stored as a number in scientific notation"),  # as Excel saves it
        (number_cell("1632000000123456"), "", "Stored as a number: Excel may have changed the last digits."),
        (number_cell("12345"), "12345", None),
        (number_cell("12.5"), "12.5", None),
    ],
)
def test_a_long_certificate_number_stored_as_a_number_is_reported_a_short_one_kept(cell, kept, expected):
    reading = read_registration_sheet(build_sheet([["张伟", ID_1]], raw_cells={"F2": cell}))
    assert reading.rows[0].values["grade_certificate_number"] == kept
    if expected is None:
        assert reading.errors == []
    else:
        [(row, column, message)] = errors_of(reading)
        assert (row, column) == (2, "等级证书编号")
        assert message.startswith(expected)


def test_names_padded_to_line_up_are_closed_up_but_latin_names_keep_their_spaces():
    reading = read_registration_sheet(build_sheet([["张  伟", ID_1], ["张\u3000伟", ID_2], ["Anna Li", ID_3]]))
    assert [row.values["name"] for row in reading.rows] == ["张伟", "张伟", "Anna Li"]


# --- dates -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cell",
    [
        "2019-06-30",
        "2019/6/30",
        "2019.6.30",
        "2019年6月30日",
        "2019年06月30日",
        " 2019 - 06 - 30 ",
        "２０１９－０６－３０",
        "20190630",
        20190630,
        "2019-06-30 00:00:00",
        date(2019, 6, 30),
        datetime(2019, 6, 30, 0, 0),
    ],
)
def test_certification_dates_in_the_usual_spellings_become_iso(cell):
    reading = read_registration_sheet(build_sheet([["张伟", ID_1, None, None, None, None, cell]]))
    assert reading.rows[0].values["grade_certified_on"] == "2019-06-30"
    assert reading.errors == []


@pytest.mark.parametrize(
    "cell", ["2019-13-01", "2019-02-30", "2019年6月", "去年六月", "30/06/2019", "1899-12-31", 43646]
)
def test_anything_else_in_the_date_column_is_not_a_date(cell):
    sheet = build_sheet([["张伟", ID_1, None, None, None, None, cell]], headers=[*HEADERS[:6], "取证日期（年月日）"])
    reading = read_registration_sheet(sheet)
    assert reading.rows[0].values["grade_certified_on"] == ""
    assert errors_of(reading) == [(2, "取证日期（年月日）", "Not a date: write it like 2019-06-30.")]


# --- merged cells ------------------------------------------------------------------------------------------------


def test_a_unit_merged_down_several_people_is_reported_on_each_of_their_rows():
    rows = [
        ["张伟", ID_1, None, "宿迁市第一职业学校"],
        ["李娜", ID_2],
        ["王芳", ID_3],
        ["赵强", id_number(4), None, "医院"],
    ]
    reading = read_registration_sheet(build_sheet(rows, merged=["D2:D4"]))
    merged = "Merged cells: unmerge them and fill in every row."
    assert errors_of(reading) == [(2, "工作单位", merged), (3, "工作单位", merged), (4, "工作单位", merged)]
    # Nothing was filled in from the top cell: the rows say what the cells hold.
    assert [row.values["unit"] for row in reading.rows] == ["宿迁市第一职业学校", "", "", "医院"]


def test_a_merged_required_cell_gives_the_merge_error_only():
    reading = read_registration_sheet(build_sheet([["张伟", ID_1], ["张伟", None]], merged=["B2:B3"]))
    assert [(row, column) for row, column, _message in errors_of(reading)] == [(2, "身份证号"), (3, "身份证号")]
    assert all(message.startswith("Merged cells") for _row, _column, message in errors_of(reading))


def test_a_merge_across_two_columns_of_one_row_is_reported():
    reading = read_registration_sheet(build_sheet([["张伟", ID_1, "宿迁市第一职业学校"]], merged=["C2:D2"]))
    assert errors_of(reading) == [(2, "手机号", "Merged cells: unmerge them and fill in every row.")]


@pytest.mark.parametrize(
    "merged",
    [
        ["D4:D9"],  # over rows with nothing else in them: only formatting
        ["H2:H3"],  # in a column the import ignores
        ["D2:D2"],  # a single cell
    ],
)
def test_harmless_merges_are_left_alone(merged):
    sheet = build_sheet([["张伟", ID_1, None, "宿迁市第一职业学校"], ["李娜", ID_2]], merged=merged)
    reading = read_registration_sheet(sheet)
    assert reading.errors == []
    assert len(reading.rows) == 2


# --- formulas ----------------------------------------------------------------------------------------------------


def test_a_formula_saved_by_excel_gives_its_value():
    sheet = build_sheet([[None, ID_1]], raw_cells={"A2": formula_cell('CONCATENATE("张","伟")', cached="张伟")})
    reading = read_registration_sheet(sheet)
    assert reading.rows[0].values["name"] == "张伟"
    assert reading.errors == []


def test_a_formula_without_a_value_is_reported_instead_of_read_as_empty():
    rows = [["=C9", ID_1], ["李娜", ID_2, "=D9"], [None, None, "=E9"]]
    reading = read_registration_sheet(build_sheet(rows))
    without = "A formula without a value: type the value instead."
    assert errors_of(reading) == [(2, "姓名", without), (3, "手机号", without)]
    # A row with nothing but formulas without a value is an empty row (templates carry them far down).
    assert [row.row for row in reading.rows] == [2, 3]


def test_a_formula_whose_result_is_empty_text_is_an_empty_cell():
    sheet = build_sheet([["张伟", ID_1], [None, ID_2]], raw_cells={"A3": formula_cell('IF(C3="","",C3)', cached="")})
    assert errors_of(read_registration_sheet(sheet)) == [(3, "姓名", "Required, but empty.")]


def test_a_formula_error_is_reported():
    reading = read_registration_sheet(build_sheet([["张伟", None]], raw_cells={"B2": error_cell("#N/A")}))
    assert errors_of(reading) == [(2, "身份证号", "The formula gives the error #N/A: type the value instead.")]
    assert reading.rows[0].values["id_number"] == ""


# --- size limits -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("dimension", [True, False, "A1:B2"], ids=["declared", "undeclared", "declared-wrong"])
def test_more_rows_than_allowed_refuse_the_file(dimension):
    message = refusal(build_sheet(many_rows(51), dimension=dimension), max_rows=50)
    assert message == "The sheet has more than 50 filled rows below the column titles: split it into several files."
    assert len(read_registration_sheet(build_sheet(many_rows(50), dimension=dimension), max_rows=50).rows) == 50


def test_the_limit_counts_filled_rows_not_formatting_or_advance_numbering():
    # Formatted far down (the declared range says so), and numbered in advance in an ignored column.
    numbered = [[index] for index in range(1, 121)]
    rows = [[1, *many_rows(1)[0][:2]], *numbered[1:]]
    sheet = build_sheet(rows, headers=["序号", "姓名", "身份证号"], dimension="A1:G30000")
    reading = read_registration_sheet(sheet, max_rows=50)
    assert len(reading.rows) == 1


def test_too_many_rows_are_refused_before_openpyxl_parses_them():
    sheet = build_sheet(many_rows(600))
    with zipfile.ZipFile(io.BytesIO(sheet)) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml")
    # Broken at row 400, far beyond the parser's first read: parsing the rows fails there, before 500 rows
    # are read, so only a count that runs before the parsing can say that there are too many.
    damaged = replace_part(sheet, "xl/worksheets/sheet1.xml", xml.replace(b'<row r="400">', b'<row r="400"><<', 1))
    assert refusal(damaged).startswith("The file could not be read")
    assert refusal(damaged, max_rows=500).startswith("The sheet has more than 500 filled rows")


def test_the_limit_holds_for_cells_written_without_coordinates():
    # The fast count needs cell coordinates, which the format makes optional; reading the rows counts again.
    sheet = build_sheet([[1], [2], *[[None, *row[:2]] for row in many_rows(51)]], headers=["序号", "姓名", "身份证号"])
    with zipfile.ZipFile(io.BytesIO(sheet)) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml")
    bare = replace_part(sheet, "xl/worksheets/sheet1.xml", re.sub(rb'<c r="[A-Z]+\d+"', b"<c", xml))
    assert len(read_registration_sheet(bare, max_rows=60).rows) == 51
    assert refusal(bare, max_rows=50).startswith("The sheet has more than 50 filled rows")


def test_max_rows_must_be_positive():
    with pytest.raises(ValueError, match="max_rows"):
        read_registration_sheet(build_sheet(), max_rows=0)


# --- errors in order ---------------------------------------------------------------------------------------------


def test_errors_come_in_row_then_column_order_as_row_errors():
    sheet = build_sheet([[None, 12345, None, None, None, None, "never"], ["李娜", None], ["王芳", ID_3]])
    reading = read_registration_sheet(sheet)
    assert [(error.row, error.column) for error in reading.errors] == [
        (2, "姓名"),
        (2, "身份证号"),
        (2, "发证日期"),
        (3, "身份证号"),
    ]
    assert all(isinstance(error, RowError) for error in reading.errors)


# --- the template ------------------------------------------------------------------------------------------------


def test_the_template_reads_back_as_an_empty_registration_sheet():
    template = template_workbook()
    assert read_registration_sheet(template) == SheetReading(rows=[], errors=[], header_row=1)

    workbook = load_workbook(io.BytesIO(template))
    assert workbook.sheetnames == [TEMPLATE_TITLE, "填写说明"]
    sheet = workbook[TEMPLATE_TITLE]
    assert [cell.value for cell in sheet[1]] == list(HEADERS)
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.column_dimensions["B"].width >= 20
    # Typed into these cells, an ID number stays text.
    assert {sheet.cell(row=row, column=2).number_format for row in range(2, 2002)} == {"@"}

    guide = "\n".join(str(cell.value) for row in workbook["填写说明"].iter_rows() for cell in row if cell.value)
    for column in COLUMNS:
        assert column.title_zh in guide
    for grade in ("学徒工", "初级工", "高级技师", "首席技师"):
        assert grade in guide


def test_a_filled_in_template_is_read():
    workbook = load_workbook(io.BytesIO(template_workbook()))
    sheet = workbook[TEMPLATE_TITLE]
    for column, value in enumerate(["张伟", ID_1, "13912345678", "宿迁市第一职业学校", "技师", "S1", "2019/6/30"], 1):
        sheet.cell(row=2, column=column, value=value)
    output = io.BytesIO()
    workbook.save(output)
    reading = read_registration_sheet(output.getvalue())
    assert reading.errors == []
    assert reading.rows[0].values["grade_certified_on"] == "2019-06-30"


# --- whatever the cells hold -------------------------------------------------------------------------------------


def _printable(text: str) -> str:
    # openpyxl refuses control characters, so no sheet holds them.
    return "".join(character for character in text if character.isprintable() or character == " ")


cell_values = st.one_of(
    st.none(),
    # A text starting with "=" would be written as a formula.
    st.text(max_size=20).map(_printable).filter(lambda text: not text.startswith("=")),
    st.integers(min_value=-(10**18), max_value=10**18),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.dates(min_value=date(1900, 3, 1), max_value=date(2100, 1, 1)),
    st.booleans(),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(cell_values, min_size=0, max_size=len(HEADERS) + 1), max_size=8))
def test_any_cell_values_give_text_rows_and_row_errors_never_an_exception(rows):
    reading = read_registration_sheet(build_sheet(rows))
    for row in reading.rows:
        assert set(row.values) == set(KEYS)
        assert all(isinstance(value, str) and value == value.strip() for value in row.values.values())
    assert all(error.row in {row.row for row in reading.rows} for error in reading.errors)
    assert all(str(error.message) for error in reading.errors)

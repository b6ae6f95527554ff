"""The downloadable registration template: the expected columns, formatted so Excel keeps ID numbers as text."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from compete.registration.spreadsheet import COLUMNS, TEMPLATE_TITLE
from compete.rules import grades

# The template formats this many rows so that IDs typed into them stay text.
_TEMPLATE_ROWS = 2_000
_INSTRUCTIONS_TITLE = "填写说明"

_WIDTHS = {
    "name": 12,
    "id_number": 22,
    "phone": 15,
    "unit": 32,
    "grade": 16,
    "grade_certificate_number": 26,
    "grade_certified_on": 13,
}
_TEXT_FORMAT = "@"
_DATE_FORMAT = "yyyy-mm-dd"
# Long digit strings must stay text; dates get a date format so Excel shows what the reader expects.
_CELL_FORMATS = {
    "id_number": _TEXT_FORMAT,
    "phone": _TEXT_FORMAT,
    "grade_certificate_number": _TEXT_FORMAT,
    "grade_certified_on": _DATE_FORMAT,
}


def _grade_names() -> list[str]:
    return [grades.get(grades.NO_GRADE).name_zh, *(grade.name_zh for grade in grades.LADDER)]


def _instructions() -> list[tuple[str, str, str]]:
    """(column, required or not, what to write) for the 填写说明 sheet."""
    grade_list = "、".join(_grade_names())
    national = "，".join(f"{grade.name_zh}即{grade.national_level}" for grade in grades.LADDER if grade.national_level)
    notes = {
        "name": "与居民身份证上的姓名一致。",
        "id_number": "18位居民身份证号码，末位X大小写均可。本列已设为文本格式，请勿改成数字格式，"
        "否则Excel会把号码显示成科学计数法（如3.21302E+17）并丢失最后几位。",
        "phone": "本人手机号码。",
        "unit": "单位全称；在校学生填写学校全称。",
        "grade": f"填写下列等级名称之一：{grade_list}。没有等级填“无”或不填。与国家职业资格等级的对应：{national}。",
        "grade_certificate_number": "职业技能等级证书（或职业资格证书）上的证书编号。",
        "grade_certified_on": "证书的发证日期，如 2019-06-30，也可写成 2019/6/30 或 2019年6月30日。",
    }
    return [
        (
            column.title_zh,
            "必填" if column.required else "选填",
            notes[column.key] + "列标题也可写作：" + "、".join(column.aliases) + "。",
        )
        for column in COLUMNS
    ]


_GENERAL_NOTES = (
    "1. 在“报名表”中每位选手填写一行，第一行的列标题请勿修改或删除。",
    "2. 表格上方可以保留标题行；可以增加其他列（如序号、备注），导入时会忽略。",
    "3. 请勿合并单元格，请勿使用公式，每个单元格直接填写内容。",
    "4. 同一身份证号只填写一次。",
)


def template_workbook() -> bytes:
    """Return a blank registration sheet (.xlsx) with column formats set and a sheet of instructions."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = TEMPLATE_TITLE
    bold = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    for position, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=position, value=column.title_zh)
        cell.font = bold
        cell.fill = header_fill
        cell.alignment = Alignment(horizontal="center", vertical="center")
        letter = get_column_letter(position)
        sheet.column_dimensions[letter].width = _WIDTHS[column.key]
        number_format = _CELL_FORMATS.get(column.key)
        if number_format:
            # Formatting cells (not just the column) is what makes Excel keep typed digits as text.
            for row in range(2, _TEMPLATE_ROWS + 2):
                sheet.cell(row=row, column=position).number_format = number_format
    sheet.freeze_panes = "A2"

    grade_position = next(i for i, column in enumerate(COLUMNS, start=1) if column.key == "grade")
    grade_letter = get_column_letter(grade_position)
    names = _grade_names()
    # A drop-down that still accepts other spellings (e.g. 四级); the import decides what it understands.
    choices = DataValidation(type="list", formula1='"' + ",".join(names) + '"', allow_blank=True)
    choices.showErrorMessage = False
    choices.add(f"{grade_letter}2:{grade_letter}{_TEMPLATE_ROWS + 1}")
    sheet.add_data_validation(choices)

    guide = workbook.create_sheet(_INSTRUCTIONS_TITLE)
    guide.append(["列名", "是否必填", "填写要求"])
    for cell in guide[1]:
        cell.font = bold
        cell.fill = header_fill
    for line in _instructions():
        guide.append(list(line))
        for cell in guide[guide.max_row]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    guide.append([])
    # The notes are left unwrapped so that they run across the empty cells to their right.
    for note in _GENERAL_NOTES:
        guide.append([note])
    guide.column_dimensions["A"].width = 16
    guide.column_dimensions["B"].width = 10
    guide.column_dimensions["C"].width = 90

    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()

"""Excel sheets of the exports: a titled table, text cells that stay text, widths that fit CJK, A4 print setup."""

from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

# The title sits in row 1 so that a reader (or an import) finds the column names in a fixed row.
TITLE_ROW = 1
HEADER_ROW = 2
TEXT = "@"
_THIN = Side(style="thin", color="999999")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def text_cell(cell, value) -> None:
    """Store a value as text, never as a formula: names and units come from applicants (formula injection)."""
    cell.number_format = TEXT
    if value is None or value == "":
        return
    cell.value = str(value)
    cell.data_type = "s"


def display_width(value) -> int:
    # CJK characters take two columns in Excel's default font.
    text = "" if value is None else str(value)
    return sum(2 if ord(character) > 0x2E7F else 1 for character in text)


def write_table(sheet, title: str, headers: list[str], rows) -> None:
    """A title over the table, a bold header, then rows of (value, number format); a format of None marks text.

    Numbers and dates are written as such with their format, right-aligned; column widths follow the content.
    The header repeats on every printed page, and the sheet prints landscape on A4, one page wide.
    """
    text_cell(sheet.cell(TITLE_ROW, 1), title)
    sheet.cell(TITLE_ROW, 1).font = Font(bold=True, size=14)
    sheet.cell(TITLE_ROW, 1).alignment = Alignment(horizontal="center", vertical="center")
    sheet.merge_cells(start_row=TITLE_ROW, start_column=1, end_row=TITLE_ROW, end_column=len(headers))
    sheet.row_dimensions[TITLE_ROW].height = 28
    widths = [display_width(header) for header in headers]
    for column, header in enumerate(headers, start=1):
        cell = sheet.cell(HEADER_ROW, column)
        text_cell(cell, header)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="E8E8E8")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = BORDER
    for row_number, values in enumerate(rows, start=HEADER_ROW + 1):
        for column, (value, number_format) in enumerate(values, start=1):
            cell = sheet.cell(row_number, column)
            if number_format is None:
                text_cell(cell, value)
                widths[column - 1] = max(widths[column - 1], display_width(value))
            else:
                cell.value = value
                cell.number_format = number_format
                cell.alignment = Alignment(horizontal="right")
                widths[column - 1] = max(widths[column - 1], len(str(value or "")), len(number_format))
            cell.border = BORDER
    for column, width in enumerate(widths, start=1):
        # Room for the cell padding; long texts wrap rather than push the sheet wide.
        sheet.column_dimensions[get_column_letter(column)].width = min(width + 3, 50)
    sheet.freeze_panes = sheet.cell(HEADER_ROW + 1, 1)
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True

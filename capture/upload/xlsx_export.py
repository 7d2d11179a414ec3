"""The bulk-shipping file (批量发货) as an .xlsx workbook, order numbers as text cells.

Excel shows a CSV's 19-digit order number as 2.75193E+18 and, saved again,
keeps only that: the back office then finds no such order.  In the workbook
every cell is a string with the text number format ("@"), so opening and
saving it in Excel or WPS keeps every digit.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

TEXT_FORMAT = "@"
SHEET_TITLE = "批量发货"


def render_xlsx(header: Sequence[str], rows: Sequence[Sequence[str]]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(SHEET_TITLE)

    def text_cells(values: Sequence[str]) -> list[WriteOnlyCell]:
        cells = []
        for value in values:
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"  # a string even when it starts with "=": never a formula
            cell.number_format = TEXT_FORMAT
            cells.append(cell)
        return cells

    sheet.append(text_cells(header))
    for row in rows:
        sheet.append(text_cells(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()

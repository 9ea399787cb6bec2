"""Ledgers written the way district offices keep them, made for the import tests (nothing here
is copied from a real ledger): merged title rows, a "(1)…(n)" column-number row, blank rows,
text and real dates, Vietnamese weights, a =SUM total row with its cached value, a signature
block; a CSV with BOM and semicolons and English headers; workbooks that break the limits."""

import csv
import io
import re
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl

OFFICE_HEADERS = [
    "STT",
    "Tên vật chứng / tài sản",
    "SL",
    "ĐVT",
    "Khối lượng",
    "Số bản án / quyết định",
    "Ngày nhập kho",
    "Vị trí kho",
    "Ghi chú",
]


def office_rows(year: int = 2026) -> list[list[Any]]:
    """Five items; no category column (inferred from the descriptions)."""
    yy = f"{year % 100:02d}"
    return [
        [1, "Gói heroin", "02", "gói", "12,5 g", "1/2026/HS-ST", datetime(year, 1, 5), "SEC-1", ""],
        [
            2,
            "Ma túy đá (methamphetamine)",
            1,
            "túi",
            "1.250 g",
            "1/2026/HS-ST",
            f"06/01/{year}",
            "SEC-1",
            "",
        ],
        [
            3,
            "Điện thoại Nokia",
            1,
            "cái",
            "0,85kg",
            "1/2026/HS-ST",
            f"15/01/{yy}",
            "S2",
            "màn hình vỡ",
        ],
        [4, "Dây chuyền bạc", 1, "chiếc", "2 lạng", "1/2026/HS-ST", f"16/01/{year}", "S2", ""],
        [5, "Pháo hoa nổ", 3, "hộp", "500 mg", "1/2026/HS-ST", f"17/01/{year}", "F1", ""],
    ]


def _cache_formula_values(path: Path, values: dict[str, str]) -> None:
    """Give formula cells the value Excel saves with them (openpyxl writes none)."""
    source = zipfile.ZipFile(path)
    members = {i.filename: source.read(i.filename) for i in source.infolist()}
    source.close()
    sheet = members["xl/worksheets/sheet1.xml"].decode()
    for ref, value in values.items():
        sheet = re.sub(
            rf'(<c r="{ref}"[^>]*>)<f>([^<]*)</f><v\s*/?>(?:</v>)?',
            rf"\1<f>\2</f><v>{value}</v>",
            sheet,
        )
    members["xl/worksheets/sheet1.xml"] = sheet.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, content in members.items():
            target.writestr(name, content)


def office_xlsx(
    path: Path,
    rows: list[list[Any]] | None = None,
    headers: list[str] = OFFICE_HEADERS,
    cached_total: bool = True,
) -> Path:
    rows = office_rows() if rows is None else rows
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    width = len(headers)
    lines: list[list[Any]] = [
        ["CHI CỤC THI HÀNH ÁN DÂN SỰ HUYỆN A"],
        ["SỔ THEO DÕI VẬT CHỨNG, TÀI SẢN TẠM GIỮ"],
        [],
        headers,
        [f"({n})" for n in range(1, width + 1)],
    ]
    first = len(lines) + 1
    lines += [*rows, []]
    total_row = len(lines) + 1
    lines.append(["", "Tổng cộng", f"=SUM(C{first}:C{total_row - 2})"])
    lines += [
        [],
        ["", "Người lập sổ", "", "", "", "Thủ trưởng đơn vị"],
        ["", "(Ký, ghi rõ họ tên)", "", "", "", "(Ký tên, đóng dấu)"],
        ["", "Nguyễn Văn A", "", "", "", "Trần Thị B"],
    ]
    for number, line in enumerate(lines, start=1):
        for column, value in enumerate(line, start=1):
            if value not in ("", None):
                sheet.cell(row=number, column=column, value=value)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    book.save(path)
    if cached_total:
        _cache_formula_values(path, {f"C{total_row}": "8"})
    return path


ENGLISH_HEADERS = [
    "No.",
    "Description",
    "Category",
    "Qty",
    "Unit",
    "Net weight",
    "Judgment number",
    "Date received",
    "Location",
]


def english_csv(path: Path, rows: list[list[Any]]) -> Path:
    """UTF-8 with BOM, semicolons, English headers: as Excel saves 'CSV UTF-8' in Vietnam."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(ENGLISH_HEADERS)
    writer.writerows(rows)
    path.write_text("\ufeff" + out.getvalue(), encoding="utf-8")
    return path


def many_shared_strings(path: Path, count: int) -> Path:
    """A valid small workbook whose shared-string table holds ``count`` strings (~1 MB)."""
    office_xlsx(path, office_rows()[:1])
    source = zipfile.ZipFile(path)
    members = {i.filename: source.read(i.filename) for i in source.infolist()}
    source.close()
    body = b"<si><t>x</t></si>" * count
    members["xl/sharedStrings.xml"] = (
        b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/'
        b'spreadsheetml/2006/main" count="%d" uniqueCount="%d">' % (count, count) + body + b"</sst>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, content in members.items():
            target.writestr(name, content)
    return path


def huge_dimension(path: Path) -> Path:
    """A tiny sheet that claims A1:XFD1048576."""
    office_xlsx(path, office_rows()[:1])
    source = zipfile.ZipFile(path)
    members = {i.filename: source.read(i.filename) for i in source.infolist()}
    source.close()
    sheet = members["xl/worksheets/sheet1.xml"]
    members["xl/worksheets/sheet1.xml"] = re.sub(
        rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', sheet
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, content in members.items():
            target.writestr(name, content)
    return path

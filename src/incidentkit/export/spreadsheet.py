"""Spreadsheet-safe output (CSV and XLSX): every text cell that a spreadsheet could run is neutralised.

Excel, LibreOffice and Google Sheets treat a cell that begins with ``=``, ``+``, ``-`` or ``@`` (and, in
some versions, tab, CR or LF before those) as a formula. Notes quoted from news reports and anything
else a coder pastes are untrusted, so this export prefixes such cells with a single quote, as OWASP's
"CSV Injection" guidance recommends (the rule is :func:`incidentkit.formulas.neutralise`, shared with
every other file written for people: ``agree --disagreements``, ``geocode -o``). incidents.parquet and
the ACLED/UCDP CSVs keep the exact text; the commands that write those count the cells a spreadsheet
would misread.

Excel holds at most 32,767 characters in a cell and cuts a longer one when it opens the file. A longer
text (a long note) is never cut silently: its cell says ``[continued in sheet long_text, row N]`` and
shows the beginning, and the ``long_text`` sheet holds the full text in row N, split over ``text_1``,
``text_2``, ... (each within the limit; join them in order), next to the incident's id, its row on the
incidents sheet and the column name.

List columns are joined with "; " (evidence as "field: quote" items) so each incident is one row; the
CSV is UTF-8 with a byte-order mark, which Excel needs to show Arabic or Swedish text correctly.
The XLSX is deterministic: fixed document timestamps and fixed ZIP entry dates.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import zipfile
from pathlib import Path
from typing import Any

import pyarrow as pa

from incidentkit.atomic import atomic_path
from incidentkit.errors import UsageError
from incidentkit.formulas import DANGEROUS_PREFIXES, neutralise

SPREADSHEET_SUFFIXES = (".csv", ".xlsx")
_FIXED_TIME = dt.datetime(2000, 1, 1, 0, 0, 0)
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


#: Excel's limit on the characters of one cell (counted in UTF-16 code units, as Excel counts them)
EXCEL_MAX_CELL = 32_767
LONG_TEXT_SHEET = "long_text"
_SAFE_BOUNDARY_SEARCH = 200   # how far back a part boundary may move so no part begins like a formula


def _cell_text(value: Any) -> Any:
    if isinstance(value, list):
        parts = [f"{v['field']}: {v['quote']}" if isinstance(v, dict) else str(v) for v in value]
        return neutralise("; ".join(parts)) if parts else None
    if isinstance(value, str):
        return neutralise(value)
    return value


def spreadsheet_rows(table: pa.Table) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of the spreadsheet view: flat cells, text neutralised, numbers and dates kept."""
    columns = [table.column(i).to_pylist() for i in range(table.num_columns)]
    rows = [[_cell_text(v) for v in row] for row in zip(*columns)]
    return [neutralise(n) for n in table.column_names], rows


def _write_csv(header: list[str], rows: list[list[Any]], path: Path) -> None:
    import csv

    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow(["" if v is None else v.isoformat() if isinstance(v, dt.date) else
                             "true" if v is True else "false" if v is False else v for v in row])


def _deterministic_zip(data: bytes) -> bytes:
    """Rewrite the XLSX ZIP with fixed entry dates and pinned document times (openpyxl stamps the
    save time into docProps/core.xml), so the same workbook gives the same bytes."""
    src = zipfile.ZipFile(io.BytesIO(data))
    stamp = _FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)", rb"\g<1>" + stamp + rb"\g<2>",
                              body)
            fixed = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            dst.writestr(fixed, body)
    return out.getvalue()


def _units(text: str) -> int:
    """Length as Excel counts it: UTF-16 code units (a character beyond U+FFFF counts twice)."""
    return len(text) if text.isascii() else len(text.encode("utf-16-le")) // 2


def _too_long(value: Any) -> bool:
    return isinstance(value, str) and len(value) > EXCEL_MAX_CELL // 2 and _units(value) > EXCEL_MAX_CELL


def _prefix_within(text: str, limit: int) -> int:
    """How many characters of ``text`` fit in ``limit`` UTF-16 code units."""
    if text.isascii():
        return min(len(text), limit)
    used = 0
    for i, ch in enumerate(text):
        used += 2 if ord(ch) > 0xFFFF else 1
        if used > limit:
            return i
    return len(text)


def split_long_text(text: str, limit: int = EXCEL_MAX_CELL) -> list[str]:
    """Split a text into parts Excel can hold (at most ``limit`` UTF-16 code units each); the parts
    joined in order are the text. A boundary moves back a little when it would make a part begin like
    a formula, so no part on the long_text sheet begins with ``= + - @`` or a tab or line break."""
    parts: list[str] = []
    rest = text
    while _units(rest) > limit:
        cut = _prefix_within(rest, limit)
        for back in range(min(_SAFE_BOUNDARY_SEARCH, cut - 1)):
            if not rest[cut - back:].startswith(DANGEROUS_PREFIXES):
                cut -= back
                break
        parts.append(rest[:cut])
        rest = rest[cut:]
    parts.append(rest)
    return parts


class _LongText:
    """Collects the over-long cells of the incidents sheet: each becomes a pointer to its row on the
    long_text sheet, followed by as much of its beginning as fits."""

    def __init__(self, header: list[str]) -> None:
        self.header = header
        self.id_col = header.index("id") if "id" in header else None
        self.rows: list[list[Any]] = []

    def cells(self, row: list[Any], sheet_row: int) -> list[Any]:
        if not any(_too_long(v) for v in row):
            return row
        row = list(row)
        for c, value in enumerate(row):
            if not _too_long(value):
                continue
            n = len(self.rows) + 2                        # the long_text sheet's row (row 1 is its header)
            parts = split_long_text(value)
            self.rows.append([sheet_row, row[self.id_col] if self.id_col is not None else None, self.header[c],
                              len(value), len(parts), *parts])
            marker = f"[continued in sheet {LONG_TEXT_SHEET}, row {n}] "
            row[c] = marker + value[:_prefix_within(value, EXCEL_MAX_CELL - len(marker))]
        return row

    def write(self, wb: Any) -> None:
        from openpyxl.cell import WriteOnlyCell

        if not self.rows:
            return
        ws = wb.create_sheet(LONG_TEXT_SHEET)
        most = max(row[4] for row in self.rows)
        ws.append(["incidents_row", "id", "column", "characters", "parts", *(f"text_{k}" for k in range(1, most + 1))])
        for row in self.rows:
            cells = []
            for value in row:
                cell = WriteOnlyCell(ws, value=value)
                if isinstance(value, str):
                    cell.data_type = "s"  # text, whatever it begins with (openpyxl would make "=..." a formula)
                cells.append(cell)
            ws.append(cells)


def _write_xlsx(header: list[str], rows: list[list[Any]], path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    wb = Workbook(write_only=True)
    wb.properties.creator = "incidentkit"
    wb.properties.created = _FIXED_TIME
    wb.properties.modified = _FIXED_TIME
    ws = wb.create_sheet("incidents")
    ws.append(header)
    long_text = _LongText(header)
    for i, row in enumerate(rows):
        # XML cannot hold most C0 control characters: they become U+FFFD instead of failing the export
        clean = [ILLEGAL_CHARACTERS_RE.sub("\ufffd", v) if isinstance(v, str) else v for v in row]
        ws.append(long_text.cells(clean, i + 2))
    long_text.write(wb)
    buf = io.BytesIO()
    wb.save(buf)
    Path(path).write_bytes(_deterministic_zip(buf.getvalue()))


def write_spreadsheet(table: pa.Table, path: str | os.PathLike[str]) -> None:
    """Write the dataset for spreadsheets as .csv or .xlsx (chosen by the suffix), neutralising formulas.

    >>> from incidentkit.dataset import read_table
    >>> write_spreadsheet(read_table("datasets"), "incidents.xlsx")   # doctest: +SKIP
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SPREADSHEET_SUFFIXES:
        raise UsageError(f"{path}: a spreadsheet export is written as .csv or .xlsx, not {suffix or 'no suffix'!r}",
                         code="export-format")
    header, rows = spreadsheet_rows(table)
    with atomic_path(path) as tmp:
        (_write_csv if suffix == ".csv" else _write_xlsx)(header, rows, tmp)

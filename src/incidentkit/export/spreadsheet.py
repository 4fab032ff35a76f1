"""Spreadsheet-safe output (CSV and XLSX): every text cell that a spreadsheet could run is neutralised.

Excel, LibreOffice and Google Sheets treat a cell that begins with ``=``, ``+``, ``-`` or ``@`` (and, in
some versions, tab, CR or LF before those) as a formula. Notes quoted from news reports and anything
else a coder pastes are untrusted, so this export prefixes such cells with a single quote, as OWASP's
"CSV Injection" guidance recommends. Only this export is altered: incidents.parquet and the ACLED/UCDP
CSVs keep the exact text.

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

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")
SPREADSHEET_SUFFIXES = (".csv", ".xlsx")
_FIXED_TIME = dt.datetime(2000, 1, 1, 0, 0, 0)
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def neutralise(text: str) -> str:
    """Prefix a cell a spreadsheet could read as a formula with a single quote (OWASP)."""
    return "'" + text if text.startswith(DANGEROUS_PREFIXES) else text


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


def _write_xlsx(header: list[str], rows: list[list[Any]], path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    wb = Workbook(write_only=True)
    wb.properties.creator = "incidentkit"
    wb.properties.created = _FIXED_TIME
    wb.properties.modified = _FIXED_TIME
    ws = wb.create_sheet("incidents")
    ws.append(header)
    for row in rows:
        # XML cannot hold most C0 control characters: they become U+FFFD instead of failing the export
        ws.append([ILLEGAL_CHARACTERS_RE.sub("\ufffd", v) if isinstance(v, str) else v for v in row])
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

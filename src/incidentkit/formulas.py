"""The one rule for cells a spreadsheet could run as a formula, used by every file meant for people.

Excel, LibreOffice and Google Sheets treat a cell that begins with ``=``, ``+``, ``-`` or ``@`` (and, in
some versions, a tab, CR or LF before those) as a formula: ``=HYPERLINK(...)`` in a note quoted from a
report becomes a live link, ``-2+3`` becomes 1. What coders paste is untrusted, so every CSV or XLSX
written for people to open (``export spreadsheet``, ``agree --disagreements``, ``geocode -o``) prefixes
such a text cell with a single quote, as OWASP's "CSV Injection" guidance recommends: the text stays
readable, and nothing runs. Numbers are written as numbers and never touched (``-33.5`` is a longitude,
not a formula).

The ACLED and UCDP layouts keep the exact text on purpose (they must concatenate with the real files);
:func:`count_formula_cells` counts what a spreadsheet would misread there, so the commands that write
them can say so (:func:`kept_exact_note`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    import pyarrow as pa

#: What a cell may not begin with in a file meant for a spreadsheet.
DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")
#: The same set as a regular expression (for Arrow's compute functions).
DANGEROUS_START_RE = r"^[=+\-@\t\r\n]"

__all__ = ["DANGEROUS_PREFIXES", "count_formula_cells", "kept_exact_note", "layout_note", "looks_like_formula",
           "neutralise", "neutralise_frame", "neutralise_value"]


def looks_like_formula(text: str) -> bool:
    """True when a spreadsheet could read this text cell as a formula."""
    return text.startswith(DANGEROUS_PREFIXES)


def neutralise(text: str) -> str:
    """Prefix a cell a spreadsheet could read as a formula with a single quote (OWASP).

    >>> neutralise("=HYPERLINK(\\"http://x\\")"), neutralise("-2+3"), neutralise("al-Hasakah")
    ('\\'=HYPERLINK("http://x")', "'-2+3", 'al-Hasakah')
    """
    return "'" + text if text.startswith(DANGEROUS_PREFIXES) else text


def neutralise_value(value: Any) -> Any:
    """A cell of any type made safe: text neutralised, everything else (numbers, dates, None) as it is."""
    return neutralise(value) if isinstance(value, str) else value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of a pandas frame for a person's spreadsheet: every text cell and column name neutralised.

    Only text is changed: numeric columns (coordinates, scores, counts) keep their dtype and values,
    so ``to_csv`` writes them exactly as before.
    """
    out = frame.copy()
    for col in out.columns:
        series = out[col]
        if series.dtype == object or str(series.dtype) in ("string", "str"):
            out[col] = series.map(neutralise_value, na_action="ignore")
    return out.rename(columns=lambda c: neutralise(c) if isinstance(c, str) else c)


def count_formula_cells(table: pa.Table) -> int:
    """How many text cells of a flat Arrow table begin like a formula (numbers are not counted)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    total = 0
    for column in table.columns:
        t = column.type
        if pa.types.is_dictionary(t):
            t = t.value_type
            column = column.cast(t)
        if not (pa.types.is_string(t) or pa.types.is_large_string(t)):
            continue
        hits = pc.match_substring_regex(column, DANGEROUS_START_RE)
        total += int(pc.sum(hits).as_py() or 0)
    return total


def kept_exact_note(count: int, filename: str, layout: str) -> str | None:
    """The one-line note a command prints after writing a layout that keeps formula-looking text exact,
    or None when no cell looks like a formula."""
    if not count:
        return None
    return (f"note: {count} cell(s) in {filename} begin with = + - @ or a tab/line break (kept exact for "
            f"{layout} compatibility; use the xlsx export to open in a spreadsheet)")


def layout_note(parquet_path: str | os.PathLike[str], csv_name: str, layout: str) -> str | None:
    """The note for a layout just written (:func:`kept_exact_note`), counted in its typed Parquet twin,
    which holds exactly the CSV's cells; None when the file is absent or no cell looks like a formula."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = Path(parquet_path)
    if not path.is_file():
        return None
    schema = pq.read_schema(path)
    text = [f.name for f in schema if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)
            or (pa.types.is_dictionary(f.type) and pa.types.is_string(f.type.value_type))]
    return kept_exact_note(count_formula_cells(pq.read_table(path, columns=text)), csv_name, layout)

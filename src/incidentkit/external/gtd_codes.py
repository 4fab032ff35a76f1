"""GTD cells that need more than a cast: event ids Excel may have mangled, country names of states that
no longer exist, the quality-flag column, and how a file's text is encoded and delimited.

Kept apart from :mod:`incidentkit.external.gtd` so the reader itself stays a readable column mapping.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from incidentkit.external._convert import CellError

#: GTD ``country_txt`` names that :func:`incidentkit.codebook.countries.country_code` does not know, with
#: the ISO 3166-1 alpha-2 code of the territory (states that no longer exist: their single successor).
#: Names of several successors ("Soviet Union", "Yugoslavia", "Czechoslovakia", "Serbia-Montenegro") and
#: non-places ("International", "Multinational", "Asian") have no code: null, flagged ``country_not_iso``.
COUNTRY_ALIASES: Mapping[str, str] = {
    "bosnia-herzegovina": "BA", "brunei": "BN", "falkland islands": "FK", "macau": "MO", "man, isle of": "IM",
    "west bank and gaza strip": "PS", "st. kitts and nevis": "KN", "st. lucia": "LC", "st. martin": "MF",
    "great britain": "GB", "vatican city": "VA", "northern ireland": "GB", "corsica": "FR",
    "west germany (frg)": "DE", "east germany (gdr)": "DE", "north yemen": "YE", "south yemen": "YE",
    "rhodesia": "ZW", "south vietnam": "VN", "new hebrides": "VU", "zaire": "CD",
    "people's republic of the congo": "CG",
}
#: Names GTD uses for no single present-day country.
NO_COUNTRY = frozenset({"soviet union", "yugoslavia", "czechoslovakia", "serbia-montenegro", "international",
                        "multinational", "asian", "commonwealth of independent states", "sinhalese", "unknown"})

_ID = re.compile(r"^\d{12}$")
_ID_FLOAT = re.compile(r"^(\d{12})\.0*$")
_SCIENTIFIC = re.compile(r"^(\d)(?:[.,](\d*))?[eE]\+?(\d+)$")
MANGLED_ID = ("a 12-digit GTD event id: Excel wrote the ids in scientific notation and their last digits are "
              "lost; export the file again with the eventid column formatted as text (or ingest GTD's own "
              ".xlsx workbook)")
BAD_ID = "a 12-digit GTD event id (yyyymmdd and a 4-digit case number)"
ROUNDED_ID = ("a GTD event id: it ends in the case number 0000, which GTD never gives (cases count from 0001) "
              "but an id Excel rounded ('2.01E+11' saved again as 201000000000) does; export the file again "
              "with the eventid column formatted as text (or ingest GTD's own .xlsx workbook)")


def event_id(value: str) -> str | None:
    """The 12-digit id of an ``eventid`` cell, or None when it cannot be read.

    "197000000001", "197000000001.0" (a float written out) and "1.97000000001E+11" (scientific notation
    with all twelve digits) give the id; "2.00E+11" (Excel's display of any id from 2000) does not.
    """
    v = value.strip()
    if _ID.match(v):
        return v
    m = _ID_FLOAT.match(v)
    if m:
        return m[1]
    m = _SCIENTIFIC.match(v)
    if m and int(m[3]) == 11 and len(m[2] or "") == 11:
        return m[1] + m[2]
    return None


def event_ids(arr: pa.Array, column: str = "eventid") -> pa.Array:
    """The ``id`` column: 12-digit text. A missing or unreadable id is a :class:`CellError`: an id lost to
    Excel's scientific notation says how to export the file again."""
    if arr.null_count:
        i = int(pc.index(pc.is_null(arr), True).as_py())
        raise CellError(i, column, None, "an event id (it is empty)")
    if pc.all(pc.match_substring_regex(arr, r"^\d{12}$")).as_py() and not pc.any(pc.ends_with(arr, "0000")).as_py():
        return arr
    uniques = pc.unique(arr)
    fixed = []
    for raw in uniques.to_pylist():
        got = event_id(raw)
        if got is None:
            i = int(pc.index(arr, raw).as_py())
            expected = MANGLED_ID if _SCIENTIFIC.match(raw.strip()) else BAD_ID
            raise CellError(i, column, raw, expected)
        if got.endswith("0000"):
            raise CellError(int(pc.index(arr, raw).as_py()), column, raw, ROUNDED_ID)
        fixed.append(got)
    return pc.take(pa.array(fixed, pa.string()), pc.index_in(arr, value_set=uniques))


def country_name(name: str) -> str:
    """A GTD country name as :func:`incidentkit.external._convert.country` reads it (an ISO code for the
    names it would not know; "" for names of no single country, which then stay null)."""
    key = name.strip().casefold()
    if key in NO_COUNTRY:
        return ""
    return COUNTRY_ALIASES.get(key, name)


def flag_column(masks: Mapping[str, np.ndarray], n: int) -> pa.Array:
    """The ``quality_flags`` list column from one boolean mask per flag, vectorised (a batch of 65,536 rows
    where a fifth carry flags costs a few milliseconds, not a Python list per row). Flags of a row are in
    the order of ``masks``."""
    names = list(masks)
    if not names:
        return pa.ListArray.from_arrays(pa.array(np.zeros(n + 1, np.int32)), pa.array([], pa.string()))
    matrix = np.column_stack([np.asarray(masks[k], dtype=bool) for k in names]) if n else np.zeros((0, len(names)),
                                                                                                     bool)
    counts = matrix.sum(axis=1)
    offsets = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(counts, out=offsets[1:])
    _, which = np.nonzero(matrix)  # row-major: rows in order, flags in order within a row
    values = pc.take(pa.array(names, pa.string()), pa.array(which.astype(np.int32)))
    return pa.ListArray.from_arrays(pa.array(offsets), values)


def sniff_delimiter(path: Path) -> str:
    """The delimiter of a GTD text export: ',' as published, ';' from a European Excel, or a tab.

    Read from the header line alone (its 135 names hold none of the three), so a comma inside a
    summary never misleads it.
    """
    with open(path, "rb") as fh:
        head = fh.read(1 << 16)
    line = head.split(b"\n", 1)[0].decode("latin-1")
    counts = {d: line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


_NON_ASCII = re.compile(rb"[\x80-\xff]")
#: Bytes cp1252 leaves undefined: a file holding one is read as Latin-1.
_CP1252_UNDEFINED = (b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d")


def sniff_encoding(path: Path, chunk: int = 1 << 20) -> str:
    """"utf-8" (a byte-order mark, or text whose first non-ASCII letters are UTF-8), else "cp1252" (GTD's
    own CSV is written by Windows Excel), else "latin-1" (a file with bytes cp1252 leaves undefined).

    The first non-ASCII letters decide (64 bytes from the first one): ASCII blocks are skipped at memory
    speed and a UTF-8 file is never decoded whole; a file that turns to another encoding later is
    refused by the reader with a file-encoding error, never read half as mojibake. A cp1252 file is scanned once for the five bytes cp1252 lacks.
    """
    with open(path, "rb") as fh:
        if fh.read(3) == codecs.BOM_UTF8:
            return "utf-8"
        fh.seek(0)
        while True:
            block = fh.read(chunk)
            if not block:
                return "utf-8"  # ASCII only
            if block.isascii():
                continue
            first = _NON_ASCII.search(block).start()
            sample = block[first:first + 64]  # the first letters; one cut at the end is no error (final=False)
            try:
                codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
                return "utf-8"
            except UnicodeDecodeError:
                break
        fh.seek(0)
        while True:
            block = fh.read(chunk)
            if not block:
                return "cp1252"
            if any(b in block for b in _CP1252_UNDEFINED):
                return "latin-1"


def interleave_lists(columns: Sequence[pa.Array], keep: Sequence[np.ndarray]) -> pa.Array:
    """One list per row of the kept cells of ``columns`` (in column order); null where none is kept."""
    n = len(columns[0])
    k = len(columns)
    mask = np.column_stack([np.asarray(m, dtype=bool) for m in keep]) if n else np.zeros((0, k), bool)
    counts = mask.sum(axis=1)
    offsets = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(counts, out=offsets[1:])
    rows, cols = np.nonzero(mask)
    stacked = pa.concat_arrays([c.cast(pa.string()) for c in columns])
    values = pc.take(stacked, pa.array((cols * n + rows).astype(np.int64)))
    return pa.ListArray.from_arrays(pa.array(offsets), values, mask=pa.array(counts == 0))

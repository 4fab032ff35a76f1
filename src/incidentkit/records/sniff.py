"""What a file is when it is not the UTF-8, comma-separated text a reader expects.

One set of rules for every reader (coded records, ``ingest acled``, ``ingest ucdp``): a compressed file,
a workbook or UTF-16 text is named as such with what to do about it, and a CSV whose header is one
column holding ';', a tab or '|' is named as delimited by that character. The readers differ only in
the code they report a wrong delimiter with (``csv-delimiter`` for coded records, ``external-delimiter``
for external files), since the codes are stable.

>>> what_file(b"\\x1f\\x8b\\x08\\x00")
'the file is gzip-compressed: decompress it first (gunzip FILE, or 7-Zip on Windows)'
>>> what_file("source_id,coder".encode("utf-16"))
"the file is UTF-16 text (Excel's 'Unicode Text' and some Windows tools save it): save it as UTF-8 (in Excel: Save As 'CSV UTF-8')"
>>> guess_delimiter(["source_id;coder;coded_on"])
';'
"""

from __future__ import annotations

import contextlib
import csv
from collections.abc import Iterator
from pathlib import Path

#: Bytes read from the start of a file to tell what it is.
HEAD_BYTES = 4096
#: The longest cell a coded CSV record may hold: Python's default csv limit, pinned, because libraries
#: change the process-wide limit when imported (frictionless raises it to the maximum), and whether a
#: record is valid must not depend on what else was imported.
RECORD_CELL_LIMIT = 131_072


@contextlib.contextmanager
def csv_field_limit(limit: int) -> Iterator[None]:
    """Read with the csv module's cell limit set to ``limit``, and put the process-wide value back."""
    old = csv.field_size_limit()
    csv.field_size_limit(limit)
    try:
        yield
    finally:
        csv.field_size_limit(old)

_UTF16 = "UTF-16 text (Excel's 'Unicode Text' and some Windows tools save it)"
_UTF16_FIX = "save it as UTF-8 (in Excel: Save As 'CSV UTF-8')"
_KINDS: dict[str, tuple[str, str]] = {
    "gzip": ("gzip-compressed", "decompress it first (gunzip FILE, or 7-Zip on Windows)"),
    "bzip2": ("bzip2-compressed", "decompress it first (bunzip2 FILE)"),
    "xz": ("xz-compressed", "decompress it first (unxz FILE)"),
    "zstd": ("zstd-compressed", "decompress it first (unzstd FILE)"),
    "zip": ("a ZIP archive or an Excel workbook (.xlsx)",
            "unpack the archive, or save the sheet as 'CSV UTF-8' in Excel"),
    "xls": ("an Excel 97-2003 workbook (.xls)", "save the sheet as 'CSV UTF-8' in Excel"),
    "utf-16": (_UTF16, _UTF16_FIX),
    "utf-32": ("UTF-32 text", "save it as UTF-8"),
    "html": ("an HTML page (a login or error page saved from the browser?)",
             "download the data file itself, or save the page's data as CSV"),
}
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x1f\x8b", "gzip"), (b"BZh", "bzip2"), (b"\xfd7zXZ\x00", "xz"), (b"\x28\xb5\x2f\xfd", "zstd"),
    (b"PK\x03\x04", "zip"), (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "xls"),
    (b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"),
)
DELIMITERS = (";", "\t", "|")


def file_kind(head: bytes) -> str | None:
    """The kind of a file that is not UTF-8 text, from its first bytes (:data:`HEAD_BYTES`); None when it
    may be text (the UTF-8 decoder has the last word)."""
    for magic, kind in _MAGIC:
        if head.startswith(magic) and (kind != "bzip2" or head[3:4].isdigit()):
            return kind
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:15].lower()
    if start.startswith((b"<!doctype html", b"<html")):
        return "html"
    sample = head[:512]
    pairs = len(sample) // 2
    if pairs >= 4 and (sample[0::2].count(0) >= pairs * 0.4 or sample[1::2].count(0) >= pairs * 0.4):
        return "utf-16"  # ASCII text as UTF-16 without a byte-order mark: every other byte is NUL
    return None


def what_file(head: bytes) -> str | None:
    """``"the file is <what>: <what to do>"`` for a file that is not UTF-8 text, else None."""
    kind = file_kind(head)
    if kind is None:
        return None
    what, fix = _KINDS[kind]
    return f"the file is {what}: {fix}"


def what_path(path: str | Path) -> str | None:
    """:func:`what_file` for a file on disk (OSError propagates: the caller names it)."""
    with open(path, "rb") as fh:
        return what_file(fh.read(HEAD_BYTES))


def looks_like_json(head: bytes) -> bool:
    """Whether a file's first bytes open a JSON object or list (an API answer saved under a .csv name)."""
    return head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"[")


def guess_delimiter(header: list[str]) -> str | None:
    """The delimiter a CSV seems to use when its header, read as comma-separated, is one column."""
    if len(header) != 1:
        return None
    return next((d for d in DELIMITERS if d in header[0]), None)


def delimiter_message(delim: str) -> str:
    """The one wording of a wrong delimiter, for every reader."""
    return (f"the header has one column: the file seems delimited by {delim!r}, not ','; export it again as "
            "comma-separated CSV")


__all__ = ["DELIMITERS", "HEAD_BYTES", "delimiter_message", "file_kind", "guess_delimiter", "looks_like_json",
           "what_file", "what_path"]

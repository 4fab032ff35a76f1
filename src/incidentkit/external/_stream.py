"""The streaming engine of the external readers: text batches in, harmonised Parquet row groups out.

Files are read with :func:`pyarrow.csv.open_csv` (every column as text, quoted newlines allowed), each
batch is converted by a dataset-specific function and written with :class:`pyarrow.parquet.ParquetWriter`,
so memory stays bounded by one batch whatever the file's size. The output is written to a temporary file
and renamed into place only when every input was read (:func:`incidentkit.atomic.atomic_path`): a bad
file never leaves a half-written output behind.

When a cell cannot be converted or the CSV structure breaks, the engine finds the physical line of the
offending record by re-reading the file with the :mod:`csv` module (quoted notes may span lines, so the
record number is not the line number) and raises :class:`ExternalFileError` naming file, line and column.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from incidentkit.atomic import atomic_path
from incidentkit.errors import InputFileError, Problem, problem, quote
from incidentkit.external._convert import CellError
from incidentkit.external.schema import DATASETS
from incidentkit.progress import note, progress as progress_bar, size_text
from incidentkit.records.sniff import HEAD_BYTES, csv_field_limit, delimiter_message, guess_delimiter, looks_like_json, what_path

BLOCK_SIZE = 1 << 20          # small blocks parse fastest; they are regrouped for conversion
GROUP_ROWS = 65_536           # rows converted and written together (one Parquet row group)
JSON_BATCH_ROWS = 65_536
PARQUET_OPTIONS: Mapping[str, Any] = {"compression": "zstd", "compression_level": 1}
#: Columns whose values rarely repeat: dictionary-encoding them in Parquet costs time and saves nothing.
UNIQUE_COLUMNS = frozenset({"id", "notes", "latitude", "longitude", "priogrid_gid", "acled_timestamp",
                            "acled_data_id", "acled_event_id_no_cnty", "source_title", "ucdp_source_article",
                            "ucdp_geom_wkt", "ucdp_relid", "ucdp_where_description", "event_group",
                            "gdelt_sourceurl", "gdelt_dateadded", "gtd_summary", "icews_story_id"})
#: Long free text: min/max statistics on it serve no filter and cost time to write.
NO_STATISTICS = frozenset({"notes", "source_title", "ucdp_source_article", "ucdp_geom_wkt",
                           "ucdp_where_description", "gdelt_sourceurl"})

#: Inputs at least this large get a one-line note when stderr is not a terminal: the ingest reads
#: 70-170 MB/s on a loaded 2-core machine, the csv module's re-reading for an error's line and the
#: JSON parse far less, so from here on a step may pass a second or two.
NOTE_BYTES = 64_000_000

Converter = Callable[[pa.RecordBatch], dict[str, pa.Array]]


class ExternalFileError(InputFileError):
    """An external file cannot be ingested; ``.problem`` locates it (path, line, column)."""

    def __init__(self, p: Problem) -> None:
        super().__init__(p.format(), code=p.code)
        self.problem = p


def fail(code: str, message: str, path: Path | str, line: int | None = None, column: str = "",
         value: object = None) -> ExternalFileError:
    return ExternalFileError(problem(code, message, path=str(path), line=line, field=column, value=value))


@dataclass
class Source:
    """One input: its path, format and column names, and how its text is read.

    ``kind`` is "csv" (any delimiter), "json" (parsed whole) or "xlsx" (a workbook's first sheet, read
    row by row). ``header`` holds the column names the rows are parsed with: a file's first row, or the
    names a headerless format defines (``has_header=False``, GDELT). ``quoting=False`` reads ``"`` as
    an ordinary character (the tab files of GDELT, ICEWS and POLECAT never quote, and their notes hold
    unbalanced quotes). ``member`` names a file inside a zip archive (GDELT's 15-minute files), read
    without unpacking it to disk.
    """

    path: Path
    kind: str
    header: list[str]
    _json_rows: list[dict[str, Any]] | None = field(default=None, repr=False)
    delimiter: str = ","
    encoding: str = "utf-8"
    has_header: bool = True
    quoting: bool = True
    member: str | None = None

    @property
    def name(self) -> str:
        """How errors name the input: the file, or ``archive.zip[member.csv]``."""
        return f"{self.path}[{self.member}]" if self.member else str(self.path)

    @property
    def size(self) -> int:
        """Bytes the progress bar counts for this input (a zip member: its compressed size)."""
        if self.member is None:
            return self.path.stat().st_size
        import zipfile

        with zipfile.ZipFile(self.path) as z:
            return z.getinfo(self.member).compress_size

    @property
    def first_line(self) -> int:
        """Physical line of the first data record when no record spans lines."""
        return 2 if self.has_header else 1

    def open_binary(self) -> Any:
        """A binary stream of the text: the file, or the zip member (decompressed as it is read)."""
        if self.member is None:
            return open(self.path, "rb")
        import zipfile

        z = zipfile.ZipFile(self.path)
        try:
            fh = z.open(self.member)
        except BaseException:
            z.close()
            raise
        return _ClosingMember(fh, z)

    @contextlib.contextmanager
    def text_rows(self) -> Iterator[Any]:
        """A :mod:`csv` reader over the text as this source reads it (for an error's line)."""
        import io

        with self.open_binary() as raw, _csv_field_limit():
            enc = "utf-8-sig" if self.encoding.replace("_", "-").lower() in ("utf-8", "utf8") else self.encoding
            fh = io.TextIOWrapper(raw, encoding=enc, newline="")
            kwargs: dict[str, Any] = {"delimiter": self.delimiter}
            if not self.quoting:
                kwargs["quoting"] = csv.QUOTE_NONE
            reader = csv.reader(fh, **kwargs)
            if self.has_header:
                next(reader, None)
            yield reader


class _ClosingMember:
    """A zip member's stream that closes its archive with it."""

    def __init__(self, fh: Any, archive: Any) -> None:
        self._fh, self._archive = fh, archive

    def __getattr__(self, name: str) -> Any:
        return getattr(self._fh, name)

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        return self._fh.read(n)

    def read1(self, n: int = -1) -> bytes:
        return self._fh.read1(n)

    def readinto(self, b: Any) -> int:
        return self._fh.readinto(b)

    @property
    def closed(self) -> bool:
        return self._fh.closed

    def close(self) -> None:
        try:
            self._fh.close()
        finally:
            self._archive.close()

    def __enter__(self) -> "_ClosingMember":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_source(path: str | os.PathLike[str], required: Sequence[str], *, delimiter: str = ",",
                encoding: str = "utf-8", names: Sequence[str] | None = None, quoting: bool = True,
                member: str | None = None, what: str = "ACLED and UCDP publish") -> Source:
    """Read the header (or the JSON records), check required columns and the delimiter.

    ``names`` gives the column names of a headerless format (the first line is then data);
    ``delimiter``, ``encoding`` ("utf-8", "latin-1", "cp1252" ...) and ``quoting`` say how the text is
    read; ``member`` picks a file inside a zip archive. ``what`` completes the encoding error's advice
    ("not UTF-8 text (<what> UTF-8 CSV)").
    """
    p = Path(path)
    if not p.is_file():
        raise fail("file-unreadable", "no such file", p)
    if member is not None:
        src = Source(p, "csv", list(names or []), delimiter=delimiter, encoding=encoding,
                     has_header=names is None, quoting=quoting, member=member)
        if names is None:
            src.header = _csv_header_of(src, what)
    elif p.suffix.lower() == ".json" or _json_inside(p):  # an API answer saved as .csv is read as what it is
        src = _open_json(p)
    elif p.suffix.lower() in (".xlsx", ".xlsm"):
        src = Source(p, "xlsx", _xlsx_header(p))
    else:
        src = Source(p, "csv", list(names or []), delimiter=delimiter, encoding=encoding,
                     has_header=names is None, quoting=quoting)
        _check_text(p)
        if names is None:
            src.header = _csv_header_of(src, what)
    missing = [c for c in required if c not in src.header]
    if missing and src.kind == "json" and not src.header:
        raise fail("external-missing-column", "the JSON holds no events (an empty data list): nothing to ingest",
                   p, None)
    if missing:
        delim = guess_delimiter(src.header) if src.kind == "csv" and src.delimiter == "," else None
        if delim is not None:  # the rule of every reader (incidentkit.records.sniff)
            raise fail("external-delimiter", delimiter_message(delim), src.name, 1)
        found = ", ".join(quote(h, 60)[1:-1] for h in src.header[:8])
        raise fail("external-missing-column", f"required column {missing[0]!r} is missing (found: "
                   f"{found}{' ...' if len(src.header) > 8 else ''})", src.name,
                   1 if src.kind in ("csv", "xlsx") else None, missing[0])
    dupes = sorted({c for c in src.header if src.header.count(c) > 1})
    if dupes:
        raise fail("csv-header", f"column {quote(dupes[0])} appears twice in the header", src.name, 1, dupes[0])
    return src


@contextlib.contextmanager
def _sheet_rows(p: Path) -> Iterator[Iterator[Sequence[Any]]]:
    """The rows of a workbook's first sheet as tuples of values, header row first.

    python-calamine (the ``xlsx`` extra; Rust) reads about twenty times faster than openpyxl, which
    parses the sheet's XML in Python (GTD's 200,000-row workbook: seconds, not minutes); without it,
    openpyxl in read-only mode streams the sheet. Both give the same cell texts (:func:`_cell_text`).
    A damaged or renamed file is a located ``file-unreadable`` error either way.
    """
    try:
        try:
            import python_calamine
        except ImportError:
            python_calamine = None
        if python_calamine is not None:
            wb = python_calamine.CalamineWorkbook.from_path(str(p))
            rows: Iterator[Sequence[Any]] = iter(wb.get_sheet_by_index(0).iter_rows())
            close = getattr(wb, "close", lambda: None)
        else:
            from openpyxl import load_workbook

            book = load_workbook(p, read_only=True, data_only=True)
            rows = book.worksheets[0].iter_rows(values_only=True)
            close = book.close
    except Exception as exc:  # a damaged or renamed file: zipfile, KeyError, XML or calamine errors
        raise fail("file-unreadable", f"not a readable Excel workbook ({type(exc).__name__}: {quote(str(exc), 80)})",
                   p) from None
    try:
        yield rows
    finally:
        close()


def _blank(row: Sequence[Any]) -> bool:
    return all(v is None or v == "" for v in row)


def _xlsx_header(p: Path) -> list[str]:
    """The first row of a workbook's first sheet."""
    with _sheet_rows(p) as rows:
        first = next(rows, None)
    if not first or _blank(first):
        raise fail("file-empty", "the workbook's first sheet is empty: no header row", p, 1)
    return [("" if v is None else str(v)).strip() for v in first]


def _xlsx_batches(src: Source, bar: Any) -> Iterator[tuple[pa.RecordBatch, int]]:
    """Text batches of a workbook's first sheet; numbers as Excel shows them (2.0 -> "2"), dates ISO.

    Blank rows are kept where a row follows them (so record k is sheet row k + 2 and an error names
    the right row) and dropped at the end (the formatted-but-empty rows Excel leaves after the data).
    """
    with _sheet_rows(src.path) as rows:
        next(rows, None)  # the header
        n = len(src.header)
        start, chunk, blanks = 0, [], 0
        for row in rows:
            if _blank(row):
                blanks += 1
                continue
            if blanks:
                chunk.extend([()] * blanks)
                blanks = 0
            chunk.append(row)
            if len(chunk) >= JSON_BATCH_ROWS:
                yield _rows_batch(chunk, n, src.header), start
                start += len(chunk)
                chunk = []
        if chunk:
            yield _rows_batch(chunk, n, src.header), start
        bar.update(src.path.stat().st_size)


def _rows_batch(rows: list[Any], n: int, header: list[str]) -> pa.RecordBatch:
    cols = []
    for j in range(n):
        cols.append(pa.array([_cell_text(r[j]) if j < len(r) else None for r in rows], pa.string()))
    return pa.RecordBatch.from_arrays(cols, names=header)


def _cell_text(v: Any) -> str | None:
    import datetime as _dt

    if isinstance(v, _dt.datetime):
        return v.date().isoformat() if v.time() == _dt.time() else v.isoformat(sep=" ")
    if isinstance(v, _dt.date):
        return v.isoformat()
    text = _json_text(v)
    return None if text is None else text


def _check_text(p: Path) -> None:
    """A compressed file, a workbook or UTF-16 text is named as such, with what to do: the rule of every
    reader (:func:`incidentkit.records.sniff.what_file`)."""
    try:
        what = what_path(p)
    except OSError as exc:
        raise fail("file-unreadable", f"cannot read the file: {exc.strerror or exc}", p) from None
    if what is not None:
        raise fail("file-encoding", what, p, 1)


def _json_inside(p: Path) -> bool:
    try:
        with open(p, "rb") as fh:
            return looks_like_json(fh.read(HEAD_BYTES))
    except OSError:
        return False  # the CSV reader names the error


def _csv_field_limit() -> contextlib.AbstractContextManager[None]:
    """Let the csv module read cells of any length while it looks for an error's line (pyarrow, which
    reads the file, has no such limit; Python's default of 131,072 characters would hide the line)."""
    return csv_field_limit(min(sys.maxsize, 2**31 - 1))


def _csv_header_of(src: Source, what: str = "ACLED and UCDP publish") -> list[str]:
    try:
        with src.open_binary() as raw, _csv_field_limit():
            import io

            enc = "utf-8-sig" if src.encoding.replace("_", "-").lower() in ("utf-8", "utf8") else src.encoding
            fh = io.TextIOWrapper(raw, encoding=enc, newline="")
            kwargs: dict[str, Any] = {"delimiter": src.delimiter}
            if not src.quoting:
                kwargs["quoting"] = csv.QUOTE_NONE
            header = next(csv.reader(fh, **kwargs), None)
    except UnicodeDecodeError:
        raise fail("file-encoding", f"not UTF-8 text ({what} UTF-8 CSV); save it as UTF-8",
                   src.name, 1) from None
    except csv.Error as exc:
        raise fail("csv-syntax", f"cannot read the header: {exc}", src.name, 1) from None
    except OSError as exc:
        raise fail("file-unreadable", f"cannot read the file: {exc.strerror or exc}", src.name) from None
    if not header:
        raise fail("file-empty", "the file is empty: no header row", src.name, 1)
    return [h.strip() for h in header]


def _csv_header(p: Path) -> list[str]:
    _check_text(p)
    return _csv_header_of(Source(p, "csv", []))


def _open_json(p: Path) -> Source:
    size = p.stat().st_size
    if size >= NOTE_BYTES:
        note(f"reading {p.name} ({size_text(size)}; a JSON file is parsed whole)...")
    _check_text(p)
    try:
        doc = json.loads(p.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        raise fail("file-encoding", "not UTF-8 text; save it as UTF-8", p) from None
    except json.JSONDecodeError as exc:
        raise fail("external-bad-json", f"not valid JSON: {exc.msg}", p, exc.lineno) from None
    except RecursionError:
        raise fail("external-bad-json", "the JSON is nested too deeply to be an ACLED answer", p, 1) from None
    except ValueError as exc:  # a number past Python's 4,300-digit limit
        what = ("a number has more digits than Python reads (4,300)" if "integer string conversion" in str(exc)
                else quote(str(exc)))
        raise fail("external-bad-json", f"not readable JSON: {what}", p) from None
    api_error = _api_error(doc)
    if api_error is not None:
        raise fail("external-api-error", api_error, p)
    rows = doc.get("data") if isinstance(doc, dict) else doc
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise fail("external-bad-json", "expected a list of records or the API's {\"status\": ..., \"data\": "
                   "[...]} object", p, 1)
    header: list[str] = []
    seen: set[str] = set()
    for r in rows:
        for k in r:
            if k not in seen:
                seen.add(k)
                header.append(k)
    return Source(p, "json", header, rows)


def _api_error(doc: Any) -> str | None:
    """The message of an ACLED API error answer saved as the file, or None.

    The API answers errors with a body such as ``{"status": 403, "success": false, "error": {"status":
    403, "message": "Access denied"}}`` (older answers: ``"error": [{"message": ...}]`` or a text).
    Saved to disk that is a file of no events; its status and message say why.
    """
    if not isinstance(doc, dict):
        return None
    err, status = doc.get("error"), doc.get("status")
    bad_status = isinstance(status, int) and not isinstance(status, bool) and status >= 400
    if doc.get("success") is not False and err in (None, "", [], {}) and not bad_status:
        return None
    if isinstance(err, list) and err:
        err = err[0]
    message: Any = err
    if isinstance(err, dict):
        message = err.get("message") or err.get("title") or err.get("error")
        if not bad_status:
            status = err.get("status", err.get("code", status))
    if message in (None, "", [], {}):
        message = doc.get("message") or doc.get("messages") or "no message"
    said = f"status {quote(status, 20)}" if status is not None else "no status"
    return (f"the file is an error answer of the ACLED API, not events ({said}): {quote(message)}; fix the "
            "request (access key, e-mail, access level) and download again")


def _batches(src: Source, bar: Any) -> Iterator[tuple[pa.RecordBatch, int]]:
    """(batch of text columns, index of its first record) for one source, about GROUP_ROWS rows each."""
    if src.kind == "json":
        rows = src._json_rows or []
        for start in range(0, len(rows), JSON_BATCH_ROWS):
            chunk = rows[start:start + JSON_BATCH_ROWS]
            cols = {h: pa.array([_json_text(r.get(h)) for r in chunk], pa.string()) for h in src.header}
            yield pa.RecordBatch.from_pydict(cols), start
        return
    if src.kind == "xlsx":
        yield from _xlsx_batches(src, bar)
        return
    read = pacsv.ReadOptions(block_size=BLOCK_SIZE, use_threads=True, column_names=src.header,
                             skip_rows=1 if src.has_header else 0, encoding=_arrow_encoding(src.encoding))
    parse = pacsv.ParseOptions(delimiter=src.delimiter, newlines_in_values=src.quoting,
                               quote_char='"' if src.quoting else False)
    convert = pacsv.ConvertOptions(column_types={h: pa.string() for h in src.header},
                                   null_values=["", "NA"], strings_can_be_null=True,
                                   quoted_strings_can_be_null=True)
    raw = pa.OSFile(str(src.path), "rb") if src.member is None else pa.PythonFile(src.open_binary(), mode="r")
    size = src.size
    try:
        reader = pacsv.open_csv(raw, read_options=read, parse_options=parse, convert_options=convert)
        start, group, rows, seen = 0, [], 0, 0
        for batch in reader:
            group.append(batch)
            rows += batch.num_rows
            if rows >= GROUP_ROWS:
                yield _merge(group), start
                start += rows
                group, rows = [], 0
                if src.member is None:
                    pos = raw.tell()
                    bar.update(pos - seen)
                    seen = pos
        if group:
            yield _merge(group), start
        bar.update(size - seen)
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        raise _diagnose(src, str(exc)) from None
    finally:
        raw.close()


def _arrow_encoding(encoding: str) -> str:
    """pyarrow's name for an encoding: "utf8" reads natively, anything else is transcoded."""
    return "utf8" if encoding.replace("_", "-").lower() in ("utf-8", "utf8") else encoding


def _reading(src: Source, batches: Iterator[Any]) -> Iterator[Any]:
    """An operating-system error while reading an input names that input (``file-unreadable``), so it is
    never taken for an error writing the output."""
    try:
        yield from batches
    except OSError as exc:
        reason = os.strerror(exc.errno) if exc.errno else (exc.strerror or str(exc))
        raise fail("file-unreadable", f"cannot read the file: {reason}", src.name) from None


def _merge(batches: list[pa.RecordBatch]) -> pa.RecordBatch:
    if len(batches) == 1:
        return batches[0]
    return pa.Table.from_batches(batches).combine_chunks().to_batches()[0]


def _prefetch(it: Iterator[Any], depth: int = 2) -> Iterator[Any]:
    """Run ``it`` in a thread, ``depth`` items ahead: parsing overlaps conversion and writing.

    pyarrow releases the GIL while parsing, so on two cores reading and converting run side by side.
    Exceptions raised by the producer are re-raised in the consumer.
    """
    import queue
    import threading

    q: queue.Queue[Any] = queue.Queue(maxsize=depth)
    done = object()
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in it:
                while not stop.is_set():
                    try:
                        q.put(item, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            q.put(done)
        except BaseException as exc:  # handed to the consumer
            q.put(exc)

    t = threading.Thread(target=produce, daemon=True)
    t.start()
    try:
        while True:
            item = q.get()
            if item is done:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        t.join()


def _json_text(v: Any) -> str | None:
    if v is None or v == "":
        return None
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, (list, dict)):
        return json.dumps(v, ensure_ascii=False)
    return str(v)


def record_line(src: Source | Path, record: int) -> int:
    """Physical line where data record ``record`` (0-based, after any header) starts."""
    if isinstance(src, Path):
        src = Source(src, "csv", [])
    if src.kind == "xlsx":
        return record + 2  # the sheet's row number: openpyxl skips no row we count
    _note_rereading(src)
    with src.text_rows() as reader:
        line = reader.line_num + 1
        for i, _ in enumerate(reader):
            if i == record:
                return line
            line = reader.line_num + 1
    return line


def _note_rereading(src: Source) -> None:
    """Say so before the csv module re-reads a large file to find an error's line (slower than pyarrow)."""
    size = src.size
    if size >= NOTE_BYTES:
        note(f"{Path(src.name).name} has a problem; re-reading it ({size_text(size)}) to find the line...")


def _diagnose(src: Source, arrow_message: str) -> ExternalFileError:
    """Find the first structurally broken record with the csv module (pyarrow does not say where)."""
    n = len(src.header)
    _note_rereading(src)
    start = 1
    name = src.name
    try:
        with src.text_rows() as reader:
            start = reader.line_num + 1
            for row in reader:
                if ("straddl" in arrow_message and sum(map(len, row)) * 4 >= BLOCK_SIZE
                        and len(",".join(row).encode()) >= BLOCK_SIZE):  # a record longer than pyarrow's block
                    longest = max(range(len(row)), key=lambda i: len(row[i]))
                    column = src.header[longest] if longest < n else ""
                    return fail("external-bad-value", f"a record of {len(','.join(row).encode()):,} bytes (a cell "
                                f"of {len(row[longest]):,} characters): longer than the reader takes "
                                f"({BLOCK_SIZE:,} bytes) and than any such dataset's record; is a quote left open?",
                                name, start, column)
                if len(row) != n and row:
                    if len(row) < n:
                        return fail("external-truncated", f"the record ends before column {src.header[len(row)]!r}"
                                    f" (expected {n} fields, found {len(row)}): is the file truncated?",
                                    name, start, src.header[len(row)])
                    what = "the header" if src.has_header else "the format"
                    return fail("external-truncated", f"the record has {len(row)} fields, {what} {n}: a "
                                "stray delimiter or quote?", name, start)
                start = reader.line_num + 1
    except csv.Error as exc:
        return fail("external-truncated", f"the CSV structure breaks ({exc}); is the file truncated or is a "
                    "quote unbalanced?", name, start)
    except UnicodeDecodeError:
        return fail("file-encoding", "not UTF-8 text" if _arrow_encoding(src.encoding) == "utf8"
                    else f"not {src.encoding} text", name)
    return fail("csv-syntax", f"cannot parse the CSV: {arrow_message}", name)


#: The longest cell an external file may hold: the csv module's default limit, which the coded-record
#: loader keeps too. No ACLED or UCDP cell comes near it; a longer one is a quote left open.
MAX_CELL = 131_072


def _bad_cell(batch: pa.RecordBatch) -> tuple[int, str, str] | None:
    """(row, column, message) of the first cell holding a NUL byte or longer than :data:`MAX_CELL`
    characters, or None. Text files never hold either.

    A scan of each text column's data buffer (a few ms per batch) and of its value lengths; the row is
    looked for only when the buffer holds a NUL.
    """
    for name, arr in zip(batch.schema.names, batch.columns):
        if not pa.types.is_string(arr.type) or not len(arr):
            continue
        data = arr.buffers()[2]
        if data is None or not data.size:
            continue
        if np.frombuffer(data, np.uint8).min() == 0:  # a zero-copy SIMD pass over the column's text
            row = int(pc.index(pc.match_substring(arr, "\0"), True).as_py())
            if row >= 0:
                return row, name, "the cell holds a NUL byte"
        if data.size > MAX_CELL and (pc.max(pc.binary_length(arr)).as_py() or 0) > MAX_CELL:
            lengths = pc.utf8_length(arr)
            row = int(pc.index(pc.greater(lengths, MAX_CELL), True).as_py())
            if row >= 0:
                return row, name, (f"the cell holds {lengths[row].as_py():,} characters, more than any ACLED or "
                                   f"UCDP cell (at most {MAX_CELL:,}, the csv module's limit); is a quote left "
                                   "open?")
    return None


class _BackgroundWriter:
    """Write row groups in a second thread (Parquet encoding releases the GIL) while the next batch converts.

    At most one write is pending, so memory stays at about two batches.
    """

    def __init__(self, writer: pq.ParquetWriter) -> None:
        from concurrent.futures import ThreadPoolExecutor

        self._writer = writer
        self._pool = ThreadPoolExecutor(max_workers=1)
        self._pending: Any = None

    def write_batch(self, batch: pa.RecordBatch) -> None:
        if self._pending is not None:
            self._pending.result()
        self._pending = self._pool.submit(self._writer.write_batch, batch)

    def write_table(self, table: pa.Table) -> None:
        if self._pending is not None:
            self._pending.result()
        self._pending = self._pool.submit(self._writer.write_table, table, row_group_size=1 << 30)


    def __enter__(self) -> "_BackgroundWriter":
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        try:
            if self._pending is not None and exc_type is None:
                self._pending.result()
        finally:
            self._pool.shutdown(wait=True)


class RowGroups:
    """Gather converted batches into row groups of at least :data:`GROUP_ROWS` rows, across files.

    A reader's batches hold about ``GROUP_ROWS`` rows each, except a file's last; GDELT publishes a file
    every 15 minutes of about 1,500 rows, so one row group per file would make a year's ingest a
    Parquet file of 35,000 tiny row groups (slow to read, statistics useless). The rule is one
    sequence rule, so the Dask engine applies it to the same batches and writes the same row groups:
    add a batch; once the gathered rows reach ``GROUP_ROWS``, write them as one row group.
    """

    def __init__(self, write: Callable[[pa.Table], None], rows: int | None = None) -> None:
        self._write, self._rows = write, GROUP_ROWS if rows is None else rows
        self._pending: list[pa.Table] = []
        self._count = 0

    def add(self, table: pa.Table) -> None:
        self._pending.append(table)
        self._count += table.num_rows
        if self._count >= self._rows:
            self.flush()

    def flush(self) -> None:
        if self._pending:
            self._write(pa.concat_tables(self._pending) if len(self._pending) > 1 else self._pending[0])
        self._pending, self._count = [], 0



@dataclass
class IngestResult:
    """What an ingest wrote: the output path, rows per input file and the output schema."""

    output: Path
    rows: dict[str, int]
    schema: pa.Schema

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def dataset_column(name: str, n: int) -> pa.DictionaryArray:
    """The ``dataset`` column: one dictionary of every dataset name, so files concatenate cleanly."""
    codes = pa.array(np.full(n, DATASETS.index(name), dtype=np.int8))
    return pa.DictionaryArray.from_arrays(codes, pa.array(DATASETS, pa.string()))


def conform(columns: dict[str, pa.Array], schema: pa.Schema, n: int) -> pa.RecordBatch:
    arrays = []
    for f in schema:
        arr = columns.get(f.name)
        if arr is None:
            arr = pa.nulls(n, f.type)
        elif arr.type != f.type:
            arr = arr.cast(f.type)
        arrays.append(arr)
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


def expand_inputs(paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
                  patterns: Sequence[str] = ("*",)) -> list[Path]:
    """The input files of a reader: each file as given, each folder's files matching ``patterns``
    (case-insensitively, e.g. ``("*.export.CSV", "*.export.CSV.zip")``), sorted by name so that the
    output's row order never depends on the file system. A folder with no such file is an error."""
    import fnmatch

    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found = sorted(f for f in p.iterdir() if f.is_file() and not f.name.startswith(".")
                           and any(fnmatch.fnmatch(f.name.lower(), pat.lower()) for pat in patterns))
            if not found:
                raise fail("file-unreadable", f"the folder holds no file named like {', '.join(patterns)}", p)
            out.extend(found)
        else:
            out.append(p)
    return out


def run(sources: Sequence[Source], out: str | os.PathLike[str], schema: pa.Schema,
        convert: Callable[[Source], Converter], unknown: Mapping[str, str], *, progress: bool | None = None,
        desc: str = "ingest", engine: str = "local", scheduler: str | None = None,
        workers: int | None = None, group_rows: int | None = None) -> IngestResult:
    """Convert every source batch by batch into one Parquet file with ``schema`` (atomically).

    ``progress``: ``None`` follows :mod:`incidentkit.progress` (a bar over bytes on a terminal, a
    one-line note otherwise when the inputs reach :data:`NOTE_BYTES`), ``True`` draws the bar
    wherever stderr goes (``--progress``), ``False`` shows nothing.

    An output that is one of the inputs (through a link or ``..`` too) is refused before anything is
    written (``output-is-input``). An operating-system error while writing (a full disk, a permission)
    is the one-line ``file-unwritable`` error and leaves no temporary file; one while reading an input
    is ``file-unreadable`` naming that input.

    ``engine="dask"`` converts the sources in parallel on Dask (``scheduler``: an existing scheduler's
    address; otherwise a local cluster of ``workers`` processes), each to a part file, and writes the
    parts in the sources' order: the same rows as the local engine (:mod:`incidentkit.external.parallel`).
    ``group_rows``: the row-group size (default :data:`GROUP_ROWS`; the Dask engine's parts use 1, one
    row group per batch, and gather them by the same rule as they are combined).
    """
    from incidentkit.paths import refuse_overwriting_inputs

    if engine == "dask":
        from incidentkit.external.parallel import run_on_dask

        return run_on_dask(sources, out, schema, convert, unknown, progress=progress, desc=desc,
                           scheduler=scheduler, workers=workers)
    if engine != "local":
        from incidentkit.errors import UsageError

        raise UsageError(f"unknown engine {engine!r} (local or dask)", code="usage")

    out = Path(out)
    refuse_overwriting_inputs([out], [s.path for s in sources])
    total = sum(s.size for s in sources)
    rows: dict[str, int] = {}
    files = f"{len(sources)} files, " if len(sources) > 1 else ""
    with atomic_path(out) as tmp, progress_bar(desc=desc, total=total, unit="B", unit_scale=True, show=progress,
                                               min_total=NOTE_BYTES, leave=True,
                                               note=f"ingesting {desc} ({files}{size_text(total)})...") as bar:
        dictionary = [f.name for f in schema if f.name not in UNIQUE_COLUMNS]
        statistics = [f.name for f in schema if f.name not in NO_STATISTICS]
        with pq.ParquetWriter(tmp, schema, use_dictionary=dictionary, write_statistics=statistics,
                              **PARQUET_OPTIONS) as pw, _BackgroundWriter(pw) as writer:
            groups = RowGroups(writer.write_table, group_rows)
            for src in sources:
                conv = convert(src)
                count = 0
                for batch, first in _prefetch(_reading(src, _batches(src, bar))):
                    bad = _bad_cell(batch)
                    if bad is not None:
                        line = record_line(src, first + bad[0]) if src.kind != "json" else None
                        where = "" if line is not None else f" (record {first + bad[0] + 1})"
                        if "NUL" in bad[2]:
                            raise fail("file-encoding", f"{bad[2]}{where}: the file is damaged or binary, not text",
                                       src.name, line, bad[1])
                        raise fail("external-bad-value", bad[2] + where, src.name, line, bad[1])
                    try:
                        cols = conv(batch)
                    except CellError as exc:
                        line = record_line(src, first + exc.row) if src.kind != "json" else None
                        where = "" if line is not None else f" (record {first + exc.row + 1})"
                        raise fail("external-bad-value", f"{quote(exc.value)} is not {exc.expected}{where}",
                                   src.name, line, exc.column, exc.value) from None
                    for source_name, out_name in unknown.items():
                        if source_name in batch.schema.names:
                            cols[out_name] = batch.column(source_name)
                    groups.add(pa.Table.from_batches([conform(cols, schema, batch.num_rows)]))
                    count += batch.num_rows
                rows[src.name] = count
                if src.kind == "json":
                    bar.update(src.size)
            groups.flush()
    return IngestResult(out, rows, schema)

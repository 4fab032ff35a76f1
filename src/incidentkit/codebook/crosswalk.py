"""The crosswalk: how other datasets' event codes (CAMEO, PLOVER, GTD) map to ACLED's event types.

ICEWS and GDELT code events in CAMEO, POLECAT in PLOVER, the Global Terrorism Database by attack and
target type. None of them uses ACLED's types, yet a researcher comparing their coding with those
datasets needs one answer to "could this be the same kind of event?". The answer is a judgement, so it
is data a researcher may disagree with and edit, not code: one table, stored per scheme in
``incidentkit/data/crosswalk/<scheme>.csv`` and read as one (an edited copy is passed with
``--crosswalk FILE``; ``incidentkit crosswalk -o FILE`` writes the shipped table to start from).

Each row says: an event with this ``code`` in this ``scheme`` could be an ACLED event of this
``sub_event_type`` (of ``event_type``) with this ``weight`` (0-1). A code may have several rows (CAMEO
190 "use conventional military force" is most often an armed clash, sometimes shelling). A code ending
in ``*`` is a prefix pattern ("19*": every code starting "19"); for a code, the rows of an exact match
are used, else those of the longest matching pattern, so specific rows refine general ones. A row with
no sub-event type (weight 0) says "no ACLED event": CAMEO's verbal cooperation, for instance.

Two uses, one table:

* at ingest, the best row of a code (highest weight; the first such row on ties) fills the event's
  ``event_type`` and ``sub_event_type`` (:meth:`Crosswalk.to_acled`);
* at linking, every row of the code counts (:meth:`Crosswalk.vectors`), so a CAMEO 190 event is
  compatible with our armed clash (1.0) and, less, with our shelling (0.5), and an edited table takes
  effect without ingesting again.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from incidentkit.codebook import vocab
from incidentkit.errors import InputFileError, problem

SUB_EVENTS: tuple[str, ...] = tuple(vocab.SUB_EVENT_TYPES)
EVENTS: tuple[str, ...] = tuple(vocab.EVENT_TYPES)
#: An incident known only by its event type meets a code's best sub-event type of that event type at
#: this factor: the same discount as two ACLED events of the same type but different sub-event types.
SAME_EVENT_TYPE = 0.8
COLUMNS: tuple[str, ...] = ("scheme", "code", "event_type", "sub_event_type", "weight", "note")
#: The schemes the shipped readers write (``event_code`` = "<scheme>:<code>").
SCHEMES: tuple[str, ...] = ("cameo", "plover", "gtd")
MAX_ROWS = 100_000


@dataclass(frozen=True)
class Row:
    """One line of the table: a code that could be an ACLED sub-event type, with a weight."""

    scheme: str
    code: str
    event_type: str
    sub_event_type: str
    weight: float
    note: str
    source: str
    line: int


@dataclass
class Crosswalk:
    """The table, indexed by scheme: exact codes and prefix patterns (longest first)."""

    rows: tuple[Row, ...]
    source: str
    _exact: dict[tuple[str, str], list[Row]] = field(default_factory=dict, repr=False)
    _patterns: dict[str, list[tuple[str, list[Row]]]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        patterns: dict[tuple[str, str], list[Row]] = {}
        for r in self.rows:
            if r.code.endswith("*"):
                patterns.setdefault((r.scheme, r.code[:-1]), []).append(r)
            else:
                self._exact.setdefault((r.scheme, r.code), []).append(r)
        for (scheme, prefix), rows in patterns.items():
            self._patterns.setdefault(scheme, []).append((prefix, rows))
        for lst in self._patterns.values():
            lst.sort(key=lambda pr: -len(pr[0]))

    @property
    def schemes(self) -> tuple[str, ...]:
        return tuple(sorted({r.scheme for r in self.rows}))

    def rows_for(self, scheme: str, code: str) -> list[Row]:
        """The rows that decide ``code``: an exact match, else the longest matching prefix pattern."""
        exact = self._exact.get((scheme, code))
        if exact is not None:
            return exact
        for prefix, rows in self._patterns.get(scheme, ()):
            if code.startswith(prefix):
                return rows
        return []

    def best(self, scheme: str, code: str) -> Row | None:
        """The row ingest uses: highest weight, the first in the table on ties; None when nothing maps."""
        rows = [r for r in self.rows_for(scheme, code) if r.sub_event_type and r.weight > 0]
        if not rows:
            return None
        top = max(r.weight for r in rows)
        return next(r for r in rows if r.weight == top)

    def to_acled(self, scheme: str, codes: pa.Array | pa.ChunkedArray | Sequence[str | None]
                 ) -> tuple[pa.Array, pa.Array]:
        """(event_type, sub_event_type) for each code, null where the table maps nothing.

        Vectorised over distinct codes: a batch of 65,536 GDELT rows holds a few hundred distinct CAMEO
        codes, each looked up once.
        """
        arr = codes if isinstance(codes, (pa.Array, pa.ChunkedArray)) else pa.array(list(codes), pa.string())
        if isinstance(arr, pa.ChunkedArray):
            arr = arr.combine_chunks()
        if not pa.types.is_string(arr.type):
            arr = arr.cast(pa.string())
        encoded = pc.dictionary_encode(arr)
        uniques = encoded.dictionary.to_pylist()
        best = [self.best(scheme, c.strip()) for c in uniques]
        ev = pa.array([b.event_type if b else None for b in best], pa.string())
        sub = pa.array([b.sub_event_type if b else None for b in best], pa.string())
        return pc.take(ev, encoded.indices), pc.take(sub, encoded.indices)

    def vectors(self, event_codes: Iterable[object]) -> np.ndarray:
        """Per event, its weight on each ACLED sub-event type (``len(SUB_EVENTS)`` columns) from every row
        of its code; all zeros for a missing or unknown ``"<scheme>:<code>"``. For the linker."""
        values = list(event_codes)
        out = np.zeros((len(values), len(SUB_EVENTS)), dtype=np.float32)
        cache: dict[object, np.ndarray | None] = {}
        for k, v in enumerate(values):
            if v not in cache:
                cache[v] = self._vector(v)
            vec = cache[v]
            if vec is not None:
                out[k] = vec
        return out

    def pair_compatibility(self, event_codes: Sequence[object] | np.ndarray, e: np.ndarray, sub_a: np.ndarray,
                           ev_a: np.ndarray) -> np.ndarray:
        """Per candidate pair, how compatible our incident's type is with the external row's code (0-1).

        ``event_codes`` are the external rows' ``"<scheme>:<code>"`` values, ``e`` the pairs' rows into
        them; ``sub_a``/``ev_a`` our incidents' sub-event and event type indices (-1 unknown) per pair.
        With our sub-event type known, the code's weight on it; else, with our event type known, its best
        weight within that type times :data:`SAME_EVENT_TYPE`. Computed over the distinct codes (a few
        hundred), then gathered per pair: no matrix of pairs by types is ever built.
        """
        import pandas as pd

        codes, uniques = pd.factorize(pd.Series(np.asarray(event_codes, dtype=object)), use_na_sentinel=True)
        vec = np.vstack([self.vectors(list(uniques)), np.zeros((1, len(SUB_EVENTS)), np.float32)])
        by_event = np.zeros((len(vec), len(EVENTS)), dtype=np.float32)
        for j, ev in enumerate(EVENTS):
            members = [SUB_EVENTS.index(s) for s in vocab.EVENT_TYPES[ev]]
            by_event[:, j] = vec[:, members].max(axis=1)
        k = np.where(codes[e] < 0, len(vec) - 1, codes[e])
        out = np.zeros(len(e), dtype=np.float32)
        has_sub = sub_a >= 0
        out[has_sub] = vec[k[has_sub], sub_a[has_sub]]
        only_ev = ~has_sub & (ev_a >= 0)
        out[only_ev] = SAME_EVENT_TYPE * by_event[k[only_ev], ev_a[only_ev]]
        return out

    def _vector(self, value: object) -> np.ndarray | None:
        if not isinstance(value, str) or ":" not in value:
            return None
        scheme, code = value.split(":", 1)
        rows = [r for r in self.rows_for(scheme, code.strip()) if r.sub_event_type]
        if not rows:
            return None
        vec = np.zeros(len(SUB_EVENTS), dtype=np.float32)
        for r in rows:
            j = SUB_EVENTS.index(r.sub_event_type)
            vec[j] = max(vec[j], r.weight)
        return vec


def shipped_paths() -> list[Path]:
    """The shipped table's files, one per scheme, in name order."""
    folder = Path(str(resources.files("incidentkit") / "data" / "crosswalk"))
    return sorted(folder.glob("*.csv"))


def load_crosswalk(path: str | os.PathLike[str] | None = None) -> Crosswalk:
    """Load the crosswalk: the shipped table, or an edited copy (a CSV file, or a folder of them).

    Every row is checked against the codebook; a bad row is a located ``crosswalk-invalid`` error
    (file, line, column). The same code may not be listed twice for the same sub-event type.
    """
    if path is None:
        return _shipped()
    p = Path(path)
    files = sorted(p.glob("*.csv")) if p.is_dir() else [p]
    return _load(tuple(files), str(p))


@lru_cache(maxsize=1)
def _shipped() -> Crosswalk:
    paths = shipped_paths()
    return _load(tuple(paths), str(paths[0].parent) if paths else "crosswalk")


def _load(files: tuple[Path, ...], source: str) -> Crosswalk:
    rows: list[Row] = []
    seen: dict[tuple[str, str, str], tuple[str, int]] = {}
    for f in files:
        for r in _read(f):
            key = (r.scheme, r.code, r.sub_event_type)
            if key in seen:
                where = seen[key]
                raise _bad(f, r.line, "code", f"{r.scheme}:{r.code} -> {r.sub_event_type or 'no event'!r} is "
                           f"listed twice (first at {where[0]}:{where[1]}); keep one row", r.code)
            seen[key] = (str(f), r.line)
            rows.append(r)
    return Crosswalk(tuple(rows), source)


def _bad(path: Path, line: int, column: str, message: str, value: object = None) -> InputFileError:
    pr = problem("crosswalk-invalid", message, path=str(path), line=line, field=column, value=value)
    return InputFileError(pr.format(), code=pr.code)


def _read(path: Path) -> list[Row]:
    try:
        fh = open(path, newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise InputFileError(f"{path}: cannot read the crosswalk ({exc.strerror})", code="file-unreadable") from None
    out: list[Row] = []
    with fh:
        try:
            reader = csv.DictReader(fh)
            names = reader.fieldnames or []
            missing = [c for c in COLUMNS[:5] if c not in names]
            if missing:
                raise _bad(path, 1, missing[0], f"column {missing[0]!r} is missing (the table has columns "
                           f"{', '.join(COLUMNS)})")
            for row in reader:
                line = reader.line_num
                if len(out) >= MAX_ROWS:
                    raise _bad(path, line, "", f"more than {MAX_ROWS:,} rows: not a crosswalk table")
                out.append(_row(path, line, row))
        except UnicodeDecodeError:
            raise _bad(path, 1, "", "not UTF-8 text; save the table as UTF-8 CSV") from None
        except csv.Error as exc:
            raise _bad(path, reader.line_num, "", f"the CSV structure breaks ({exc})") from None
    return out


def _row(path: Path, line: int, row: dict[str, str | None]) -> Row:
    def cell(name: str) -> str:
        v = row.get(name)
        return v.strip() if isinstance(v, str) else ""

    scheme, code = cell("scheme").lower(), cell("code")
    if not scheme or not scheme.isidentifier():
        raise _bad(path, line, "scheme", f"{scheme!r} is not a scheme name (e.g. {', '.join(SCHEMES)})", scheme)
    if not code or "*" in code[:-1] or ":" in code:
        raise _bad(path, line, "code", f"{code!r} is not a code (a '*' may only end a prefix pattern)", code)
    et, st = cell("event_type"), vocab.normalise_label(cell("sub_event_type"))
    try:
        weight = float(cell("weight"))
    except ValueError:
        raise _bad(path, line, "weight", f"{cell('weight')!r} is not a number between 0 and 1",
                   cell("weight")) from None
    if not 0.0 <= weight <= 1.0:
        raise _bad(path, line, "weight", f"{weight:g} is outside 0-1", weight)
    if st:
        if st not in vocab.SUB_EVENT_TYPES:
            raise _bad(path, line, "sub_event_type", f"{st!r} is not an ACLED sub-event type", st)
        if vocab.SUB_EVENT_TYPES[st] != et:
            raise _bad(path, line, "event_type", f"{st!r} belongs to {vocab.SUB_EVENT_TYPES[st]!r}, not {et!r}", et)
    elif et:
        raise _bad(path, line, "sub_event_type", f"an event type ({et!r}) needs its sub-event type", et)
    elif weight != 0:
        raise _bad(path, line, "weight", "a row mapping to no ACLED event has weight 0", weight)
    return Row(scheme, code, et, st, weight, cell("note"), str(path), line)


def write_crosswalk(path: str | os.PathLike[str], crosswalk: Crosswalk | None = None) -> int:
    """Write the table as one CSV (an editable copy), atomically; returns the number of rows."""
    from incidentkit.atomic import atomic_path

    cw = crosswalk or load_crosswalk()
    with atomic_path(path) as tmp, open(tmp, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(COLUMNS)
        for r in cw.rows:
            w.writerow([r.scheme, r.code, r.event_type, r.sub_event_type, f"{r.weight:g}", r.note])
    return len(cw.rows)


__all__ = [
    "COLUMNS",
    "SCHEMES",
    "SUB_EVENTS",
    "Crosswalk",
    "Row",
    "load_crosswalk",
    "shipped_paths",
    "write_crosswalk",
]

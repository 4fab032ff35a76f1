"""GTD dates: ``iyear``/``imonth``/``iday`` with 0 for unknown, ``approxdate`` (free text), ``resolution``.

The Global Terrorism Database records the day an incident began as three numbers, a month or day of
"0" meaning unknown (codebook, "GTD ID and Date"). The harmonised schema holds a date range instead:

* day known: the day itself (``time_precision`` 1);
* day 0: the whole month (precision 3, ACLED's "only the month is known");
* month 0: the whole year (precision 3 too: ACLED has no coarser code; the range says it is a year and
  the row is flagged ``month_unknown``).

``approxdate`` ("June 1978", "January 19-21, 1970", "first half of 1978") narrows that range when it
parses to a range lying inside it (:func:`parse_approxdate` reads only unambiguous forms: English month
names and a year, never a bare "3/4/1978"); the precision then follows the width: one day 1, up to a week
2 (ACLED's "a week or similar period"), longer 3.

Everything here is vectorised over a batch with numpy ``datetime64[D]``; the free-text fields are parsed
once per distinct value.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

NAT = np.datetime64("NaT", "D")
#: A range up to this many days wide (both ends counted) has precision 2, "a week or similar period".
WEEK_DAYS = 7

_MONTHS = {name: i + 1 for i, name in enumerate(
    ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
     "november", "december"))}
_MONTHS.update({name[:3]: i for name, i in list(_MONTHS.items())})
_MONTHS["sept"] = 9
_M = r"(?P<{}>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?" \
     r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
_D = r"(?P<{}>\d{{1,2}})(?:st|nd|rd|th)?"
_Y = r"(?P<{}>\d{{4}})"
_DASH = r"\s*(?:-|–|—|to|through|and)\s*"


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(r"^\s*(?:between\s+|from\s+)?" + pattern + r"\s*$", re.IGNORECASE)


_FORMS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("day", _rx(_M.format("m1") + r"\s+" + _D.format("d1") + r",?\s+" + _Y.format("y1"))),
    ("day", _rx(_D.format("d1") + r"\s+" + _M.format("m1") + r",?\s+" + _Y.format("y1"))),
    ("days", _rx(_M.format("m1") + r"\s+" + _D.format("d1") + _DASH + _D.format("d2") + r",?\s+" + _Y.format("y1"))),
    ("days", _rx(_D.format("d1") + _DASH + _D.format("d2") + r"\s+" + _M.format("m1") + r",?\s+" + _Y.format("y1"))),
    ("months_days", _rx(_M.format("m1") + r"\s+" + _D.format("d1") + _DASH + _M.format("m2") + r"\s+"
                        + _D.format("d2") + r",?\s+" + _Y.format("y1"))),
    ("years_days", _rx(_M.format("m1") + r"\s+" + _D.format("d1") + r",?\s+" + _Y.format("y1") + _DASH
                       + _M.format("m2") + r"\s+" + _D.format("d2") + r",?\s+" + _Y.format("y2"))),
    ("month", _rx(_M.format("m1") + r",?\s+" + _Y.format("y1"))),
    ("months", _rx(_M.format("m1") + _DASH + _M.format("m2") + r",?\s+" + _Y.format("y1"))),
    ("year", _rx(_Y.format("y1"))),
    ("half", _rx(r"(?:the\s+)?(?P<h>first|second)\s+half\s+of\s+" + _Y.format("y1"))),
    ("iso", _rx(r"(?P<y1>\d{4})-(?P<m1>\d{2})-(?P<d1>\d{2})")),
)


def _month(name: str) -> int:
    """1-12 from "02", "February", "Feb", "Feb." or "Sept"."""
    if name.isdigit():
        return int(name)
    key = name.lower().rstrip(".")
    return _MONTHS["sept" if key.startswith("sept") else key[:3]]


def _month_end(y: int, m: int) -> dt.date:
    return (dt.date(y + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1))


def parse_approxdate(text: str) -> tuple[dt.date, dt.date] | None:
    """The (first, last) day a GTD ``approxdate`` names, or None when it is not one of the safe forms.

    >>> parse_approxdate("January 19-21, 1970")
    (datetime.date(1970, 1, 19), datetime.date(1970, 1, 21))
    >>> parse_approxdate("June 1978")
    (datetime.date(1978, 6, 1), datetime.date(1978, 6, 30))
    >>> parse_approxdate("first half of 1978")
    (datetime.date(1978, 1, 1), datetime.date(1978, 6, 30))
    >>> parse_approxdate("early 1978") is None   # vague words are kept as text, never guessed
    True
    """
    for kind, rx in _FORMS:
        m = rx.match(text)
        if m is None:
            continue
        g = m.groupdict()
        try:
            y1 = int(g["y1"])
            if kind == "year":
                lo, hi = dt.date(y1, 1, 1), dt.date(y1, 12, 31)
            elif kind == "half":
                lo, hi = (dt.date(y1, 1, 1), dt.date(y1, 6, 30)) if g["h"].lower() == "first" else \
                    (dt.date(y1, 7, 1), dt.date(y1, 12, 31))
            elif kind == "month":
                m1 = _month(g["m1"])
                lo, hi = dt.date(y1, m1, 1), _month_end(y1, m1)
            elif kind == "months":
                lo, hi = dt.date(y1, _month(g["m1"]), 1), _month_end(y1, _month(g["m2"]))
            elif kind in ("day", "iso"):
                lo = hi = dt.date(y1, _month(g["m1"]), int(g["d1"]))
            elif kind == "days":
                m1 = _month(g["m1"])
                lo, hi = dt.date(y1, m1, int(g["d1"])), dt.date(y1, m1, int(g["d2"]))
            elif kind == "months_days":
                lo, hi = dt.date(y1, _month(g["m1"]), int(g["d1"])), dt.date(y1, _month(g["m2"]), int(g["d2"]))
            else:  # years_days
                lo = dt.date(y1, _month(g["m1"]), int(g["d1"]))
                hi = dt.date(int(g["y2"]), _month(g["m2"]), int(g["d2"]))
        except (ValueError, KeyError):  # 30 February, a month name we do not know
            return None
        return (lo, hi) if lo <= hi else None
    return None


_SLASH = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})(?:\s+\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AP]M)?)?\s*$", re.IGNORECASE)
_DOTS = re.compile(r"^\s*(\d{1,2})\.(\d{1,2})\.(\d{2}|\d{4})\s*$")
_ISO = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?\s*$")


def _full_year(y: str, base: int) -> int:
    """A two-digit year as the first such year not before ``base`` (the incident's year)."""
    if len(y) == 4:
        return int(y)
    n = int(y)
    year = base - base % 100 + n
    return year if year >= base else year + 100


def parse_resolution(text: str, base_year: int, day_first: bool) -> tuple[dt.date | None, dt.date | None] | None:
    """Candidate dates of a ``resolution`` cell: (preferred, alternative), or None when it is no date.

    GTD writes the date as Excel shows it: ISO in a workbook, "2/13/1970" (month first) in its CSV,
    "13.02.1970" or "13/02/1970" from a European Excel (``day_first``, the ';' files). A slash date whose
    order cannot be told gives both readings; the caller keeps the one on or after the incident's start.
    """
    m = _ISO.match(text)
    if m:
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3])), None
        except ValueError:
            return None
    m = _DOTS.match(text)
    if m:
        try:
            return dt.date(_full_year(m[3], base_year), int(m[2]), int(m[1])), None
        except ValueError:
            return None
    m = _SLASH.match(text)
    if not m:
        return None
    y = _full_year(m[3], base_year)
    a, b = int(m[1]), int(m[2])
    orders = [(b, a), (a, b)] if day_first else [(a, b), (b, a)]  # (month, day)
    found: list[dt.date] = []
    for month, day in orders:
        try:
            d = dt.date(y, month, day)
        except ValueError:
            continue
        if d not in found:
            found.append(d)
    if not found:
        return None
    return found[0], (found[1] if len(found) > 1 else None)


def _days(values: Iterable[dt.date | None]) -> np.ndarray:
    return np.array([np.datetime64(v, "D") if v is not None else NAT for v in values], dtype="datetime64[D]")


def broadcast(arr: pa.Array, parse: Callable[[str], tuple[dt.date | None, ...] | None],
              n_out: int) -> tuple[list[np.ndarray], np.ndarray]:
    """Parse each distinct non-null value once with ``parse`` (text -> ``n_out`` dates, or None when it
    is no date) and broadcast: ``n_out`` arrays of days (NaT where null or unparsed) and the mask of rows
    whose value parsed."""
    uniques = pc.unique(pc.drop_null(arr))
    parsed = [parse(u) for u in uniques.to_pylist()]
    cols = [_days(p[k] if p is not None else None for p in parsed) for k in range(n_out)]
    good = np.array([p is not None for p in parsed] + [False], dtype=bool)
    idx = pc.fill_null(pc.index_in(arr, value_set=uniques), -1).to_numpy(zero_copy_only=False).astype(np.int64)
    out = []
    for c in cols:
        c = np.concatenate([c, np.array([NAT], dtype="datetime64[D]")])
        out.append(c[idx])  # -1 takes the appended NaT
    return out, good[idx]


def date_window(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(first day, last day, day_out_of_range) of the period ``iyear``/``imonth``/``iday`` names (0 =
    unknown). A day past its month's end (31 April) is read as "the month", and flagged by the caller."""
    y = year.astype(np.int64)
    m = month.astype(np.int64)
    d = day.astype(np.int64)
    months = (y - 1970) * 12 + np.maximum(m, 1) - 1
    m_start = months.astype("datetime64[M]").astype("datetime64[D]")
    m_end = (months + 1).astype("datetime64[M]").astype("datetime64[D]") - np.timedelta64(1, "D")
    y_start = (y - 1970).astype("datetime64[Y]").astype("datetime64[D]")
    y_end = (y - 1970 + 1).astype("datetime64[Y]").astype("datetime64[D]") - np.timedelta64(1, "D")
    the_day = m_start + np.maximum(d - 1, 0).astype("timedelta64[D]")
    day_known = (m > 0) & (d > 0)
    out_of_range = day_known & (the_day > m_end)
    day_ok = day_known & ~out_of_range
    lo = np.where(m == 0, y_start, np.where(day_ok, the_day, m_start))
    hi = np.where(m == 0, y_end, np.where(day_ok, the_day, m_end))
    return lo, hi, out_of_range


def precision(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """ACLED time_precision of a range of uncertainty: 1 one day, 2 up to a week, 3 longer."""
    width = (hi - lo).astype(np.int64) + 1
    return np.where(width <= 1, 1, np.where(width <= WEEK_DAYS, 2, 3)).astype(np.int8)

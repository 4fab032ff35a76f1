"""Numeric event ids for layouts that need numbers (ACLED event_id_cnty, UCDP id), derived from our ids.

Our incident ids are text ("svt-2022-01-21-hasakah-01"). ACLED writes ids as ISO3 + digits and UCDP
as a number, so each incident gets a number that depends only on its own id: a BLAKE2b hash reduced to
12 digits. Adding or removing other incidents does not change it, so an id published once keeps
pointing at the same incident. The last three digits number the day of an incident split per day
(ACLED layout), 000 for the first or only day:

    number(incident, day) = hash12(incident id) * 1000 + day

Two ids hashing to the same 12 digits (expected about once in 200 datasets of 100,000 incidents) are
resolved deterministically: in sorted id order, the later one takes the next free number. The
``acled_ids.csv`` mapping written next to the ACLED export keeps every number traceable.
"""

from __future__ import annotations

import hashlib
from typing import Iterable, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

HASH_DIGITS = 12
DAY_DIGITS = 3
MAX_DAYS = 10 ** DAY_DIGITS


def _hash12(incident_ids: Sequence[str]) -> np.ndarray:
    """hash12 of each id: its BLAKE2b-64 digest (big-endian) mod 10^12 - 1, plus 1 (never 0)."""
    digests = b"".join(hashlib.blake2b(i.encode("utf-8"), digest_size=8).digest() for i in incident_ids)
    return (np.frombuffer(digests, ">u8") % np.uint64(10 ** HASH_DIGITS - 1) + np.uint64(1)).astype(np.int64)


def _resolve_collisions(ordered_ids: Sequence[str], hashes: np.ndarray) -> dict[str, int]:
    taken: set[int] = set()
    out: dict[str, int] = {}
    for iid, n in zip(ordered_ids, hashes.tolist()):
        while n in taken:
            n = n % (10 ** HASH_DIGITS - 1) + 1
        taken.add(n)
        out[iid] = n
    return out


def incident_numbers(incident_ids: Iterable[str]) -> dict[str, int]:
    """A unique 12-digit number per incident id, stable under additions to the dataset."""
    ordered = sorted(set(incident_ids))
    return _resolve_collisions(ordered, _hash12(ordered))


def event_number(base: int, day: int = 0) -> int:
    """The number of one day of an incident (day 0: the first or only day)."""
    if not 0 <= day < MAX_DAYS:
        raise ValueError(f"day {day} outside 0..{MAX_DAYS - 1}")
    return base * MAX_DAYS + day


def number_array(incident_ids: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """:func:`incident_numbers` aligned with a column of incident ids (int64), hashing each id once."""
    distinct = pc.unique(incident_ids)
    distinct = distinct.take(pc.sort_indices(distinct))   # UTF-8 byte order is str order, as sorted() gives
    ordered = distinct.to_pylist()
    values = _hash12(ordered)
    if len(np.unique(values)) < len(values):  # a collision (rare): resolved in sorted order as documented
        values = np.array(list(_resolve_collisions(ordered, values).values()), dtype=np.int64)
    return values[pc.index_in(incident_ids, value_set=distinct).to_numpy(zero_copy_only=False)]

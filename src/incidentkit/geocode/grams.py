"""Trigram pre-filter for fuzzy matching: which of a country's names can reach a ``fuzz.ratio`` cutoff.

Scoring a query against every name of a country with rapidfuzz costs ~80 ns a name; the United
States alone has 111,000 fold keys, and an unknown name is scored against all of those of a
compatible length. This module narrows the list *losslessly* before rapidfuzz sees it, so the
fuzzy tier returns exactly what a full scan would, only faster.

Why it is exact. ``fuzz.ratio(a, b) = 100 * (1 - d / (len(a) + len(b)))`` where ``d`` is the Indel
distance (insertions + deletions). A cutoff ``c`` therefore bounds the length of ``b`` (a window
``lo..hi``) and ``d <= (1 - c/100) * (len(a) + hi)``. One deletion destroys at most three trigram
occurrences of ``a``, one insertion at most two, so at least ``need = |G(a)| - 3 d`` of the distinct
trigrams ``G(a)`` of ``a`` also occur in ``b`` (the q-gram count filter). Such a ``b`` holds at least
one of *any* ``|G(a)| - need + 1`` of them (prefix filter): the postings of that many of the query's
rarest trigrams, cut to the length window, are the candidates, and rapidfuzz scores them exactly.
When ``need`` is not positive (short names, loose cutoffs) the same is done with bigrams (a deletion
destroys at most two), and only when that bound is void too is the whole length window scanned.

The bound is taken per name length ``m`` (:func:`_needs`): ``d`` has the parity of ``len(a) + m``
and splits into a known number of deletions and insertions, so names of the query's own length, for
instance, must hold far more of its trigrams than the loosest length of the window. The prefix uses
the loosest length's ``need``; a long candidate list is then cut to the names that hold their own
length's ``need`` (counted with a vectorised search of every q-gram's postings), which is still a
superset of the matches.

Layout (built once with numpy, cached in the index pickle): every country's fold keys sorted by
length (stable, so candidates come in the order a full scan sees them and rapidfuzz breaks ties
identically), and postings (ascending positions in that order) per (country, trigram) and per
(country, bigram) bucket, with only the buckets that occur stored.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from functools import lru_cache
from collections.abc import Mapping, Sequence

import numpy as np

#: Fold keys are ``[a-z0-9]`` (see normalize.fold); any other byte shares one spare code. Merging
#: characters can only make more trigrams agree, so the count bound stays safe.
_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
_NSYM = len(_ALPHABET) + 1
#: Trigrams first (sparse postings); bigrams when the trigram bound is void (short names, loose cutoffs).
QS = (3, 2)
#: Candidate lists longer than this are cut to those holding enough of the query's q-grams (a few
#: vectorised searches cost less than fetching and scoring a few hundred more names).
COUNT_FILTER_MIN = 256
NGRAMS = _NSYM ** 3  # bucket stride for either q
_CODE = np.full(256, len(_ALPHABET), dtype=np.int32)
_CODE[np.frombuffer(_ALPHABET.encode(), dtype=np.uint8)] = np.arange(len(_ALPHABET), dtype=np.int32)
_CODE_LIST: list[int] = _CODE.tolist()


def gram_ids(key: str, q: int = 3) -> set[int]:
    """Distinct q-gram ids (q = 2 or 3) of a fold key (empty for keys shorter than q characters)."""
    b = key.encode("ascii", "replace")
    c, n = _CODE_LIST, _NSYM
    if q == 2:
        return {c[x] * n + c[y] for x, y in zip(b, b[1:])}
    return {(c[x] * n + c[y]) * n + c[z] for x, y, z in zip(b, b[1:], b[2:])}


def length_window(n: int, cutoff: float) -> tuple[int, int]:
    """Lengths ``lo..hi`` a name must have for ``fuzz.ratio`` with an ``n``-character query to reach ``cutoff``."""
    f = cutoff / (200.0 - cutoff)
    return math.ceil(n * f - 1e-9), math.floor(n / f + 1e-9)


class GramIndex:
    """Per-country fold keys sorted by length, with trigram postings; see the module docstring."""

    def __init__(self, keys: Sequence[str], country_ids: Mapping[str, np.ndarray]) -> None:
        """``keys``: all fold keys by id; ``country_ids``: for each country the ids of its keys."""
        countries = sorted(country_ids)
        self._cidx = {cc: n for n, cc in enumerate(countries)}
        order: list[np.ndarray] = []
        span = np.zeros(len(countries) + 1, dtype=np.int64)
        lens_all = np.fromiter((len(k) for k in keys), dtype=np.int32, count=len(keys))
        for n, cc in enumerate(countries):
            ids = np.sort(np.asarray(country_ids[cc], dtype=np.int32))
            ids = ids[np.argsort(lens_all[ids], kind="stable")]
            order.append(ids)
            span[n + 1] = span[n] + len(ids)
        self.ids = np.concatenate(order) if order else np.zeros(0, dtype=np.int32)
        self.span = span
        self.lens = lens_all[self.ids] if len(self.ids) else np.zeros(0, dtype=np.int32)
        ordered = [keys[i] for i in self.ids.tolist()]
        #: q -> (buckets that occur, their offsets into the postings, postings)
        self.postings = {q: self._postings(ordered, self.lens, span, q) for q in QS}
        self._lstart: dict[int, tuple[int, ...]] = {}
        self._span_memo: dict[tuple[int, int], tuple[dict[int, int], tuple[int, ...]]] = {}

    @staticmethod
    def _postings(keys: list[str], lens: np.ndarray, span: np.ndarray, q: int
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Buckets ``country * NGRAMS + q-gram`` that occur (sorted), their offsets into the postings,
        and the postings: ascending positions of the keys holding the q-gram."""
        if not keys:
            return np.zeros(0, dtype=np.int64), np.zeros(1, dtype=np.int64), np.zeros(0, dtype=np.int32)
        buf = _CODE[np.frombuffer("".join(keys).encode("ascii", "replace"), dtype=np.uint8)].astype(np.int64)
        owner = np.repeat(np.arange(len(keys), dtype=np.int64), lens)
        same = owner[:-(q - 1)] == owner[q - 1:]  # q-grams that do not straddle two keys
        pos = owner[:-(q - 1)][same]
        m = len(buf) - q + 1
        gram = np.zeros(m, dtype=np.int64)
        for k in range(q):
            gram = gram * _NSYM + buf[k:k + m]
        gram = gram[same]
        country = np.repeat(np.arange(len(span) - 1, dtype=np.int64), np.diff(span))
        # one posting per (key, q-gram), sorted by bucket then position (np.unique is slower)
        combo = np.sort((country[pos] * NGRAMS + gram) * len(keys) + pos)
        combo = combo[np.concatenate(([True], combo[1:] != combo[:-1]))]
        bucket, post = np.divmod(combo, len(keys))
        starts = np.flatnonzero(np.concatenate(([True], bucket[1:] != bucket[:-1])))
        return bucket[starts], np.append(starts, len(bucket)).astype(np.int64), post.astype(np.int32)

    def country_ids(self, country: str) -> list[int]:
        """Ids of all the country's keys, in scan order (by length, then id)."""
        ci = self._cidx.get(country)
        return [] if ci is None else self.ids[self.span[ci]:self.span[ci + 1]].tolist()

    def window(self, country: str, key: str, cutoff: float) -> list[int]:
        """Ids of all the country's keys of a length compatible with ``key``: the unfiltered scan
        (what the fuzzy tier scored before the pre-filter; the speed benchmark's baseline)."""
        ci = self._cidx.get(country)
        if ci is None:
            return []
        s, e, _ = self._window(ci, len(key), cutoff)
        return self.ids[s:e].tolist()

    def _window(self, ci: int, n: int, cutoff: float) -> tuple[int, int, int]:
        lstart = self._lstart.get(ci)
        if lstart is None:
            a, b = int(self.span[ci]), int(self.span[ci + 1])
            lens = self.lens[a:b]
            lstart = self._lstart[ci] = tuple((a + np.searchsorted(lens, np.arange(int(lens.max(initial=0)) + 2))).tolist())
        lo, hi = length_window(n, cutoff)
        top = len(lstart) - 1
        return lstart[min(lo, top)], lstart[min(hi + 1, top)], hi

    def candidates(self, country: str, key: str, cutoff: float) -> list[int]:
        """Ids of the country's keys that may reach ``fuzz.ratio >= cutoff`` with ``key``, in scan order
        (a superset of those that do; see the module docstring)."""
        ci = self._cidx.get(country)
        if ci is None:
            return []
        n = len(key)
        s, e, hi = self._window(ci, n, cutoff)
        if s >= e:
            return []
        for q in QS:
            grams = gram_ids(key, q)
            lo, needs = _needs(n, cutoff, q, len(grams))
            need = min(needs)  # of the name lengths in the window, the loosest bound
            if need > 0:
                break
        else:
            return self.ids[s:e].tolist()
        # the rarest q-grams first (postings counted per bucket; absent q-grams have none), ties in the
        # order of the set, as a stable sort keeps them
        slot, offs = self._spans(ci, q)
        spans = []
        for g in grams:
            j = slot.get(g)
            spans.append((0, 0) if j is None else (offs[j], offs[j + 1]))
        spans.sort(key=_span_len)
        post = self.postings[q][2]
        found: list[int] | set[int] | None = None
        for a, b in spans[:len(grams) - need + 1]:
            if b > a:  # ascending positions: the length window is a slice, found by bisection
                a = bisect_left(post, s, a, b)
                p = post[a:bisect_left(post, e, a, b)].tolist()
                if p:
                    if found is None:
                        found = p
                    else:
                        if isinstance(found, list):
                            found = set(found)
                        found.update(p)
        if found is None:
            return []
        pos = found if isinstance(found, list) else sorted(found)
        if len(pos) > COUNT_FILTER_MIN:
            x = _count_filter(pos, spans, post)
            x = x[0][x[1] >= np.asarray(needs)[self.lens[x[0]] - lo]]
            return self.ids[x].tolist()
        return self.ids[pos].tolist()

    def _spans(self, ci: int, q: int) -> tuple[dict[int, int], tuple[int, ...]]:
        """Country ``ci``'s q-grams -> slot ``j``, and the offsets: the postings of slot ``j`` are
        ``offs[j]:offs[j + 1]``. Built at first use per country, since a dict lookup costs far less than
        numpy calls on a query's handful of q-grams; ints and a tuple only, which the garbage collector
        does not track (it would walk a dict of tuples at every full collection)."""
        got = self._span_memo.get((ci, q))
        if got is None:
            buckets, offsets, _ = self.postings[q]
            a, b = buckets.searchsorted([ci * NGRAMS, (ci + 1) * NGRAMS]).tolist()
            got = self._span_memo[(ci, q)] = (dict(zip((buckets[a:b] - ci * NGRAMS).tolist(), range(b - a))),
                                              tuple(offsets[a:b + 1].tolist()))
        return got

    def __getstate__(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k not in ("_lstart", "_span_memo")}

    def __setstate__(self, st: dict) -> None:
        self.__dict__.update(st, _lstart={}, _span_memo={})


def _span_len(span: tuple[int, int]) -> int:
    return span[1] - span[0]


def _count_filter(pos: list[int], spans: list[tuple[int, int]], post: np.ndarray
                  ) -> tuple[np.ndarray, np.ndarray]:
    """The positions, and how many of the query's q-grams each holds (the count the bound is about;
    the union of the rarest postings only guarantees one). Each q-gram's postings are sorted, so
    membership is a vectorised binary search."""
    x = np.asarray(pos, dtype=np.int64)
    count = np.zeros(len(x), dtype=np.int64)
    for a, b in spans:
        if b > a:
            p = post[a:b]
            i = p.searchsorted(x)
            np.minimum(i, len(p) - 1, out=i)
            count += p[i] == x
    return x, count


@lru_cache(maxsize=4096)
def _needs(n: int, cutoff: float, q: int, ngrams: int) -> tuple[int, tuple[int, ...]]:
    """For an ``n``-character query with ``ngrams`` distinct q-grams: the first name length ``lo`` of
    the window and, for each length ``m`` from there, how many of those q-grams a name of that
    length must hold to reach ``cutoff`` (a huge number where no name of that length can).

    ``d``, the Indel distance, is at most ``(1 - cutoff/100) (n + m)`` and has the parity of
    ``n + m`` (it is ``n + m - 2 LCS``); it is made of ``(d + n - m) / 2`` deletions, each destroying
    at most q of the query's q-grams, and ``(d - n + m) / 2`` insertions, each destroying at most q - 1.
    """
    lo, hi = length_window(n, cutoff)
    out = []
    for m in range(lo, hi + 1):
        d = math.floor((1.0 - cutoff / 100.0) * (n + m) + 1e-6)
        d -= (d - n - m) % 2
        if d < abs(n - m):
            out.append(1 << 30)
            continue
        out.append(ngrams - q * ((d + n - m) // 2) - (q - 1) * ((d - n + m) // 2))
    return lo, tuple(out)

"""Bigram pre-filter for fuzzy matching: which of a country's names can reach a ``fuzz.ratio`` cutoff.

Scoring a query against every name of a country with rapidfuzz costs ~80 ns a name; the United
States alone has 111,000 fold keys, and an unknown name is scored against all of those of a
compatible length. This module narrows the list *losslessly* before rapidfuzz sees it, so the
fuzzy tier returns exactly what a full scan would, only faster.

Why it is exact. ``fuzz.ratio(a, b) = 100 * (1 - d / (len(a) + len(b)))`` where ``d`` is the Indel
distance (insertions + deletions). A cutoff ``c`` therefore bounds both the length of ``b`` (a
window ``lo..hi``) and ``d <= (1 - c/100) * (len(a) + hi)``. One deletion destroys at most two
bigram occurrences of ``a``, one insertion at most one, so at least ``|G(a)| - 2 d`` of the distinct
bigrams ``G(a)`` of ``a`` also occur in ``b`` (the q-gram count filter). Names sharing fewer bigrams
with the query cannot reach the cutoff and are skipped; when that bound is not positive (very short
names) the whole length window is scanned, as before.

Layout (built once with numpy, cached in the index pickle): every country's fold keys sorted by
length (stable, so the candidate order equals the order a full scan would see, and rapidfuzz breaks
ties identically), and one CSR posting array per (country, bigram) of positions in that order.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

#: Fold keys are ``[a-z0-9]`` (see normalize.fold); any other byte shares one spare code. Merging
#: characters can only make more bigrams agree, so the count bound stays safe.
_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
_NSYM = len(_ALPHABET) + 1
NGRAMS = _NSYM * _NSYM
_CODE = np.full(256, len(_ALPHABET), dtype=np.int32)
_CODE[np.frombuffer(_ALPHABET.encode(), dtype=np.uint8)] = np.arange(len(_ALPHABET), dtype=np.int32)
_CODE_LIST: list[int] = _CODE.tolist()


def bigram_ids(key: str) -> set[int]:
    """Distinct bigram ids of a fold key (empty for keys shorter than two characters)."""
    b = key.encode("ascii", "replace")
    c = _CODE_LIST
    return {c[x] * _NSYM + c[y] for x, y in zip(b, b[1:])}


def length_window(n: int, cutoff: float) -> tuple[int, int]:
    """Lengths ``lo..hi`` a name must have for ``fuzz.ratio`` with an ``n``-character query to reach ``cutoff``."""
    f = cutoff / (200.0 - cutoff)
    return math.ceil(n * f - 1e-9), math.floor(n / f + 1e-9)


class GramIndex:
    """Per-country fold keys sorted by length, with bigram postings; see the module docstring."""

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
        self.off, self.post = self._postings([keys[i] for i in self.ids.tolist()], self.lens, span)
        self._tables: dict[int, tuple[list[int], list[int]]] = {}

    @staticmethod
    def _postings(keys: list[str], lens: np.ndarray, span: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """CSR over ``country * NGRAMS + bigram`` -> ascending positions of the keys holding it."""
        nb = (len(span) - 1) * NGRAMS
        if not keys:
            return np.zeros(nb + 1, dtype=np.int64), np.zeros(0, dtype=np.int32)
        buf = _CODE[np.frombuffer("".join(keys).encode("ascii", "replace"), dtype=np.uint8)]
        owner = np.repeat(np.arange(len(keys), dtype=np.int64), lens)
        same = owner[:-1] == owner[1:]  # bigrams that do not straddle two keys
        pos = owner[:-1][same]
        gram = (buf[:-1] * _NSYM + buf[1:])[same].astype(np.int64)
        country = np.repeat(np.arange(len(span) - 1, dtype=np.int64), np.diff(span))
        # one posting per (key, bigram), sorted by bucket then position: a single unique() does both
        combo = np.sort((country[pos] * NGRAMS + gram) * len(keys) + pos)
        combo = combo[np.concatenate(([True], combo[1:] != combo[:-1]))]  # np.unique is slower
        bucket, post = np.divmod(combo, len(keys))
        off = np.zeros(nb + 1, dtype=np.int64)
        np.cumsum(np.bincount(bucket, minlength=nb), out=off[1:])
        return off, post.astype(np.int32)

    def country_ids(self, country: str) -> list[int]:
        """Ids of all the country's keys, in scan order (by length, then id)."""
        ci = self._cidx.get(country)
        return [] if ci is None else self.ids[self.span[ci]:self.span[ci + 1]].tolist()

    def candidates(self, country: str, key: str, cutoff: float) -> list[int]:
        """Ids of the country's keys that may reach ``fuzz.ratio >= cutoff`` with ``key``, in scan order.

        Prefix filter: a name sharing at least ``need`` of the query's ``|G|`` distinct bigrams holds
        at least one of any ``|G| - need + 1`` of them, so the postings of that many *rarest* bigrams
        are the candidates (rapidfuzz then scores them exactly). Short lists, few numpy calls.
        """
        ci = self._cidx.get(country)
        if ci is None:
            return []
        off, lstart = self._country_tables(ci)
        n = len(key)
        lo, hi = length_window(n, cutoff)
        top = len(lstart) - 1
        s, e = lstart[min(lo, top)], lstart[min(hi + 1, top)]
        if s >= e:
            return []
        grams = bigram_ids(key)
        dmax = math.floor((1.0 - cutoff / 100.0) * (n + hi) + 1e-6)
        need = len(grams) - 2 * dmax
        if need <= 0:
            return self.ids[s:e].tolist()
        rare = sorted(grams, key=lambda g: off[g + 1] - off[g])[:len(grams) - need + 1]
        post = self.post
        parts = []
        for g in rare:
            p = post[off[g]:off[g + 1]]  # ascending positions: the length window is a slice
            parts.append(p[p.searchsorted(s):p.searchsorted(e)])
        if len(parts) == 1:
            x = parts[0]
        else:
            x = np.concatenate(parts)
            x.sort()
            if len(x) > 1:
                x = x[np.concatenate(([True], x[1:] != x[:-1]))]  # np.unique is far slower here
        return self.ids[x].tolist()

    def _country_tables(self, ci: int) -> tuple[list[int], list[int]]:
        """A country's bigram offsets and length starts as Python lists (built on first use: cheap
        per call, and the cold start does not pay for the 250 countries a run never asks about)."""
        got = self._tables.get(ci)
        if got is None:
            a, b = int(self.span[ci]), int(self.span[ci + 1])
            off = self.off[ci * NGRAMS:(ci + 1) * NGRAMS + 1].tolist()
            lens = self.lens[a:b]
            lstart = (a + np.searchsorted(lens, np.arange(int(lens.max(initial=0)) + 2), "left")).tolist()
            got = self._tables[ci] = (off, lstart)
        return got

    def __getstate__(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "_tables"}

    def __setstate__(self, st: dict) -> None:
        self.__dict__.update(st, _tables={})

"""The trigram pre-filter must be lossless: fuzzy answers equal those of a full scan of the country.

Unit level (no gazetteer, fast): a GramIndex over generated place-like keys against brute-force
``fuzz.ratio`` over every key of the country; and the index digest changes with the format version,
so a cache written by an older layout is never loaded.
"""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz, process

from incidentkit.geocode import index as index_mod
from incidentkit.geocode import grams as grams_mod
from incidentkit.geocode.grams import GramIndex, gram_ids, length_window
from incidentkit.geocode.normalize import fold

SYLLABLES = ["al", "ba", "dar", "deir", "ein", "gh", "ha", "hasa", "jab", "kab", "kafr", "khan", "ma", "mar",
             "qa", "ra", "sha", "tal", "um", "zor", "ya", "ni", "sa", "ki", "ab", "ad", "ur", "o", "e", "i"]


def _keys(rng: random.Random, n: int) -> list[str]:
    out = {fold("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 6)))) for _ in range(n)}
    return sorted(k for k in out if len(k) >= 2)


def _noisy(rng: random.Random, k: str) -> str:
    """One or two typing/transliteration edits: what the fuzzy tier is for."""
    s = list(k)
    for _ in range(rng.randint(1, 2)):
        op, p = rng.random(), rng.randrange(len(s))
        if op < 0.4:
            s.insert(p, rng.choice("aeiouhkqsz"))
        elif op < 0.7 and len(s) > 2:
            del s[p]
        else:
            s[p] = rng.choice("aeiouhkqsz")
    return "".join(s)


@pytest.fixture(scope="module")
def world() -> tuple[list[str], dict[str, np.ndarray], GramIndex]:
    rng = random.Random(7)
    keys = _keys(rng, 6000)
    ids = np.arange(len(keys), dtype=np.int32)
    rng.shuffle(ids)  # countries hold interleaved ids, as in the real index
    a, b = len(ids) * 6 // 10, len(ids) * 19 // 20
    by_country = {"SY": np.sort(ids[:a]), "IQ": np.sort(ids[a:b]), "LB": np.sort(ids[b:])}
    return keys, by_country, GramIndex(keys, by_country)


def _full_scan(keys: list[str], ids: np.ndarray, q: str, cutoff: float) -> list[tuple[str, float, int]]:
    """What the fuzzy tier did before the filter: every key of the country, rapidfuzz's top 8."""
    pool = sorted((keys[i] for i in ids.tolist()), key=len)  # stable: by length, then id order
    return [(k, s) for k, s, _ in process.extract(q, pool, scorer=fuzz.ratio, score_cutoff=cutoff, limit=8)]


def _filtered(world, cc: str, q: str, cutoff: float) -> list[tuple[str, float]]:
    keys, _, gi = world
    pool = [keys[i] for i in gi.candidates(cc, q, cutoff)]
    return [(k, s) for k, s, _ in process.extract(q, pool, scorer=fuzz.ratio, score_cutoff=cutoff, limit=8)]


@pytest.mark.parametrize("cutoff", [90.0, 93.0])
def test_prefilter_equals_full_scan_on_noisy_names(world, cutoff: float) -> None:
    keys, by_country, gi = world
    rng = random.Random(11)
    matched = 0
    for _ in range(1500):
        cc = rng.choice(sorted(by_country))
        base = keys[int(rng.choice(by_country[cc].tolist()))]
        q = _noisy(rng, base) if rng.random() < 0.8 else "".join(rng.choice(SYLLABLES) for _ in range(4))
        want = _full_scan(keys, by_country[cc], q, cutoff)
        assert _filtered(world, cc, q, cutoff) == want, q
        matched += bool(want)
    assert matched > 200  # the sample really exercises matches, not only misses


def test_count_filter_keeps_every_match(world, monkeypatch: pytest.MonkeyPatch) -> None:
    """With the per-length count filter applied to every candidate list (not only long ones), the
    answers are still those of the full scan, and it prunes what the union of postings let through."""
    keys, by_country, gi = world
    rng = random.Random(13)
    queries = []
    for _ in range(600):
        cc = rng.choice(sorted(by_country))
        base = keys[int(rng.choice(by_country[cc].tolist()))]
        queries.append((cc, _noisy(rng, base) if rng.random() < 0.7 else
                        "".join(rng.choice(SYLLABLES) for _ in range(3))))
    unfiltered = sum(len(gi.candidates(cc, q, 90.0)) for cc, q in queries)
    monkeypatch.setattr(grams_mod, "COUNT_FILTER_MIN", 0)
    for cc, q in queries:
        for cutoff in (90.0, 93.0):
            assert _filtered(world, cc, q, cutoff) == _full_scan(keys, by_country[cc], q, cutoff), q
    assert sum(len(gi.candidates(cc, q, 90.0)) for cc, q in queries) < unfiltered


@settings(max_examples=500, deadline=None)
@given(a=st.text(alphabet="abdehiklmnoqrstz", min_size=2, max_size=16),
       edits=st.lists(st.tuples(st.sampled_from("ids"), st.integers(0, 20), st.sampled_from("abhkqsz")), max_size=4),
       cutoff=st.sampled_from([85.0, 90.0, 93.0]))
def test_needs_bound_holds(a: str, edits: list[tuple[str, int, str]], cutoff: float) -> None:
    """Any name reaching the cutoff holds at least the q-grams the per-length bound asks for."""
    b = list(a)
    for op, p, c in edits:
        p %= len(b) + 1
        if op == "i":
            b.insert(p, c)
        elif b and p < len(b):
            b[p:p + 1] = [] if op == "d" else [c]
    b = "".join(b)
    if not b or fuzz.ratio(a, b) < cutoff:
        return
    for q in (3, 2):
        ga = gram_ids(a, q)
        lo, needs = grams_mod._needs(len(a), cutoff, q, len(ga))
        assert lo <= len(b) < lo + len(needs)
        assert len(ga & gram_ids(b, q)) >= needs[len(b) - lo], (a, b, q)


def test_prefilter_prunes_most_of_the_country(world) -> None:
    keys, by_country, gi = world
    q = keys[int(by_country["SY"][10])] + "x"
    lo, hi = length_window(len(q), 90.0)
    window = sum(lo <= len(keys[i]) <= hi for i in by_country["SY"].tolist())
    assert len(gi.candidates("SY", q, 90.0)) < window / 2  # few syllables: much sharper on real names


@settings(max_examples=300, deadline=None)
@given(q=st.text(alphabet="abdehiklmnoqrstuyz0", min_size=5, max_size=14))
def test_prefilter_lossless_for_any_query(world, q: str) -> None:
    keys, by_country, _ = world
    assert _filtered(world, "IQ", q, 90.0) == _full_scan(keys, by_country["IQ"], q, 90.0)


def test_candidates_unknown_country_and_empty_window(world) -> None:
    assert world[2].candidates("ZZ", "hasakah", 90.0) == []
    assert world[2].candidates("SY", "x" * 90, 90.0) == []  # no key that long


def test_gram_ids_are_distinct_and_safe_for_any_character() -> None:
    assert len(gram_ids("aaaaa")) == 1
    assert len(gram_ids("ababab")) == 2  # aba, bab
    assert gram_ids("ab") == set()
    assert len(gram_ids("é-ö")) == 1  # non [a-z0-9] share one code: bounds stay safe


def test_index_digest_follows_format_version(monkeypatch: pytest.MonkeyPatch) -> None:
    before = index_mod.index_digest([])
    monkeypatch.setattr(index_mod, "FORMAT_VERSION", index_mod.FORMAT_VERSION + 1)
    assert index_mod.index_digest([]) != before

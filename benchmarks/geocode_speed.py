"""Geocoding speed: cold start (load the cached index) and warm throughput over 100,000 names.

    python benchmarks/geocode_speed.py                      # both mixes, 100,000 queries each
    python benchmarks/geocode_speed.py --mix realistic --names 50000

Two mixes of 100,000 (name, country, admin1) queries, drawn from the gazetteer's own places:

* ``realistic`` (the figure the docs quote): 45% names as written; 20% with transliteration noise
  (article added or dropped, a vowel or a close consonant swapped, a letter doubled or undoubled,
  hyphen/apostrophe changes) of which a third also carry a typing slip (a letter inserted, dropped
  or replaced: the fuzzy tier's work); 10% real provinces ("Diyala governorate"); 10% comma forms
  ("checkpoint 12, Manbij", "Manbij, Aleppo"); 15% unknown names built from syllables of real names in
  the same country (as hard for the trigram filter as unknown names get: their trigrams are common
  ones). One row in five carries the place's admin1.
* ``legacy``: the original mix (10% unknown names were "Qx<digits>abad", whose digit trigrams the
  filter discards at once; 10% "<any place> province"), kept for comparison with earlier figures.

Names repeat as in coded tables (~91% distinct); the memo is cleared before each pass so every
distinct query is resolved from scratch. Each mix is also run with the trigram pre-filter replaced by
a full scan of the country's names of compatible length (what the fuzzy tier did before), in the
same process: the speed-up is that ratio, less sensitive to a busy machine than names/s. CPU time
(``time.process_time``) is reported beside wall time for the same reason. A repeat pass of the same mix
(answers' memo cleared again, folding memos and per-country tables warm) is reported as well.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import time
from pathlib import Path
from unittest import mock

from incidentkit.geocode import Geocoder
from incidentkit.heap import long_lived_frozen
from incidentkit.geocode.grams import GramIndex
from incidentkit.geocode.index import Index

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from _measure import machine, self_peak_mb  # noqa: E402

N = 100_000  # queries per mix (--names)
Query = tuple[str, "str | None", "str | None"]

_VOWEL_SWAP = {"a": "e", "e": "a", "i": "e", "o": "u", "u": "o", "y": "i"}
_CONSONANT_SWAP = (("q", "k"), ("k", "q"), ("kh", "h"), ("sh", "ch"), ("dh", "z"), ("ou", "u"),
                   ("j", "dj"), ("w", "ou"), ("z", "dh"), ("th", "t"))
_FACILITIES = ("checkpoint", "village", "camp", "prison", "market", "hospital", "bridge", "school")


def _transliterate(rng: random.Random, name: str) -> str:
    """A spelling another reporter might use: the kinds of variation transliteration produces."""
    s = name
    for _ in range(rng.randint(1, 2)):
        r = rng.random()
        if r < 0.2:
            s = s[3:] if s.lower().startswith(("al-", "el-", "ad-", "ar-", "as-")) else rng.choice(("al-", "Al ", "el-")) + s
        elif r < 0.45:
            pos = [i for i, c in enumerate(s) if c.lower() in _VOWEL_SWAP]
            if pos:
                i = rng.choice(pos)
                s = s[:i] + _VOWEL_SWAP[s[i].lower()] + s[i + 1:]
        elif r < 0.65:
            a, b = rng.choice(_CONSONANT_SWAP)
            s = s.replace(a, b, 1) if a in s else s.replace(a.capitalize(), b.capitalize(), 1)
        elif r < 0.85:
            i = rng.randrange(len(s))
            s = s[:i] + s[i] + s[i:] if s[i].isalpha() else s  # doubled letter ...
            s = s.replace("ss", "s", 1) if rng.random() < 0.5 else s  # ... or undoubled
        else:
            s = s.replace("-", " ").replace("'", "").replace("`", "")
    return s


def _typo(rng: random.Random, s: str) -> str:
    """A typing slip: one letter inserted, dropped or replaced."""
    i, c = rng.randrange(len(s)), rng.choice("abdehiklmnoqrstuz")
    return rng.choice((s[:i] + c + s[i:], s[:i] + s[i + 1:] if len(s) > 4 else s, s[:i] + c + s[i + 1:]))


def _unknown(rng: random.Random, syllables: list[str]) -> str:
    return "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))).capitalize()


def realistic_mix(ix: Index, rng: random.Random) -> list[Query]:
    n = len(ix)
    admin1s = [i for i in range(n) if ix.kind[i] == "admin1"]
    provname = {(ix.country[i], ix.admin1[i]): ix.names[i] for i in admin1s}
    places = [i for i in range(n) if ix.kind[i] != "admin1"]
    syl: dict[str, list[str]] = {}
    for i in rng.sample(places, 60_000):
        w = ix.names[i].lower()
        if w.isascii() and w.isalpha():
            syl.setdefault(ix.country[i], []).extend(w[j:j + 3] for j in range(0, len(w) - 2, 3))
    out: list[Query] = []
    pool = [i for i in places if ix.names[i]]
    while len(out) < N:
        i = rng.choice(pool)
        cc, name = ix.country[i], ix.names[i]
        a1 = provname.get((cc, ix.admin1[i])) if rng.random() < 0.2 else None
        r = rng.random()
        if r < 0.45:
            q = name
        elif r < 0.65:
            q = _transliterate(rng, name)
            if rng.random() < 1 / 3:
                q = _typo(rng, q)
        elif r < 0.75:
            j = rng.choice(admin1s)
            q, cc, a1 = f"{ix.names[j]} {rng.choice(('province', 'governorate', 'region'))}", ix.country[j], None
        elif r < 0.85:
            prov = provname.get((cc, ix.admin1[i]))
            q = f"{name}, {prov}" if prov and rng.random() < 0.5 else \
                f"{rng.choice(_FACILITIES)} {rng.randrange(99)}, {name}"
        else:
            q = _unknown(rng, syl.get(cc) or syl["SY"])
        out.append((q, cc, a1))
        if rng.random() < 0.1 and out:  # names recur in coded tables
            out.append(rng.choice(out))
    return out[:N]


def legacy_mix(ix: Index, rng: random.Random) -> list[Query]:
    n = len(ix)
    names: list[Query] = []
    for _ in range(N):
        i = rng.randrange(n)
        kind = rng.random()
        if kind < 0.55:
            names.append((ix.names[i], ix.country[i], None))
        elif kind < 0.70:
            names.append((ix.names[i].lower().replace("a", "e", 1), ix.country[i], None))
        elif kind < 0.80:
            names.append((f"{ix.names[i]} province", ix.country[i], None))
        elif kind < 0.90:
            names.append((f"checkpoint {rng.randrange(99)}, {ix.names[i]}", ix.country[i], None))
        else:
            names.append((f"Qx{rng.randrange(10**6)}abad", rng.choice(["SY", "IQ", "AF", "YE"]), None))
    return names


def run(gc: Geocoder, names: list[Query]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds, share found: every distinct query resolved from scratch."""
    gc.matcher._memo.clear()
    gc._memo.clear()
    t, c = time.perf_counter(), time.process_time()
    with long_lived_frozen():  # as Geocoder.geocode_many (and so the build) runs its loop
        res = [gc.geocode(*q) for q in names]
    return time.perf_counter() - t, time.process_time() - c, sum(r.found for r in res) / len(res)


def cold_start() -> float:
    code = ("import time; t=time.perf_counter(); from pathlib import Path; from incidentkit.geocode import Geocoder; "
            f"g=Geocoder(Path({str(ROOT / 'datasets' / 'gazetteer')!r}), use_user_gazetteers=False); g.index; "
            "g.geocode('al-Hasakah','SY'); print(time.perf_counter()-t)")
    runs = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
            for _ in range(3)]
    return min(runs)


def main() -> None:
    global N
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--names", type=int, default=N, help="queries per mix")
    ap.add_argument("--mix", choices=("realistic", "legacy", "both"), default="both")
    args = ap.parse_args()
    N = args.names
    print(machine())
    gc = Geocoder(gazetteer_dir=ROOT / "datasets" / "gazetteer", use_user_gazetteers=False)
    ix = gc.index  # builds the cache if needed
    if hasattr(ix, "open"):  # the per-country shards: open them all, so the mixes draw from every place
        ix.open()
    mixes = [m for m in (("realistic", realistic_mix), ("legacy", legacy_mix)) if args.mix in (m[0], "both")]
    for label, make in mixes:
        names = make(ix, random.Random(42))
        gc.geocode("warm-up", "SY")
        wall, cpu, found = run(gc, names)
        _, rcpu, _ = run(gc, names)  # the same mix again: answers' memo cleared, folding memos warm
        with mock.patch.object(GramIndex, "candidates", GramIndex.window):
            bwall, bcpu, bfound = run(gc, names)
        assert found == bfound, "the pre-filter changed answers"
        print(f"{label:9} mix: {N / wall:,.0f} names/s wall, {N / cpu:,.0f} names/s CPU over {N:,} names "
              f"({len(set(names)):,} distinct; {found:.0%} found) on one core; without the trigram filter "
              f"{N / bwall:,.0f} wall / {N / bcpu:,.0f} CPU: x{bcpu / cpu:.1f} CPU, x{bwall / wall:.1f} wall; "
              f"repeat pass {N / rcpu:,.0f} CPU")
    print(f"cold start (new process, cached index, first answer): {cold_start():.2f} s (best of 3)")
    print(f"peak memory (this process; it starts no others but the cold-start runs): {self_peak_mb():,.0f} MB")


if __name__ == "__main__":
    main()

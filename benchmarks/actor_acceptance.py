"""Actor vocabulary against real ACLED actor values: acceptance, other-country suggestions, typo repair.

    python benchmarks/actor_acceptance.py --acled FILE [--typos N] [--seed S] [--top N]

``--acled`` (no default: ACLED's terms forbid redistributing its data, so none ships) is a CSV or Parquet
file with ACLED's columns event_date, country, actor1, assoc_actor_1, inter1, actor2, assoc_actor_2, inter2
(older releases' ally_actor_* columns are read as assoc_actor_*). Every actor value counts: actor1,
actor2 and each ";"-separated associated actor, weighted by rows. Reported:

* **accepted**: the share of values that ``Vocabulary.check(value, country, date, inter)`` accepts as they
  are (known, no error), in their own country and on their own date (inter given for actor1/actor2).
  Goal: at least 85%. Also per country (the 25 with most values) and the most frequent rejected values,
  so the data files can be improved.
* **other-country suggestions**: among every suggestion made for every rejected value and every typo, how
  many are not valid in the incident's country and on its date. Goal: none, ever.
* **typo repair**: accepted values (sampled by row weight, seeded) with one random typo (a letter dropped,
  two neighbours swapped, or a letter doubled); the share for which ``suggest()`` returns the original
  first. Goal: at least 80%.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import pandas as pd

from incidentkit.actors import load_vocabulary
from incidentkit.codebook.countries import country_code

COLUMNS = ("event_date", "country", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2")
_OLD_NAMES = {"ally_actor_1": "assoc_actor_1", "ally_actor_2": "assoc_actor_2"}


def read_acled(path: Path) -> pd.DataFrame:
    """The actor columns of an ACLED file (CSV or Parquet), any vintage, column names lower-cased."""
    if path.suffix.lower() == ".parquet":
        df = pd.read_parquet(path)
    else:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    df.columns = [_OLD_NAMES.get(c.lower(), c.lower()) for c in df.columns]
    missing = [c for c in ("event_date", "country", "actor1") if c not in df.columns]
    if missing:
        sys.exit(f"{path}: not an ACLED file (missing {', '.join(missing)})")
    for c in COLUMNS:
        if c not in df.columns:
            df[c] = None
    return df[list(COLUMNS)]


def _date(text: object) -> date | None:
    if text is None or (isinstance(text, float) and pd.isna(text)) or text is pd.NA:
        return None
    t = pd.to_datetime(str(text), errors="coerce", format="mixed", dayfirst=True)
    return None if pd.isna(t) else t.date()


def actor_values(df: pd.DataFrame) -> Counter:
    """(value, country code, date, inter or None) -> number of occurrences."""
    dates = {d: _date(d) for d in df["event_date"].dropna().unique()}
    codes = {c: country_code(str(c)) for c in df["country"].dropna().unique()}
    out: Counter = Counter()
    for row in df.itertuples(index=False):
        cc, day = codes.get(row.country), dates.get(row.event_date)
        if cc is None or day is None:
            continue
        for col, inter in (("actor1", row.inter1), ("actor2", row.inter2), ("assoc_actor_1", None),
                           ("assoc_actor_2", None)):
            v = getattr(row, col)
            if v is None or v is pd.NA or (isinstance(v, float) and pd.isna(v)):
                continue
            parts = [p.strip() for p in str(v).split(";")] if col.startswith("assoc") else [str(v).strip()]
            for p in parts:
                if p:
                    i = None if inter is None or inter is pd.NA or str(inter).strip() in ("", "nan") else int(float(inter))
                    out[(p, cc, day, i)] += 1
    return out


def typo(text: str, rng: random.Random) -> str:
    """One random typo on a letter: dropped, swapped with the next character, or doubled."""
    letters = [i for i, ch in enumerate(text) if ch.isalpha()]
    for _ in range(20):
        i = rng.choice(letters)
        kind = rng.choice(("drop", "swap", "double"))
        if kind == "drop":
            out = text[:i] + text[i + 1:]
        elif kind == "swap" and i + 1 < len(text):
            out = text[:i] + text[i + 1] + text[i] + text[i + 2:]
        else:
            out = text[:i] + text[i] + text[i:]
        if out != text:
            return out
    return text[1:]


def _same_actor(vocab, a: str, b: str) -> bool:
    """Two state names of the same forces, country and period (e.g. "... (2014-)" and "... (2014-2021)")."""
    ia, ib = vocab.lookup(a), vocab.lookup(b)
    if ia is None or ib is None or ia.kind != "state" or ib.kind != "state":
        return False
    same_forces = (ia.country, ia.unit) == (ib.country, ib.unit) and a.split(" of ")[0] == b.split(" of ")[0]
    # b without a period (older releases): any period of the same forces is its current label
    return same_forces and (ib.start is None or ia.start == ib.start)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--acled", type=Path, required=True, help="ACLED CSV or Parquet file (none ships).")
    ap.add_argument("--typos", type=int, default=3000, help="Typo cases to draw [3000].")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--top", type=int, default=30, help="Rejected values to list [30].")
    ap.add_argument("--actors", type=Path, default=None, help="A project actor list to add (default: none).")
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    vocab = load_vocabulary(args.actors)
    df = read_acled(args.acled)
    values = actor_values(df)
    total = sum(values.values())
    accepted = 0
    known = 0
    per_country: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    rejected: Counter = Counter()
    rejected_where: dict[str, Counter] = defaultdict(Counter)
    problem_codes: Counter = Counter()
    suggestions_made = 0
    foreign: list[tuple[str, str, date, str]] = []
    accepted_keys: list[tuple[str, str, date]] = []
    accepted_weights: list[int] = []

    def audit(suggestions: list[str], cc: str, day: date, value: str) -> None:
        nonlocal suggestions_made
        for s in suggestions:
            suggestions_made += 1
            if not vocab.valid_for(s, cc, day):
                foreign.append((value, cc, day, s))

    for (value, cc, day, inter), n in values.items():
        v = vocab.check(value, country=cc, date=day, inter=inter)
        per_country[cc][1] += n
        known += n * v.known
        audit(v.suggestions, cc, day, value)
        if v.known and v.ok:
            accepted += n
            per_country[cc][0] += n
            accepted_keys.append((value, cc, day))
            accepted_weights.append(n)
        else:
            rejected[value] += n
            rejected_where[value][cc] += n
            for code, sev, _ in v.problems:
                if sev == "error" or code == "actor-not-in-list":
                    problem_codes[code] += n

    rng = random.Random(args.seed)
    cases = rng.choices(accepted_keys, weights=accepted_weights, k=args.typos) if accepted_keys else []
    right = 0
    canonical = 0  # the first suggestion is the same actor under today's label (period-less/old open label)
    typo_valid = 0
    misses: Counter = Counter()
    for value, cc, day in cases:
        wrong = typo(value, rng)
        if vocab.lookup(wrong) is not None:
            typo_valid += 1
        sugg = vocab.suggest(wrong, cc, day)
        audit(sugg, cc, day, wrong)
        if sugg and sugg[0] == value:
            right += 1
        elif sugg and _same_actor(vocab, sugg[0], value):
            canonical += 1
        else:
            misses[(wrong, value, sugg[0] if sugg else "-")] += 1

    print(f"ACLED file: {args.acled.name}: {len(df):,} rows, {total:,} actor values "
          f"({len(values):,} distinct value/country/date/inter)")
    print(f"accepted as they are: {accepted:,}/{total:,} = {accepted / total:.1%}  (goal >= 85%); "
          f"known names {known / total:.1%}")
    print("rejections by problem (values): " + ", ".join(f"{c} {n:,}" for c, n in problem_codes.most_common()))
    print(f"suggestions not valid for the incident's country/date: {len(foreign)} of {suggestions_made:,} "
          f"(goal: 0)")
    for f in foreign[:10]:
        print(f"  {f}")
    if cases:
        print(f"typo repair: first suggestion is the original in {right:,}/{len(cases):,} = {right / len(cases):.1%} "
              f"(goal >= 80%); {typo_valid:,} typos were themselves valid names (grammar)")
        print(f"  + {canonical:,} where the first suggestion is the same actor under its current label (an old "
              f"value without a period, or a period's open label): {(right + canonical) / len(cases):.1%}")
    print("\nper country (25 with most values): accepted share, values")
    for cc, (ok, n) in sorted(per_country.items(), key=lambda kv: -kv[1][1])[:25]:
        print(f"  {cc}  {ok / n:6.1%}  {n:>8,}")
    print(f"\n{args.top} most frequent rejected values (count, countries):")
    for value, n in rejected.most_common(args.top):
        where = " ".join(f"{c}:{k}" for c, k in rejected_where[value].most_common(3))
        print(f"  {n:>6,}  {value}   [{where}]")
    if misses:
        print("\nsome typo misses (typo -> original | first suggestion):")
        for (wrong, value, first), _ in misses.most_common(10):
            print(f"  {wrong!r} -> {value!r} | {first!r}")
    print(f"\n({time.perf_counter() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

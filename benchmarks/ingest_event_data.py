"""Benchmark: ICEWS and POLECAT ingest against DuckDB's and polars' CSV readers writing Parquet (issue 16, point 5).

Generates an ICEWS-shaped file (the 20 Dataverse columns) and a POLECAT-shaped file (the 40 columns,
"None" placeholders, ";" lists, unbalanced quotes), cached under benchmarks/out/, then times in one
run, each task in its own subprocess whose process tree is sampled for peak memory
(``_measure.run_measured``); wall and CPU seconds are those of the work alone, imports excluded:

  ingest   incidentkit.external.icews.ingest_icews / polecat.ingest_polecat (streaming, typed, harmonised,
           crosswalk types, precision, located errors)
  duckdb   COPY (SELECT * FROM read_csv(SRC, delim='\\t', quote='', escape='')) TO DST (FORMAT parquet)
  polars   pl.scan_csv(SRC, separator='\\t', quote_char=None).sink_parquet(DST)

and prints the ratios against each baseline. The baselines read the tab files as tables with types
they infer and write them as they are (no harmonised schema, no mapping; polars reads "042" as 42);
they are what a user would otherwise run, and the bar for speed and memory.

A second POLECAT file with stray trailing tabs on one row in ten (the real files' quirk) is ingested
too; DuckDB and polars refuse it without options (rows longer than the header), so only ours is timed.

    .venv/bin/python benchmarks/ingest_event_data.py                 # 1,000,000 rows each
    .venv/bin/python benchmarks/ingest_event_data.py --rows 200000 --rounds 2
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _measure import TreeUsage, machine, time_statement

OUT = HERE / "out"

# (city, district, province, country name, ISO3, lat, lon)
PLACES = [
    ("Malmö", "Malmö Kommun", "Skåne län", "Sweden", "SWE", 55.60587, 13.00073),
    ("Göteborg", "Göteborgs Kommun", "Västra Götalands län", "Sweden", "SWE", 57.70716, 11.96679),
    ("Saint-Étienne", "", "Auvergne-Rhône-Alpes", "France", "FRA", 45.43389, 4.39),
    ("", "", "Île-de-France", "France", "FRA", 48.5, 2.5),
    ("Ḩalab", "Jabal Sim‘ān", "Muḩāfaz̧at Ḩalab", "Syria", "SYR", 36.20124, 37.16117),
    ("الخرطوم", "", "Khartoum", "Sudan", "SDN", 15.55177, 32.53241),
    ("", "Afgooye", "Shabeellaha Hoose", "Somalia", "SOM", 2.13981, 45.1212),
    ("Bakhmut", "Bakhmut Raion", "Donetsk Oblast", "Ukraine", "UKR", 48.59441, 38.00014),
    ("Tombouctou", "", "Tombouctou", "Mali", "MLI", 16.77348, -3.00742),
    ("", "", "", "Occupied Palestinian Territory", "PSE", 31.92157, 35.20329),
]
ACTORS = ["Police (Sweden)", "Gilets jaunes «manifestants» (France)", "Militant (Syria)", "عائلة الحسن (Syria)",
          "Al-Shabaab", "Emmanuel Macron", "Citizen (Mali)", "Forces armées maliennes", "Åsa Öberg",
          "Government (Ukraine)", "Rioter (France)", "نازحون (Sudan)"]
CAMEO = ["010", "012", "020", "036", "042", "043", "057", "0874", "100", "112", "141", "145", "173", "180", "181",
         "1823", "183", "1831", "190", "193", "195"]
TEXTS = ["Make statement", "Arrest, detain, or charge with legal action", 'He said "we will not',
         "Use conventional military force", "Demonstrate or rally", "Protest violently, riot"]
PUBLISHERS = ["Sydsvenskan", "Le Monde", "Al-Hayat", "Reuters", "Agence France-Presse", "Jeune Afrique"]
PLOVER = [("ASSAULT", "firearms"), ("ASSAULT", "aerial"), ("ASSAULT", "beat;primitive"), ("PROTEST", "demo"),
          ("PROTEST", "None"), ("COERCE", "arrest"), ("CONSULT", "visit"), ("ACCUSE", "allege"),
          ("MOBILIZE", "troops"), ("RETREAT", "ceasefire"), ("SANCTION", "discontinue"), ("AGREE", "None")]
FEATURES = ["PPL", "PPLA", "PPLA2", "ADM1", "ADM2", "PCLI", "None", "AIRP"]


def _layout(fmt: str) -> tuple[str, ...]:
    """The published header, from the fixture generator of tests/data/<fmt>/ (one source of the layout)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"{fmt}_fixtures", HERE.parent / "tests" / "data" / fmt /
                                                  "make_fixtures.py")
    mod = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(mod)  # type: ignore[union-attr]
    return tuple(mod.HEADER)


def _dates(rng: np.random.Generator, n: int) -> np.ndarray:
    days = np.sort(rng.integers(0, 365, n))
    return (np.datetime64("2019-01-01") + days.astype("timedelta64[D]")).astype(str)


def write_icews(path: Path, rows: int, seed: int = 7) -> None:
    """An ICEWS-shaped tab file of ``rows`` events (the Dataverse header, no quoting)."""
    header = _layout("icews")
    rng = np.random.default_rng(seed)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write("\t".join(header) + "\n")
        for start in range(0, rows, 100_000):
            n = min(100_000, rows - start)
            dates, place = _dates(rng, n), rng.integers(0, len(PLACES), n)
            a1, a2 = rng.integers(0, len(ACTORS), n), rng.integers(0, len(ACTORS), n)
            code, text, pub = rng.integers(0, len(CAMEO), n), rng.integers(0, len(TEXTS), n), \
                rng.integers(0, len(PUBLISHERS), n)
            inten = np.round(rng.uniform(-10, 10, n), 1)
            jitter = rng.normal(0, 0.05, (n, 2))
            lines = []
            for i in range(n):
                c, d, p, country, _, lat, lon = PLACES[place[i]]
                lines.append("\t".join((
                    str(30_000_000 + start + i), dates[i], ACTORS[a1[i]], "Government,Police", country,
                    TEXTS[text[i]], CAMEO[code[i]], f"{inten[i]:.1f}", ACTORS[a2[i]], "", country,
                    str(50_000_000 + (start + i) // 3), str(1 + i % 4), PUBLISHERS[pub[i]], c, d, p, country,
                    f"{lat + jitter[i, 0]:.5f}", f"{lon + jitter[i, 1]:.5f}")))
            fh.write("\n".join(lines) + "\n")


def write_polecat(path: Path, rows: int, seed: int = 11, stray_every: int = 0) -> None:
    """A POLECAT-shaped tab file; ``stray_every``: one row in that many ends in a stray tab."""
    header = _layout("polecat")
    rng = np.random.default_rng(seed)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write("\t".join(header) + "\n")
        for start in range(0, rows, 100_000):
            n = min(100_000, rows - start)
            dates, place = _dates(rng, n), rng.integers(0, len(PLACES), n)
            a1, a2 = rng.integers(0, len(ACTORS), n), rng.integers(0, len(ACTORS), n)
            ev, feat = rng.integers(0, len(PLOVER), n), rng.integers(0, len(FEATURES), n)
            inten = np.round(rng.uniform(-10, 10, n), 1)
            jitter = rng.normal(0, 0.05, (n, 2))
            lines = []
            for i in range(n):
                c, d, p, _, iso3, lat, lon = PLACES[place[i]]
                t, m = PLOVER[ev[i]]
                two = a1[i] % 5 == 0
                actor = f"{ACTORS[a1[i]]};{ACTORS[a2[i]]}" if two else ACTORS[a1[i]]
                line = "\t".join((
                    f"{dates[i].replace('-', '')}-{start + i:07d}", dates[i], t, m, f"{inten[i]:.1f}",
                    "MATERIAL CONFLICT", "military;territory", actor, f"{iso3};{iso3}" if two else iso3, "None",
                    "GOV", "GOV;MIL", 'chef "adjoint', ACTORS[a1[i]], "None", ACTORS[a2[i]], iso3, "None", "CVL",
                    "CVL", "None", ACTORS[a2[i]], "None", c or p or "None", c or "None", d or "None", p or "None",
                    iso3, f"{lat + jitter[i, 0]:.5f}", f"{lon + jitter[i, 1]:.5f}", str(100_000 + place[i]),
                    c or p or "None", FEATURES[feat[i]], PUBLISHERS[ev[i] % len(PUBLISHERS)], dates[i],
                    "None", "Wagner Group;UN", "Bakhmut;Donetsk", "en", "1.1"))
                if stray_every and (start + i) % stray_every == 0:
                    line += "\t"
                lines.append(line)
            fh.write("\n".join(lines) + "\n")


READERS = {"icews": "from incidentkit.external.icews import ingest_icews as ingest",
           "polecat": "from incidentkit.external.polecat import ingest_polecat as ingest"}
TASKS = {
    "ingest": ("{reader}", "ingest(SRC, DST, progress=False)"),
    "duckdb": ("import duckdb",
               ("duckdb.sql(f\"COPY (SELECT * FROM read_csv('{{SRC}}', delim='\\t', quote='', escape='', "
                "header=true)) TO '{{DST}}' (FORMAT parquet)\")")),
    "polars": ("import polars as pl",
               "pl.scan_csv(SRC, separator='\\t', quote_char=None, infer_schema_length=10000).sink_parquet(DST)"),
}


def run_task(fmt: str, name: str, src: Path) -> tuple[float, float, TreeUsage]:
    dst = OUT / f"bench_{fmt}_{name}.parquet"
    imports, statement = TASKS[name]
    imports = imports.format(reader=READERS[fmt])
    statement = statement.replace("{{", "{").replace("}}", "}")
    result = time_statement(imports, statement, SRC=str(src), DST=str(dst))
    dst.unlink(missing_ok=True)
    return result


def _cached(path: Path, write, rows: int, **kw) -> Path:  # type: ignore[no-untyped-def]
    if not path.exists():
        t = time.perf_counter()
        tmp = path.with_suffix(".tmp")
        write(tmp, rows, **kw)
        tmp.rename(path)
        print(f"generated {path} in {time.perf_counter() - t:.1f} s", file=sys.stderr)
    return path


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--only", choices=["icews", "polecat"], default=None)
    args = ap.parse_args()
    OUT.mkdir(exist_ok=True)
    files = {"icews": _cached(OUT / f"icews_{args.rows}.tab", write_icews, args.rows),
             "polecat": _cached(OUT / f"polecat_{args.rows}.txt", write_polecat, args.rows)}
    quirky = _cached(OUT / f"polecat_{args.rows}_stray_tabs.txt", write_polecat, args.rows, stray_every=10)
    print(machine())
    for fmt, src in files.items():
        if args.only and fmt != args.only:
            continue
        size_mb = src.stat().st_size / 1e6
        print(f"{fmt.upper()} ingest benchmark: {args.rows:,} rows, {size_mb:,.0f} MB tab file")
        for r in range(1, args.rounds + 1):
            res = {name: run_task(fmt, name, src) for name in TASKS}
            for name, (sec, cpu, usage) in res.items():
                print(f"  round {r} {name:7s} {sec:7.2f} s wall, {cpu:6.2f} s CPU   {usage.memory_text()}")
            ing, ing_u = res["ingest"][0], res["ingest"][2]
            for base in ("duckdb", "polars"):
                sec, _, usage = res[base]
                print(f"  round {r} ingest / {base:6s} = {ing / sec:.2f} wall, "
                      f"{ing_u.tree_rss_mb / usage.tree_rss_mb:.2f} peak memory")
        if fmt == "polecat":
            sec, cpu, usage = run_task(fmt, "ingest", quirky)
            print(f"  stray tabs on 1 row in 10: ingest {sec:.2f} s wall, {cpu:.2f} s CPU   {usage.memory_text()}")


if __name__ == "__main__":
    main()

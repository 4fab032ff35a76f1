"""The sharded gazetteer index: per-country shards opened lazily, with the :class:`Index` lookup API.

The embedded gazetteer (``incidentkit/data/gazetteer``, made by :mod:`incidentkit.geocode.compile`)
holds one shard per country: a places table and a keys table (fold keys with their skeletons and
postings, already folded). Geocoding Mali opens ``ML`` and nothing else; the province table and
the project's gazetteer CSVs are small shards of their own, always open. Opening a shard reads two
Parquet files and builds a dict of its keys (a few ms for Mali, ~0.2 s for the largest countries);
nothing is folded at run time.

Project (and user) gazetteer CSVs are compiled into shards on first use and cached in
``<cache>/shards/`` under a digest of their content (and of the folding rules and the embedded
data), so editing one gazetteer rebuilds that one only, switching project folders rebuilds nothing
already seen, and the cache is bounded (:data:`CACHE_MAX_FILES` files, :data:`CACHE_MAX_BYTES`;
least recently used go first).

Record ids are global (a shard's records follow those of the shards opened before it), so the
matcher reads ``index.names[i]``, ``index.lat[i]``... as from the single index of old.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pickle
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from incidentkit.geocode import compile as comp
from incidentkit.geocode import gazetteer as gz
from incidentkit.geocode.grams import GramIndex, length_window
from incidentkit.geocode.index import Index, admin1_fold, cache_pickle
from incidentkit.geocode.normalize import fold
from incidentkit.hashing import sha256_file

CACHE_MAX_FILES = 64
#: String columns stored dictionary-encoded: read back as such, each distinct value becomes one object
_DICT_COLS = ["admin1", "kind", "gazetteer"]
CACHE_MAX_BYTES = 512 * 1024 * 1024
CACHE_FORMAT = 1


class Shard:
    """One opened shard: its record range in the index and its key lookup tables."""

    def __init__(self, name: str, base: int, keys_table, country: str | None, rec_country: Sequence[str],
                 first: int = 0) -> None:
        self.name = name
        self.base = base
        #: postings below this one are of the shard's first records (GeoNames cities500, which came
        #: before the provinces and project gazetteers in the index of old): they are listed first
        self.split = 2 * (base + first)
        self.country = country  # None for a shard of several countries (provinces, project gazetteers)
        self._rec_country = rec_country
        # Containers the garbage collector need not walk: a tuple of strings is untracked at its first
        # collection and an array holds no objects. A list of a million strings is walked at every full
        # collection, which cost a quarter of the geocoder's time once every shard was open.
        self.keys: tuple[str, ...] = tuple(keys_table.column("key").to_pylist())
        self.key_id = dict(zip(self.keys, range(len(self.keys))))  # str -> int: an untracked dict
        post = keys_table.column("post").combine_chunks()
        # arrays, not numpy: slicing one and reading its ints is several times cheaper per lookup
        self.off = array("q", post.offsets.to_numpy().astype("=i8").tobytes())
        self.post = array("q", (post.values.to_numpy().astype(np.int64) + 2 * base).astype("=i8").tobytes())
        self._skel_col = keys_table.column("skel")
        self._skels: list[str] | None = None
        self._grams: GramIndex | None = None

    def exact(self, key: str) -> list[int]:
        k = self.key_id.get(key)
        if k is None:
            return []
        return self.post[self.off[k]:self.off[k + 1]].tolist()

    def exact_split(self, key: str) -> tuple[list[int], list[int]]:
        """The key's postings of the first records, and of the others (both ascending; new lists)."""
        k = self.key_id.get(key)
        if k is None:
            return [], []
        p = self.post[self.off[k]:self.off[k + 1]].tolist()
        if p[-1] < self.split:
            return p, []
        j = bisect_left(p, self.split)
        return p[:j], p[j:]

    def skeleton(self, sk: str, country: str | None) -> list[tuple[int, str]]:
        if self._skels is None:
            self._skels = self._skel_col.to_pylist()
        a, b = bisect_left(self._skels, sk), bisect_right(self._skels, sk)
        out = []
        rc = self._rec_country
        for k in range(a, b):
            key = self.keys[k]
            for p in self.post[self.off[k]:self.off[k + 1]]:
                r = p >> 1
                if country is None or self.country == country or (self.country is None and rc[r - self.base] == country):
                    out.append((r, key))
        return out

    @property
    def grams(self) -> GramIndex:
        if self._grams is None:
            if self.country is not None:
                ids = {self.country: np.arange(len(self.keys), dtype=np.int32)}
            else:
                per: dict[str, set[int]] = {}
                rc = self._rec_country
                for k in range(len(self.keys)):
                    for p in self.post[self.off[k]:self.off[k + 1]]:
                        per.setdefault(rc[(p >> 1) - self.base], set()).add(k)
                ids = {cc: np.fromiter(sorted(v), dtype=np.int32, count=len(v)) for cc, v in per.items()}
            self._grams = GramIndex(self.keys, ids)
        return self._grams


class ShardedIndex(Index):
    """All gazetteers, per-country shards opened on first use. Same lookups as :class:`Index`."""

    def __init__(self, gazetteer_files: Sequence[Path] = (), cache_dir: Path | None = None,
                 data_dir: Path | None = None) -> None:
        super().__init__()
        self.lat = array("d")
        self.lon = array("d")
        self.population = array("q")
        self.precision = array("b")
        self.data_dir = Path(data_dir) if data_dir is not None else comp.default_data_dir()
        self.cache_dir = Path(cache_dir) if cache_dir is not None else None
        mpath = self.data_dir / "manifest.json"
        self.manifest = json.loads(mpath.read_text(encoding="utf-8")) if mpath.exists() else {"shards": {}}
        self._manifest_digest = hashlib.sha256(mpath.read_bytes()).hexdigest()[:16] if mpath.exists() else ""
        self.available = set(self.manifest["shards"])
        #: names of the shards opened, in order (the lazy loading tests read it)
        self.opened: list[str] = []
        self.by_country: dict[str, Shard] = {}
        self.always: list[Shard] = []
        self._aliases: dict[str, list[tuple[str, list[str], dict[str, str]]]] = {}  # cc -> same_as rows
        self._overlay: dict[str, dict[str, list[int]]] = {}
        self._overlay_skel: dict[str, dict[str, list[tuple[int, str]]]] = {}
        self._unopened = sum(s["rows"] for s in self.manifest["shards"].values())
        self.sources.extend(sorted({g for e in self.manifest["shards"].values() for g in e.get("gazetteers", {})}))
        self._open_admin1()
        for path in gazetteer_files:
            self._open_project(path)

    def gazetteer_counts(self) -> dict[str, int]:
        """Places per gazetteer, opened or not (the embedded ones from the manifest)."""
        from collections import Counter

        counts: Counter = Counter()
        for cc, entry in self.manifest["shards"].items():
            if cc not in self.by_country:
                counts.update(entry.get("gazetteers", {}))
        counts.update(self.gazetteer)
        return dict(counts)

    def __len__(self) -> int:
        """Places in the shards opened so far (the records ``names``, ``lat``... hold)."""
        return len(self.names)

    @property
    def total_places(self) -> int:
        """Places in all gazetteers, opened or not."""
        return len(self.names) + self._unopened

    # -- opening shards ----------------------------------------------------------------------------
    def _append(self, name: str, places, country: str | None) -> tuple[int, tuple[str, ...]]:
        base = len(self.names)
        n = places.num_rows
        self.names.extend(places.column("name").to_pylist())
        # arrays filled from bytes: extending them from numpy would box every number
        self.lat.frombytes((places.column("lat").to_numpy() / 1e6).astype("=f8").tobytes())
        self.lon.frombytes((places.column("lon").to_numpy() / 1e6).astype("=f8").tobytes())
        self.population.frombytes(places.column("population").to_numpy().astype("=i8").tobytes())
        self.precision.frombytes(places.column("precision").to_numpy().astype("=i1").tobytes())
        gaz = _decoded(places.column("gazetteer"))
        self.gazetteer.extend(gaz)
        self.kind.extend(_decoded(places.column("kind")))
        self.admin1.extend(_decoded(places.column("admin1")))
        gid = places.column("gid")
        if gid.type == "int64":
            import pyarrow.compute as pc

            text = pc.cast(gid, "string")
            is_wof = pc.equal(pc.cast(places.column("gazetteer"), "string"), comp.WOF)
            self.gid.extend(pc.if_else(is_wof, pc.binary_join_element_wise("wof:", text, ""), text).to_pylist())
        else:
            self.gid.extend(gid.to_pylist())
        # a tuple: kept by the shard, and (holding only strings) never walked by the garbage collector
        rc = (country,) * n if country is not None else tuple(_decoded(places.column("country")))
        self.country.extend(rc)
        self.opened.append(name)
        return base, rc

    def _open_country(self, cc: str) -> Shard | None:
        sh = self.by_country.get(cc)
        if sh is not None or cc not in self.available:
            return sh
        import pyarrow.parquet as pq

        places = pq.read_table(self.data_dir / f"{cc}.places.parquet", memory_map=True, read_dictionary=_DICT_COLS)
        keys = pq.read_table(self.data_dir / f"{cc}.keys.parquet", memory_map=True)
        base, rc = self._append(cc, places, cc)
        sh = self.by_country[cc] = Shard(cc, base, keys, cc, rc, self.manifest["shards"][cc].get("cities500", 0))
        self._unopened -= places.num_rows
        if cc in self._aliases:
            self._build_overlay(cc, sh)
        return sh

    def _open_admin1(self) -> None:
        digest = _digest(f"admin1;{CACHE_FORMAT};{comp.SHARD_FORMAT};{comp.fold_digest()}", gz.admin1_text().encode())

        def build():
            recs = [comp.make_rec(p, filter_aliases=False) for p in gz.read_admin1()]
            places, keys = comp.tables(recs, with_country=True)
            akeys: dict[tuple[str, str], str] = {}
            note: dict[int, str] = {}
            for i, p in enumerate(gz.read_admin1()):
                note[i] = p.note
                for n in (p.name, *p.aliases):
                    akeys.setdefault((p.country, admin1_fold(n)), p.admin1)
            return places, keys, {"admin1_keys": akeys, "note": note}

        places, keys, extra = self._cached(f"admin1-{digest}", build)
        base, rc = self._append("admin1", places, None)
        self.always.append(Shard("admin1", base, keys, None, rc))
        for i in range(places.num_rows):
            self.admin1_record[(rc[i], self.admin1[base + i])] = base + i
        self.admin1_keys.update(extra["admin1_keys"])
        self.note.update({base + i: v for i, v in extra["note"].items() if v})
        self.sources.append(gz.ADMIN1)

    def _open_project(self, path: Path) -> None:
        digest = _digest(f"project;{CACHE_FORMAT};{comp.SHARD_FORMAT};{comp.fold_digest()};{self._manifest_digest};"
                         f"{path.name}", sha256_file(path).encode(), gz.admin1_text().encode())

        def build():
            places = gz.read_csv_gazetteer(path, require_citation=path.stem == "supplement")
            recs, aliases = [], []
            for p in places:
                if p.admin1 and (p.country, p.admin1) not in self.admin1_record:
                    p.admin1 = self.resolve_admin1(p.country, p.admin1) or ""
                if p.same_as.startswith("geonames:") and self._has_gid(p.country, p.same_as[9:]):
                    r = comp.Rec(p.name, 0, 0, "", 0, "", "", "", 1)
                    comp.add_names(r, (p.name, *p.aliases))
                    aliases.append((p.country, p.same_as[9:], r.keys, r.skels))
                    continue
                recs.append(comp.make_rec(p))
            t_places, t_keys = comp.tables(recs, with_country=True)
            return t_places, t_keys, {"aliases": aliases}

        places, keys, extra = self._cached(f"project-{path.stem}-{digest}", build)
        base, rc = self._append(path.stem, places, None)
        self.always.append(Shard(path.stem, base, keys, None, rc))
        for cc, gid, keys_, skels in extra["aliases"]:
            self._aliases.setdefault(cc, []).append((gid, keys_, skels))
            if cc in self.by_country:
                self._overlay.pop(cc, None)
                self._build_overlay(cc, self.by_country[cc])
        self.sources.append(path.stem)

    def _has_gid(self, cc: str, gid: str) -> bool:
        if cc not in self.available or not gid.isdigit():
            return False
        import pyarrow.parquet as pq

        col = pq.read_table(self.data_dir / f"{cc}.places.parquet", columns=["gid", "gazetteer"])
        g = col.column("gid").to_numpy()
        z = np.asarray(_decoded(col.column("gazetteer")))
        return bool(np.any((g == int(gid)) & (z != comp.WOF)))

    def _build_overlay(self, cc: str, sh: Shard) -> None:
        """Names that a project gazetteer adds to an embedded place (``same_as: geonames:<id>``)."""
        ov: dict[str, list[int]] = {}
        ovs: dict[str, list[tuple[int, str]]] = {}
        rows = self._aliases.get(cc, ())
        wanted = {gid for gid, _, _ in rows}
        where: dict[str, int] = {}
        gids, gaz = self.gid, self.gazetteer
        for i in range(sh.base, sh.base + len(sh._rec_country)):
            if gids[i] in wanted and gaz[i] != comp.WOF:
                where.setdefault(gids[i], i)
        for gid, keys, skels in rows:
            rec = where.get(gid)
            if rec is None:
                continue
            pk = fold(self.names[rec])
            for k in keys:
                ov.setdefault(k, []).append(rec * 2 + (1 if k == pk else 0))
                s = skels.get(k, "")
                if len(s) >= 3:
                    ovs.setdefault(s, []).append((rec, k))
        self._overlay[cc] = ov
        self._overlay_skel[cc] = ovs

    def _cached(self, stem: str, build):
        """A small shard from the cache, else built and cached (atomically; the cache is bounded)."""
        if self.cache_dir is None:
            return build()
        d = self.cache_dir / "shards"
        path = d / f"{stem}.pkl"
        if path.exists():
            try:
                with open(path, "rb") as fh:
                    got = pickle.load(fh)
                os.utime(path)
                return got
            except Exception:  # a corrupt cache file is rebuilt, never fatal
                pass
        got = build()
        if cache_pickle(got, path):  # a read-only or full cache dir still geocodes
            with contextlib.suppress(OSError):
                _trim(d, keep=path)
        return got

    def open(self, countries: Sequence[str] | None = None) -> None:
        """Open these countries' shards now (all of them when None), rather than on first use: for a
        long run that will touch them anyway, or to time lookups apart from opening."""
        for cc in sorted(self.available if countries is None else set(countries) & self.available):
            self._open_country(cc)

    # -- lookups -----------------------------------------------------------------------------------
    def _consult(self, country: str | None) -> list[Shard]:
        if country is None:
            for cc in sorted(self.available - set(self.by_country)):
                self._open_country(cc)
            return [*self.by_country.values(), *self.always]
        sh = self._open_country(country)
        return [sh, *self.always] if sh is not None else list(self.always)

    def exact_postings(self, key: str, country: str | None = None) -> list[int]:
        """Postings (``idx * 2 + primary``) of a fold key: in the country's shard and the always-open
        ones when a country is given, else in every shard (all are opened). Ties rank in this order:
        cities500 places, provinces, project gazetteers, then the village-level places."""
        if country is not None:  # the common case, kept short: one country shard, then the small ones
            sh = self._open_country(country)
            if sh is not None:
                a, rest = sh.exact_split(key)
            else:
                a, rest = [], []
            for al in self.always:
                k = al.key_id.get(key)
                if k is not None:
                    a.extend(al.post[al.off[k]:al.off[k + 1]])  # list.extend reads an array's ints
            if rest:
                a.extend(rest)
            ov = self._overlay.get(country)
            if ov and key in ov:
                a.extend(ov[key])
            return a
        out: list[int] = []
        rest = []
        for sh in self._consult(country):
            if sh.country is None:
                out.extend(sh.exact(key))
            else:
                a, b = sh.exact_split(key)
                out[:0] = a
                rest.extend(b)
        out.extend(rest)
        for cc in ((country,) if country is not None else tuple(self._overlay)):
            ov = self._overlay.get(cc)
            if ov and key in ov:
                out.extend(ov[key])
        return out

    def skeleton_postings(self, key: str, country: str | None = None) -> list[tuple[int, str]]:
        out: list[tuple[int, str]] = []
        for sh in self._consult(country):
            out.extend(sh.skeleton(key, country))
        for cc in ((country,) if country is not None else tuple(self._overlay_skel)):
            ovs = self._overlay_skel.get(cc)
            if ovs and key in ovs:
                out.extend(ovs[key])
        return out

    def _country_key_lists(self, country: str, per_shard) -> list[str]:
        seen: set[str] = set()
        out: list[str] = []
        for sh in self._consult(country):
            for k in per_shard(sh):
                if k not in seen:
                    seen.add(k)
                    out.append(k)
        return out

    def country_keys(self, country: str) -> list[str]:
        keys = self._country_key_lists(country, lambda sh: [sh.keys[i] for i in sh.grams.country_ids(country)])
        keys += [k for k in self._overlay.get(country, {}) if k not in set(keys)]
        keys.sort(key=len)
        return keys

    def fuzzy_candidates(self, country: str, key: str, cutoff: float) -> list[str]:
        cands = self._country_key_lists(
            country, lambda sh: [sh.keys[i] for i in sh.grams.candidates(country, key, cutoff)])
        ov = self._overlay.get(country)
        if ov:
            lo, hi = length_window(len(key), cutoff)
            have = set(cands)
            cands += [k for k in ov if lo <= len(k) <= hi and k not in have]
        if len(cands) > 1:
            cands.sort(key=len)  # the order a scan by length sees them (stable within a shard)
        return cands


def _trim(d: Path, keep: Path) -> None:
    """Keep the cache within CACHE_MAX_FILES files and CACHE_MAX_BYTES, least recently used out first."""
    files = sorted(d.glob("*.pkl"), key=lambda p: p.stat().st_mtime, reverse=True)
    total = 0
    for n, f in enumerate(files):
        total += f.stat().st_size
        if f != keep and (n >= CACHE_MAX_FILES or total > CACHE_MAX_BYTES):
            f.unlink(missing_ok=True)


def _decoded(col) -> list:
    """A (dictionary-encoded) string column as a list whose equal values are one object."""
    import pyarrow as pa

    col = col.combine_chunks()
    if pa.types.is_dictionary(col.type):
        d = np.asarray([*col.dictionary.to_pylist(), ""], dtype=object)
        idx = col.indices.fill_null(len(d) - 1).to_numpy(zero_copy_only=False)
        return d[idx].tolist()
    memo: dict = {}
    return [memo.setdefault(v, v) for v in col.to_pylist()]


def _digest(label: str, *parts: bytes) -> str:
    h = hashlib.sha256(label.encode())
    for p in parts:
        h.update(len(p).to_bytes(8, "little"))
        h.update(p)
    return h.hexdigest()[:20]


def load_sharded_index(gazetteer_files: Sequence[Path] = (), cache_dir: Path | None = None,
                       data_dir: Path | None = None) -> ShardedIndex:
    """The index over the embedded per-country shards and these gazetteer CSVs (each a cached shard)."""
    from incidentkit.geocode.index import default_cache_dir

    return ShardedIndex(gazetteer_files, cache_dir if cache_dir is not None else default_cache_dir(), data_dir)


def embedded_shards_present(data_dir: Path | None = None) -> bool:
    """Whether the package holds the compiled per-country shards (``data/gazetteer/manifest.json``)."""
    return ((Path(data_dir) if data_dir is not None else comp.default_data_dir()) / "manifest.json").is_file()

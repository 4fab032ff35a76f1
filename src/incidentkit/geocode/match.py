"""Candidate search, ranking and precision over the gazetteer index.

The search goes from strict to loose and stops at the first tier that yields a candidate in the
coded country (and province, when one is given): exact fold key, then skeleton key, then fuzzy
(rapidfuzz) over the country's names only. Candidates are ranked by match score, feature kind and
population; candidates within 10 km of a better one are the same place twice (GeoNames often has a
town and its district seat). When two distinct places remain close in rank the answer is ambiguous
and carries no point: the researcher sees the alternatives instead of a silent pick.

Place strings are read the way coders write them:
``"Ghwayran prison, al-Hasakah"`` (a facility, then its town), ``"al-Azim, Diyala"`` (a place, then
its province), ``"Diyala province"`` (province only), ``"near Manbij"``, ``"Rami village"``.
"""

from __future__ import annotations

import re
from array import array
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process

from incidentkit.geocode.countries import country_code, haversine_km
from incidentkit.geocode.index import Index, admin1_fold
from incidentkit.geocode.normalize import fold, fold_words, skeleton
from incidentkit.geocode.result import WHERE_PREC, Alternative, GeocodeResult

SAME_PLACE_KM = 10.0
#: Degrees of latitude that are surely more than SAME_PLACE_KM (0.1 degree is 11.1 km).
_FAR_LAT_DEG = 0.1
AMBIGUITY_MARGIN = 3.0
#: Said in the reason when a name is unknown in the coded province but known in another one.
OTHER_PROVINCE = "same name in another province"
NEAR_TOWN_KM = 30.0
_KIND_BONUS = {"populated": 0.0, "admin1": -1.5, "admin2": -1.5, "neighbourhood": -1.0, "facility": -1.0,
               "camp": -1.0, "area": -2.0}

_ADMIN_WORDS = {"province", "governorate", "gouvernorate", "state", "region", "prefecture", "department",
                "oblast", "republic", "wilayat", "wilaya", "muhafazat", "muhafazah"}
_DISTRICT_WORDS = {"district", "subdistrict", "nahiya", "nahiyah", "qada", "qadaa", "municipality"}
_PLACE_WORDS = {"village", "town", "city", "hamlet", "settlement", "suburb", "township", "locality",
                "farm", "farms"}
_TRAILING_WORDS = frozenset(_PLACE_WORDS | _DISTRICT_WORDS)
_FACILITY_WORDS = {"prison", "jail", "camp", "base", "airbase", "airport", "checkpoint", "hospital",
                   "school", "mosque", "church", "market", "bridge", "dam", "neighbourhood", "neighborhood",
                   "quarter", "street", "road", "square", "station", "factory", "university", "compound",
                   "barracks", "headquarters", "hq", "field", "oilfield", "refinery", "junction", "roundabout"}
_NEAR = re.compile(
    r"^(?:near|nearby|close to|outside|outside of|around|vicinity of|the vicinity of|outskirts of|"
    r"the outskirts of|countryside of|the countryside of|environs of|"
    r"(?:\d+(?:\.\d+)?\s*km\s+)?(?:north|south|east|west|northeast|northwest|southeast|southwest|"
    r"north-east|north-west|south-east|south-west)(?:ern)?\s+(?:of|outskirts of|countryside of))\s+(.+)$",
    re.IGNORECASE)
_ARABIC = re.compile(r"[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]")
_NEAR_TAIL = re.compile(r"^(.+?)\s+(?:outskirts|countryside|area|surroundings|environs|vicinity|"
                        r"rural area|periphery)$", re.IGNORECASE)


@dataclass(slots=True)
class _Cand:
    idx: int
    score: float
    rank: float


class Matcher:
    """Geocodes place strings against an :class:`Index`; answers are memoised per (name, country, admin1)."""

    def __init__(self, index: Index) -> None:
        self.index = index
        self._memo: dict[tuple[str, str | None, str | None], GeocodeResult] = {}
        self._admin1_unknown = False
        self._bonus_arr = array("d")
        self._provinces: dict[tuple[str, str], frozenset[str]] = {}
        self._province_names: dict[str, dict[str, set[str]]] = {}
        self._alt_memo: dict[tuple[int, float], Alternative] = {}

    # -- public ----------------------------------------------------------------------------------
    def geocode(self, name: str, country: str | None = None, admin1: str | None = None) -> GeocodeResult:
        key = (name, country, admin1)
        got = self._memo.get(key)
        if got is None:
            got = self._geocode(name, country, admin1)
            if len(self._memo) < 1_000_000:
                self._memo[key] = got
        return got

    def admin1_result(self, q: str, cc: str, code: str) -> GeocodeResult:
        """The province ``code`` of country ``cc`` as an answer: its capital's point, geo_precision 3."""
        return self._admin1_result(q, cc, code)

    def alternative_result(self, q: str, cc: str | None, alt: Alternative, reason: str | None,
                           others: tuple[Alternative, ...] = ()) -> GeocodeResult | None:
        """One of an ambiguous answer's alternatives as the answer (a namesake resolved by context),
        with its record's own precision; None when the record is not found again."""
        ix = self.index
        for p in ix.exact_postings(fold(alt.name), cc):
            i = p >> 1
            if ix.gid[i] == alt.id and ix.gazetteer[i] == alt.gazetteer:
                return self._result(q, cc, i, alt.score, precision=ix.precision[i], reason=reason,
                                    alternatives=others)
        return None

    # -- pipeline ----------------------------------------------------------------------------------
    def _geocode(self, name: str, country: str | None, admin1: str | None) -> GeocodeResult:
        q = " ".join(str(name or "").split()).strip(" .;")
        cc: str | None = None
        if country is not None and str(country).strip() and str(country).strip().lower() != "nan":
            cc = country_code(str(country))
            if cc is None:
                return GeocodeResult(query=q, reason=f"unknown country {country!r}")
        if not q:
            return GeocodeResult(query=q, country=cc, reason="empty place name")
        notes: list[str] = []
        a1: str | None = None
        if admin1 and str(admin1).strip() and str(admin1).lower() != "nan":
            if cc is None:
                notes.append("admin1 ignored without a country")
            else:
                a1 = self.index.resolve_admin1(cc, str(admin1))
                if a1 is None:
                    notes.append(f"admin1 {admin1!r} not recognised in {cc}: exact names only")
        # An admin1 we cannot check: only exact names are trusted (no skeleton or fuzzy matches).
        self._admin1_unknown = bool(notes)
        res = self._resolve(q, cc, a1)
        if notes:
            res = _with_reason(res, "; ".join(filter(None, [res.reason, *notes])))
        return res

    def _resolve(self, q: str, cc: str | None, a1: str | None) -> GeocodeResult:
        near = False
        m = _NEAR.match(q) or _NEAR_TAIL.match(q)
        if m:
            q, near = m.group(1).strip(), True
        parts = [p.strip() for p in q.split(",") if p.strip()]
        if len(parts) > 1:
            return self._resolve_with_context(q, parts, cc, a1, near)
        res = self._single(q, cc, a1)
        if near and res.found:
            res = _degrade(res, 2, f"near {res.matched_name}")
        return res

    def _resolve_with_context(self, q: str, parts: list[str], cc: str | None, a1: str | None,
                              near: bool) -> GeocodeResult:
        first, context = parts[0], parts[1:]
        town: GeocodeResult | None = None
        for c in reversed(context):
            if cc is not None and a1 is None and _is_admin_only(c):
                a1 = self.index.resolve_admin1(cc, c)
                continue
            if cc is not None and a1 is None:
                code = self.index.admin1_keys.get((cc, admin1_fold(c)))
                if code is not None:
                    # A name that is a province and a town (Idlib, Homs) is read as the province here:
                    # it narrows the search; the town still answers if the first part is unknown.
                    a1 = code
            t = self._single(c, cc, a1)
            if t.found and town is None and t.geo_precision == 1:
                town = t
        whole, _ = self._search(q, cc, a1, loose=False)  # "X prison, Y" may be a gazetteer name as such
        if whole:
            w = self._single(q, cc, a1)
            if w.found and w.score >= 97:
                return w
        res = self._single(first, cc, a1, near_to=town)
        if res.found or res.ambiguous:
            return _degrade(res, 2, f"near {res.matched_name}") if near else res
        if town is not None:
            return _degrade(town, 2, f"{first!r} is not in any gazetteer; point of {town.matched_name}, "
                                     "the town it is in (geo_precision 2)")
        if cc is not None and a1 is not None:
            from dataclasses import replace

            prov = self._admin1_result(q, cc, a1)  # a province fallback: flagged, so the build warns
            return replace(prov, fallback="admin1", reason=f"{first!r} is not in any gazetteer; only the province "
                                                           f"is known: {prov.reason}")
        return res

    def _admin1_result(self, q: str, cc: str, a1: str) -> GeocodeResult:
        i = self.index.admin1_record[(cc, a1)]
        return self._result(q, cc, i, 100.0, precision=3, reason=None)

    def _single(self, s: str, cc: str | None, a1: str | None, near_to: GeocodeResult | None = None,
                ) -> GeocodeResult:
        loose = not self._admin1_unknown
        words = fold_words(s)
        if not words:
            return GeocodeResult(query=s, country=cc, reason="no letters in the place name")
        if cc is not None and _is_admin_only(s):
            code = self.index.resolve_admin1(cc, s)
            if code is None:
                return GeocodeResult(query=s, country=cc, reason=f"province {s!r} not found in {cc}")
            if a1 is not None and code != a1:
                return GeocodeResult(query=s, country=cc,
                                     reason=f"province {s!r} contradicts the coded admin1")
            return self._admin1_result(s, cc, code)
        district = False
        core = s
        sp = s.split()
        if len(sp) > 1 and sp[-1].lower().strip("()") in _TRAILING_WORDS:
            low = s.lower().split()
            while len(low) > 1 and low[-1].strip("()") in _TRAILING_WORDS:
                district = district or low[-1] in _DISTRICT_WORDS
                low = low[:-1]
            core = " ".join(s.split()[:len(low)])
        names = (_COUNTRY_FOLDS or _country_folds()).get(fold(s)) if cc is not None else None
        if names is not None and names == cc:  # "Syria" coded in Syria: the country, not a place in it
            return GeocodeResult(query=s, country=cc, reason=f"{s!r} names a country, not a place")
        cands, outside = self._search(s, cc, a1, loose)  # "al-Hol camp" may be a gazetteer name as written
        if names is not None and not (cands and cands[0].score >= 97):
            # another country's name or code ("Mali", "Tonga", "Deou" ~ DEU) is a place only where the
            # gazetteer has it as written: Mali in Guinea, Tonga in South Sudan
            return GeocodeResult(query=s, country=cc, reason=f"{s!r} names a country, not a place")
        if not cands and core != s:
            cands, outside2 = self._search(core, cc, a1, loose)
            outside += outside2
        else:
            district = False
        if near_to is not None and near_to.found and len(cands) > 1:
            close = [c for c in cands if haversine_km(self.index.lat[c.idx], self.index.lon[c.idx],
                                                      near_to.latitude, near_to.longitude) <= NEAR_TOWN_KM]
            if close:
                cands = close
        if not cands:
            why = f"no place named {core!r}" + (f" in {cc}" if cc else "")
            if a1 is not None:
                why += f" (province {self.index.names[self.index.admin1_record[(cc, a1)]]})"
            if outside:
                alts = ", ".join(f"{self.index.names[i]} ({self.index.admin1[i]})" for i in outside[:3])
                why += f"; {OTHER_PROVINCE}: {alts}"
            return GeocodeResult(query=s, country=cc, reason=why)
        kept = _distinct(self.index, cands)
        if len(kept) > 1:
            kept = _town_over_its_province(self.index, kept)
        top = kept[0]
        if len(kept) > 1 and top.rank - kept[1].rank < AMBIGUITY_MARGIN and not self._dominates(top, kept[1]):
            n = len([c for c in kept if top.rank - c.rank < AMBIGUITY_MARGIN])
            return GeocodeResult(query=s, country=cc, ambiguous=True, score=round(top.score, 1),
                                 alternatives=tuple(self._alt(c) for c in kept[:6]),
                                 reason=f"ambiguous: {n} places match {core!r}" + (f" in {cc}" if cc else "")
                                 + "; give admin1 or code the point")
        prec = self.index.precision[top.idx]
        alts = tuple(self._alt(c) for c in kept[1:6])
        res = self._result(s, cc, top.idx, top.score, precision=prec, reason=None, alternatives=alts)
        if district and res.geo_precision == 1:
            res = _degrade(res, 2, f"district named {core!r}: its namesake town is used", where_prec=3)
        return res

    # -- search ------------------------------------------------------------------------------------
    def _search(self, s: str, cc: str | None, a1: str | None, loose: bool = True
                ) -> tuple[list[_Cand], list[int]]:
        """Candidates of the first tier that has any; plus those only found outside the province."""
        idx = self.index
        key = fold(s)
        outside: list[int] = []
        if len(key) < 2:
            return [], outside
        posts = idx.exact_postings(key, cc)  # the country's shard only (all of them without a country)
        cands = self._tier([(p >> 1, 100.0 if p & 1 else 97.0) for p in posts], cc, a1, outside)
        if cands or not loose:
            return cands, outside
        cands = self._tier(self._skeleton(s, key, cc), cc, a1, outside)
        if cands or cc is None:
            return cands, outside
        return self._tier(self._fuzzy(key, cc, strict=a1 is None), cc, a1, outside), outside

    def _tier(self, found: list[tuple[int, float]], cc: str | None, a1: str | None, outside: list[int]
              ) -> list[_Cand]:
        """One tier's (record, score) pairs kept to the country and province (those only outside the
        province go to ``outside``), best score per record, ranked."""
        idx = self.index
        if cc is not None:
            country = idx.country
            found = [(i, sc) for i, sc in found if country[i] == cc]
        if a1 is not None:
            adm = idx.admin1
            allowed = self._same_province(cc, a1)
            inside = []
            for i, sc in found:
                if adm[i] in allowed:
                    inside.append((i, sc))
                else:
                    outside.append(i)
            found = inside
        if not found:
            return []
        if len(found) == 1:  # most names: one record, nothing to rank
            i, sc = found[0]
            return [_Cand(i, sc, sc + self._bonus(i))]
        best: dict[int, float] = {}
        for i, sc in found:
            if sc > best.get(i, -1):
                best[i] = sc
        bonus = self._bonuses()
        cands = [_Cand(i, sc, sc + bonus[i]) for i, sc in best.items()]
        if len(cands) > 1:
            cands.sort(key=_by_rank)
        return cands

    def _same_province(self, cc: str | None, a1: str) -> frozenset[str]:
        """The admin1 codes a place coded in province ``a1`` may carry: ``a1``, none, and the codes of
        the country's other provinces of the same name. GeoNames keeps a split province's old name on
        its new code (Ouham 12 and Ouham 20, the latter now Ouham-Fafa, in the Central African
        Republic; Kashmir 12 and 41 in India), and ACLED's admin1 names the old one."""
        key = (cc or "", a1)
        got = self._provinces.get(key)
        if got is None:
            ix = self.index
            rec = ix.admin1_record.get(key)
            codes = {a1, ""}
            if rec is not None:
                by_name = self._province_names.get(cc or "")
                if by_name is None:  # the country's provinces by folded name, listed once
                    by_name = self._province_names[cc or ""] = {}
                    for (c, code), r in ix.admin1_record.items():
                        if c == cc:
                            by_name.setdefault(admin1_fold(ix.names[r]), set()).add(code)
                codes.update(by_name.get(admin1_fold(ix.names[rec]), ()))
            got = self._provinces[key] = frozenset(codes)
        return got

    def _skeleton(self, s: str, key: str, cc: str | None = None) -> list[tuple[int, float]]:
        """Same consonant skeleton; in Latin script the spellings must also be close (ratio >= 75),
        since a skeleton alone joins unrelated names (Magoda / Megiddo). Only the country's places
        are looked at when it is known (the caller keeps only those anyway)."""
        sk = skeleton(s)
        if len(sk) < 3 or len(key) < 4:
            return []
        pairs = self.index.skeleton_postings(sk, cc)
        if _ARABIC.search(s) is not None:
            return [(i, 88.0) for i, _ in pairs]
        close: dict[str, bool] = {}  # several records often share the spelling: score it once
        out = []
        for i, k in pairs:
            ok = close.get(k)
            if ok is None:
                ok = close[k] = fuzz.ratio(key, k) >= 75
            if ok:
                out.append((i, 88.0))
        return out

    def _fuzzy(self, key: str, cc: str, strict: bool) -> list[tuple[int, float]]:
        """Close spellings among the country's names only; stricter without a province to check against.

        rapidfuzz scores only the names a lossless trigram filter lets through (same answers as a scan
        of the whole country, see :mod:`incidentkit.geocode.grams`)."""
        if len(key) < 5:
            return []
        cutoff = 93.0 if strict else 90.0
        pool = self.index.fuzzy_candidates(cc, key, cutoff)
        if not pool:
            return []
        out = []
        for k, sc, _ in process.extract(key, pool, scorer=fuzz.ratio, score_cutoff=cutoff, limit=8):
            for p in self.index.exact_postings(k, cc):
                out.append((p >> 1, round(sc * 0.9, 1)))
        return out

    def _bonus(self, i: int) -> float:
        """Rank bonus of a record (feature kind, population)."""
        return self._bonuses()[i]

    def _bonuses(self) -> array:
        """Every record's rank bonus, computed once per record with numpy as shards open (the index only
        grows): ``_KIND_BONUS`` of its kind plus half the log10 of its population, at most 3."""
        have, ix = self._bonus_arr, self.index
        n = len(ix)
        if len(have) < n:
            lo = len(have)
            pop = np.frombuffer(ix.population, dtype=np.int64)[lo:n] if isinstance(ix.population, array) \
                else np.asarray(ix.population[lo:n], dtype=np.int64)
            kinds = ix.kind[lo:n]
            table = {k: _KIND_BONUS.get(k, -1.0) for k in set(kinds)}
            kb = np.fromiter((table[k] for k in kinds), dtype=np.float64, count=n - lo)
            have.frombytes((kb + np.minimum(3.0, np.log10(pop + 1.0) / 2)).astype("=f8").tobytes())
        return have

    def _dominates(self, a: _Cand, b: _Cand) -> bool:
        """A town of 5,000+ people twenty times bigger than the other namesake is what reports mean."""
        pa, pb = self.index.population[a.idx], self.index.population[b.idx]
        return a.score >= b.score and pa >= 5000 and pa >= 20 * max(pb, 1)

    # -- results -----------------------------------------------------------------------------------
    def _alt(self, c: _Cand) -> Alternative:
        """The candidate as an alternative; memoised per (record, score), since the same namesakes
        come back as each other's alternatives throughout a table."""
        key = (c.idx, c.score)
        got = self._alt_memo.get(key)
        if got is not None:
            return got
        ix = self.index
        i = c.idx
        rec = ix.admin1_record.get((ix.country[i], ix.admin1[i]))
        got = Alternative(name=ix.names[i], latitude=ix.lat[i], longitude=ix.lon[i],
                          gazetteer=ix.gazetteer[i], id=ix.gid[i], score=round(c.score, 1),
                          admin1=ix.names[rec] if rec is not None and ix.kind[i] != "admin1" else "")
        if len(self._alt_memo) >= 1_000_000:
            self._alt_memo.clear()
        self._alt_memo[key] = got
        return got

    def _result(self, q: str, cc: str | None, i: int, score: float, *, precision: int, reason: str | None,
                alternatives: tuple[Alternative, ...] = ()) -> GeocodeResult:
        ix = self.index
        if precision == 3 and i in ix.note:
            reason = (f"province only: {ix.names[i]} -> its capital {ix.note[i]} "
                      "(ACLED geo_precision 3, UCDP where_prec 4)")
        return GeocodeResult(query=q, country=cc or ix.country[i], latitude=ix.lat[i], longitude=ix.lon[i],
                             geo_precision=precision, where_prec=WHERE_PREC[precision],
                             matched_name=ix.names[i], gazetteer=ix.gazetteer[i], gazetteer_id=ix.gid[i],
                             score=round(score, 1), alternatives=alternatives, reason=reason)


_COUNTRY_FOLDS: dict[str, str] = {}


def _country_folds() -> dict[str, str]:
    """Fold keys of country names and codes -> the country (read once; a module global, since this is
    asked for every name)."""
    global _COUNTRY_FOLDS
    if not _COUNTRY_FOLDS:
        from incidentkit.geocode.countries import _country_keys

        _COUNTRY_FOLDS = dict(_country_keys())
    return _COUNTRY_FOLDS


def _is_admin_only(s: str) -> bool:
    words = s.replace("-", " ").split()
    if len(words) < 2:
        return False
    first = words[0].lower()
    return (words[-1].lower() in _ADMIN_WORDS or first in _ADMIN_WORDS
            or (len(words) > 2 and first == "province" and words[1].lower() == "of"))


def _distinct(ix: Index, cands: list[_Cand]) -> list[_Cand]:
    """The candidates more than SAME_PLACE_KM from every better one (at most 12)."""
    lat, lon = ix.lat, ix.lon
    kept: list[_Cand] = []
    pts: list[tuple[float, float]] = []
    for c in cands:
        la, lo = lat[c.idx], lon[c.idx]
        for kla, klo in pts:
            # a great-circle distance is at least the latitude arc: beyond _FAR_LAT_DEG no need to compute it
            if abs(la - kla) <= _FAR_LAT_DEG and haversine_km(la, lo, kla, klo) <= SAME_PLACE_KM:
                break
        else:
            kept.append(c)
            pts.append((la, lo))
        if len(kept) >= 12:
            break
    return kept


def _town_over_its_province(ix: Index, kept: list[_Cand]) -> list[_Cand]:
    """Without the province records of a name a town of the same country bears: "Tombouctou" is the
    town of Timbuktu (an alternate name of it) and two regions named after it (GeoNames keeps the old
    and the new one), and a report naming it means the town; a province is asked for with its word
    ("Tombouctou region", read before this). A province matched alone stays the answer."""
    kind, country = ix.kind, ix.country
    towns = {country[c.idx] for c in kept if kind[c.idx] != "admin1"}
    out = [c for c in kept if kind[c.idx] != "admin1" or country[c.idx] not in towns]
    return out or kept


def _by_rank(c: _Cand) -> float:
    return -c.rank


def _with_reason(r: GeocodeResult, reason: str | None) -> GeocodeResult:
    from dataclasses import replace

    return replace(r, reason=reason)


def _degrade(r: GeocodeResult, precision: int, reason: str, where_prec: int | None = None) -> GeocodeResult:
    """Lower the precision of a found result (never raise it) and say why."""
    from dataclasses import replace

    if not r.found:
        return r
    p = max(r.geo_precision or 1, precision)
    wp = where_prec if where_prec is not None and p == precision else WHERE_PREC[p]
    return replace(r, geo_precision=p, where_prec=max(wp, r.where_prec or 1), reason=reason)

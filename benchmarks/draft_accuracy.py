"""Accuracy and speed of ``incidentkit draft`` scored as a second coder against hand-coded reports.

    python benchmarks/draft_accuracy.py [--data DIR] [--json OUT] [--ids ID ...] [--country-hint]
                                        [--examples N] [--repeat N]

The development set (default ``benchmarks/data/draft_dev``, see its README) holds ``index.csv``
(``id,language,published,country,file``), the articles and one hand-coded record per article in
``coded/``. Each article is drafted with
``incidentkit.draft.draft_article(text, published=..., language=..., country=None)`` (the country hint
from the index only with ``--country-hint``) and the draft's JSON
(``{"incidents": [{"fields": {FIELD: [{"value", "score", "spans"}, ...]}}]}``) is compared with the
coder's incidents.

Alignment (which drafted incident is which coded one). Each drafted incident becomes a row of its
top-1 values (date_start, date_end, event_type, sub_event_type, country, admin1, location; a missing
date_start is the publication date, a missing type is empty) placed by the offline geocoder, and is
aligned to the coder's incidents of the same report with the reliability alignment
(:func:`incidentkit.reliability.align`, default :class:`~incidentkit.reliability.AlignOptions`: same
country, at most 3 days apart, a weighted date/place/type score of at least 0.7, one-to-one best score
first) exactly as ``incidentkit agree`` aligns two coders' incidents. The coded rows are placed by the
geocoder as ``agree`` places them.

* **Incidents found** (recall) = coded incidents aligned to a drafted incident / coded incidents.
  **Precision** = drafted incidents aligned / drafted incidents.
* **Fields** are scored on the aligned pairs (the denominator of every field rate is the number of
  aligned coded incidents that have a value for the field; fields the coder left empty are not
  scored). "top-1": the draft's first candidate agrees with the coder's value; "top-3": one of its
  first three does. A field with no candidate is a miss. The same rates over *all* coded incidents
  (an incident not found counting as a miss) are in the JSON as ``top1_all``/``top3_all``.

When a candidate agrees with the coder's value (each rule is :func:`agrees`):

* ``date_start``, ``date_end``: the same ISO day (the coder's ``date_end`` defaults to ``date_start``).
* ``time_precision``, ``inter1``, ``inter2``: the same number (labels are read as ACLED's numbers).
* ``event_type``, ``sub_event_type``: the same label, case-insensitively.
* ``country``: the same ISO 3166-1 alpha-2 code (names are converted).
* ``admin1``: the same name after case folding, accent stripping and dropping "al-"/"el-"/"ad-"
  prefixes and punctuation ("Deir ez-Zor" = "Deir ez Zor"), or both names resolve to the same
  GeoNames province code in the candidate's country through the geocoder's province spellings
  (:func:`incidentkit.geocode.admins.resolve_admin1`: "Idlib" = "Idleb", "Nord Kivu" = "North Kivu",
  "Hiiraan" = "Hiraan").
* ``location``: the same normalised name as the coder's, or as the geocoder's match for the coder's
  place; or the candidate geocodes (with the draft's top country and admin1) to a point within 25 km
  of the coder's geocoded point, the candidate being a place the gazetteer knows (not an admin-seat
  fallback, so "North Kivu" does not agree with Sake because Goma is 20 km away).
* ``actor1``, ``actor2``: the same name (case-insensitive), or the same UCDP side
  (:meth:`incidentkit.actors.Vocabulary.ucdp_side`: any period or unit of a state's forces is its
  government; "Islamic State West Africa Province" and "Islamic State (West Africa)" are both IS).
* ``fatalities``: the goal's rule "best within range": the coder's best lies in the candidate's
  [low, high]. The stricter "same best" rate is reported as ``fatalities_exact``.

**Spans**: every span of every candidate must satisfy ``0 <= start < end <= len(text)`` (Python str
offsets); the share inside must be 100%.

**Speed**: one warm-up call (loads the gazetteer and the vocabularies), then each article is drafted
``--repeat`` times (default 3) and its fastest call kept; the goal is that every article's time is under
100 ms (the median and the slowest are printed).

Goals (issue 14): incidents found 70%, country 90% top-1, date_start 70% top-1, event_type 60% top-1,
sub_event_type 60% top-3, location 70% top-3, fatalities (best) 65% top-3, actor1 50% top-3, spans 100%,
speed < 100 ms; each printed as PASS or MISS. The goals are measured over all languages together;
per-language rates are printed beside them ("!" marks a language under the goal).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import re
import statistics
import sys
import time
import unicodedata
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "benchmarks" / "data" / "draft_dev"
WITHIN_KM = 25.0
TOP_K = 3

#: Fields scored, in print order.
FIELDS = ("date_start", "date_end", "time_precision", "event_type", "sub_event_type", "actor1", "inter1",
          "actor2", "inter2", "country", "admin1", "location", "fatalities")

#: (name, field, "top1"/"top3" or None, threshold) of issue 14's goals.
GOALS: tuple[tuple[str, str, str | None, float], ...] = (
    ("incidents found", "incidents_found", None, 0.70),
    ("country top-1", "country", "top1", 0.90),
    ("date_start top-1", "date_start", "top1", 0.70),
    ("event_type top-1", "event_type", "top1", 0.60),
    ("sub_event_type top-3", "sub_event_type", "top3", 0.60),
    ("location top-3", "location", "top3", 0.70),
    ("fatalities (best) top-3", "fatalities", "top3", 0.65),
    ("actor1 top-3", "actor1", "top3", 0.50),
    ("spans inside the text", "spans", None, 1.0),
)
SPEED_GOAL_MS = 100.0

DraftFn = Callable[..., Any]


# ---- loading ----------------------------------------------------------------------------------------

def load_index(data: Path, ids: Sequence[str] | None = None) -> list[dict[str, str]]:
    with open(data / "index.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    if ids:
        wanted = set(ids)
        missing = wanted - {r["id"] for r in rows}
        if missing:
            raise SystemExit(f"not in {data / 'index.csv'}: {', '.join(sorted(missing))}")
        rows = [r for r in rows if r["id"] in wanted]
    return rows


def load_coded(data: Path, ids: Iterable[str], geocoder: Any) -> dict[str, list[dict[str, Any]]]:
    """The coder's validated incident rows per source id, placed by the geocoder as ``agree`` places
    them. Invalid records stop the benchmark (the dev set must be valid)."""
    from incidentkit.build import geocode_rows
    from incidentkit.validate import validate

    report = validate(data / "coded")
    if report.errors:
        for p in report.errors[:20]:
            print(f"  {p}", file=sys.stderr)
        raise SystemExit(f"{len(report.errors)} error(s) in {data / 'coded'}: fix the dev set first")
    wanted = set(ids)
    rows = [r for r in report.rows if r["source_id"] in wanted]
    geocode_rows(rows, geocoder)
    out: dict[str, list[dict[str, Any]]] = {i: [] for i in wanted}
    for r in rows:
        out[r["source_id"]].append(r)
    return out


def draft_json(draft_fn: DraftFn, text: str, published: dt.date, language: str,
               country: str | None) -> dict[str, Any]:
    """The draft's JSON as a dict, whatever ``to_json`` returns (a dict or a JSON string)."""
    d = draft_fn(text, published=published, language=language, country=country)
    j = d.to_json() if hasattr(d, "to_json") else d
    if isinstance(j, (str, bytes)):
        j = json.loads(j)
    return j


# ---- normalising values -------------------------------------------------------------------------------

def _fold(text: Any) -> str:
    s = unicodedata.normalize("NFKD", str(text or "")).casefold()
    s = "".join(c for c in s if not unicodedata.combining(c))
    s = re.sub(r"[^\w\s]", " ", s)
    s = re.sub(r"\b(al|el|ad|ar|as|ash|at|az|an)\s+", "", s)
    return " ".join(s.split())


def _iso(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    try:
        return dt.date.fromisoformat(text[:10]).isoformat()
    except ValueError:
        return text


def _inter(value: Any) -> int | None:
    from incidentkit.codebook import vocab
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if text.isdigit():
        return int(text)
    for code, label in vocab.INTER_CODES.items():
        if label.casefold() == text.casefold():
            return code
    return None


def _country(value: Any) -> str | None:
    from incidentkit.codebook.countries import country_code
    if not value:
        return None
    return country_code(str(value))


def _fatalities(value: Any) -> tuple[int, int, int] | None:
    if value is None:
        return None
    if isinstance(value, Mapping):
        try:
            best = int(value["best"])
            low = int(value.get("low", best) if value.get("low") is not None else best)
            high = int(value.get("high", best) if value.get("high") is not None else best)
        except (KeyError, TypeError, ValueError):
            return None
        return low, best, high
    if isinstance(value, (list, tuple)) and len(value) == 3:
        return int(value[0]), int(value[1]), int(value[2])
    try:
        n = int(value)
    except (TypeError, ValueError):
        return None
    return n, n, n


class Places:
    """The geocoder, with answers cached per (name, country, admin1)."""

    def __init__(self, geocoder: Any) -> None:
        self.geocoder = geocoder
        self.cache: dict[tuple[str | None, ...], Any] = {}

    def admin1_code(self, country: str | None, name: str) -> str | None:
        """The GeoNames admin1 code a province name resolves to in ``country`` (None when unknown)."""
        if not country or not name or self.geocoder is None:
            return None
        key = ("\0admin1", country, name)
        if key not in self.cache:
            try:
                from incidentkit.geocode.admins import resolve_admin1
                self.cache[key] = resolve_admin1(self.geocoder.index, country, name)
            except Exception:  # noqa: BLE001 - a geocoder without provinces (a test double) knows none
                self.cache[key] = None
        return self.cache[key]

    def find(self, name: str, country: str | None, admin1: str | None) -> Any:
        key = (name, country, admin1)
        if key not in self.cache:
            try:
                self.cache[key] = self.geocoder.geocode(name, country, admin1) if self.geocoder else None
            except Exception:  # noqa: BLE001 - a drafted value the geocoder cannot read is a miss, not a crash
                self.cache[key] = None
        return self.cache[key]


def agrees(field: str, candidate: Any, coded: Mapping[str, Any], *, places: Places | None = None,
           draft_country: str | None = None, draft_admin1: str | None = None, vocabulary: Any = None,
           exact_fatalities: bool = False) -> bool:
    """Whether one drafted candidate value agrees with the coder's value of ``field`` (module docstring)."""
    if candidate is None:
        return False
    if field == "date_start":
        return _iso(candidate) == _iso(coded.get("date_start"))
    if field == "date_end":
        return _iso(candidate) == _iso(coded.get("date_end") or coded.get("date_start"))
    if field == "time_precision":
        try:
            return int(candidate) == int(coded["time_precision"])
        except (TypeError, ValueError):
            return False
    if field in ("inter1", "inter2"):
        return _inter(candidate) is not None and _inter(candidate) == _inter(coded.get(field))
    if field in ("event_type", "sub_event_type"):
        return str(candidate).strip().casefold() == str(coded.get(field) or "").strip().casefold()
    if field == "country":
        return _country(candidate) is not None and _country(candidate) == _country(coded.get("country"))
    if field == "admin1":
        if not _fold(candidate):
            return False
        if _fold(candidate) == _fold(coded.get("admin1")):
            return True
        if places is None:
            return False
        cc = _country(coded.get("country"))
        code = places.admin1_code(cc, str(candidate))
        return code is not None and code == places.admin1_code(cc, str(coded.get("admin1") or ""))
    if field in ("actor1", "actor2"):
        want = coded.get(field)
        if not want:
            return False
        if str(candidate).strip().casefold() == str(want).strip().casefold():
            return True
        if vocabulary is None:
            return False
        try:
            return vocabulary.ucdp_side(str(candidate)).casefold() == vocabulary.ucdp_side(str(want)).casefold()
        except Exception:  # noqa: BLE001
            return False
    if field == "fatalities":
        cand = _fatalities(candidate)
        best = coded.get("fatalities_best")
        if cand is None or best is None:
            return False
        return cand[1] == best if exact_fatalities else cand[0] <= best <= cand[2]
    if field == "location":
        name = _fold(candidate)
        if not name:
            return False
        if name == _fold(coded.get("location")) or (coded.get("_matched_name") and name == _fold(coded["_matched_name"])):
            return True
        if places is None or coded.get("latitude") is None:
            return False
        from incidentkit.matching import haversine_km
        r = places.find(str(candidate), draft_country or _country(coded.get("country")), draft_admin1)
        if r is None or not r.found or getattr(r, "fallback", ""):
            return False
        return float(haversine_km(r.latitude, r.longitude, coded["latitude"], coded["longitude"])) <= WITHIN_KM
    raise ValueError(f"unknown field {field!r}")


def has_value(field: str, coded: Mapping[str, Any]) -> bool:
    """Whether the coder gave ``field`` a value worth scoring (an absent actor2/inter2 is not scored)."""
    if field == "fatalities":
        return coded.get("fatalities_best") is not None
    if field == "date_end":
        return bool(coded.get("date_start"))
    if field in ("actor2", "inter2"):
        return bool(coded.get("actor2"))
    value = coded.get(field)
    return value is not None and value != ""


# ---- drafted incidents as rows, and alignment -------------------------------------------------------

def _top(fields: Mapping[str, Any], name: str) -> Any:
    cands = fields.get(name) or []
    return cands[0].get("value") if cands and isinstance(cands[0], Mapping) else None


def drafted_rows(draft: Mapping[str, Any], source_id: str, published: dt.date, places: Places,
                 coded_country: str | None) -> list[dict[str, Any]]:
    """Each drafted incident as a row of its top-1 values, placed by the geocoder."""
    rows = []
    for n, inc in enumerate(draft.get("incidents") or [], start=1):
        f = inc.get("fields") or {}
        start = _iso(_top(f, "date_start")) or published.isoformat()
        try:
            dt.date.fromisoformat(start)
        except ValueError:
            start = published.isoformat()
        end = _iso(_top(f, "date_end")) or start
        try:
            if dt.date.fromisoformat(end) < dt.date.fromisoformat(start):
                end = start
        except ValueError:
            end = start
        country = _country(_top(f, "country")) or ""
        row: dict[str, Any] = {
            "id": f"{source_id}#draft{n}", "source_id": source_id, "date_start": start, "date_end": end,
            "event_type": str(_top(f, "event_type") or ""), "sub_event_type": str(_top(f, "sub_event_type") or ""),
            "country": country, "admin1": str(_top(f, "admin1") or ""),
            "location": str(_top(f, "location") or ""), "latitude": None, "longitude": None,
            "geo_precision": None, "_fields": f,
        }
        if row["location"]:
            r = places.find(row["location"], country or coded_country, row["admin1"] or None)
            if r is not None and r.found:
                row.update(latitude=r.latitude, longitude=r.longitude, geo_precision=r.geo_precision or 1)
        rows.append(row)
    return rows


def align_source(coded: Sequence[dict[str, Any]], drafted: Sequence[dict[str, Any]]) -> list[tuple[int | None, int | None]]:
    """Pairs (coded index, drafted index) of one report via :func:`incidentkit.reliability.align`;
    unaligned incidents appear with None on the other side."""
    from incidentkit.reliability import align

    def strip(row: Mapping[str, Any], i: int, tag: str) -> dict[str, Any]:
        keep = ("source_id", "date_start", "date_end", "event_type", "sub_event_type", "country", "admin1",
                "location", "latitude", "longitude", "geo_precision")
        out = {k: row.get(k) for k in keep}
        out["id"] = f"{tag}{i:04d}"
        out["date_start"] = _iso(out["date_start"])
        out["date_end"] = _iso(out["date_end"]) or out["date_start"]
        out["country"] = _country(out["country"]) or ""
        out["event_type"] = out["event_type"] or ""
        out["sub_event_type"] = out["sub_event_type"] or ""
        return out

    a = [strip(r, i, "c") for i, r in enumerate(coded)]
    b = [strip(r, i, "d") for i, r in enumerate(drafted)]
    if not a and not b:
        return []
    alignment = align({"coder": a, "draft": b})
    pairs = []
    for unit in alignment.units:
        c = unit.members.get("coder")
        d = unit.members.get("draft")
        pairs.append((int(c["id"][1:]) if c else None, int(d["id"][1:]) if d else None))
    return pairs


# ---- scoring -------------------------------------------------------------------------------------------

def spans_check(draft: Mapping[str, Any], text: str) -> tuple[int, list[dict[str, Any]]]:
    """(spans counted, spans outside the text) of every candidate of every field."""
    n = 0
    bad: list[dict[str, Any]] = []
    for k, inc in enumerate(draft.get("incidents") or []):
        for field, cands in (inc.get("fields") or {}).items():
            for c in cands or []:
                for span in (c.get("spans") or []) if isinstance(c, Mapping) else []:
                    n += 1
                    ok = (isinstance(span, (list, tuple)) and len(span) == 2
                          and all(isinstance(x, int) and not isinstance(x, bool) for x in span)
                          and 0 <= span[0] < span[1] <= len(text))
                    if not ok:
                        bad.append({"incident": k, "field": field, "span": span, "text_length": len(text)})
    return n, bad


def score_pair(coded: Mapping[str, Any], drafted: Mapping[str, Any] | None, *, places: Places | None,
               vocabulary: Any) -> dict[str, dict[str, Any]]:
    """Per field: rank (1-based) of the first agreeing candidate (None: none in the list), the coder's
    value and the top three candidate values."""
    fields = (drafted or {}).get("_fields") or {}
    country = _country(_top(fields, "country"))
    admin1 = _top(fields, "admin1")
    out: dict[str, dict[str, Any]] = {}
    for field in (*FIELDS, "fatalities_exact"):
        name = "fatalities" if field == "fatalities_exact" else field
        if not has_value(name, coded):
            continue
        cands = [c.get("value") for c in (fields.get(name) or []) if isinstance(c, Mapping)]
        rank = None
        for i, v in enumerate(cands, start=1):
            if agrees(name, v, coded, places=places, draft_country=country, draft_admin1=admin1,
                      vocabulary=vocabulary, exact_fatalities=field == "fatalities_exact"):
                rank = i
                break
        out[field] = {"rank": rank, "coded": coded_value(name, coded), "top3": cands[:TOP_K]}
    return out


def coded_value(field: str, coded: Mapping[str, Any]) -> Any:
    if field == "fatalities":
        return {"low": coded.get("fatalities_low"), "best": coded.get("fatalities_best"),
                "high": coded.get("fatalities_high")}
    if field == "date_end":
        return _iso(coded.get("date_end") or coded.get("date_start"))
    if field == "date_start":
        return _iso(coded.get("date_start"))
    return coded.get(field)


def rates(ranks: Sequence[int | None], total: int | None = None) -> dict[str, Any]:
    n = len(ranks) if total is None else total
    t1 = sum(1 for r in ranks if r == 1)
    t3 = sum(1 for r in ranks if r is not None and r <= TOP_K)
    return {"n": n, "top1": t1 / n if n else None, "top3": t3 / n if n else None, "top1_count": t1, "top3_count": t3}


def run(data: Path = DATA, *, draft_fn: DraftFn | None = None, ids: Sequence[str] | None = None,
        country_hint: bool = False, repeat: int = 3, geocoder: Any = "default",
        vocabulary: Any = "default") -> dict[str, Any]:
    """Draft every article of the index, align, score; the results as one JSON-ready dict."""
    if draft_fn is None:
        from incidentkit.draft import draft_article as draft_fn  # type: ignore[no-redef]
    if geocoder == "default":
        from incidentkit.build import DEFAULT_OUT, default_geocoder, project_gazetteer_dir
        geocoder = default_geocoder(project_gazetteer_dir(DEFAULT_OUT))
    if vocabulary == "default":
        from incidentkit.actors import load_vocabulary
        vocabulary = load_vocabulary()
    index = load_index(data, ids)
    coded_by_source = load_coded(data, [r["id"] for r in index], geocoder)
    places = Places(geocoder)
    for rows in coded_by_source.values():
        for row in rows:
            r = places.find(row["location"], _country(row["country"]), row.get("admin1"))
            row["_matched_name"] = r.matched_name if r is not None and r.found else ""

    texts = {r["id"]: (data / r["file"]).read_text(encoding="utf-8") for r in index}
    args = {r["id"]: dict(published=dt.date.fromisoformat(r["published"]), language=r["language"],
                          country=(r.get("country") or None) if country_hint else None) for r in index}
    # warm-up: loads the gazetteer, the vocabularies and any compiled patterns
    if index:
        draft_json(draft_fn, texts[index[0]["id"]], **args[index[0]["id"]])

    per_article: list[dict[str, Any]] = []
    pairs_out: list[dict[str, Any]] = []
    span_total = 0
    span_bad: list[dict[str, Any]] = []
    for r in index:
        sid, text = r["id"], texts[r["id"]]
        times = []
        draft: dict[str, Any] = {}
        for _ in range(max(1, repeat)):
            t0 = time.perf_counter()
            draft = draft_json(draft_fn, text, **args[sid])
            times.append((time.perf_counter() - t0) * 1000.0)
        n, bad = spans_check(draft, text)
        span_total += n
        span_bad.extend({"source_id": sid, **b} for b in bad)
        coded = coded_by_source.get(sid, [])
        drafted = drafted_rows(draft, sid, args[sid]["published"], places, r.get("country") or None)
        pairs = align_source(coded, drafted)
        for ci, di in pairs:
            if ci is None:
                d = drafted[di]  # type: ignore[index]
                pairs_out.append({"source_id": sid, "language": r["language"], "coded_id": None,
                                  "draft_incident": di, "draft_top": _summary(d)})
                continue
            c = coded[ci]
            d = drafted[di] if di is not None else None
            pairs_out.append({"source_id": sid, "language": r["language"], "coded_id": c["id"],
                              "coded_top": _summary(c), "draft_incident": di, "draft_top": _summary(d) if d else None,
                              "fields": score_pair(c, d, places=places, vocabulary=vocabulary) if d else
                              {f: {"rank": None, "coded": coded_value("fatalities" if f == "fatalities_exact" else f, c),
                                   "top3": []}
                               for f in (*FIELDS, "fatalities_exact")
                               if has_value("fatalities" if f == "fatalities_exact" else f, c)}})
        per_article.append({"id": sid, "language": r["language"], "ms": min(times), "ms_all": times,
                            "coded_incidents": len(coded), "drafted_incidents": len(drafted),
                            "aligned": sum(1 for ci, di in pairs if ci is not None and di is not None),
                            "spans": n, "spans_outside": len(bad)})
    return summarise(per_article, pairs_out, span_total, span_bad)


def _summary(d: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if not d:
        return None
    return {k: _iso(d.get(k)) if k.startswith("date") else d.get(k)
            for k in ("date_start", "date_end", "event_type", "sub_event_type", "country", "admin1",
                      "location", "latitude", "longitude")}


def _short(d: Mapping[str, Any] | None) -> str:
    if not d:
        return "-"
    date = d.get("date_start") or "?"
    if d.get("date_end") and d.get("date_end") != d.get("date_start"):
        date += f"..{d['date_end']}"
    return (f"{date} {d.get('sub_event_type') or '?'} @ {d.get('location') or '?'}"
            f" ({d.get('admin1') or '?'}, {d.get('country') or '?'})")


def summarise(per_article: list[dict[str, Any]], pairs: list[dict[str, Any]], span_total: int,
              span_bad: list[dict[str, Any]]) -> dict[str, Any]:
    languages = sorted({a["language"] for a in per_article})
    groups: dict[str, list[dict[str, Any]]] = {"all": pairs, **{lang: [p for p in pairs if p["language"] == lang]
                                                                 for lang in languages}}
    incidents: dict[str, Any] = {}
    fields: dict[str, dict[str, Any]] = {}
    for g, ps in groups.items():
        coded = [p for p in ps if p["coded_id"] is not None]
        found = [p for p in coded if p["draft_incident"] is not None]
        drafted = [p for p in ps if p["draft_incident"] is not None]
        incidents[g] = {"coded": len(coded), "drafted": len(drafted), "aligned": len(found),
                        "recall": len(found) / len(coded) if coded else None,
                        "precision": len(found) / len(drafted) if drafted else None}
        fields[g] = {}
        for field in (*FIELDS, "fatalities_exact"):
            ranks = [p["fields"][field]["rank"] for p in found if field in p["fields"]]
            all_ranks = [p["fields"][field]["rank"] for p in coded if field in p["fields"]]
            r = rates(ranks)
            ra = rates(all_ranks)
            r.update(top1_all=ra["top1"], top3_all=ra["top3"], n_all=ra["n"])
            fields[g][field] = r
    times = [a["ms"] for a in per_article]
    speed = {"median_ms": statistics.median(times) if times else None, "max_ms": max(times) if times else None,
             "slowest": max(per_article, key=lambda a: a["ms"])["id"] if per_article else None}
    spans = {"total": span_total, "outside": len(span_bad), "inside_share": (1 - len(span_bad) / span_total)
             if span_total else None, "examples": span_bad[:20]}
    span_share = {"all": spans["inside_share"]}
    for lang in languages:
        in_lang = [a for a in per_article if a["language"] == lang]
        total = sum(a["spans"] for a in in_lang)
        span_share[lang] = 1 - sum(a["spans_outside"] for a in in_lang) / total if total else None
    goals = []
    for name, key, which, threshold in GOALS:
        values: dict[str, float | None] = {}
        for g in groups:
            if key == "incidents_found":
                values[g] = incidents[g]["recall"]
            elif key == "spans":
                values[g] = span_share[g]
            else:
                values[g] = fields[g][key][which]  # type: ignore[index]
        value = values["all"]
        goals.append({"goal": name, "value": value, "threshold": threshold,
                      "pass": value is not None and value >= threshold - 1e-12,
                      "by_language": {g: v for g, v in values.items() if g != "all"}})
    goals.append({"goal": "speed (every article, warm)", "value": speed["max_ms"], "threshold": SPEED_GOAL_MS,
                  "pass": speed["max_ms"] is not None and speed["max_ms"] < SPEED_GOAL_MS})
    return {"articles": len(per_article), "languages": languages, "incidents": incidents, "fields": fields,
            "spans": spans, "speed": speed, "goals": goals, "per_article": per_article, "pairs": pairs}


# ---- printing ------------------------------------------------------------------------------------------

def _pct(x: float | None) -> str:
    return "   -" if x is None else f"{x * 100:4.0f}%"


def misses(result: Mapping[str, Any], field: str, *, top3: bool = False) -> list[dict[str, Any]]:
    """Aligned pairs where ``field`` is not top-1 (or not in the top three with ``top3``)."""
    out = []
    for p in result["pairs"]:
        if p["coded_id"] is None or p["draft_incident"] is None or field not in p["fields"]:
            continue
        rank = p["fields"][field]["rank"]
        if rank is None or (not top3 and rank != 1) or (top3 and rank > TOP_K):
            out.append({"source_id": p["source_id"], "coded_id": p["coded_id"], **p["fields"][field]})
    return out


def print_report(result: Mapping[str, Any], examples: int = 3, file: Any = sys.stdout) -> None:
    langs = result["languages"]
    cols = ["all", *langs]
    w = lambda s="": print(s, file=file)  # noqa: E731
    w(f"draft accuracy: {result['articles']} articles ({', '.join(langs)})")
    w()
    w("incidents    " + "".join(f"{c:>16}" for c in cols))
    inc = result["incidents"]
    w("  found      " + "".join(f"{inc[c]['aligned']:>4}/{inc[c]['coded']:<4} {_pct(inc[c]['recall']):>6}" for c in cols))
    w("  precision  " + "".join(f"{inc[c]['aligned']:>4}/{inc[c]['drafted']:<4} {_pct(inc[c]['precision']):>6}" for c in cols))
    w()
    w("field (aligned incidents)   " + "".join(f"{c + ' top1/top3':>16}" for c in cols))
    for field in (*FIELDS, "fatalities_exact"):
        cells = []
        for c in cols:
            r = result["fields"][c][field]
            cells.append(f"{_pct(r['top1'])} {_pct(r['top3'])} n={r['n']:<3}")
        w(f"  {field:<26}" + "".join(f"{x:>16}" for x in cells))
    sp = result["spans"]
    w()
    w(f"spans: {sp['total'] - sp['outside']}/{sp['total']} inside the text")
    for b in sp["examples"][:examples]:
        w(f"  OUTSIDE {b}")
    s = result["speed"]
    if s["median_ms"] is not None:
        w(f"speed (warm, fastest of repeats): median {s['median_ms']:.1f} ms, max {s['max_ms']:.1f} ms ({s['slowest']})")
    w()
    w("goals:")
    for g in result["goals"]:
        if g["goal"].startswith("speed"):
            shown = "-" if g["value"] is None else f"{g['value']:.1f} ms < {g['threshold']:.0f} ms"
        else:
            shown = f"{_pct(g['value']).strip()} >= {g['threshold'] * 100:.0f}%"
            by = g.get("by_language") or {}
            shown = f"{shown:<14}" + "  ".join(
                f"{lang} {_pct(v).strip()}{'' if v is not None and v >= g['threshold'] - 1e-12 else '!'}"
                for lang, v in by.items())
        w(f"  {'PASS' if g['pass'] else 'MISS'}  {g['goal']:<30} {shown}")
    if examples:
        w()
        w("coded incidents not found:")
        for p in result["pairs"]:
            if p["coded_id"] is not None and p["draft_incident"] is None:
                w(f"  {p['coded_id']}: {_short(p.get('coded_top'))}")
        w("drafted incidents not aligned:")
        for p in result["pairs"]:
            if p["coded_id"] is None:
                w(f"  {p['source_id']} #{p['draft_incident']}: {_short(p['draft_top'])}")
        w()
        w(f"misses (up to {examples} per field; 'coded' = the coder's value, 'top3' = the draft's first three):")
        for field, top3 in (("date_start", False), ("event_type", False), ("sub_event_type", True),
                            ("country", False), ("location", True), ("fatalities", True), ("actor1", True),
                            ("actor2", True), ("admin1", False), ("time_precision", False)):
            ms = misses(result, field, top3=top3)
            if not ms:
                continue
            w(f"  {field} ({'top-3' if top3 else 'top-1'}): {len(ms)} miss(es)")
            for m in ms[:examples]:
                w(f"    {m['source_id']}: coded {m['coded']!r}; draft {m['top3']!r}")


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DATA, help="the development set folder (index.csv, articles/, coded/)")
    ap.add_argument("--json", type=Path, help="write the full results (every pair and miss) to this JSON file")
    ap.add_argument("--ids", nargs="+", help="only these report ids")
    ap.add_argument("--country-hint", action="store_true", help="pass the index's country to the draft")
    ap.add_argument("--repeat", type=int, default=3, help="timed calls per article (the fastest is kept)")
    ap.add_argument("--examples", type=int, default=3, help="misses printed per field (0: none)")
    a = ap.parse_args(argv)
    result = run(a.data, ids=a.ids, country_hint=a.country_hint, repeat=a.repeat)
    print_report(result, examples=a.examples)
    if a.json:
        a.json.parent.mkdir(parents=True, exist_ok=True)
        a.json.write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
        print(f"\nresults -> {a.json}")
    return 0 if all(g["pass"] for g in result["goals"]) else 1


if __name__ == "__main__":
    raise SystemExit(main())

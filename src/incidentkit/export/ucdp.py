"""The UCDP GED layout: the dataset as the 49 columns of the UCDP Georeferenced Event Dataset.

UCDP GED records organised lethal violence only, one row per event with a date range, so:

- Protests and Strategic developments are not GED events, nor is an incident without a death (GED
  counts events with at least one): both are left out, counted by reason in :func:`excluded_counts`
  (kept in the table's metadata); every other incident is one GED row;
- type_of_violence: the coder's ``type_of_violence`` wins; otherwise a side of civilians (inter 7) or
  Violence against civilians -> 3 one-sided (UCDP counts a government killing civilians as one-sided,
  so this test comes first); else state forces (inter 1) or foreign state forces (inter 8) on either
  side -> 1 state-based; else -> 2 non-state;
- side_a is the government side in state-based events and the perpetrator in one-sided events (side_b
  "Civilians"), as UCDP orders them; deaths_a/deaths_b follow their side when the sides are swapped.
  Side names come from the actor table's UCDP names (codebook/actors.py), else the ACLED name;
- deaths_*: the coded parts; what they leave of ``best`` goes to deaths_unknown when that was not
  coded, and uncoded parts are 0, so the four add up to best as in GED;
- date_prec from the range and time_precision (1 day, 2-6 days, a week, a month, longer);
  where_prec from the geocoder or from geo_precision; event_clarity 2 for multi-day or imprecise
  dates (aggregated reports), else 1; geom_wkt and priogrid_gid only where there is a point;
- conflict/dyad/side UCDP ids, active_year and the conflict name of state-based events need UCDP's own
  conflict registry and stay empty; non-state and one-sided conflicts are named by their dyad, as UCDP
  does. relid holds our incident id, id the incident's number (:mod:`incidentkit.export.ids`).

Numeric columns are float64, exactly the dtypes pandas infers for UCDP's own CSV files (which write
``300380.0``), so the layout reads next to a GED release without a dtype change.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import pyarrow as pa

from incidentkit.codebook import vocab
from incidentkit.codebook.actors import ACTORS_BY_NAME
from incidentkit.export import ids
from incidentkit.export._io import join_list
from incidentkit.export.regions import gw_number, ucdp_country_name, ucdp_region

log = logging.getLogger(__name__)

UCDP_COLUMNS: tuple[str, ...] = (
    "id", "relid", "year", "active_year", "code_status", "type_of_violence", "conflict_dset_id",
    "conflict_new_id", "conflict_name", "dyad_dset_id", "dyad_new_id", "dyad_name", "side_a_dset_id",
    "side_a_new_id", "side_a", "side_b_dset_id", "side_b_new_id", "side_b", "number_of_sources",
    "source_article", "source_office", "source_date", "source_headline", "source_original", "where_prec",
    "where_coordinates", "where_description", "adm_1", "adm_2", "latitude", "longitude", "geom_wkt",
    "priogrid_gid", "country", "country_id", "region", "event_clarity", "date_prec", "date_start", "date_end",
    "deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown", "best", "high", "low", "gwnoa", "gwnob",
)
TEXT_COLUMNS = frozenset({
    "relid", "code_status", "conflict_name", "dyad_name", "side_a", "side_b", "source_article",
    "source_office", "source_date", "source_headline", "source_original", "where_coordinates",
    "where_description", "adm_1", "adm_2", "geom_wkt", "country", "region", "date_start", "date_end",
})
UCDP_SCHEMA = pa.schema([pa.field(n, pa.string() if n in TEXT_COLUMNS else pa.float64()) for n in UCDP_COLUMNS])
NOT_GED_EVENT_TYPES = frozenset({"Protests", "Strategic developments"})
EXCLUDED_KEY = b"incidentkit.ucdp_excluded"
UCDP_CSV = "ucdp_ged.csv"
UCDP_PARQUET = "ucdp_ged.parquet"
CIVILIANS = 7
STATE_TYPES = (1, 8)


def derive_type_of_violence(event_type: str, inter1: int, inter2: int | None, override: int | None = None) -> int:
    """UCDP type of violence from the ACLED actor types (see the module docstring for the order)."""
    if override:
        return override
    if CIVILIANS in (inter1, inter2) or event_type == "Violence against civilians":
        return 3
    if inter1 in STATE_TYPES or inter2 in STATE_TYPES:
        return 1
    return 2


def date_prec(days: int, time_precision: int) -> int:
    """UCDP date_prec: 1 exact day, 2 range of 2-6 days, 3 a week, 4 a month, 5 longer."""
    by_span = 1 if days == 1 else 2 if days <= 6 else 3 if days <= 7 else 4 if days <= 31 else 5
    return max(by_span, {1: 1, 2: 3, 3: 4}[time_precision])


def split_deaths(best: int, a: int | None, b: int | None, civ: int | None, unknown: int | None) -> tuple[int, ...]:
    """GED's four death counts adding up to best: coded parts kept, the rest to deaths_unknown."""
    parts = [a or 0, b or 0, civ or 0]
    if unknown is None:
        unknown = max(best - sum(parts), 0)
    return (*parts, unknown)


def ucdp_side_name(actor: str | None, inter: int | None) -> str | None:
    if inter == CIVILIANS:
        return "Civilians"
    if not actor:
        return None
    known = ACTORS_BY_NAME.get(actor)
    return known.ucdp_name if known and known.ucdp_name else actor


def _actor_gw(actor: str | None, inter: int | None, country: str) -> int | None:
    if inter not in STATE_TYPES:
        return None
    known = ACTORS_BY_NAME.get(actor or "")
    if known is not None:
        return gw_number(known.country)
    return gw_number(country) if inter == 1 else None


def _f(value: Any) -> float | None:
    return None if value is None else float(value)


def to_ucdp(table: pa.Table) -> pa.Table:
    """The dataset as UCDP GED's 49 columns; non-GED events are left out (see :func:`excluded_counts`).

    >>> from incidentkit.dataset import read_table
    >>> ged = to_ucdp(read_table("datasets"))      # doctest: +SKIP
    >>> excluded_counts(ged)                        # doctest: +SKIP
    {'no_deaths': 1, 'not_ged_event_type': 1}
    """
    col = {n: table.column(n).to_pylist() for n in (
        "id", "date_start", "date_end", "time_precision", "event_type", "actor1", "inter1", "actor2", "inter2",
        "country", "admin1", "admin2", "location", "latitude", "longitude", "geo_precision", "where_prec",
        "priogrid_gid", "geo_matched_name", "fatalities_low", "fatalities_best", "fatalities_high", "deaths_a",
        "deaths_b", "deaths_civilians", "deaths_unknown", "type_of_violence", "source_outlet",
        "source_published", "source_title", "source_originators")}
    numbers = ids.incident_numbers(col["id"])
    out: dict[str, list[Any]] = {n: [] for n in UCDP_COLUMNS}
    excluded = {"not_ged_event_type": 0, "no_deaths": 0}
    for i, iid in enumerate(col["id"]):
        if col["event_type"][i] in NOT_GED_EVENT_TYPES:
            excluded["not_ged_event_type"] += 1
            continue
        if col["fatalities_best"][i] == 0:
            excluded["no_deaths"] += 1
            continue
        start = col["date_start"][i]
        end = col["date_end"][i] or start
        days = (end - start).days + 1
        inter1, inter2 = col["inter1"][i], col["inter2"][i] or None
        tov = derive_type_of_violence(col["event_type"][i], inter1, inter2, col["type_of_violence"][i])
        sides = [(col["actor1"][i], inter1, col["deaths_a"][i]), (col["actor2"][i], inter2, col["deaths_b"][i])]
        if (tov == 1 and inter1 not in STATE_TYPES and inter2 in STATE_TYPES) or (tov == 3 and inter1 == CIVILIANS):
            sides.reverse()
        (actor_a, inter_a, dead_a), (actor_b, inter_b, dead_b) = sides
        side_a = ucdp_side_name(actor_a, inter_a)
        side_b = ucdp_side_name(actor_b, inter_b) or ("Civilians" if tov == 3 else None)
        dyad = f"{side_a} - {side_b}" if side_b else side_a
        country = col["country"][i]
        best = col["fatalities_best"][i]
        d_a, d_b, d_civ, d_unk = split_deaths(best, dead_a, dead_b, col["deaths_civilians"][i],
                                              col["deaths_unknown"][i])
        lat, lon = col["latitude"][i], col["longitude"][i]
        where = col["where_prec"][i] or vocab.geo_to_where_prec(col["geo_precision"][i])
        outlet, published, title = col["source_outlet"][i], col["source_published"][i].isoformat(), col["source_title"][i]
        row = {
            "id": ids.event_number(numbers[iid]), "relid": iid, "year": start.year, "active_year": None,
            "code_status": "Clear", "type_of_violence": tov, "conflict_name": None if tov == 1 else dyad,
            "dyad_name": dyad, "side_a": side_a, "side_b": side_b, "number_of_sources": 1,
            "source_article": f'"{outlet},{published},{title}"', "source_office": outlet,
            "source_date": published, "source_headline": title,
            "source_original": join_list(col["source_originators"][i]), "where_prec": where,
            "where_coordinates": col["geo_matched_name"][i] or col["location"][i],
            "where_description": col["location"][i], "adm_1": col["admin1"][i], "adm_2": col["admin2"][i],
            "latitude": lat, "longitude": lon,
            "geom_wkt": None if lat is None else f"POINT ({lon!r} {lat!r})",
            "priogrid_gid": col["priogrid_gid"][i], "country": ucdp_country_name(country),
            "country_id": gw_number(country), "region": ucdp_region(country),
            "event_clarity": 1 if days == 1 and col["time_precision"][i] == 1 else 2,
            "date_prec": date_prec(days, col["time_precision"][i]), "date_start": start.isoformat(),
            "date_end": end.isoformat(), "deaths_a": d_a, "deaths_b": d_b, "deaths_civilians": d_civ,
            "deaths_unknown": d_unk, "best": best, "high": col["fatalities_high"][i],
            "low": col["fatalities_low"][i], "gwnoa": _actor_gw(actor_a, inter_a, country),
            "gwnob": _actor_gw(actor_b, inter_b, country),
        }
        for name in UCDP_COLUMNS:
            value = row.get(name)
            out[name].append(value if name in TEXT_COLUMNS else _f(value))
    if any(excluded.values()):
        log.info("UCDP layout: left out %d Protests/Strategic developments and %d incident(s) without deaths",
                 excluded["not_ged_event_type"], excluded["no_deaths"])
    schema = UCDP_SCHEMA.with_metadata({EXCLUDED_KEY: json.dumps(excluded, sort_keys=True).encode()})
    return pa.table(out, schema=schema)


def excluded_counts(ged: pa.Table) -> dict[str, int]:
    """What :func:`to_ucdp` left out, by reason: ``not_ged_event_type`` (Protests, Strategic
    developments) and ``no_deaths`` (GED events have at least one death)."""
    raw = (ged.schema.metadata or {}).get(EXCLUDED_KEY)
    return json.loads(raw) if raw else {}


def ucdp_outputs(table: pa.Table) -> dict[str, pa.Table]:
    """Every file of the UCDP export by name: the CSV and its Parquet twin."""
    ged = to_ucdp(table)
    return {UCDP_CSV: ged, UCDP_PARQUET: ged}

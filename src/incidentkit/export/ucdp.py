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
  Side names are GED's (:meth:`incidentkit.actors.Vocabulary.ucdp_side`: "Government of X" for X's
  state forces of any period or unit, a group's UCDP name), else the ACLED name;
- deaths_*: the coded parts; what they leave of ``best`` goes to deaths_unknown when that was not
  coded, and uncoded parts are 0, so the four add up to best as in GED;
- date_prec from the range and time_precision (1 day, 2-6 days, a week, a month, longer);
  where_prec from the geocoder or from geo_precision; event_clarity 2 for multi-day or imprecise
  dates (aggregated reports), else 1; geom_wkt and priogrid_gid only where there is a point;
- conflict/dyad/side UCDP ids, active_year and the conflict name of state-based events need UCDP's own
  conflict registry and stay empty; non-state and one-sided conflicts are named by their dyad, as UCDP
  does. relid holds our incident id, id the incident's number (:mod:`incidentkit.export.ids`).

Numeric columns are float64, exactly the dtypes pandas infers for UCDP's own CSV files (which write
``300380.0``), so the layout reads next to a GED release without a dtype change. Text is written exactly
as coded, even a cell beginning with ``=`` (a spreadsheet would run it): the file must concatenate with
GED releases, so :func:`formula_note` only counts such cells for the commands to say so.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from incidentkit.codebook import vocab
from incidentkit.actors import load_vocabulary
from incidentkit.export import ids
from incidentkit.export._arrow import (concat_text, day_numbers, float_repr, ints, join_lists, map_distinct, or_else,
                                       or_null, plain)
from incidentkit.export.regions import gw_number, ucdp_country_name, ucdp_region
from incidentkit.formulas import layout_note

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


def ucdp_side_name(actor: str | None, inter: int | None) -> str | None:
    """The side as GED names it: "Government of Somalia" for any period or unit of Somalia's state
    forces, a group's UCDP name where the vocabulary has one, else the ACLED name as coded."""
    if inter == CIVILIANS:
        return "Civilians"
    if not actor:
        return None
    return load_vocabulary().ucdp_side(actor)


def _actor_gw(actor: str | None, inter: int | None, country: str) -> int | None:
    if inter not in STATE_TYPES:
        return None
    known = load_vocabulary().lookup(actor or "")
    if known is not None and known.country:
        return gw_number(known.country)
    return gw_number(country) if inter == 1 else None


def _side_b_name(actor: str | None, inter: int | None, type_of_violence: int) -> str | None:
    return ucdp_side_name(actor, inter) or ("Civilians" if type_of_violence == 3 else None)


def _dyad_name(side_a: str | None, side_b: str | None) -> str | None:
    return f"{side_a} - {side_b}" if side_b else side_a


def _ged_events(table: pa.Table) -> tuple[pa.Table, dict[str, int]]:
    """The incidents that are GED events, and how many were left out by reason."""
    event_type = plain(table.column("event_type"))
    not_ged = pc.is_in(event_type, value_set=pa.array(sorted(NOT_GED_EVENT_TYPES)))
    no_deaths = pc.and_(pc.invert(not_ged), pc.fill_null(pc.equal(table.column("fatalities_best"), 0), False))
    excluded = {"not_ged_event_type": pc.sum(not_ged).as_py() or 0, "no_deaths": pc.sum(no_deaths).as_py() or 0}
    return table.filter(pc.invert(pc.or_(not_ged, no_deaths))), excluded


def to_ucdp(table: pa.Table) -> pa.Table:
    """The dataset as UCDP GED's 49 columns; non-GED events are left out (see :func:`excluded_counts`).

    >>> from incidentkit.dataset import read_table
    >>> ged = to_ucdp(read_table("datasets"))      # doctest: +SKIP
    >>> excluded_counts(ged)                        # doctest: +SKIP
    {'no_deaths': 1, 'not_ged_event_type': 1}
    """
    t, excluded = _ged_events(table)
    col = t.column
    start, end = plain(col("date_start")), plain(pc.coalesce(col("date_end"), col("date_start")))
    days = day_numbers(end) - day_numbers(start) + 1
    tp = ints(col("time_precision"))
    inter1, inter2 = plain(col("inter1")), or_null(col("inter2"))
    tov = map_distinct(derive_type_of_violence, col("event_type"), inter1, inter2, col("type_of_violence"),
                       type=pa.int64())
    # side_a is the state side (state-based) or the perpetrator (one-sided): swap actor1 and actor2 then
    tov_np, i1, i2 = tov.to_numpy(), ints(inter1), ints(inter2)
    state = np.isin(i1, STATE_TYPES), np.isin(i2, STATE_TYPES)
    swap = pa.array(((tov_np == 1) & ~state[0] & state[1]) | ((tov_np == 3) & (i1 == CIVILIANS)))
    actor1, actor2 = plain(col("actor1")), plain(col("actor2"))
    actor_a, actor_b = pc.if_else(swap, actor2, actor1), pc.if_else(swap, actor1, actor2)
    inter_a, inter_b = pc.if_else(swap, inter2, inter1), pc.if_else(swap, inter1, inter2)
    deaths_a, deaths_b = plain(col("deaths_a")), plain(col("deaths_b"))
    dead_a, dead_b = pc.if_else(swap, deaths_b, deaths_a), pc.if_else(swap, deaths_a, deaths_b)
    side_a = map_distinct(ucdp_side_name, actor_a, inter_a, type=pa.string())
    side_b = map_distinct(_side_b_name, actor_b, inter_b, tov, type=pa.string())
    dyad = map_distinct(_dyad_name, side_a, side_b, type=pa.string())
    # GED's four death counts add up to best: coded parts kept, the rest to deaths_unknown
    best = ints(col("fatalities_best"))
    parts = [ints(dead_a), ints(dead_b), ints(col("deaths_civilians"))]
    unknown = plain(col("deaths_unknown")).cast(pa.int64())
    unknown = pc.coalesce(unknown, pa.array(np.maximum(best - sum(parts), 0)))
    lat, lon = plain(col("latitude")), plain(col("longitude"))
    country = col("country")
    outlet, title = plain(col("source_outlet")), plain(col("source_title"))
    published = plain(col("source_published")).cast(pa.string())
    location = plain(col("location"))
    numbers = ids.number_array(col("id")) * ids.MAX_DAYS
    row: dict[str, Any] = {
        "id": numbers, "relid": plain(col("id")), "year": pc.year(start), "code_status": "Clear",
        "type_of_violence": tov, "conflict_name": pc.if_else(pc.equal(tov, 1), pa.scalar(None, pa.string()), dyad),
        "dyad_name": dyad, "side_a": side_a, "side_b": side_b, "number_of_sources": 1,
        "source_article": concat_text('"', outlet, ",", published, ",", title, '"'), "source_office": outlet,
        "source_date": published, "source_headline": title,
        "source_original": join_lists(col("source_originators")),
        "where_prec": map_distinct(lambda w, g: w or vocab.geo_to_where_prec(g), col("where_prec"),
                                   col("geo_precision"), type=pa.int64()),
        "where_coordinates": or_else(col("geo_matched_name"), location), "where_description": location,
        "adm_1": plain(col("admin1")), "adm_2": plain(col("admin2")), "latitude": lat, "longitude": lon,
        "geom_wkt": pc.if_else(lat.is_valid(), concat_text("POINT (", float_repr(lon), " ", float_repr(lat), ")"),
                               pa.scalar(None, pa.string())),
        "priogrid_gid": col("priogrid_gid"), "country": map_distinct(ucdp_country_name, country, type=pa.string()),
        "country_id": map_distinct(gw_number, country, type=pa.int64()),
        "region": map_distinct(ucdp_region, country, type=pa.string()),
        "event_clarity": np.where((days == 1) & (tp == 1), 1, 2),
        "date_prec": map_distinct(date_prec, days, tp, type=pa.int64()),
        "date_start": start.cast(pa.string()), "date_end": end.cast(pa.string()),
        "deaths_a": parts[0], "deaths_b": parts[1], "deaths_civilians": parts[2], "deaths_unknown": unknown,
        "best": best, "high": col("fatalities_high"), "low": col("fatalities_low"),
        "gwnoa": map_distinct(_actor_gw, actor_a, inter_a, country, type=pa.int64()),
        "gwnob": map_distinct(_actor_gw, actor_b, inter_b, country, type=pa.int64()),
    }
    n = t.num_rows
    arrays = []
    for field in UCDP_SCHEMA:
        value = row.get(field.name)
        if value is None:
            arrays.append(pa.nulls(n, field.type))
        elif isinstance(value, (str, int)):
            arrays.append(pa.array([value] * n, field.type))
        else:
            arrays.append(plain(pa.array(value) if isinstance(value, np.ndarray) else value).cast(field.type))
    if any(excluded.values()):
        log.info("UCDP layout: left out %d Protests/Strategic developments and %d incident(s) without deaths",
                 excluded["not_ged_event_type"], excluded["no_deaths"])
    schema = UCDP_SCHEMA.with_metadata({EXCLUDED_KEY: json.dumps(excluded, sort_keys=True).encode()})
    return pa.Table.from_arrays(arrays, schema=schema)


def excluded_counts(ged: pa.Table) -> dict[str, int]:
    """What :func:`to_ucdp` left out, by reason: ``not_ged_event_type`` (Protests, Strategic
    developments) and ``no_deaths`` (GED events have at least one death)."""
    raw = (ged.schema.metadata or {}).get(EXCLUDED_KEY)
    return json.loads(raw) if raw else {}


def ucdp_outputs(table: pa.Table) -> dict[str, pa.Table]:
    """Every file of the UCDP export by name: the CSV and its Parquet twin."""
    ged = to_ucdp(table)
    return {UCDP_CSV: ged, UCDP_PARQUET: ged}


def formula_note(out_dir: str | os.PathLike[str]) -> str | None:
    """How many cells of the ucdp_ged.csv in ``out_dir`` a spreadsheet would read as formulas, as a note
    to print, or None when there is none. The layout keeps them exact on purpose (it must concatenate
    with UCDP's own files): ``export spreadsheet`` is the copy to open in a spreadsheet."""
    return layout_note(Path(out_dir) / UCDP_PARQUET, UCDP_CSV, "UCDP GED")

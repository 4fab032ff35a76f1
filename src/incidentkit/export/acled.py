"""The ACLED layout: the dataset as ACLED's current 31 columns, with ACLED's conventions.

ACLED codes one event per day with the conservative (lowest) fatality figure. Our incidents keep date
ranges and low/best/high, so the layout is derived, not copied:

- time_precision 1 with a range of n days -> n rows, one per day; fatalities_low split evenly with the
  remainder to the first day (ACLED's rule for totals over several days), and the split noted in notes;
- time_precision 2 or 3 -> one row at the midpoint of the range (ACLED's rule for imprecise dates);
- event_id_cnty = ISO3 + the incident's number (:mod:`incidentkit.export.ids`), so split days of one
  incident share a prefix; ``acled_ids.csv`` maps every event_id_cnty back to our incident id;
- inter1/inter2/interaction as labels ("Rebel group", "State forces-Rebel group") like ACLED files
  since late 2024, or as numbers (``inter_labels=False``) like older files; a missing actor2 is 0 in
  number form and empty in label form, as ACLED writes them;
- civilian_targeting "Civilian targeting" or empty; iso the ISO 3166-1 numeric code; region ACLED's;
  source the report's outlet and source_scale its scale; timestamp the coding date (Unix seconds, UTC),
  so the same records always give the same file.

The columns are the API's (ISO dates, empty cells for missing values), which pandas and DuckDB read
alongside any ACLED vintage; see tests/test_export_acled.py.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable

import pyarrow as pa

from incidentkit.codebook import vocab
from incidentkit.codebook.countries import country_alpha3, country_name, country_numeric
from incidentkit.errors import UsageError
from incidentkit.export import ids
from incidentkit.export._io import join_list
from incidentkit.export.regions import acled_region

ACLED_COLUMNS: tuple[str, ...] = (
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type", "sub_event_type",
    "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction",
    "civilian_targeting", "iso", "region", "country", "admin1", "admin2", "admin3", "location", "latitude",
    "longitude", "geo_precision", "source", "source_scale", "notes", "fatalities", "tags", "timestamp",
)
CIVILIAN_TARGETING = "Civilian targeting"
ACLED_CSV = "acled.csv"
ACLED_PARQUET = "acled.parquet"
ACLED_IDS = "acled_ids.csv"

_NUMERIC_INTER = pa.int64()
_TYPES: dict[str, pa.DataType] = {
    "event_date": pa.date32(), "year": pa.int64(), "time_precision": pa.int64(), "iso": pa.int64(),
    "latitude": pa.float64(), "longitude": pa.float64(), "geo_precision": pa.int64(),
    "fatalities": pa.int64(), "timestamp": pa.int64(),
}
_EPOCH = dt.date(1970, 1, 1)


def acled_schema(inter_labels: bool = True) -> pa.Schema:
    """The Arrow schema of the ACLED layout (the Parquet twin keeps these types; the CSV their text)."""
    inter = pa.string() if inter_labels else _NUMERIC_INTER
    return pa.schema([pa.field(n, inter if n in ("inter1", "inter2", "interaction") else _TYPES.get(n, pa.string()))
                      for n in ACLED_COLUMNS])


def split_fatalities(total: int, days: int) -> list[int]:
    """ACLED's rule for a total over several days: even split, the remainder to the first day."""
    share, rest = divmod(total, days)
    return [share + rest] + [share] * (days - 1)


def event_days(start: dt.date, end: dt.date, time_precision: int) -> list[dt.date]:
    """The dates ACLED would code: every day for a precise range, else the range's midpoint."""
    span = (end - start).days
    if time_precision == 1:
        return [start + dt.timedelta(days=i) for i in range(span + 1)]
    return [start + dt.timedelta(days=span // 2)]


def _inter_writer(inter_labels: bool) -> tuple[Callable[[int | None], Any], Callable[[int], Any]]:
    if inter_labels:
        return (lambda c: vocab.INTER_CODES[c] if c else None), vocab.interaction_label
    return (lambda c: c or 0), (lambda c: c)


def _acled_rows(table: pa.Table, inter_labels: bool) -> tuple[dict[str, list[Any]], list[tuple[str, str, int]]]:
    col = {n: table.column(n).to_pylist() for n in (
        "id", "date_start", "date_end", "time_precision", "sub_event_type", "event_type", "actor1",
        "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "civilian_targeting", "country",
        "admin1", "admin2", "admin3", "location", "latitude", "longitude", "geo_precision", "source_outlet",
        "source_scale", "notes", "fatalities_low", "tags", "coded_on", "record_path", "record_line")}
    numbers = ids.incident_numbers(col["id"])
    inter_of, interaction_of = _inter_writer(inter_labels)
    out: dict[str, list[Any]] = {n: [] for n in ACLED_COLUMNS}
    mapping: list[tuple[str, str, int]] = []
    for i, iid in enumerate(col["id"]):
        start = col["date_start"][i]
        end = col["date_end"][i] or start
        tp = col["time_precision"][i]
        days = event_days(start, end, tp)
        if len(days) > ids.MAX_DAYS:
            raise UsageError(f"{col['record_path'][i]}:{col['record_line'][i]}: date_end: incident {iid} spans "
                             f"{len(days)} days with time_precision 1; ACLED codes one event per day and the "
                             f"export allows at most {ids.MAX_DAYS}; use time_precision 2 or 3 for long periods",
                             code="export-too-many-days")
        deaths = split_fatalities(col["fatalities_low"][i], len(days))
        note = col["notes"][i]
        if len(days) > 1:
            note = (f"{note} [incidentkit: {len(days)}-day incident split into one event per day; fatalities "
                    f"{col['fatalities_low'][i]} split {'/'.join(map(str, deaths))}; incident {iid}]")
        country = col["country"][i]
        inter1, inter2 = col["inter1"][i], col["inter2"][i] or 0
        code = vocab.interaction(inter1, inter2)
        stamp = (col["coded_on"][i] - _EPOCH).days * 86400
        prefix = country_alpha3(country) or country
        shared = {
            "time_precision": tp, "disorder_type": vocab.disorder_type(col["sub_event_type"][i]),
            "event_type": col["event_type"][i], "sub_event_type": col["sub_event_type"][i],
            "actor1": col["actor1"][i], "assoc_actor_1": join_list(col["assoc_actor_1"][i]),
            "inter1": inter_of(inter1), "actor2": col["actor2"][i] or None,
            "assoc_actor_2": join_list(col["assoc_actor_2"][i]), "inter2": inter_of(inter2),
            "interaction": interaction_of(code),
            "civilian_targeting": CIVILIAN_TARGETING if col["civilian_targeting"][i] else None,
            "iso": country_numeric(country), "region": acled_region(country),
            "country": country_name(country), "admin1": col["admin1"][i] or None, "admin2": col["admin2"][i] or None,
            "admin3": col["admin3"][i] or None, "location": col["location"][i], "latitude": col["latitude"][i],
            "longitude": col["longitude"][i], "geo_precision": col["geo_precision"][i],
            "source": col["source_outlet"][i], "source_scale": col["source_scale"][i] or None, "notes": note,
            "tags": join_list(col["tags"][i]), "timestamp": stamp,
        }
        for day_index, (day, dead) in enumerate(zip(days, deaths)):
            event_id = f"{prefix}{ids.event_number(numbers[iid], day_index)}"
            mapping.append((event_id, iid, day_index))
            out["event_id_cnty"].append(event_id)
            out["event_date"].append(day)
            out["year"].append(day.year)
            out["fatalities"].append(dead)
            for name, value in shared.items():
                out[name].append(value)
    return out, mapping


def to_acled(table: pa.Table, inter_labels: bool = True) -> pa.Table:
    """The dataset in ACLED's 31-column layout (one row per ACLED event), typed as :func:`acled_schema`.

    >>> from incidentkit.dataset import read_table
    >>> acled = to_acled(read_table("datasets"), inter_labels=False)   # doctest: +SKIP
    """
    cols, _ = _acled_rows(table, inter_labels)
    return pa.table(cols, schema=acled_schema(inter_labels))


def acled_id_map(table: pa.Table) -> pa.Table:
    """event_id_cnty -> our incident id and day index (0 = first day), for tracing ACLED rows back."""
    return _id_map_table(_acled_rows(table, True)[1])


def _id_map_table(mapping: list[tuple[str, str, int]]) -> pa.Table:
    return pa.table({"event_id_cnty": [m[0] for m in mapping], "incident_id": [m[1] for m in mapping],
                     "day_index": pa.array([m[2] for m in mapping], pa.int64())})


def acled_outputs(table: pa.Table, inter_labels: bool = True) -> dict[str, pa.Table]:
    """Every file of the ACLED export by name: the CSV, its Parquet twin and the id mapping."""
    cols, mapping = _acled_rows(table, inter_labels)
    acled = pa.table(cols, schema=acled_schema(inter_labels))
    return {ACLED_CSV: acled, ACLED_PARQUET: acled, ACLED_IDS: _id_map_table(mapping)}

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
alongside any ACLED vintage; see tests/test_export_acled.py. Text is written exactly as coded, even a
note beginning with ``=`` (a spreadsheet would run it): the file must concatenate with ACLED's own, so
:func:`formula_note` only counts such cells for the commands to say so.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from incidentkit.codebook import vocab
from incidentkit.codebook.countries import country_alpha3, country_name, country_numeric
from incidentkit.errors import InputFileError
from incidentkit.export import ids
from incidentkit.export._arrow import concat_text, day_numbers, ints, join_lists, map_distinct, or_null, plain
from incidentkit.export.regions import acled_region
from incidentkit.formulas import layout_note

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


def acled_schema(inter_labels: bool = True) -> pa.Schema:
    """The Arrow schema of the ACLED layout (the Parquet twin keeps these types; the CSV their text)."""
    inter = pa.string() if inter_labels else _NUMERIC_INTER
    return pa.schema([pa.field(n, inter if n in ("inter1", "inter2", "interaction") else _TYPES.get(n, pa.string()))
                      for n in ACLED_COLUMNS])


def split_fatalities(total: int, days: int) -> list[int]:
    """ACLED's rule for a total over several days: even split, the remainder to the first day."""
    share, rest = divmod(total, days)
    return [share + rest] + [share] * (days - 1)


def _inter_writer(inter_labels: bool) -> tuple[Callable[[int | None], Any], Callable[[int], Any], pa.DataType]:
    if inter_labels:
        return (lambda c: vocab.INTER_CODES[c] if c else None), vocab.interaction_label, pa.string()
    return (lambda c: c or 0), (lambda c: c), _NUMERIC_INTER


def _split_note(days: int, low: int) -> str:
    return (f"{days}-day incident split into one event per day; fatalities {low} split "
            f"{'/'.join(map(str, split_fatalities(low, days)))}")


def _event_days(table: pa.Table) -> tuple[np.ndarray, np.ndarray]:
    """Per incident, the first date ACLED would code (days since 1970) and how many events it becomes:
    every day of a precise range (time_precision 1), else one event at the range's midpoint."""
    start = day_numbers(table.column("date_start"))
    span = day_numbers(pc.coalesce(table.column("date_end"), table.column("date_start"))) - start
    precise = ints(table.column("time_precision")) == 1
    days = np.where(precise, span + 1, 1)
    too_long = np.flatnonzero(days > ids.MAX_DAYS)
    if too_long.size:
        i = int(too_long[0])
        row = table.slice(i, 1).select(["id", "record_path", "record_line"]).to_pylist()[0]
        raise InputFileError(f"{row['record_path']}:{row['record_line']}: date_end: incident {row['id']} spans "
                             f"{days[i]} days with time_precision 1; ACLED codes one event per day and the "
                             f"export allows at most {ids.MAX_DAYS}; use time_precision 2 or 3 for long periods",
                             code="export-too-many-days")
    return np.where(precise, start, start + span // 2), days


def _acled_rows(table: pa.Table, inter_labels: bool) -> tuple[pa.Table, pa.Table]:
    """The ACLED table and the id map: incident-level columns derived once, then repeated per day."""
    first_day, days = _event_days(table)
    row = np.repeat(np.arange(table.num_rows), days)                  # the incident of each event
    day_index = np.arange(len(row)) - np.repeat(np.cumsum(days) - days, days)
    event_date = pa.array(first_day[row] + day_index, pa.int32()).cast(pa.date32())
    low = ints(table.column("fatalities_low"))
    share, rest = np.divmod(low, days)
    fatalities = share[row] + np.where(day_index == 0, rest[row], 0)

    col = table.column
    inter_of, interaction_of, inter_type = _inter_writer(inter_labels)
    country = col("country")
    note = plain(col("notes"))
    split = concat_text(note, " [incidentkit: ", map_distinct(_split_note, days, low, type=pa.string()),
                        "; incident ", col("id"), "]")
    per_incident = {
        "time_precision": plain(col("time_precision")).cast(pa.int64()),
        "disorder_type": map_distinct(vocab.disorder_type, col("sub_event_type"), type=pa.string()),
        "event_type": plain(col("event_type")), "sub_event_type": plain(col("sub_event_type")),
        "actor1": plain(col("actor1")), "assoc_actor_1": join_lists(col("assoc_actor_1")),
        "inter1": map_distinct(inter_of, col("inter1"), type=inter_type),
        "actor2": or_null(col("actor2")), "assoc_actor_2": join_lists(col("assoc_actor_2")),
        "inter2": map_distinct(lambda c: inter_of(c or 0), col("inter2"), type=inter_type),
        "interaction": map_distinct(lambda a, b: interaction_of(vocab.interaction(a, b or 0)), col("inter1"),
                                    col("inter2"), type=inter_type),
        "civilian_targeting": map_distinct(lambda v: CIVILIAN_TARGETING if v else None, col("civilian_targeting"),
                                           type=pa.string()),
        "iso": map_distinct(country_numeric, country, type=pa.int64()),
        "region": map_distinct(acled_region, country, type=pa.string()),
        "country": map_distinct(country_name, country, type=pa.string()),
        "admin1": or_null(col("admin1")), "admin2": or_null(col("admin2")), "admin3": or_null(col("admin3")),
        "location": plain(col("location")), "latitude": plain(col("latitude")),
        "longitude": plain(col("longitude")), "geo_precision": plain(col("geo_precision")).cast(pa.int64()),
        "source": plain(col("source_outlet")), "source_scale": or_null(col("source_scale")),
        "notes": pc.if_else(pa.array(days > 1), split, note), "tags": join_lists(col("tags")),
        "timestamp": pa.array(day_numbers(col("coded_on")) * 86400),
        "prefix": map_distinct(lambda c: country_alpha3(c) or c, country, type=pa.string()),
    }
    events = pa.table(per_incident).take(pa.array(row))
    numbers = ids.number_array(col("id"))[row] * ids.MAX_DAYS + day_index
    event_id = pc.binary_join_element_wise(events.column("prefix"), pa.array(numbers).cast(pa.string()), "")
    per_event = {"event_id_cnty": event_id, "event_date": event_date, "year": pc.year(event_date),
                 "fatalities": pa.array(fatalities)}
    acled = pa.table([per_event[n] if n in per_event else events.column(n) for n in ACLED_COLUMNS],
                     schema=acled_schema(inter_labels))
    id_map = pa.table({"event_id_cnty": event_id, "incident_id": plain(col("id")).take(pa.array(row)),
                       "day_index": pa.array(day_index, pa.int64())})
    return acled, id_map


def to_acled(table: pa.Table, inter_labels: bool = True) -> pa.Table:
    """The dataset in ACLED's 31-column layout (one row per ACLED event), typed as :func:`acled_schema`.

    >>> from incidentkit.dataset import read_table
    >>> acled = to_acled(read_table("datasets"), inter_labels=False)   # doctest: +SKIP
    """
    return _acled_rows(table, inter_labels)[0]


def acled_id_map(table: pa.Table) -> pa.Table:
    """event_id_cnty -> our incident id and day index (0 = first day), for tracing ACLED rows back."""
    return _acled_rows(table, True)[1]


def acled_outputs(table: pa.Table, inter_labels: bool = True) -> dict[str, pa.Table]:
    """Every file of the ACLED export by name: the CSV, its Parquet twin and the id mapping."""
    acled, id_map = _acled_rows(table, inter_labels)
    return {ACLED_CSV: acled, ACLED_PARQUET: acled, ACLED_IDS: id_map}


def formula_note(out_dir: str | os.PathLike[str]) -> str | None:
    """How many cells of the acled.csv in ``out_dir`` a spreadsheet would read as formulas, as a note to
    print, or None when there is none. The layout keeps them exact on purpose (it must concatenate with
    ACLED's own files): ``export spreadsheet`` is the copy to open in a spreadsheet."""
    return layout_note(Path(out_dir) / ACLED_PARQUET, ACLED_CSV, "ACLED")

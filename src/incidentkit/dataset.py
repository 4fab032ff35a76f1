"""The incident dataset on disk: normalised rows -> Arrow table -> Parquet, and back to pandas.

This is the public reader and writer of ``incidents.parquet``. Later stages (exports, linking,
notebooks) read the dataset only through :func:`read_table` / :func:`read_incidents`, so the file's
layout can evolve while old files keep reading (see tests/data/golden).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Mapping, Sequence

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from incidentkit._version import __version__
from incidentkit.codebook.schema import CATEGORIES, CODEBOOK_VERSION, COLUMNS, METADATA_KEY, incident_schema
from incidentkit.errors import InputFileError

PARQUET_OPTIONS: Mapping[str, Any] = {"compression": "zstd", "use_dictionary": True, "write_statistics": True}
INCIDENTS_FILE = "incidents.parquet"


def column_array(col_type: pa.DataType, name: str, values: list[Any]) -> pa.Array:
    """One column of the dataset from Python values, dictionary-encoded against its vocabulary."""
    if pa.types.is_dictionary(col_type):
        categories = CATEGORIES.get(name)
        if categories is None:  # open vocabulary (country, language): sorted so builds are stable
            categories = tuple(sorted({v for v in values if v is not None}))
        index = {c: i for i, c in enumerate(categories)}
        try:
            indices = pa.array([None if v is None else index[v] for v in values], type=col_type.index_type)
        except KeyError as exc:  # pragma: no cover - validation guarantees vocabulary values
            raise ValueError(f"column {name}: {exc.args[0]!r} is not in its vocabulary") from None
        return pa.DictionaryArray.from_arrays(indices, pa.array(categories, type=col_type.value_type))
    return pa.array(values, type=col_type)


def rows_to_table(rows: Sequence[Mapping[str, Any]], metadata: Mapping[str, Any] | None = None) -> pa.Table:
    """Build the dataset table with the explicit schema; rows must come from validation."""
    meta = {METADATA_KEY: json.dumps(dict(metadata or {}), sort_keys=True, ensure_ascii=False).encode()}
    schema = incident_schema(meta)
    arrays = []
    for col, fld in zip(COLUMNS, schema):
        arrays.append(column_array(fld.type, col.name, [r.get(col.name) for r in rows]))
    return pa.Table.from_arrays(arrays, schema=schema)


def finalize(chunks: Sequence[pa.Table], metadata: Mapping[str, Any]) -> pa.Table:
    """Join tables built chunk by chunk into one, sorted by id, with the build's metadata.

    Open-vocabulary dictionary columns (country, language) are re-encoded against their sorted values,
    so the bytes do not depend on how the rows were chunked.
    """
    meta = {METADATA_KEY: json.dumps(dict(metadata), sort_keys=True, ensure_ascii=False).encode()}
    schema = incident_schema(meta)
    if not chunks:
        return rows_to_table([], metadata)
    table = pa.concat_tables([c.replace_schema_metadata(None) for c in chunks])
    table = table.take(pc.sort_indices(table, sort_keys=[("id", "ascending")]))
    arrays = []
    for fld in schema:
        col = table.column(fld.name)
        if pa.types.is_dictionary(fld.type):
            values = col.cast(pa.string()).to_pylist() if len(chunks) > 1 else None
            if values is not None:
                col = column_array(fld.type, fld.name, values)
        arrays.append(col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col)
    return pa.Table.from_arrays(arrays, schema=schema)


def dataset_metadata(table: pa.Table) -> dict[str, Any]:
    """The incidentkit metadata of a dataset table or file: codebook version, tool version, input hash."""
    raw = (table.schema.metadata or {}).get(METADATA_KEY)
    return json.loads(raw) if raw else {}


def build_metadata(inputs_sha256: str, incidents: int, sources: int) -> dict[str, Any]:
    return {"codebook_version": CODEBOOK_VERSION, "incidentkit_version": __version__,
            "inputs_sha256": inputs_sha256, "incidents": incidents, "sources": sources}


def write_parquet(table: pa.Table, path: str | os.PathLike[str]) -> None:
    """Write deterministically: same table, same bytes (no timestamps, fixed options)."""
    pq.write_table(table, path, **PARQUET_OPTIONS)


def _resolve(path: str | os.PathLike[str]) -> Path:
    p = Path(path)
    if p.is_dir():
        p = p / INCIDENTS_FILE
    if not p.exists():
        raise InputFileError(f"{p}: no dataset here; run `incidentkit build` first", code="file-unreadable")
    return p


def read_table(path: str | os.PathLike[str] = "datasets") -> pa.Table:
    """Read an incidents Parquet file (or the one in a dataset folder) as an Arrow table.

    Files written by older versions are upgraded to the current schema: columns added since are filled
    with nulls, so code written for today's layout reads yesterday's files.
    """
    from incidentkit.lock import reading

    p = _resolve(path)
    try:
        with reading(p.parent):  # no build publishes while the file is read
            table = pq.read_table(p)
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputFileError(f"{p}: not a readable Parquet dataset ({exc})", code="file-unreadable") from None
    if METADATA_KEY not in (table.schema.metadata or {}) or "dataset" in table.column_names:
        raise InputFileError(f"{p}: not an incidents dataset written by `incidentkit build` (an export, or "
                             "ingested external events? read those with incidentkit.read_events)",
                             code="not-a-dataset")
    try:
        return upgrade(table)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, KeyError, ValueError) as exc:
        raise InputFileError(f"{p}: its columns do not fit the incidents schema ({exc})",
                             code="not-a-dataset") from None


def upgrade(table: pa.Table) -> pa.Table:
    """Bring a dataset table written by any earlier version to the current schema."""
    current = incident_schema(table.schema.metadata)
    arrays = []
    for fld in current:
        if fld.name in table.column_names:
            arr = table.column(fld.name)
            if arr.type != fld.type:
                arr = arr.cast(fld.type)
            arrays.append(arr)
        else:
            arrays.append(pa.nulls(table.num_rows, fld.type))
    extra = [n for n in table.column_names if n not in current.names]
    out = pa.Table.from_arrays(arrays, schema=current)
    for name in extra:  # columns a newer writer added are kept, not dropped
        out = out.append_column(table.schema.field(name), table.column(name))
    return out


def _pandas_types() -> dict[pa.DataType, Any]:
    import pandas as pd

    return {pa.int8(): pd.Int8Dtype(), pa.int16(): pd.Int16Dtype(), pa.int32(): pd.Int32Dtype(),
            pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype()}


def to_pandas(table: pa.Table) -> "Any":
    """Arrow -> pandas: categorical vocabulary columns, datetime64 dates, nullable integer codes.

    Integer codes use pandas' nullable dtypes (Int8, Int32) so a missing inter2 or geo_precision stays
    missing instead of turning the column into floats.
    """
    return table.to_pandas(date_as_object=False, types_mapper=_pandas_types().get)


def read_incidents(path: str | os.PathLike[str] = "datasets") -> "Any":
    """The incident dataset as a pandas DataFrame, ready for analysis.

    Vocabulary columns (event_type, sub_event_type, disorder_type, country, ...) are categoricals holding
    the whole vocabulary; dates are ``datetime64``; list columns hold lists.

    >>> import incidentkit
    >>> df = incidentkit.read_incidents("datasets")           # doctest: +SKIP
    >>> df.groupby("event_type", observed=True)["fatalities_best"].sum()  # doctest: +SKIP
    """
    return to_pandas(read_table(path))

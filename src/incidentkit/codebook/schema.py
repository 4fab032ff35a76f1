"""The Arrow schema of the incident dataset, derived from the codebook fields.

The dataset is flat: one row per incident with its source's fields repeated (prefixed ``source_``),
fatalities split into ``fatalities_low/best/high``, and the derived and provenance columns appended.
Vocabulary columns are dictionary-encoded against the *whole* vocabulary, so categories are stable
across datasets and pandas gets ordered, complete categoricals.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from incidentkit.codebook import vocab
from incidentkit.codebook.fields import FIELDS, Field, Kind

CODEBOOK_VERSION = "1.0"
METADATA_KEY = b"incidentkit"

_DICT = pa.dictionary(pa.int16(), pa.string())
#: Each evidence item as coded (field, quote) and where the quote is in the source's article: [start, end)
#: character offsets into the article's text as read (UTF-8, nothing normalised), null without an article.
_EVIDENCE = pa.list_(pa.struct([pa.field("field", pa.string()), pa.field("quote", pa.string()),
                                pa.field("start", pa.int32()), pa.field("end", pa.int32())]))

_ARROW_BY_KIND: dict[Kind, pa.DataType] = {
    Kind.ID: pa.string(),
    Kind.TEXT: pa.string(),
    Kind.URL: pa.string(),
    Kind.DATE: pa.date32(),
    Kind.LANGUAGE: _DICT,
    Kind.COUNTRY: _DICT,
    Kind.TEXT_LIST: pa.list_(pa.string()),
    Kind.EVENT_TYPE: _DICT,
    Kind.SUB_EVENT_TYPE: _DICT,
    Kind.INTER: pa.int8(),
    Kind.CODE: pa.int8(),
    Kind.BOOL: pa.bool_(),
    Kind.LATITUDE: pa.float64(),
    Kind.LONGITUDE: pa.float64(),
    Kind.COUNT: pa.int32(),
    Kind.EVIDENCE: _EVIDENCE,
}

#: Vocabularies that fix the dictionary of a column (its pandas categories), in codebook order.
CATEGORIES: dict[str, tuple[str, ...]] = {
    "event_type": tuple(vocab.EVENT_TYPES),
    "sub_event_type": tuple(vocab.SUB_EVENT_TYPES),
    "disorder_type": vocab.DISORDER_TYPES,
    "geo_source": ("coder", "geocoder", "none", "admin-fallback"),
}


@dataclass(frozen=True)
class Column:
    name: str
    type: pa.DataType
    nullable: bool
    description: str
    field: Field | None = None      # the codebook field it comes from, None for derived columns

    def arrow_field(self) -> pa.Field:
        return pa.field(self.name, self.type, nullable=self.nullable,
                        metadata={b"description": self.description.encode()})


def _field_columns(f: Field) -> list[Column]:
    if f.kind is Kind.FATALITIES:
        return [Column(f"fatalities_{part}", pa.int32(), False, f"Fatalities, {part} estimate.", f)
                for part in ("low", "best", "high")]
    typ = pa.dictionary(pa.int8(), pa.string()) if f.column in CATEGORIES else _ARROW_BY_KIND[f.kind]
    return [Column(f.column, typ, not f.required, f.description, f)]


DERIVED_COLUMNS: tuple[Column, ...] = (
    Column("disorder_type", pa.dictionary(pa.int8(), pa.string()), False,
           "ACLED disorder type, derived from sub_event_type."),
    Column("interaction", pa.int8(), False, "ACLED interaction code: both actor types, lower first (X0 alone)."),
    Column("where_prec", pa.int8(), True, "UCDP where_prec, from the geocoder or from geo_precision."),
    Column("priogrid_gid", pa.int32(), True, "PRIO-GRID cell of the point, where coordinates exist."),
    Column("geo_source", pa.dictionary(pa.int8(), pa.string()), False,
           "Who set the coordinates: coder, geocoder, none, or admin-fallback (a place in no gazetteer put "
           "at its coded province's or district's seat, geo_precision 3)."),
    Column("geo_matched_name", pa.string(), True, "Gazetteer name the geocoder matched."),
    Column("geo_gazetteer", pa.string(), True, "Gazetteer (or online service) the point comes from."),
    Column("geo_gazetteer_id", pa.string(), True, "The place's id in that gazetteer."),
    Column("geo_score", pa.float32(), True, "The geocoder's match score, 0-100."),
    Column("geo_ambiguous", pa.bool_(), True, "True when other places matched almost as well."),
    Column("record_path", pa.string(), False, "The coded file the incident comes from, relative to the coded folder."),
    Column("record_line", pa.int32(), False, "The line of the incident in that file."),
)


def _columns() -> tuple[Column, ...]:
    cols: list[Column] = []
    for f in FIELDS:
        cols.extend(_field_columns(f))
    # derived columns sit right after what they derive from, as in ACLED's layout where possible
    return tuple(cols) + DERIVED_COLUMNS


COLUMNS: tuple[Column, ...] = _columns()
COLUMN_NAMES: tuple[str, ...] = tuple(c.name for c in COLUMNS)


def incident_schema(metadata: dict[bytes, bytes] | None = None) -> pa.Schema:
    """The explicit Arrow schema every incidents.parquet is written with."""
    return pa.schema([c.arrow_field() for c in COLUMNS], metadata=metadata)

"""Read POLECAT event files (Harvard Dataverse, PLOVER-coded) into the harmonised schema, streaming.

POLECAT publishes weekly tab-separated files ("ngecEvents.20230103111842.Release603.DV.txt") and yearly
zips of monthly files ("ngecEventsDV-2022.txt.zip"), with a header row of some 40 columns: Event ID,
Event Date, Event Type, Event Mode, Intensity (later "Event Intensity"), Quad Code, Contexts, the actor's
and the recipient's Name, Country, COW, Primary Sector, Sectors, Title, Name Raw and Wikipedia ID,
Placename, City, District, Province, Country, Latitude, Longitude, GeoNames ID, Raw Placename, Feature
Type, Source, Publication Date, Story People, Story Organizations, Story Locations, Language, Version.

Quirks handled here:

* stray trailing tabs: some rows (and headers) end in extra, empty fields. They are read; an extra field
  that holds something is a located error (a tab inside a cell shifts every column after it);
* unescaped quotes in names and titles: the files never quote, so ``"`` is an ordinary character;
* "None" (Python's) for an empty cell, and several values in one cell separated by ";" (compound actors
  "Russia;Ukraine", their countries "RUS;UKR", contexts, sectors, the story's people);
* countries as ISO alpha-3 codes; places resolved to GeoNames, whose feature code ("PPL", "ADM1",
  "PCLI") gives the precision (:func:`feature_precision`).

The files are read line by line (each physical line one text cell, split on tabs by Arrow in C++), so
rows of different lengths never stop the reader and every error names its physical line.

The PLOVER type and mode are kept as ``event_code`` ("plover:ASSAULT/firearms"; "plover:PROTEST/" when
there is no mode) and mapped to ACLED types through the crosswalk table.

>>> ingest_polecat("ngecEvents.20230103111842.Release603.DV.txt", "polecat.parquet")  # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from incidentkit.errors import quote
from incidentkit.external import _convert as cv
from incidentkit.external._stream import (
    Converter,
    ExternalFileError,
    IngestResult,
    Source,
    dataset_column,
    fail,
    open_source,
    record_line,
    run,
)
from incidentkit.external._types import AcledTypes
from incidentkit.external.icews import (
    PRECISION,
    admin_precision,
    coordinates,
    encode_countries,
    flag_lists,
    open_inputs,
    slug,
    split_on,
)
from incidentkit.external.schema import EVENT_CODE, external_schema, shared_type
from incidentkit.progress import note

#: The columns of the Dataverse files, in their order.
COLUMNS: tuple[str, ...] = (
    "Event ID", "Event Date", "Event Type", "Event Mode", "Intensity", "Quad Code", "Contexts",
    "Actor Name", "Actor Country", "Actor COW", "Primary Actor Sector", "Actor Sectors", "Actor Title",
    "Actor Name Raw", "Wikipedia Actor ID",
    "Recipient Name", "Recipient Country", "Recipient COW", "Primary Recipient Sector", "Recipient Sectors",
    "Recipient Title", "Recipient Name Raw", "Wikipedia Recipient ID",
    "Placename", "City", "District", "Province", "Country", "Latitude", "Longitude", "GeoNames ID",
    "Raw Placename", "Feature Type", "Source", "Publication Date", "Story People", "Story Organizations",
    "Story Locations", "Language", "Version")
#: Later releases name the intensity "Event Intensity".
ALIASES: dict[str, str] = {"Event Intensity": "Intensity"}
REQUIRED: tuple[str, ...] = ("Event ID", "Event Date", "Event Type")
PATTERNS: tuple[str, ...] = ("*.txt", "*.txt.zip", "*.tsv", "*.zip")
#: The event types of the PLOVER manual; another type is kept, flagged ``plover_type_unknown``.
PLOVER_TYPES: frozenset[str] = frozenset({
    "AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST", "ACCUSE", "REJECT",
    "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT"})
#: How POLECAT writes an empty cell (Python's None) besides leaving it empty; "NA" too, as every reader does.
EMPTY: tuple[str, ...] = ("", "NA", "None")
#: The byte each line is "split" on by the CSV parser: never in text, so a physical line is one cell.
LINE_DELIMITER = "\x1f"


def split_list(arr: pa.Array) -> pa.Array:
    """"RUS;UKR" or "Russia; Ukraine" -> a list (:func:`incidentkit.external.icews.split_on`)."""
    return split_on(arr, ";")


def none_to_null(arr: pa.Array) -> pa.Array:
    """POLECAT's "None" cells null ("" and "NA" the engine made null already): a new validity bitmap over
    the same text buffers, no copy of the text."""
    hit = pc.equal(arr, "None")
    if not pc.any(hit).as_py():
        return arr
    keep = pc.and_not(pc.is_valid(arr), pc.fill_null(hit, False))
    if arr.offset or keep.offset or keep.buffers()[0] is not None or not pa.types.is_string(arr.type):
        return pc.if_else(hit, pa.scalar(None, arr.type), arr)
    return pa.Array.from_buffers(arr.type, len(arr), [keep.buffers()[1], arr.buffers()[1], arr.buffers()[2]])

#: Source column -> output column, for the columns kept as text.
TEXT: dict[str, str] = {
    "Actor COW": "polecat_actor_cow", "Actor Sectors": "polecat_actor_sectors",
    "Recipient COW": "polecat_recipient_cow", "Recipient Sectors": "polecat_recipient_sectors",
    "Story People": "polecat_story_people", "Story Organizations": "polecat_story_organizations",
    "Story Locations": "polecat_story_locations",
    "Quad Code": "polecat_quad_code", "Primary Actor Sector": "polecat_primary_actor_sector",
    "Actor Title": "polecat_actor_title", "Actor Name Raw": "polecat_actor_name_raw",
    "Wikipedia Actor ID": "polecat_wikipedia_actor_id", "Primary Recipient Sector": "polecat_primary_recipient_sector",
    "Recipient Title": "polecat_recipient_title", "Recipient Name Raw": "polecat_recipient_name_raw",
    "Wikipedia Recipient ID": "polecat_wikipedia_recipient_id", "Placename": "polecat_placename",
    "City": "polecat_city", "Country": "polecat_country", "Raw Placename": "polecat_raw_placename",
    "Feature Type": "polecat_feature_type", "Publication Date": "polecat_publication_date",
    "Language": "polecat_language", "Version": "polecat_version",
}
#: Source column -> output column, for the ";"-separated values read as lists (the PLOVER modes and
#: contexts, the actors' countries). The other ";"-separated columns (COW codes, sectors, the story's people,
#: organisations and places) are kept as POLECAT writes them: splitting them costs more than any use of them.
LISTS: dict[str, str] = {
    "Event Mode": "polecat_event_modes", "Contexts": "polecat_contexts",
    "Actor Country": "polecat_actor_country", "Recipient Country": "polecat_recipient_country",
}
POLECAT_EXTRAS: dict[str, pa.DataType] = {
    **EVENT_CODE,
    "polecat_event_type": pa.string(),
    "polecat_intensity": pa.float64(),
    "polecat_geonames_id": pa.int64(),
    **{name: pa.string() for name in TEXT.values()},
    **{name: pa.list_(pa.string()) for name in LISTS.values()},
}
KNOWN: frozenset[str] = frozenset(COLUMNS) | frozenset(ALIASES)

#: GeoNames feature codes -> (geo_precision, where_prec), as in :data:`incidentkit.external.icews.PRECISION`.
#: Populated places are the place itself; second- to fifth-order units "part of a region"; first-order
#: units and regions ACLED's "larger region"; countries and larger have no point. Any other feature (a
#: base, an airport, a river, a mountain) is near a named place: (2, 2).
FEATURE_PRECISION: dict[str, tuple[int, int]] = {
    "ADM1": PRECISION["province"], "ADM1H": PRECISION["province"], "RGN": PRECISION["province"],
    "RGNE": PRECISION["province"], "RGNH": PRECISION["province"],
    "ADM2": PRECISION["district"], "ADM2H": PRECISION["district"], "ADM3": PRECISION["district"],
    "ADM3H": PRECISION["district"], "ADM4": PRECISION["district"], "ADM4H": PRECISION["district"],
    "ADM5": PRECISION["district"], "ADMD": PRECISION["district"], "ADMDH": PRECISION["district"],
    "CONT": PRECISION["country"], "TERR": PRECISION["country"], "ZN": PRECISION["country"],
}


def feature_precision(code: str) -> int:
    """geo_precision * 10 + where_prec for a GeoNames feature code ("PPLA2" -> 11, "ADM1" -> 34)."""
    c = code.strip().upper()
    if c.startswith("PPL"):
        geo, where = PRECISION["city"]
    elif c.startswith("PCL"):
        geo, where = PRECISION["country"]
    else:
        geo, where = FEATURE_PRECISION.get(c, (2, 2))
    return geo * 10 + where


def _parse_lines(lines: pa.Array, width: int) -> pa.Table:
    """Tab-separated lines (no line ends) as a table of ``width`` text columns; EMPTY values null.

    Raises :class:`pyarrow.ArrowInvalid` when a line has another number of fields.
    """
    text = pc.binary_join_element_wise(lines, pa.scalar("\n"), "")
    offsets = np.frombuffer(text.buffers()[1], dtype=np.int32)[text.offset:text.offset + len(text) + 1]
    data = text.buffers()[2].slice(int(offsets[0]), int(offsets[-1] - offsets[0]))
    names = [f"f{k}" for k in range(width)]
    table = pacsv.read_csv(
        pa.BufferReader(data),
        read_options=pacsv.ReadOptions(column_names=names, use_threads=True, block_size=1 << 20),
        parse_options=pacsv.ParseOptions(delimiter="\t", quote_char=False, ignore_empty_lines=False),
        convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names}, null_values=list(EMPTY),
                                             strings_can_be_null=True))
    if table.num_rows != len(lines):  # pragma: no cover - every line is one row
        raise pa.ArrowInvalid(f"{table.num_rows} rows parsed from {len(lines)} lines")
    return table


@dataclasses.dataclass
class LineSource(Source):
    """A POLECAT file: ``columns`` are the names its header gives the fields (aliases resolved).

    ``by_line=False``: the engine splits the fields on tabs (the fast path, one parse). ``by_line=True``:
    each physical line is one cell, split by :meth:`_PolecatConverter.fields` (rows with stray trailing
    tabs are then read, and a broken row is named by its line).
    """

    columns: list[str] = dataclasses.field(default_factory=list)
    by_line: bool = True


def _open(path: Path, member: str | None) -> LineSource:
    """Read and check the header; a file whose header ends in a stray tab is read line by line from the start."""
    src = open_source(path, (), delimiter=LINE_DELIMITER, quoting=False, member=member, what="POLECAT publishes")
    line = src.header[0] if src.header else ""
    raw = [h.strip() for h in line.split("\t")]
    stray = _header_ends_in_tab(src)
    while raw and not raw[-1]:  # a header ending in stray tabs
        raw.pop()
    names = [ALIASES.get(h, h) for h in raw]
    for k, h in enumerate(names):
        if not h:
            raise fail("csv-header", f"column {k + 1} of the header has no name", src.name, 1)
    dupes = sorted({h for h in names if names.count(h) > 1})
    if dupes:
        raise fail("csv-header", f"column {quote(dupes[0])} appears twice in the header", src.name, 1, dupes[0])
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        found = ", ".join(quote(h, 60)[1:-1] for h in names[:8])
        hint = " (is the file tab-separated?)" if len(names) == 1 else ""
        raise fail("external-missing-column", f"required column {missing[0]!r} is missing (found: {found}"
                   f"{' ...' if len(names) > 8 else ''}){hint}", src.name, 1, missing[0])
    base = {f.name: getattr(src, f.name) for f in dataclasses.fields(Source)}
    out = LineSource(**base, columns=names)
    return as_lines(out) if stray else dataclasses.replace(out, header=raw, delimiter="\t", by_line=False)


def _header_ends_in_tab(src: Source) -> bool:
    """Whether the first line ends in a tab (the header as ``open_source`` returns it is stripped)."""
    with src.open_binary() as fh:
        first = fh.readline(1 << 20)
    return first.rstrip(b"\r\n").endswith(b"\t")


def as_lines(src: LineSource) -> LineSource:
    """The same file read line by line (each physical line one cell): for rows longer than the header."""
    return dataclasses.replace(src, header=["line"], delimiter=LINE_DELIMITER, by_line=True)


class _SourceConverter:
    """Converts the batches of one source in order, counting rows so a broken line is named."""

    def __init__(self, parent: _PolecatConverter, src: LineSource) -> None:
        self.parent, self.src, self.seen = parent, src, 0

    def __call__(self, batch: pa.RecordBatch) -> dict[str, pa.Array]:
        out = self.parent.convert(batch, self.src, self.seen)
        self.seen += batch.num_rows
        return out


class _PolecatConverter:
    def __init__(self, unknown: dict[str, str], crosswalk: str | os.PathLike[str] | None = None) -> None:
        self.unknown = unknown
        self.types = AcledTypes(crosswalk)
        self.country = cv.GrowingDictionary(shared_type("country"))

    def for_source(self, src: Source) -> Converter:
        assert isinstance(src, LineSource)
        return _SourceConverter(self, src)

    def fields(self, batch: pa.RecordBatch, src: LineSource, seen: int) -> dict[str, pa.Array]:
        """The line column parsed into the header's columns; placeholders ("None") null.

        The lines, joined back into text, are parsed by Arrow's CSV reader (C++, threads) as tab-separated
        fields: first as exactly the header's columns (every line of most files), and only when a line
        has another number of fields, again with every line padded to the longest, after checking that
        no line is short and that every field beyond the header's is empty.
        """
        if not src.by_line:
            return {name: none_to_null(batch.column(j)) for j, name in enumerate(src.columns)}
        n_cols = len(src.columns)
        lines = pc.fill_null(batch.column(0), "NA")  # the engine read a line "NA" as null
        try:
            table = _parse_lines(lines, n_cols)
        except pa.ArrowInvalid:
            table = self._uneven(lines, src, seen)
        return {name: table.column(j).combine_chunks() for j, name in enumerate(src.columns)}

    def _uneven(self, lines: pa.Array, src: LineSource, seen: int) -> pa.Table:
        """Lines with stray trailing tabs (or a broken one, located): padded to one width and parsed."""
        n_cols = len(src.columns)
        counts = pc.add(pc.count_substring(lines, "\t"), 1).to_numpy(zero_copy_only=False)
        short = counts < n_cols
        if short.any():
            i = int(np.argmax(short))
            k = int(counts[i])
            raise fail("external-truncated", f"the record ends before column {src.columns[k]!r} (expected "
                       f"{n_cols} fields, found {k}): is the file truncated?", src.name,
                       record_line(src, seen + i), src.columns[k])
        width = int(counts.max())
        pads = pc.take(pa.array(["\t" * k for k in range(width - n_cols + 1)]), pa.array(width - counts))
        table = _parse_lines(pc.binary_join_element_wise(lines, pads, ""), width)
        for j in range(n_cols, width):
            extra = table.column(j).combine_chunks()
            if extra.null_count < len(extra):
                i = int(pc.index(pc.is_valid(extra), True).as_py())
                raise fail("external-truncated", f"the record has {int(counts[i])} fields, the header {n_cols}, "
                           f"and field {j + 1} holds {quote(extra[i].as_py(), 60)}: a tab inside a cell shifts "
                           "every column after it", src.name, record_line(src, seen + i), f"field {j + 1}")
        return table

    def convert(self, b: pa.RecordBatch, src: LineSource, seen: int) -> dict[str, pa.Array]:
        cells = self.fields(b, src, seen)
        n = b.num_rows

        def col(name: str) -> pa.Array:
            return cells[name] if name in cells else pa.nulls(n, pa.string())

        ids = col("Event ID")
        if ids.null_count:
            i = int(pc.index(pc.is_null(ids), True).as_py())
            raise cv.CellError(i, "Event ID", None, "an event id (it is empty)")
        out: dict[str, pa.Array] = {"id": pc.utf8_trim_whitespace(ids)}
        date = cv.to_date(col("Event Date"), "Event Date",
                          ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y%m%d"))
        out["date_start"] = out["date_end"] = date
        out["time_precision"] = pa.array(np.ones(n, np.int8))

        etype = pc.utf8_upper(pc.utf8_trim_whitespace(col("Event Type")))
        bad = pc.invert(pc.fill_null(pc.match_substring_regex(etype, r"^[A-Z][A-Z_-]*$"), True))
        if pc.any(bad).as_py():
            i = int(pc.index(bad, True).as_py())
            raise cv.CellError(i, "Event Type", col("Event Type")[i].as_py(), "a PLOVER event type (e.g. ASSAULT)")
        modes = split_list(pc.utf8_lower(col("Event Mode")))
        first = pc.fill_null(pc.list_element(modes, 0), "")
        code = pc.binary_join_element_wise(etype, first, "/")
        out["polecat_event_type"] = col("Event Type")
        out["event_code"] = pc.binary_join_element_wise(pa.scalar("plover:"), code, "")
        out.update(self.types.columns("plover", code))

        intensity = cv.to_float(col("Intensity"), "Intensity")
        cv.check_range(intensity, -10, 10, "Intensity", col("Intensity"))
        out["polecat_intensity"] = intensity
        for side, number in (("Actor", "1"), ("Recipient", "2")):
            names = split_list(col(f"{side} Name"))
            out[f"actor{number}"] = pc.list_element(names, 0)
            others = pc.list_slice(names, 1)
            out[f"assoc_actor_{number}"] = pc.if_else(pc.greater(pc.list_value_length(others), 0), others,
                                                      pa.scalar(None, others.type))
        for name, target in TEXT.items():
            out[target] = col(name)
        for name, target in LISTS.items():
            out[target] = split_list(col(name))
        out["polecat_event_modes"] = modes
        out["polecat_geonames_id"] = cv.to_int(col("GeoNames ID"), pa.int64(), "GeoNames ID")
        out["source_outlet"] = col("Source")

        city, district, province = col("City"), col("District"), col("Province")
        out["admin1"], out["admin2"] = province, district
        out["location"] = pc.coalesce(city, col("Placename"), district, province)
        out["country"] = encode_countries(col("Country"), "Country", self.country)
        lat, lon = coordinates(col("Latitude"), col("Longitude"))
        geo, where, _ = admin_precision(city, district, province)
        by_feature = cv.map_values(col("Feature Type"), feature_precision, pa.int8(), "Feature Type",
                                   "a GeoNames feature code", null_is=0)
        known = pc.greater(by_feature, 0)
        geo = pc.if_else(known, pc.cast(pc.divide(by_feature, 10), pa.int8()), geo)
        where = pc.if_else(known, pc.cast(pc.subtract(by_feature, pc.multiply(pc.divide(by_feature, 10), 10)),
                                          pa.int8()), where)
        country_only = pc.equal(where, PRECISION["country"][1])
        lat = pc.if_else(country_only, pa.scalar(None, pa.float64()), lat)
        lon = pc.if_else(country_only, pa.scalar(None, pa.float64()), lon)
        out["latitude"], out["longitude"] = lat, lon
        out["geo_precision"], out["where_prec"] = geo, where
        out["priogrid_gid"] = cv.priogrid(lat, lon)

        for name, target in self.unknown.items():
            if name in cells:
                out[target] = cells[name]
        out["dataset"] = dataset_column("polecat", n)
        has_point = pc.is_valid(col("Latitude")).to_numpy(zero_copy_only=False)

        def np_(arr: pa.Array) -> np.ndarray:
            return pc.fill_null(arr, False).to_numpy(zero_copy_only=False)

        out["quality_flags"] = flag_lists(n, {
            "country_only": np_(country_only) & has_point,
            "no_coordinates": ~has_point,
            "compound_actor": np_(pc.is_valid(out["assoc_actor_1"])) | np_(pc.is_valid(out["assoc_actor_2"])),
            "plover_type_unknown": np_(pc.and_(pc.is_valid(etype),
                                               pc.invert(pc.is_in(etype, value_set=pa.array(sorted(PLOVER_TYPES)))))),
            "plover_unmapped": np_(pc.is_null(out["sub_event_type"])),
        })
        return out


def polecat_schema(sources: Sequence[LineSource]) -> tuple[pa.Schema, dict[str, str]]:
    """The output schema of several files, and their unknown columns -> ``polecat_<name>`` (text)."""
    unknown: dict[str, str] = {}
    taken = set(POLECAT_EXTRAS)
    for src in sources:
        for h in src.columns:
            if h not in KNOWN and h not in unknown:
                name = f"polecat_{slug(h)}"
                while name in taken:
                    name += "_"
                unknown[h] = name
                taken.add(name)
    schema = external_schema(POLECAT_EXTRAS, tuple(unknown.values()), {b"incidentkit_dataset": b"polecat"})
    return schema, unknown


def ingest_polecat(files: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
                   output: str | os.PathLike[str], *, progress: bool | None = None, engine: str = "local",
                   scheduler: str | None = None, workers: int | None = None,
                   crosswalk: str | os.PathLike[str] | None = None) -> IngestResult:
    """Ingest POLECAT files (weekly .txt files, yearly zips of monthly ones, or folders) into one Parquet file.

    Files are read in the given order (a folder's files and a zip's members by name); on any error
    nothing is written and :class:`~incidentkit.errors.InputFileError` names the file, line and column.
    ``crosswalk`` is an edited copy of the CAMEO/PLOVER-to-ACLED table (default: the shipped one).
    """
    sources = open_inputs(files, PATTERNS, _open)
    schema, unknown = polecat_schema(sources)  # type: ignore[arg-type]
    conv = _PolecatConverter(unknown, crosswalk)
    try:
        return run(sources, output, schema, conv.for_source, {}, progress=progress, desc="POLECAT", engine=engine,
                   scheduler=scheduler, workers=workers)
    except ExternalFileError as exc:
        p = exc.problem
        if p.code != "external-truncated" or "fields, the header" not in p.message or \
                all(s.by_line for s in sources):  # type: ignore[attr-defined]
            raise
        note(f"{Path(p.path).name}:{p.line}: a row longer than the header (stray tabs?): reading the files line by "
             "line", show=progress)
    sources = [as_lines(s) for s in sources]  # type: ignore[arg-type]
    conv = _PolecatConverter(unknown, crosswalk)
    return run(sources, output, schema, conv.for_source, {}, progress=progress, desc="POLECAT", engine=engine,
               scheduler=scheduler, workers=workers)

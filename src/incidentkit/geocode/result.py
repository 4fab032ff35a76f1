"""What a geocoding answer carries: a point, how precise it is, where it came from, and what else fitted."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from incidentkit.codebook import vocab

#: ACLED geo_precision -> UCDP where_prec. 1: the place itself; 2: a point within about 25 km (a
#: facility or neighbourhood of a known town, "near X"); 3: only the province is known, its capital is
#: used (UCDP codes that 4: first-order administrative division). A district seat (UCDP 3) is
#: reported as geo_precision 2 with where_prec 3.
WHERE_PREC = vocab.GEO_TO_WHERE_PREC

OUTPUT_COLUMNS = ("latitude", "longitude", "geo_precision", "where_prec", "matched_name", "gazetteer",
                  "gazetteer_id", "score", "ambiguous")


@dataclass(frozen=True, slots=True)
class Alternative:
    """Another place that fitted the name: enough to check it on a map."""

    name: str
    latitude: float
    longitude: float
    gazetteer: str
    id: str
    score: float
    admin1: str = ""

    def __str__(self) -> str:
        where = f", {self.admin1}" if self.admin1 else ""
        return f"{self.name}{where} ({self.latitude:.4f}, {self.longitude:.4f}; {self.gazetteer}:{self.id})"


@dataclass(frozen=True, slots=True)
class GeocodeResult:
    """One geocoding answer. No coordinates means not found (or ambiguous); ``reason`` says why.

    An ambiguous answer carries no point: the candidates are in ``alternatives`` and a coder picks
    one (or adds admin1), because a wrong precise point is worse than none.
    """

    query: str
    country: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    geo_precision: int | None = None
    where_prec: int | None = None
    matched_name: str = ""
    gazetteer: str = ""
    gazetteer_id: str = ""
    score: float = 0.0
    ambiguous: bool = False
    alternatives: tuple[Alternative, ...] = ()
    reason: str | None = None
    #: The place phrase the name was written in (a family of :mod:`incidentkit.geocode.phrases`:
    #: "near", "part-of", "countryside", ...), empty for a bare name; ``reason`` gives the rule applied.
    phrase: str = ""
    #: "admin1" or "admin2" when the place is in no gazetteer and the point is its coded province's
    #: (or district's) seat at geo_precision 3 (the build's ``geo_source`` then says "admin-fallback").
    fallback: str = ""

    @property
    def found(self) -> bool:
        """True when the result carries a point (a place was found, unambiguously)."""
        return self.latitude is not None and self.longitude is not None

    def as_row(self) -> dict[str, Any]:
        """The columns ``incidentkit geocode`` adds to a table (plus ``geocode_note``, ``alternatives``)."""
        return {
            "latitude": self.latitude, "longitude": self.longitude, "geo_precision": self.geo_precision,
            "where_prec": self.where_prec, "matched_name": self.matched_name, "gazetteer": self.gazetteer,
            "gazetteer_id": self.gazetteer_id, "score": round(self.score, 1) if self.score else None,
            "ambiguous": self.ambiguous, "geocode_phrase": self.phrase, "geocode_fallback": self.fallback,
            "geocode_note": self.reason or "", "alternatives": "; ".join(str(a) for a in self.alternatives),
        }

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form, for provenance records."""
        d = self.as_row()
        d.update(query=self.query, country=self.country, phrase=self.phrase, fallback=self.fallback,
                 alternatives=[asdict(a) for a in self.alternatives])
        return d

"""The fields of a coded record: names, kinds, requiredness, vocabularies and descriptions.

One table drives the loaders (which keys exist), the validator (how each value is checked and
normalised), the Parquet schema, the JSON Schema for editors, the Frictionless Table Schema and the
Markdown codebook. Field names are fixed by the codebook contract; fields may be added, never renamed.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Mapping

from incidentkit.codebook import vocab


class Kind(str, Enum):
    """How a value is written and checked. Each kind has one checker in :mod:`incidentkit.validate`."""

    ID = "id"                      # lowercase letters, digits and '-'
    TEXT = "text"                  # free text (may hold any Unicode)
    DATE = "date"                  # ISO YYYY-MM-DD
    LANGUAGE = "language"          # ISO 639-1
    COUNTRY = "country"            # ISO 3166-1 alpha-2, or a country name normalised to it
    URL = "url"
    TEXT_LIST = "text_list"        # list of strings
    EVENT_TYPE = "event_type"
    SUB_EVENT_TYPE = "sub_event_type"
    INTER = "inter"                # ACLED actor type: number or label
    CODE = "code"                  # small integer code with a vocabulary (precision codes)
    BOOL = "bool"
    LATITUDE = "latitude"
    LONGITUDE = "longitude"
    COUNT = "count"                # non-negative integer
    FATALITIES = "fatalities"      # integer or {low, best, high}
    EVIDENCE = "evidence"          # list of {field, quote}


class Level(str, Enum):
    SOURCE = "source"       # under `source:` (CSV: prefixed `source_`)
    RECORD = "record"       # top level of the file: coder, coded_on
    INCIDENT = "incident"   # one per incident


@dataclass(frozen=True)
class Field:
    name: str
    kind: Kind
    level: Level
    required: bool
    description: str
    vocabulary: Mapping[int, str] | None = None
    example: object = None

    @property
    def column(self) -> str:
        """The column name in the flat dataset and in CSV input."""
        return f"source_{self.name}" if self.level is Level.SOURCE else self.name


S, R, I = Level.SOURCE, Level.RECORD, Level.INCIDENT

FIELDS: tuple[Field, ...] = (
    # ---- the source report ------------------------------------------------------------------
    Field("id", Kind.ID, S, True, "Unique id of the source report across the project.",
          example="svt-2022-01-21-hasakah"),
    Field("outlet", Kind.TEXT, S, True, "The outlet that published the report (ACLED source).", example="SVT"),
    Field("title", Kind.TEXT, S, True, "The report's headline (UCDP source_headline)."),
    Field("url", Kind.URL, S, False, "Where the report can be read."),
    Field("published", Kind.DATE, S, True, "Publication date (UCDP source_date); no incident may be later."),
    Field("language", Kind.LANGUAGE, S, True, "ISO 639-1 code of the report's language.", example="sv"),
    Field("originators", Kind.TEXT_LIST, S, False,
          "Who the information came from (UCDP source_original), e.g. SOHR, AFP, SDF."),
    Field("scale", Kind.TEXT, S, False,
          "ACLED source_scale of the outlet, e.g. National, International, Regional."),
    Field("article", Kind.TEXT, S, False,
          "The report's text as a UTF-8 .txt file, relative to the record file's folder (by convention "
          "../articles/<source-id>.txt, i.e. datasets/articles/); every evidence quote must be in it.",
          example="../articles/svt-2022-01-21-hasakah.txt"),
    Field("article_sha256", Kind.TEXT, S, False,
          "SHA-256 of the article file's bytes (as sha256sum prints it): the text the coder read."),
    # ---- the coding of the file -------------------------------------------------------------
    Field("coder", Kind.ID, R, True, "Initials or id of the coder."),
    Field("coded_on", Kind.DATE, R, True, "The date the report was coded."),
    # ---- each incident ----------------------------------------------------------------------
    Field("id", Kind.ID, I, True, "Unique id of the incident across the project."),
    Field("date_start", Kind.DATE, I, True, "First day of the incident."),
    Field("date_end", Kind.DATE, I, False, "Last day; defaults to date_start; never before it."),
    Field("time_precision", Kind.CODE, I, True, "ACLED time precision.", vocab.TIME_PRECISION),
    Field("event_type", Kind.EVENT_TYPE, I, True, "ACLED event type."),
    Field("sub_event_type", Kind.SUB_EVENT_TYPE, I, True, "ACLED sub-event type; must belong to event_type."),
    Field("actor1", Kind.TEXT, I, True, "The main actor, named as ACLED names it."),
    Field("inter1", Kind.INTER, I, True, "ACLED actor type of actor1 (number or label).", vocab.INTER_CODES),
    Field("assoc_actor_1", Kind.TEXT_LIST, I, False, "Actors acting with actor1."),
    Field("actor2", Kind.TEXT, I, False, "The second actor, if any."),
    Field("inter2", Kind.INTER, I, False, "ACLED actor type of actor2; 0 or empty when there is none.",
          vocab.INTER_CODES),
    Field("assoc_actor_2", Kind.TEXT_LIST, I, False, "Actors acting with actor2."),
    Field("civilian_targeting", Kind.BOOL, I, False,
          "Civilians were the main target (only for the event types ACLED allows)."),
    Field("country", Kind.COUNTRY, I, True, "ISO 3166-1 alpha-2 code (a country name is accepted)."),
    Field("admin1", Kind.TEXT, I, False, "First-order administrative division; helps the geocoder."),
    Field("admin2", Kind.TEXT, I, False, "Second-order administrative division."),
    Field("admin3", Kind.TEXT, I, False, "Third-order administrative division."),
    Field("location", Kind.TEXT, I, True, "The place as the report names it."),
    Field("latitude", Kind.LATITUDE, I, False, "WGS84 latitude; the geocoder fills it, a coder's value wins."),
    Field("longitude", Kind.LONGITUDE, I, False, "WGS84 longitude; given together with latitude."),
    Field("geo_precision", Kind.CODE, I, False, "ACLED geo precision; set by the geocoder unless coded.",
          vocab.GEO_PRECISION),
    Field("fatalities", Kind.FATALITIES, I, True,
          "Reported deaths: an integer, or {low, best, high} as in UCDP GED with low <= best <= high."),
    Field("deaths_a", Kind.COUNT, I, False, "UCDP: deaths on side A (actor1's side)."),
    Field("deaths_b", Kind.COUNT, I, False, "UCDP: deaths on side B (actor2's side)."),
    Field("deaths_civilians", Kind.COUNT, I, False, "UCDP: civilian deaths."),
    Field("deaths_unknown", Kind.COUNT, I, False, "UCDP: deaths of unknown affiliation."),
    Field("type_of_violence", Kind.CODE, I, False,
          "UCDP type of violence; derived from the actor types unless the coder overrides it.",
          vocab.TYPE_OF_VIOLENCE),
    Field("notes", Kind.TEXT, I, True, "A short description of the incident, as ACLED notes are written."),
    Field("tags", Kind.TEXT_LIST, I, False, "ACLED-style tags (e.g. 'crowd size=no report')."),
    Field("evidence", Kind.EVIDENCE, I, False,
          "The quoted passage(s) each coded value rests on; the dataset adds each quote's [start, end) "
          "character offsets in the source's article (empty without one)."),
)

SOURCE_FIELDS: Mapping[str, Field] = {f.name: f for f in FIELDS if f.level is Level.SOURCE}
RECORD_FIELDS: Mapping[str, Field] = {f.name: f for f in FIELDS if f.level is Level.RECORD}
INCIDENT_FIELDS: Mapping[str, Field] = {f.name: f for f in FIELDS if f.level is Level.INCIDENT}

FATALITY_PARTS = ("low", "best", "high")
EVIDENCE_KEYS = ("field", "quote")
TOP_LEVEL_KEYS = ("source", *RECORD_FIELDS, "incidents")

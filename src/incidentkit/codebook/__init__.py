"""The codebook: the single source of truth for fields, vocabularies, rules and every schema."""

from incidentkit.codebook.actors import ACTORS, ACTORS_BY_NAME, Actor
from incidentkit.codebook.fields import (FIELDS, INCIDENT_FIELDS, RECORD_FIELDS, SOURCE_FIELDS, Field, Kind,
                                         Level)
from incidentkit.codebook.schema import (CATEGORIES, CODEBOOK_VERSION, COLUMN_NAMES, COLUMNS, Column,
                                         incident_schema)
from incidentkit.codebook import vocab

__all__ = [
    "ACTORS", "ACTORS_BY_NAME", "Actor", "FIELDS", "INCIDENT_FIELDS", "RECORD_FIELDS", "SOURCE_FIELDS",
    "Field", "Kind", "Level", "CATEGORIES", "CODEBOOK_VERSION", "COLUMN_NAMES", "COLUMNS", "Column",
    "incident_schema", "vocab",
]

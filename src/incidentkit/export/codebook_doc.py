"""The codebook for people and for editors, generated from the codebook definition.

:func:`codebook_markdown` is the page coders read (every field, its type, allowed values with their
definitions, and the rules the validator enforces); :func:`record_json_schema` is a JSON Schema
(Draft 2020-12) of the YAML record format, which editors such as VS Code (with the YAML extension) use
to autocomplete vocabularies and flag typos while a coder types. Both come from
:mod:`incidentkit.codebook`, so they cannot disagree with the validator; ``docs/`` holds committed
copies that a test regenerates and compares.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterable

from incidentkit.codebook import vocab
from incidentkit.codebook.fields import (EVIDENCE_KEYS, FATALITY_PARTS, INCIDENT_FIELDS, RECORD_FIELDS,
                                         SOURCE_FIELDS, Field, Kind)
from incidentkit.codebook.schema import CODEBOOK_VERSION, DERIVED_COLUMNS
from incidentkit.errors import CATALOGUE
from incidentkit.validate import DATE_RE, ID_RE, MAX_ID_LENGTH

CODEBOOK_MD = "codebook.md"
RECORD_SCHEMA = "record.schema.json"
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"

#: The validator's rules, by error code (their titles and descriptions come from the error catalogue).
RULE_CODES: tuple[str, ...] = (
    "required-missing", "unknown-field", "type-error", "not-in-vocabulary", "sub-event-mismatch",
    "out-of-range", "bad-date", "date-order", "date-after-publication", "fatalities-order",
    "coordinates-incomplete", "coordinates-outside-country", "bad-id", "duplicate-id",
    "civilian-targeting-not-allowed", "actor-not-in-list", "evidence-field-unknown", "inter-without-actor",
    "deaths-exceed-best", "deaths-split-mismatch", "source-inconsistent", "yaml-tag", "yaml-duplicate-key",
)

_KIND_TEXT: dict[Kind, str] = {
    Kind.ID: "id (lowercase letters, digits, '-')", Kind.TEXT: "text", Kind.DATE: "date (YYYY-MM-DD)",
    Kind.LANGUAGE: "ISO 639-1 language code", Kind.COUNTRY: "ISO 3166-1 alpha-2 code or country name",
    Kind.URL: "URL", Kind.TEXT_LIST: "list of text", Kind.EVENT_TYPE: "ACLED event type",
    Kind.SUB_EVENT_TYPE: "ACLED sub-event type", Kind.INTER: "ACLED actor type (number or label)",
    Kind.CODE: "code", Kind.BOOL: "true/false", Kind.LATITUDE: "number, -90 to 90",
    Kind.LONGITUDE: "number, -180 to 180", Kind.COUNT: "integer >= 0",
    Kind.FATALITIES: "integer, or {low, best, high}", Kind.EVIDENCE: "list of {field, quote}",
}


# ---- JSON Schema ---------------------------------------------------------------------------------

def _coded(mapping: dict[int, str] | Any, zero: str | None = None) -> dict[str, Any]:
    options = [{"const": 0, "description": zero}] if zero else []
    options += [{"const": k, "description": v} for k, v in mapping.items()]
    return {"type": "integer", "oneOf": options}


def _inter_schema(allow_none: bool) -> dict[str, Any]:
    numbers = _coded(vocab.INTER_CODES, "No second actor" if allow_none else None)
    labels = {"type": "string", "enum": list(vocab.INTER_CODES.values()) + ["Protestors"]}
    return {"anyOf": [numbers, labels]}


def _kind_schema(f: Field) -> dict[str, Any]:
    k = f.kind
    if k is Kind.ID:
        return {"type": "string", "pattern": f"^{ID_RE.pattern}$", "maxLength": MAX_ID_LENGTH}  # JSON Schema patterns search: anchor them
    if k is Kind.DATE:
        return {"type": "string", "pattern": f"^{DATE_RE.pattern}$", "format": "date"}
    if k is Kind.URL:
        return {"type": "string", "pattern": r"^https?://\S+$"}
    if k is Kind.LANGUAGE:
        return {"type": "string", "minLength": 2, "examples": ["sv", "ar", "en"]}
    if k is Kind.COUNTRY:
        return {"type": "string", "minLength": 2, "examples": ["SY", "IQ", "Syria"]}
    if k is Kind.TEXT_LIST:
        return {"anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "string"}]}
    if k is Kind.EVENT_TYPE:
        return {"type": "string", "enum": list(vocab.EVENT_TYPES)}
    if k is Kind.SUB_EVENT_TYPE:
        return {"type": "string", "enum": list(vocab.SUB_EVENT_TYPES)}
    if k is Kind.INTER:
        return _inter_schema(allow_none=not f.required)
    if k is Kind.CODE:
        return _coded(dict(f.vocabulary or {}))
    if k is Kind.BOOL:
        return {"anyOf": [{"type": "boolean"}, {"enum": ["Civilian targeting", "Civilians targeted"]}]}
    if k is Kind.LATITUDE:
        return {"type": "number", "minimum": -90, "maximum": 90}
    if k is Kind.LONGITUDE:
        return {"type": "number", "minimum": -180, "maximum": 180}
    if k is Kind.COUNT:
        return {"type": "integer", "minimum": 0}
    if k is Kind.FATALITIES:
        return {"$ref": "#/$defs/fatalities"}
    if k is Kind.EVIDENCE:
        return {"type": "array", "items": {"$ref": "#/$defs/evidence"}}
    return {"type": "string", "minLength": 1 if f.required else 0}


def _object(fields: Iterable[Field]) -> dict[str, Any]:
    props: dict[str, Any] = {}
    required = []
    for f in fields:
        s = {"description": f.description, **_kind_schema(f)}
        if f.example is not None:
            s["examples"] = [f.example]
        if not f.required:
            s = {"description": f.description, "anyOf": [{k: v for k, v in s.items() if k != "description"},
                                                         {"type": "null"}]}
        else:
            required.append(f.name)
        props[f.name] = s
    return {"type": "object", "additionalProperties": False, "required": required, "properties": props}


def record_json_schema() -> dict[str, Any]:
    """JSON Schema (Draft 2020-12) of one coded YAML record, for editors and for checks outside Python."""
    top = _object(RECORD_FIELDS.values())
    top["properties"] = {"source": {"$ref": "#/$defs/source"}, **top["properties"],
                         "incidents": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/incident"}}}
    top["required"] = ["source", *top["required"], "incidents"]
    incident = _object(INCIDENT_FIELDS.values())
    incident["allOf"] = [
        {"if": {"properties": {"event_type": {"const": event}}, "required": ["event_type"]},
         "then": {"properties": {"sub_event_type": {"enum": list(subs)}}}}
        for event, subs in vocab.EVENT_TYPES.items()
    ]
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "$id": "https://incidentkit.invalid/schemas/record.schema.json",
        "title": f"incidentkit coded record (codebook v{CODEBOOK_VERSION})",
        "description": "One YAML file per source report: the source, the coder, and the incidents coded "
                       "from it. Generated by `incidentkit codebook`; do not edit by hand.",
        **top,
        "$defs": {
            "source": _object(SOURCE_FIELDS.values()),
            "incident": incident,
            "fatalities": {"anyOf": [
                {"type": "integer", "minimum": 0, "description": "low = best = high"},
                {"type": "object", "additionalProperties": False, "required": list(FATALITY_PARTS),
                 "properties": {p: {"type": "integer", "minimum": 0} for p in FATALITY_PARTS}},
            ]},
            "evidence": {"type": "object", "additionalProperties": False, "required": list(EVIDENCE_KEYS),
                         "properties": {"field": {"type": "string", "enum": list(INCIDENT_FIELDS)},
                                        "quote": {"type": "string", "minLength": 1}}},
        },
    }


def record_json_schema_text() -> str:
    return json.dumps(record_json_schema(), ensure_ascii=False, indent=2) + "\n"


# ---- Markdown ------------------------------------------------------------------------------------

def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _allowed(f: Field) -> str:
    if f.kind is Kind.EVENT_TYPE:
        return "see [Event types](#event-types-and-sub-event-types)"
    if f.kind is Kind.SUB_EVENT_TYPE:
        return "must belong to event_type; see [Event types](#event-types-and-sub-event-types)"
    if f.kind is Kind.INTER:
        return ("0 (none) or " if not f.required else "") + "see [Actor types](#actor-types-inter-codes)"
    if f.vocabulary:
        return "; ".join(f"{k}: {v}" for k, v in f.vocabulary.items())
    return ""


def _field_table(fields: Iterable[Field], prefix: str = "") -> list[str]:
    lines = ["| Field | Type | Required | Description | Allowed values |", "|---|---|---|---|---|"]
    for f in fields:
        lines.append(f"| `{prefix}{f.name}` | {_KIND_TEXT[f.kind]} | {'yes' if f.required else 'no'} | "
                     f"{_cell(f.description)} | {_cell(_allowed(f))} |")
    return lines


def codebook_markdown() -> str:
    """The human-readable codebook page (docs/codebook.md)."""
    out = [
        f"# incidentkit codebook v{CODEBOOK_VERSION}",
        "",
        "<!-- Generated by `incidentkit codebook` from src/incidentkit/codebook; do not edit by hand. -->",
        "",
        "One YAML file per source report holds the `source`, the `coder`, the `coded_on` date and a list of "
        "`incidents`. A CSV with one row per incident uses the same names, with source fields prefixed "
        "`source_`. Editors can check records while you type with the JSON Schema "
        "[record.schema.json](record.schema.json).",
        "",
        "## Source report (`source:`)", "", *_field_table(SOURCE_FIELDS.values()), "",
        "## The coding", "", *_field_table(RECORD_FIELDS.values()), "",
        "## Each incident (`incidents:`)", "", *_field_table(INCIDENT_FIELDS.values()), "",
        "## Event types and sub-event types", "",
        "ACLED's vocabulary (current since March 2023). The disorder type follows from the sub-event type.", "",
        "| Event type | Sub-event type | Disorder type | Definition |", "|---|---|---|---|",
    ]
    for event, subs in vocab.EVENT_TYPES.items():
        for sub, definition in subs.items():
            out.append(f"| {event} | {sub} | {vocab.disorder_type(sub)} | {_cell(definition)} |")
    out += ["", "## Actor types (inter codes)", "",
            "Write the number or the label. `interaction` is both codes, lower first (e.g. 12); a single-actor "
            "event is X0 (e.g. 20).", "", "| Code | Label | Definition |", "|---|---|---|"]
    out += [f"| {k} | {v} | {_cell(vocab.INTER_DEFINITIONS[k])} |" for k, v in vocab.INTER_CODES.items()]
    out += ["", "## Precision and UCDP codes", ""]
    for title, mapping in (("time_precision (ACLED)", vocab.TIME_PRECISION),
                           ("geo_precision (ACLED)", vocab.GEO_PRECISION),
                           ("where_prec (UCDP, derived)", vocab.WHERE_PREC),
                           ("date_prec (UCDP, derived)", vocab.DATE_PREC),
                           ("type_of_violence (UCDP)", vocab.TYPE_OF_VIOLENCE)):
        out += [f"### {title}", "", "| Code | Meaning |", "|---|---|"]
        out += [f"| {k} | {_cell(v)} |" for k, v in mapping.items()]
        out.append("")
    ct = sorted(vocab.CIVILIAN_TARGETING_EVENT_TYPES) + sorted(vocab.CIVILIAN_TARGETING_SUB_EVENT_TYPES)
    out += ["## Derived columns of the dataset", "", "| Column | Description |", "|---|---|"]
    out += [f"| `{c.name}` | {_cell(c.description)} |" for c in DERIVED_COLUMNS]
    out += ["", "## Rules the validator enforces", "",
            f"`civilian_targeting` is allowed only for: {', '.join(ct)}.", "",
            "| Code | Severity | Rule |", "|---|---|---|"]
    for code in RULE_CODES:
        t = CATALOGUE[code]
        out.append(f"| `{code}` | {t.severity} | **{_cell(t.title)}.** {_cell(t.description)} |")
    out += ["", "## Every error code", "",
            "The whole catalogue (`incidentkit.errors.CATALOGUE`): reading files, the rules above, geocoding, "
            "exports, external data and reliability. Codes are stable; scripts may match on them.", "",
            "| Code | Severity | Meaning |", "|---|---|---|"]
    for code, t in CATALOGUE.items():
        out.append(f"| `{code}` | {t.severity} | **{_cell(t.title)}.** {_cell(t.description)} |")
    out.append("")
    return "\n".join(out)


def write_codebook(out_dir: str | Path = "docs") -> list[Path]:
    """Write codebook.md and record.schema.json into ``out_dir`` (atomically); return their paths."""
    from incidentkit.atomic import atomic_write_text

    out_dir = Path(out_dir)
    targets = [(out_dir / CODEBOOK_MD, codebook_markdown()), (out_dir / RECORD_SCHEMA, record_json_schema_text())]
    for path, text in targets:
        atomic_write_text(path, text)
    return [p for p, _ in targets]

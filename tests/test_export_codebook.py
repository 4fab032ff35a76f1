"""The generated codebook page and record JSON Schema: valid, useful to editors, and not drifted."""

from __future__ import annotations

import copy
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from incidentkit.cli import main
from incidentkit.codebook import vocab
from incidentkit.codebook.fields import FIELDS
from incidentkit.export import codebook_markdown, record_json_schema
from incidentkit.records.yamlload import load_yaml_text

REPO = Path(__file__).resolve().parents[1]
RECORDS = sorted((REPO / "datasets" / "coded").glob("*.yaml")) + \
    sorted((REPO / "tests" / "data" / "golden").glob("*/coded/*.yaml"))


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = record_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize("path", RECORDS, ids=lambda p: p.name)
def test_committed_records_are_valid(validator: jsonschema.Draft202012Validator, path: Path) -> None:
    doc = load_yaml_text(path.read_text(encoding="utf-8"), str(path))
    assert list(validator.iter_errors(doc)) == []


def _seed() -> dict:
    return load_yaml_text(RECORDS[0].read_text(encoding="utf-8"))


@pytest.mark.parametrize("mutate, where", [
    (lambda d: d["incidents"][0].update(event_type="Battle"), "event_type"),
    (lambda d: d["incidents"][0].update(sub_event_type="Peaceful protest"), "sub_event_type"),
    (lambda d: d["incidents"][0].update(fatalaties=3), "fatalaties"),
    (lambda d: d["incidents"][0].update(inter1="Rebels"), "inter1"),
    (lambda d: d["incidents"][0].update(time_precision=4), "time_precision"),
    (lambda d: d["incidents"][0].update(date_start="20/01/2022"), "date_start"),
    (lambda d: d["incidents"][0].update(id="SVT_01"), "id"),
    (lambda d: d["incidents"][0].update(fatalities={"low": 1, "best": 2}), "fatalities"),
])
def test_typos_are_flagged(validator: jsonschema.Draft202012Validator, mutate, where: str) -> None:
    doc = copy.deepcopy(_seed())
    mutate(doc)
    errors = list(validator.iter_errors(doc))
    assert errors and any(where in str(e.path) or where in e.message for e in errors)


def test_schema_offers_vocabularies_for_autocomplete() -> None:
    incident = record_json_schema()["$defs"]["incident"]["properties"]
    assert incident["event_type"]["enum"] == list(vocab.EVENT_TYPES)
    assert "Rebel group" in incident["inter1"]["anyOf"][1]["enum"]
    assert [o["const"] for o in incident["time_precision"]["oneOf"]] == [1, 2, 3]


def test_markdown_lists_every_field_and_value() -> None:
    md = codebook_markdown()
    for f in FIELDS:
        assert f"| `{f.name}` |" in md
    for sub, definition in vocab.SUB_EVENT_TYPES.items():
        assert f"| {sub} |" in md
    for label in vocab.INTER_CODES.values():
        assert f"| {label} |" in md
    assert "`sub-event-mismatch`" in md


def test_committed_copies_have_not_drifted(tmp_path: Path) -> None:
    res = CliRunner().invoke(main, ["codebook", "-o", str(tmp_path)])
    assert res.exit_code == 0, res.output
    for name in ("codebook.md", "record.schema.json"):
        committed = (REPO / "docs" / name).read_text(encoding="utf-8")
        assert (tmp_path / name).read_text(encoding="utf-8") == committed, \
            f"docs/{name} is out of date: run `incidentkit codebook -o docs`"

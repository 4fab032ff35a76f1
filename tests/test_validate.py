"""Every rule of the codebook, each with a record that breaks it and one that passes."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import pytest

import incidentkit
from incidentkit.errors import CATALOGUE

from conftest import SEED


def _incident(doc: dict[str, Any]) -> dict[str, Any]:
    return doc["incidents"][0]


def _validate(write_record: Callable[..., Path], doc: Any) -> incidentkit.ValidationReport:
    path = write_record(doc)
    return incidentkit.validate(path)


def _codes(report: incidentkit.ValidationReport) -> set[str]:
    return {p.code for p in report.problems}


def test_base_record_is_valid(write_record, base_record):
    report = _validate(write_record, base_record)
    assert report.ok, [p.format() for p in report.problems]
    assert len(report.rows) == 1
    row = report.rows[0]
    assert row["inter2"] == 2 and row["interaction"] == 22
    assert row["disorder_type"] == "Political violence"
    assert (row["fatalities_low"], row["fatalities_best"], row["fatalities_high"]) == (23, 60, 63)


# (description, mutation, expected code, expected field, the fix that makes it pass)
def _set(key: str, value: Any) -> Callable[[dict], None]:
    def mutate(doc: dict) -> None:
        _incident(doc)[key] = value
    return mutate


def _drop(key: str) -> Callable[[dict], None]:
    def mutate(doc: dict) -> None:
        del _incident(doc)[key]
    return mutate


def _update(**values: Any) -> Callable[[dict], None]:
    def mutate(doc: dict) -> None:
        _incident(doc).update(values)
    return mutate


def _source(key: str, value: Any) -> Callable[[dict], None]:
    def mutate(doc: dict) -> None:
        doc["source"][key] = value
    return mutate


RULES = [
    ("required field missing", _drop("actor1"), "required-missing", "actor1", _set("actor1", "Islamic State (Syria)")),
    ("unknown field (typo)", _set("acter2", "x"), "unknown-field", "acter2", _drop("acter2")),
    ("unknown source field", _source("outlett", "x"), "unknown-field", "source.outlett", _source("outlett", None)),
    ("event type not in vocabulary", _set("event_type", "Battle"), "not-in-vocabulary", "event_type",
     _set("event_type", "battles")),
    ("sub-event type of another event type", _set("sub_event_type", "Air/drone strike"), "sub-event-mismatch",
     "sub_event_type", _set("sub_event_type", "Government regains territory")),
    ("inter code out of range", _set("inter1", 9), "not-in-vocabulary", "inter1", _set("inter1", "Rebel group")),
    ("inter label unknown", _set("inter1", "Rebels"), "not-in-vocabulary", "inter1", _set("inter1", "rebel group")),
    ("time precision out of range", _set("time_precision", 4), "out-of-range", "time_precision",
     _set("time_precision", "3")),
    ("geo precision out of range", _set("geo_precision", 0), "out-of-range", "geo_precision", _set("geo_precision", 2)),
    ("not a real date", _set("date_start", "2022-02-30"), "bad-date", "date_start", _set("date_start", "2022-01-19")),
    ("not an ISO date", _set("date_start", "20 January 2022"), "bad-date", "date_start",
     _set("date_start", "2022-01-20")),
    ("date_end before date_start", _set("date_end", "2022-01-19"), "date-order", "date_end",
     _set("date_end", "2022-01-21")),
    ("incident after publication", _set("date_start", "2022-01-23"), "date-after-publication", "date_start",
     _set("date_start", "2022-01-22")),
    ("negative fatalities", _set("fatalities", -1), "out-of-range", "fatalities", _set("fatalities", 0)),
    ("fatalities out of order", _set("fatalities", {"low": 5, "best": 3, "high": 9}), "fatalities-order",
     "fatalities", _set("fatalities", {"low": 3, "best": 5, "high": 9})),
    ("fatalities not an integer", _set("fatalities", 2.5), "type-error", "fatalities", _set("fatalities", 2)),
    ("fatalities unknown key", _set("fatalities", {"best": 3, "hi": 4}), "unknown-field", "fatalities",
     _set("fatalities", {"best": 3, "high": 4})),
    ("latitude out of range", _set("latitude", 91.0), "out-of-range", "latitude", _set("latitude", 36.5)),
    ("longitude out of range", _set("longitude", -181), "out-of-range", "longitude", _set("longitude", 40.7)),
    ("only one coordinate", _drop("longitude"), "coordinates-incomplete", "longitude", _set("longitude", 40.7)),
    ("unsafe incident id", _set("id", "../../etc/passwd"), "bad-id", "id", _set("id", "safe-id-01")),
    ("uppercase id", _set("id", "Test-01"), "bad-id", "id", _set("id", "test-01")),
    ("civilian targeting on a battle", _set("civilian_targeting", True), "civilian-targeting-not-allowed",
     "civilian_targeting", _set("civilian_targeting", False)),
    ("unknown country", _set("country", "Syrie"), "not-in-vocabulary", "country", _set("country", "Syria")),
    ("inter2 without actor2", _drop("actor2"), "inter-without-actor", "inter2", _set("inter2", 0)),
    ("evidence for an unknown field", _set("evidence", [{"field": "fatality", "quote": "x"}]),
     "evidence-field-unknown", "evidence", _set("evidence", [{"field": "fatalities", "quote": "x"}])),
    ("deaths split exceeds best", _set("deaths_a", 70), "deaths-exceed-best", "deaths_a", _set("deaths_a", 60)),
    ("full deaths split does not add up", _update(deaths_a=3, deaths_b=20, deaths_civilians=0, deaths_unknown=30),
     "deaths-split-mismatch", "deaths_unknown", _set("deaths_unknown", 37)),
    ("partial deaths split is fine below best", _update(deaths_a=3, deaths_b=70), "deaths-exceed-best", "deaths_a",
     _set("deaths_b", 20)),
    ("count too large for the dataset", _set("fatalities", {"low": 1, "best": 2, "high": 3_000_000_000}),
     "out-of-range", "fatalities", _set("fatalities", {"low": 1, "best": 2, "high": 2_147_483_647})),
    ("id with a trailing newline", _set("id", "test-01\n"), "bad-id", "id", _set("id", "test-01")),
    ("url with a trailing newline", _source("url", "https://www.svt.se/a\n"), "type-error", "source.url",
     _source("url", "https://www.svt.se/a")),
    ("full-width digits in a date", _set("date_start", "\uff12\uff10\uff12\uff12-01-20"), "bad-date", "date_start",
     _set("date_start", "2022-01-20")),
    ("text field given a number", _set("location", 1984), "type-error", "location", _set("location", "1984")),
    ("language not ISO 639-1", _source("language", "swedish-ish"), "not-in-vocabulary", "source.language",
     _source("language", "sv")),
]


@pytest.mark.parametrize("mutate,code,field,fix", [r[1:] for r in RULES], ids=[r[0] for r in RULES])
def test_rule_fails_then_passes(write_record, base_record, mutate, code, field, fix):
    assert code in CATALOGUE
    mutate(base_record)
    report = _validate(write_record, base_record)
    assert not report.ok
    hits = [p for p in report.errors if p.code == code]
    assert hits, [p.format() for p in report.problems]
    assert hits[0].field == field
    assert hits[0].line is not None and hits[0].path.endswith("record.yaml")
    fix(base_record)
    if field == "source.outlett":
        del base_record["source"]["outlett"]
    report = _validate(write_record, base_record)
    assert report.ok, [p.format() for p in report.problems]


def test_unknown_field_suggests_the_near_miss(write_record, base_record):
    _incident(base_record)["sub_event_typ"] = "Armed clash"
    report = _validate(write_record, base_record)
    msg = next(p.message for p in report.errors if p.code == "unknown-field")
    assert "did you mean 'sub_event_type'" in msg


def test_message_names_value_and_allowed(write_record, base_record):
    _incident(base_record)["sub_event_type"] = "Air/drone strike"
    report = _validate(write_record, base_record)
    p = report.errors[0]
    assert "'Air/drone strike'" in p.message and "'Explosions/Remote violence'" in p.message
    assert "Armed clash" in p.message  # what Battles allows
    assert p.format().startswith(f"{p.path}:{p.line}: sub_event_type: ")
    assert p.format().endswith("[sub-event-mismatch]")


def test_line_numbers_point_at_the_value(write_record, base_record):
    _incident(base_record)["time_precision"] = 7
    path = write_record(base_record)
    report = incidentkit.validate(path)
    line = report.errors[0].line
    assert path.read_text(encoding="utf-8").splitlines()[line - 1].strip().lstrip("\"").startswith("time_precision")


def test_labels_and_numbers_are_both_accepted_and_protestors_normalised(write_record, base_record):
    inc = _incident(base_record)
    inc.update(event_type="Protests", sub_event_type="Peaceful protest", actor1="Protesters (Iraq)",
               inter1="Protestors", country="IQ", latitude=33.3, longitude=44.4)
    for key in ("actor2", "inter2"):
        inc.pop(key)
    report = _validate(write_record, base_record)
    assert report.ok, [p.format() for p in report.problems]
    row = report.rows[0]
    assert row["inter1"] == 6 and row["interaction"] == 60 and row["inter2"] is None
    assert row["disorder_type"] == "Demonstrations"


def test_country_name_is_normalised_to_alpha2(write_record, base_record):
    _incident(base_record)["country"] = "Syrian Arab Republic"
    report = _validate(write_record, base_record)
    assert report.rows[0]["country"] == "SY"


def test_coordinates_outside_country_warn_with_distance(write_record, base_record):
    inc = _incident(base_record)
    inc["latitude"], inc["longitude"] = 59.33, 18.07  # Stockholm, coded as Syria
    report = _validate(write_record, base_record)
    warns = [p for p in report.warnings if p.code == "coordinates-outside-country"]
    assert warns and "km outside" in warns[0].message
    assert report.ok  # a warning, not an error


def test_unlisted_actor_is_a_warning_with_suggestion(write_record, base_record):
    _incident(base_record)["actor1"] = "Islamic State (Syira)"
    report = _validate(write_record, base_record)
    assert report.ok
    w = [p for p in report.warnings if p.code == "actor-not-in-list"]
    assert w and "Islamic State (Syria)" in w[0].message


def test_ids_unique_across_files(write_record, base_record, tmp_path):
    write_record(base_record, "a.yaml")
    base_record["source"]["id"] = "other-source"
    write_record(base_record, "b.yaml")
    report = incidentkit.validate(tmp_path / "coded")
    dup = [p for p in report.errors if p.code == "duplicate-id"]
    assert len(dup) == 1 and "a.yaml" in dup[0].message and dup[0].path.endswith("b.yaml")


def test_source_ids_unique_across_files(write_record, base_record, tmp_path):
    write_record(base_record, "a.yaml")
    _incident(base_record)["id"] = "another-incident"
    write_record(base_record, "b.yaml")
    report = incidentkit.validate(tmp_path / "coded")
    assert [p.field for p in report.errors if p.code == "duplicate-id"] == ["source.id"]


def test_date_range_and_default_date_end(write_record, base_record):
    report = _validate(write_record, base_record)
    assert report.rows[0]["date_end"] == report.rows[0]["date_start"]


def test_yaml_values_keep_their_written_type(write_record, base_record):
    text = Path(write_record(base_record)).read_text(encoding="utf-8")
    text = text.replace('"outlet": "SVT"', '"outlet": NO').replace('"coder": "ab"', '"coder": 1:20')
    report = _validate(write_record, text)
    # NO stays the text 'NO' (a valid outlet name); 1:20 stays text and is judged as an id, not read as 80
    assert report.ok is False
    codes = {(p.field, p.code) for p in report.errors}
    assert codes == {("coder", "bad-id")}
    assert "'1:20'" in report.errors[0].message


def test_csv_records_follow_the_same_rules_with_row_lines(tmp_path):
    csv_text = (
        "source_id,source_outlet,source_title,source_published,source_language,coder,coded_on,id,date_start,"
        "time_precision,event_type,sub_event_type,actor1,inter1,country,location,fatalities_low,fatalities_best,"
        "fatalities_high,notes,evidence_fatalities,assoc_actor_1\n"
        "s-1,SVT,Titel,2022-01-22,sv,ab,2026-11-24,s-1-01,2022-01-20,1,Battles,Armed clash,Islamic State (Syria),"
        '2,SY,al-Hasakah,1,2,3,"Notes, with a comma\nand a newline",citat,A; B\n'
        "s-2,SVT,Titel,2022-01-22,sv,ab,2026-11-24,s-2-01,2022-01-20,1,Battles,Air/drone strike,Islamic State (Syria),"
        "2,SY,al-Hasakah,1,2,3,Notes,citat,\n"
    )
    path = tmp_path / "incidents.csv"
    path.write_text(csv_text, encoding="utf-8")
    report = incidentkit.validate(path)
    assert len(report.rows) == 1
    row = report.rows[0]
    assert row["assoc_actor_1"] == ["A", "B"] and row["evidence"] == [{"field": "fatalities", "quote": "citat"}]
    assert row["notes"] == "Notes, with a comma\nand a newline"
    err = report.errors[0]
    assert err.code == "sub-event-mismatch" and err.line == 4  # the multi-line cell pushes the row to line 4


def test_csv_rows_of_one_source_must_agree_and_source_ids_are_unique(tmp_path, write_record, base_record):
    header = ("source_id,source_outlet,source_title,source_published,source_language,coder,coded_on,id,date_start,"
              "time_precision,event_type,sub_event_type,actor1,inter1,country,location,fatalities,notes\n")
    row = "{src},{outlet},T,2022-01-22,sv,ab,2026-11-24,{id},2022-01-20,1,Battles,Armed clash,Islamic State (Syria),2,SY,Raqqa,1,n\n"
    (tmp_path / "coded").mkdir(exist_ok=True)
    (tmp_path / "coded" / "b.csv").write_text(
        header + row.format(src="s-1", outlet="SVT", id="c-1") + row.format(src="s-1", outlet="AFP", id="c-2")
        + row.format(src="test-2022-01-21-report", outlet="SVT", id="c-3"), encoding="utf-8")
    write_record(base_record, "a.yaml")  # its source id is test-2022-01-21-report, reused on the CSV's row 4
    report = incidentkit.validate(tmp_path / "coded")
    found = sorted((p.code, p.path.rsplit("/", 1)[-1], p.line, p.field) for p in report.errors)
    assert found == [("duplicate-id", "b.csv", 4, "source.id"), ("source-inconsistent", "b.csv", 3, "source_outlet")]


# ---- every problem at the line of the value it is about (issue 10) --------------------------------

def _seed_copy(tmp_path: Path, old: str, new: str, name: str = "record.yaml") -> tuple[Path, int]:
    """The seed record with one line edited, and the number of the edited line."""
    text = SEED.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path = tmp_path / "coded" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text.replace(old, new), encoding="utf-8")
    line = next(i for i, ln in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if new in ln)
    return path, line


def test_evidence_problem_points_at_its_item_not_at_evidence(tmp_path):
    path, line = _seed_copy(tmp_path, "- field: assoc_actor_1", "- field: assoc_actor")
    (p,) = incidentkit.validate(path).errors
    assert p.code == "evidence-field-unknown" and p.field == "evidence" and "item 5" in p.message
    assert p.line == line
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[p.line - 1].strip() == "- field: assoc_actor"
    assert lines[p.line - 1].strip() != "evidence:"


def test_evidence_item_without_quote_points_at_the_item(tmp_path):
    path, line = _seed_copy(tmp_path, '''        quote: "Flera tiotal fångar uppges ha befriats i attacken"''',
                            '''        quote: ""''')
    (p,) = incidentkit.validate(path).errors
    assert p.code == "required-missing" and p.line == line - 1  # the "- field: assoc_actor_1" line


def test_fatalities_part_points_at_its_own_line(write_record, base_record):
    _incident(base_record)["fatalities"] = {"low": 1, "best": "many", "high": 3}
    path = write_record(base_record)  # written in block style: each part on a line of its own
    (p,) = incidentkit.validate(path).errors
    assert p.code == "type-error" and p.message.startswith("fatalities best: ")
    assert path.read_text(encoding="utf-8").splitlines()[p.line - 1].strip().startswith('"best"')


def test_duplicate_incident_id_points_at_the_id_line(write_record, base_record, tmp_path):
    write_record(base_record, "a.yaml")
    inc = _incident(base_record)
    base_record["source"]["id"] = "another"
    base_record["incidents"][0] = {"date_start": inc.pop("date_start"), **inc}  # id is no longer the first key
    path = write_record(base_record, "b.yaml")
    (p,) = incidentkit.validate(tmp_path / "coded").errors
    assert p.code == "duplicate-id" and p.path == path.as_posix()
    assert path.read_text(encoding="utf-8").splitlines()[p.line - 1].strip().startswith('"id"')


# ---- no coded records: one error for validate, build and agree (issue 10) --------------------------

def test_empty_folder_is_no_records(tmp_path):
    (tmp_path / "coded").mkdir()
    (tmp_path / "coded" / "README.md").write_text("notes, not records\n", encoding="utf-8")
    report = incidentkit.validate(tmp_path / "coded")
    assert not report.ok
    (p,) = report.errors
    assert p.code == "no-records" and p.path == (tmp_path / "coded").as_posix()
    assert p.message.startswith("no coded records")


def test_csv_holding_only_its_header_is_no_records(tmp_path):
    path = tmp_path / "incidents.csv"
    path.write_text("source_id,source_outlet,id,date_start,location\n", encoding="utf-8")
    (p,) = incidentkit.validate(path).errors
    assert (p.code, p.path, p.line) == ("no-records", path.as_posix(), 1)
    assert "only its header" in p.message


def test_problem_paths_are_written_as_the_user_gave_them(tmp_path, monkeypatch, base_record, write_record):
    _incident(base_record)["time_precision"] = 7
    write_record(base_record)
    monkeypatch.chdir(tmp_path)
    (rel,) = incidentkit.validate("coded").errors
    (absolute,) = incidentkit.validate(tmp_path / "coded").errors
    assert rel.path == "coded/record.yaml"
    assert absolute.path == (tmp_path / "coded" / "record.yaml").as_posix()


# ---- issue 11, point 10: validate catches what the ACLED export would refuse -----------------------

@pytest.mark.parametrize("end, precision, ok", [
    ("2022-10-15", 1, True),     # 1,000 days: the most the ACLED layout numbers
    ("2022-10-16", 1, False),    # 1,001 days
    ("2024-12-31", 1, False),    # years at day precision
    ("2024-12-31", 2, True),     # years as one event at the midpoint
    ("2024-12-31", 3, True),
])
def test_day_precision_spanning_years_is_a_validate_error(write_record, base_record, end, precision, ok):
    base_record["source"]["published"] = "2025-01-01"
    _incident(base_record).update(date_start="2020-01-20", date_end=end, time_precision=precision)
    report = _validate(write_record, base_record)
    assert report.ok is ok, [p.format() for p in report.problems]
    if not ok:
        (p,) = report.errors
        assert (p.code, p.field) == ("export-too-many-days", "date_end")
        assert "time_precision 2 or 3" in p.message and p.line is not None


def test_the_day_limit_is_the_acled_layouts():
    from incidentkit.codebook import vocab
    from incidentkit.export import ids

    assert vocab.MAX_PRECISE_DAYS == ids.MAX_DAYS


def test_validate_passes_what_the_acled_export_takes_and_fails_what_it_refuses(tmp_path, base_record, write_record):
    """The export's own check stays for datasets built before; on fresh records validate speaks first."""
    import pyarrow as pa

    from incidentkit.errors import InputFileError
    from incidentkit.export import to_acled

    base_record["source"]["published"] = "2025-01-01"
    _incident(base_record).update(date_start="2020-01-20", date_end="2022-10-15")
    path = write_record(base_record)
    out = tmp_path / "ds"
    result = incidentkit.build(path.parent, out, geocode=False)
    assert to_acled(result.table).num_rows == 1000
    table = result.table.set_column(result.table.schema.get_field_index("date_end"), "date_end",
                                    pa.array([__import__("datetime").date(2022, 10, 16)], pa.date32()))
    with pytest.raises(InputFileError):
        to_acled(table)


# ---- issue 11, point 7: control characters are damage, not text ------------------------------------

@pytest.mark.parametrize("where, value", [
    ("notes", "On 20 January \x1b[2J the screen cleared"),
    ("location", "al-Hasakah\x00"),
    ("actor1", "Islamic State \x9b(Syria)"),       # a C1 character: mis-decoded Windows text
    ("assoc_actor_1", ["ok", "bad\x07"]),
    ("evidence", [{"field": "notes", "quote": "quoted \x1b]0;title\x07"}]),
])
def test_control_characters_in_text_are_errors(write_record, base_record, where, value):
    _incident(base_record)[where] = value
    report = _validate(write_record, base_record)
    (p,) = report.errors
    assert p.code == "type-error" and p.field == where and "control character" in p.message
    assert p.format().isprintable()


def test_tabs_and_newlines_are_text(write_record, base_record):
    _incident(base_record)["notes"] = "line one\n\tline two\r\nline three"
    assert _validate(write_record, base_record).ok

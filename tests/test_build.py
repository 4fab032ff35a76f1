"""The build: explicit schema, metadata, determinism, atomicity and refusal on invalid input."""

from __future__ import annotations

import copy
import importlib
import datetime as dt
import hashlib
import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import incidentkit
from incidentkit import dataset
from incidentkit.codebook import CODEBOOK_VERSION, vocab
from incidentkit.errors import InvalidRecordsError, UsageError

from conftest import SEED


def _build(tmp_path: Path, **kw) -> incidentkit.BuildResult:
    kw.setdefault("geocode", False)
    kw.setdefault("exports", False)
    return incidentkit.build(tmp_path / "coded", tmp_path / "out", **kw)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_schema_is_explicit(write_record, base_record, tmp_path):
    write_record(base_record)
    _build(tmp_path)
    schema = pq.read_schema(tmp_path / "out" / "incidents.parquet")
    assert schema.field("event_type").type == pa.dictionary(pa.int8(), pa.string())
    assert schema.field("date_start").type == pa.date32()
    assert schema.field("inter1").type == pa.int8()
    assert schema.field("assoc_actor_1").type == pa.list_(pa.string())
    ev = schema.field("evidence").type
    assert pa.types.is_list(ev) and [f.name for f in ev.value_type] == ["field", "quote", "start", "end"]
    assert {"fatalities_low", "fatalities_best", "fatalities_high", "source_outlet", "disorder_type",
            "interaction", "priogrid_gid"} <= set(schema.names)
    assert "fatalities" not in schema.names
    assert schema.field("event_type").metadata[b"description"]


def test_metadata_records_codebook_tool_and_inputs(write_record, base_record, tmp_path):
    path = write_record(base_record)
    _build(tmp_path)
    meta = dataset.dataset_metadata(pq.read_table(tmp_path / "out" / "incidents.parquet"))
    assert meta["codebook_version"] == CODEBOOK_VERSION
    assert meta["incidentkit_version"] == incidentkit.__version__
    first = meta["inputs_sha256"]
    path.write_text(path.read_text(encoding="utf-8").replace("Ghwayran", "Gweiran"), encoding="utf-8")
    _build(tmp_path)
    assert dataset.dataset_metadata(pq.read_table(tmp_path / "out" / "incidents.parquet"))["inputs_sha256"] != first


def test_derived_columns(write_record, base_record, tmp_path):
    write_record(base_record)
    t = _build(tmp_path).table
    row = t.to_pylist()[0]
    assert row["disorder_type"] == "Political violence" and row["interaction"] == 22
    assert row["priogrid_gid"] == vocab.priogrid_gid(36.5067, 40.7428)
    assert row["geo_source"] == "coder" and row["geo_precision"] == 1


def test_two_builds_are_byte_identical(write_record, base_record, tmp_path):
    write_record(base_record)
    _build(tmp_path)
    first = _sha(tmp_path / "out" / "incidents.parquet")
    _build(tmp_path)
    assert _sha(tmp_path / "out" / "incidents.parquet") == first


def test_invalid_records_write_nothing_and_keep_old_dataset(write_record, base_record, tmp_path):
    write_record(base_record)
    _build(tmp_path)
    before = _sha(tmp_path / "out" / "incidents.parquet")
    base_record["incidents"][0]["event_type"] = "Battle"
    write_record(base_record)
    with pytest.raises(InvalidRecordsError) as info:
        _build(tmp_path)
    assert info.value.problems[0].code == "not-in-vocabulary"
    assert _sha(tmp_path / "out" / "incidents.parquet") == before
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["incidents.parquet"]


def test_invalid_first_build_leaves_no_output(write_record, base_record, tmp_path):
    base_record["incidents"][0]["fatalities"] = -3
    write_record(base_record)
    with pytest.raises(InvalidRecordsError):
        _build(tmp_path)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_interrupted_build_leaves_old_dataset_intact(write_record, base_record, tmp_path, monkeypatch):
    write_record(base_record)
    _build(tmp_path)
    before = _sha(tmp_path / "out" / "incidents.parquet")
    base_record["incidents"][0]["notes"] = "changed"
    write_record(base_record)

    real_write = pq.write_table

    def crash_midway(table, where, **kw):
        real_write(table.slice(0, 0), where, **kw)  # something half-written lands in the temp file
        raise KeyboardInterrupt("power cut")

    monkeypatch.setattr(dataset.pq, "write_table", crash_midway)
    with pytest.raises(KeyboardInterrupt):
        _build(tmp_path)
    assert _sha(tmp_path / "out" / "incidents.parquet") == before
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["incidents.parquet"]  # no temp files left


def test_read_incidents_types(write_record, base_record, tmp_path):
    write_record(base_record)
    _build(tmp_path)
    df = incidentkit.read_incidents(tmp_path / "out")
    assert isinstance(df["event_type"].dtype, pd.CategoricalDtype)
    assert list(df["event_type"].cat.categories) == list(vocab.EVENT_TYPES)
    assert len(df["sub_event_type"].cat.categories) == 25
    assert pd.api.types.is_datetime64_any_dtype(df["date_start"])
    assert df["inter2"].dtype == "Int8" and df.loc[0, "inter2"] == 2
    assert df.loc[0, "assoc_actor_1"].tolist() == [] or list(df.loc[0, "assoc_actor_1"]) == []
    assert df.loc[0, "date_start"] == pd.Timestamp("2022-01-20")


def test_build_refuses_missing_or_empty_folders(tmp_path):
    with pytest.raises(UsageError):  # a missing folder is a usage error (exit 2)
        incidentkit.build(tmp_path / "nope", tmp_path / "out")
    (tmp_path / "empty").mkdir()
    with pytest.raises(InvalidRecordsError) as info:  # an empty one is bad data (exit 1), as validate says
        incidentkit.build(tmp_path / "empty", tmp_path / "out")
    assert [p.code for p in info.value.problems] == ["no-records"]
    assert info.value.problems == incidentkit.validate(tmp_path / "empty").errors
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_build_refuses_a_csv_holding_only_its_header(tmp_path):
    (tmp_path / "coded").mkdir()
    (tmp_path / "coded" / "incidents.csv").write_text("source_id,id,date_start,location\n", encoding="utf-8")
    with pytest.raises(InvalidRecordsError) as info:
        _build(tmp_path)
    (p,) = info.value.problems
    assert (p.code, p.path, p.line) == ("no-records", (tmp_path / "coded" / "incidents.csv").as_posix(), 1)
    assert not (tmp_path / "out" / "incidents.parquet").exists()


def test_geocode_not_found_points_at_the_location_line(tmp_path, monkeypatch):
    """The seed record with one place no gazetteer knows: the warning names the file as the user gave
    it and the line of `location`, not the incident's first line."""
    text = SEED.read_text(encoding="utf-8")
    old = "    location: Ghwayran prison, al-Hasakah\n    fatalities: 0\n"
    assert text.count(old) == 1
    (tmp_path / "coded").mkdir()
    path = tmp_path / "coded" / SEED.name
    path.write_text(text.replace(old, old.replace("Ghwayran prison, al-Hasakah", "Qzxwv Ylpq")), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = incidentkit.build("coded", "out", geocode=True, exports=False)
    # admin1 is coded (al-Hasakah): the unknown place is put at the province's capital, with a warning
    (p,) = [p for p in result.warnings if p.code == "geocode-admin-fallback" and "Qzxwv" in p.message]
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[p.line - 1].strip() == "location: Qzxwv Ylpq"
    assert p.path == "coded/" + SEED.name and p.record_id == "svt-2022-01-21-hasakah-02"
    row = {r["id"]: r for r in result.table.to_pylist()}["svt-2022-01-21-hasakah-02"]
    assert row["geo_source"] == "admin-fallback" and row["geo_precision"] == 3
    assert row["record_path"] == SEED.name and lines[row["record_line"] - 1].strip().startswith("- id:")


def test_seed_dataset_builds(tmp_path):
    result = incidentkit.build(SEED.parent, tmp_path, geocode=False, exports=False)
    t = result.table
    assert t.num_rows == 4
    assert set(t.column("country").to_pylist()) == {"SY", "IQ"}
    rows = {r["id"]: r for r in t.to_pylist()}
    prison = rows["svt-2022-01-21-hasakah-01"]
    assert prison["date_end"] == dt.date(2022, 1, 21) and prison["fatalities_low"] <= prison["fatalities_best"]
    assert all(r["evidence"] for r in rows.values())
    assert json.loads(t.schema.metadata[b"incidentkit"])["incidents"] == 4


def test_seed_places_resolve_without_hand_coded_coordinates(tmp_path):
    text = SEED.read_text(encoding="utf-8")
    assert "latitude:" not in text  # nothing is coded by hand
    result = incidentkit.build(SEED.parent, tmp_path, exports=False)
    rows = {r["id"]: r for r in result.table.to_pylist()}
    assert all(r["geo_source"] == "geocoder" and r["latitude"] is not None for r in rows.values())
    prison = rows["svt-2022-01-21-hasakah-01"]
    assert prison["geo_precision"] == 2 and prison["where_prec"] == 2
    assert abs(prison["latitude"] - 36.50) < 0.1 and abs(prison["longitude"] - 40.75) < 0.1
    assert rows["svt-2022-01-21-hasakah-03"]["geo_precision"] == 1
    diyala = rows["svt-2022-01-21-hasakah-04"]
    if diyala["geo_precision"] == 3:  # al-Azim in no gazetteer: Diyala's capital
        assert diyala["where_prec"] == 4
        assert 33.5 < diyala["latitude"] < 34.2 and 44.3 < diyala["longitude"] < 45.0  # Baqubah
    else:  # a village-level gazetteer that has al-Azim (al-Udhaim)
        assert diyala["geo_precision"] == 1
    assert prison["priogrid_gid"] == vocab.priogrid_gid(prison["latitude"], prison["longitude"])


def test_coder_coordinates_win_and_outside_country_warns(write_record, base_record, tmp_path):
    base_record["incidents"][0].update(latitude=59.33, longitude=18.07)  # Stockholm, coded as Syria
    write_record(base_record)
    result = incidentkit.build(tmp_path / "coded", tmp_path / "out", exports=False)
    row = result.table.to_pylist()[0]
    assert (row["latitude"], row["longitude"], row["geo_source"]) == (59.33, 18.07, "coder")
    assert [p.code for p in result.warnings] == ["coordinates-outside-country"]


def test_parallel_build_equals_sequential_build(write_record, base_record, tmp_path, monkeypatch):
    build_module = importlib.import_module("incidentkit.build")  # (incidentkit.build is the function)

    for i in range(6):
        doc = copy.deepcopy(base_record)
        doc["source"]["id"] = f"src-{i}"
        doc["incidents"][0]["id"] = f"src-{i}-01"
        doc["incidents"][0]["country"] = ["SY", "IQ", "Syria"][i % 3]
        doc["incidents"][0]["latitude"] = 33.0 + i / 10 if i % 3 == 1 else 36.5
        write_record(doc, f"r{i}.yaml")
    monkeypatch.setattr(build_module, "BATCH_FILES", 2)  # three batches
    seq = incidentkit.build(tmp_path / "coded", tmp_path / "seq", geocode=False, exports=False, workers=1)
    par = incidentkit.build(tmp_path / "coded", tmp_path / "par", geocode=False, exports=False, workers=2)
    assert seq.table.equals(par.table)
    assert _sha(tmp_path / "seq" / "incidents.parquet") == _sha(tmp_path / "par" / "incidents.parquet")
    assert par.report.files == 6 and par.table.num_rows == 6


def test_parallel_build_reports_duplicates_across_workers(write_record, base_record, tmp_path, monkeypatch):
    build_module = importlib.import_module("incidentkit.build")  # (incidentkit.build is the function)

    for i in range(4):
        doc = copy.deepcopy(base_record)
        doc["source"]["id"] = f"src-{i}"
        write_record(doc, f"r{i}.yaml")  # every file reuses the same incident id
    monkeypatch.setattr(build_module, "BATCH_FILES", 1)
    with pytest.raises(InvalidRecordsError) as info:
        incidentkit.build(tmp_path / "coded", tmp_path / "out", geocode=False, exports=False, workers=2)
    assert [p.code for p in info.value.problems] == ["duplicate-id"] * 3


def test_a_failed_publish_restores_every_previous_output(write_record, base_record, tmp_path):
    write_record(base_record)
    incidentkit.build(tmp_path / "coded", tmp_path / "out", geocode=False)
    before = {p.name: _sha(p) for p in (tmp_path / "out").iterdir()}
    (tmp_path / "out" / "ucdp_ged.csv").unlink()
    (tmp_path / "out" / "ucdp_ged.csv").mkdir()  # an output path that cannot be replaced
    before.pop("ucdp_ged.csv")
    base_record["incidents"][0]["notes"] = "changed"
    write_record(base_record)
    with pytest.raises(incidentkit.IncidentkitError) as info:
        incidentkit.build(tmp_path / "coded", tmp_path / "out", geocode=False)
    assert info.value.code == "file-unwritable"
    after = {p.name: _sha(p) for p in (tmp_path / "out").iterdir() if p.is_file()}
    assert after == before  # nothing new was published, no temporary or backup file is left


def test_output_paths_that_cannot_be_written_are_one_line_errors(write_record, base_record, tmp_path):
    from click.testing import CliRunner

    from incidentkit.cli import main

    write_record(base_record)
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    result = CliRunner().invoke(main, ["build", "--coded", str(tmp_path / "coded"), "--out",
                                       str(tmp_path / "afile"), "--no-geocode"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "cannot write" in result.stderr


def test_reading_a_file_that_is_not_an_incidents_dataset(write_record, base_record, tmp_path):
    write_record(base_record)
    incidentkit.build(tmp_path / "coded", tmp_path / "out", geocode=False)
    with pytest.raises(incidentkit.IncidentkitError) as info:
        incidentkit.read_table(tmp_path / "out" / "acled.parquet")
    assert info.value.code == "not-a-dataset" and "read_events" in info.value.message

"""`incidentkit build` writes every export at once, deterministically; the data package validates."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from frictionless import Package, validate

import incidentkit
from incidentkit.export.datapackage import GEONAMES_SOURCE

REPO = Path(__file__).resolve().parents[1]
GOLDEN_CODED = REPO / "tests" / "data" / "golden" / "v0.1.0" / "coded"
OUTPUTS = {"incidents.parquet", "incidents.geoparquet", "acled.csv", "acled.parquet", "acled_ids.csv",
           "ucdp_ged.csv", "ucdp_ged.parquet", "datapackage.json"}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("build")
    incidentkit.build(GOLDEN_CODED, out, geocode=False)
    return out


def test_build_writes_every_output(built: Path) -> None:
    assert {p.name for p in built.iterdir()} == OUTPUTS          # and no temporary file left behind


def test_build_is_deterministic(built: Path, tmp_path: Path) -> None:
    incidentkit.build(GOLDEN_CODED, tmp_path, geocode=False)
    for name in OUTPUTS:
        assert (tmp_path / name).read_bytes() == (built / name).read_bytes(), name


def test_datapackage_validates_offline(built: Path) -> None:
    report = validate(str(built / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    desc = json.loads((built / "datapackage.json").read_text(encoding="utf-8"))
    assert desc["$schema"] == "https://datapackage.org/profiles/2.0/datapackage.json"
    assert {r["path"] for r in desc["resources"]} == OUTPUTS - {"datapackage.json"}
    assert desc["licenses"][0]["name"] == "CC-BY-4.0"
    assert GEONAMES_SOURCE not in desc["sources"]                  # coder's coordinates only: no GeoNames
    incidents = next(r for r in desc["resources"] if r["name"] == "incidents")["schema"]
    fields = {f["name"]: f for f in incidents["fields"]}
    assert incidents["primaryKey"] == ["id"]
    assert fields["event_type"]["constraints"]["enum"][0] == "Battles"
    assert fields["sub_event_type"]["constraints"]["required"] is True
    assert fields["inter2"]["constraints"]["enum"] == list(range(9))
    assert fields["date_start"]["type"] == "date" and fields["latitude"]["type"] == "number"
    assert Package(str(built / "datapackage.json")).get_resource("acled").schema.primary_key == ["event_id_cnty"]


@pytest.mark.parametrize("resource, corrupt, error", [
    ("acled.csv", lambda t: t.replace(",Battles,", ",Battle,", 1), "constraint-error"),
    ("ucdp_ged.csv", lambda t: t.replace(",Middle East,", ",Levant,", 1), "constraint-error"),
    ("incidents.parquet", None, "hash-count"),
])
def test_a_corrupted_copy_fails_validation(built: Path, tmp_path: Path, resource: str, corrupt, error: str) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(built, copy)
    target = copy / resource
    if corrupt is None:
        target.write_bytes(target.read_bytes() + b"\0")
    else:
        text = target.read_text(encoding="utf-8")
        assert corrupt(text) != text
        target.write_text(corrupt(text), encoding="utf-8")
    report = validate(str(copy / "datapackage.json"))
    assert not report.valid
    assert error in {e.type for task in report.tasks for e in task.errors}


def test_geonames_attribution_when_its_coordinates_are_used(built: Path, tmp_path: Path) -> None:
    import pyarrow as pa

    from incidentkit.dataset import read_table
    from incidentkit.export import write_datapackage

    table = read_table(built)
    i = table.schema.get_field_index
    n = table.num_rows
    table = table.set_column(i("geo_source"), "geo_source", pa.array(["geocoder"] * n).dictionary_encode())
    table = table.set_column(i("geo_gazetteer"), "geo_gazetteer", pa.array(["geonames-cities500"] * n))
    shutil.copy(built / "acled.csv", tmp_path / "acled.csv")
    path = write_datapackage(tmp_path, table=table)
    desc = json.loads(path.read_text(encoding="utf-8"))
    assert GEONAMES_SOURCE in desc["sources"] and "GeoNames" in desc["incidentkit"]["attribution"]
    assert [r["path"] for r in desc["resources"]] == ["acled.csv"]   # only files present are described
    assert validate(str(path)).valid


def test_a_failing_export_publishes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import incidentkit.export as export

    def boom(*args: object, **kwargs: object) -> dict:
        raise RuntimeError("disk full")

    monkeypatch.setattr(export, "ucdp_outputs", boom)
    with pytest.raises(RuntimeError):
        incidentkit.build(GOLDEN_CODED, tmp_path / "out", geocode=False)
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []

"""Actor checks that know the incident (issue 13, point 3), through validate and build: the country,
the state period covering the first day, the inter code, associated actors, the project's actor list.
Suggestions come only from the incident's own country and period."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import incidentkit
from incidentkit.actors.project import add_actor
from incidentkit.cli import main


def _with(base: dict[str, Any], **fields: Any) -> dict[str, Any]:
    doc = copy.deepcopy(base)
    doc["incidents"] = [doc["incidents"][0]]
    doc["incidents"][0].update(fields)
    doc["source"]["published"] = "2024-01-01"  # after every incident date used here
    return doc


def _problems(write_record: Callable[..., Path], doc: dict[str, Any], **kw: Any) -> list[Any]:
    return list(incidentkit.validate(write_record(doc), **kw).problems)


NIGERIA = dict(country="NG", admin1="Borno", location="Maiduguri", latitude=11.8464, longitude=13.1603,
               date_start="2023-06-01", date_end="2023-06-01")


def test_a_typo_gets_the_incident_country_s_name_never_another_country_s(write_record, base_record) -> None:
    doc = _with(base_record, **NIGERIA, actor1="Militray Forces of Nigeria (2023-)", inter1=1,
                actor2="Civilans (Nigeria)", inter2=7, assoc_actor_1=[], assoc_actor_2=[])
    warns = [p for p in _problems(write_record, doc) if p.code == "actor-not-in-list"]
    assert [w.field for w in warns] == ["actor1", "actor2"]
    assert "'Military Forces of Nigeria (2023-)'" in warns[0].message
    assert "'Civilians (Nigeria)'" in warns[1].message
    assert not any("Syria" in w.message for w in warns)


def test_a_state_period_that_does_not_cover_the_date_is_an_error(write_record, base_record) -> None:
    doc = _with(base_record, country="IQ", admin1="Baghdad", location="Baghdad", latitude=33.34,
                longitude=44.40, date_start="2019-05-01", date_end="2019-05-01",
                actor1="Police Forces of Iraq (2020-2022)", inter1=1, assoc_actor_1=[], actor2=None,
                inter2=None, assoc_actor_2=[])
    report = incidentkit.validate(write_record(doc))
    bad = [p for p in report.errors if p.code == "actor-period"]
    assert not report.ok and bad and bad[0].field == "actor1"
    assert "'Police Forces of Iraq (2018-2020)'" in bad[0].message


@pytest.mark.parametrize("actor,inter,code", [("Civilians (Nigeria)", 1, "actor-inter-mismatch"),
                                              ("Protesters (Nigeria)", 2, "actor-inter-mismatch")])
def test_an_inter_code_that_contradicts_the_actor_is_an_error(write_record, base_record, actor, inter,
                                                              code) -> None:
    doc = _with(base_record, **NIGERIA, actor1="Boko Haram - Jamaatu Ahli is-Sunnah lid-Dawati wal-Jihad",
                inter1=2, actor2=actor, inter2=inter, assoc_actor_1=[], assoc_actor_2=[])
    report = incidentkit.validate(write_record(doc))
    assert [(p.code, p.field) for p in report.errors] == [(code, "inter2")]


def test_foreign_forces_are_external_forces_abroad(write_record, base_record) -> None:
    ok = _with(base_record, actor2="Military Forces of Turkey (2016-)", inter2=8)
    assert incidentkit.validate(write_record(ok)).ok
    bad = _with(base_record, actor2="Military Forces of Turkey (2016-)", inter2=1)
    assert [p.code for p in incidentkit.validate(write_record(bad)).errors] == ["actor-inter-mismatch"]


def test_another_country_s_civilians_are_a_warning_with_the_local_name(write_record, base_record) -> None:
    doc = _with(base_record, **NIGERIA, actor1="Boko Haram - Jamaatu Ahli is-Sunnah lid-Dawati wal-Jihad",
                inter1=2, actor2="Civilians (Syria)", inter2=7, assoc_actor_1=[], assoc_actor_2=[])
    report = incidentkit.validate(write_record(doc))
    w = [p for p in report.warnings if p.code == "actor-other-country"]
    assert report.ok and w and "'Civilians (Nigeria)'" in w[0].message


def test_associated_actors_are_checked(write_record, base_record) -> None:
    doc = _with(base_record, assoc_actor_1=["Asayish", "Kurdish Frogs of Doom"])
    w = [p for p in _problems(write_record, doc) if p.code == "actor-not-in-list"]
    assert [(p.field, p.value) for p in w] == [("assoc_actor_1", "Kurdish Frogs of Doom")]


def test_the_project_actor_list_is_accepted_in_validate_and_build(write_record, base_record, tmp_path) -> None:
    name = "Katiba Ségou Jeunes Volontaires"  # made up: not in the embedded vocabulary
    doc = _with(base_record, actor2=name, inter2=3)
    path = write_record(doc)
    assert any(p.code == "actor-not-in-list" for p in incidentkit.validate(path).problems)
    out = tmp_path / "datasets"
    add_actor(out / "actors.csv", name, 3, "SY", source="https://example.org/report")
    assert not incidentkit.validate(path, actors_file=out / "actors.csv").warnings
    result = incidentkit.build(path.parent, out, geocode=False, exports=False)  # default: OUT/actors.csv
    assert not [p for p in result.warnings if p.code == "actor-not-in-list"]
    r = CliRunner().invoke(main, ["validate", str(path), "--actors", str(out / "actors.csv")])
    assert r.exit_code == 0 and "0 warning(s)" in r.output


def test_a_missing_or_bad_actor_list(write_record, base_record, tmp_path) -> None:
    path = write_record(base_record)
    r = CliRunner().invoke(main, ["validate", str(path), "--actors", str(tmp_path / "nope.csv")])
    assert r.exit_code == 2
    bad = tmp_path / "actors.csv"
    bad.write_text("name,inter,country\nX Militia,nine,SY\n", encoding="utf-8")
    r = CliRunner().invoke(main, ["build", "--coded", str(path.parent), "--out", str(tmp_path / "o"),
                                  "--actors", str(bad), "--no-geocode"])
    assert r.exit_code == 1 and "actors.csv:2" in r.output and "Traceback" not in r.output
    assert not (tmp_path / "o" / "incidents.parquet").exists()

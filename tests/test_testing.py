"""incidentkit.testing: the assertion downstream pipelines use to pin a dataset."""

from __future__ import annotations

import pytest

import incidentkit
from incidentkit.testing import assert_incidents_equal


def test_equal_datasets_pass_in_any_form(write_record, base_record, tmp_path):
    write_record(base_record)
    incidentkit.build(tmp_path / "coded", tmp_path / "a", geocode=False, exports=False)
    incidentkit.build(tmp_path / "coded", tmp_path / "b", geocode=False, exports=False)
    assert_incidents_equal(tmp_path / "a", tmp_path / "b")
    assert_incidents_equal(incidentkit.read_table(tmp_path / "a"), incidentkit.read_incidents(tmp_path / "b"))


def test_a_changed_value_names_incident_and_column(write_record, base_record, tmp_path):
    write_record(base_record)
    incidentkit.build(tmp_path / "coded", tmp_path / "a", geocode=False, exports=False)
    base_record["incidents"][0]["fatalities"] = {"low": 23, "best": 61, "high": 63}
    write_record(base_record)
    incidentkit.build(tmp_path / "coded", tmp_path / "b", geocode=False, exports=False)
    with pytest.raises(AssertionError, match=r"incident 'test-2022-01-21-report-01', column 'fatalities_best': 60 != 61"):
        assert_incidents_equal(tmp_path / "a", tmp_path / "b")


def test_missing_incidents_are_listed(write_record, base_record, tmp_path):
    write_record(base_record)
    incidentkit.build(tmp_path / "coded", tmp_path / "a", geocode=False, exports=False)
    base_record["incidents"][0]["id"] = "renamed-01"
    write_record(base_record)
    incidentkit.build(tmp_path / "coded", tmp_path / "b", geocode=False, exports=False)
    with pytest.raises(AssertionError, match="only in left .'test-2022-01-21-report-01'.*only in right .'renamed-01'"):
        assert_incidents_equal(tmp_path / "a", tmp_path / "b")

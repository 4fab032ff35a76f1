"""Workbooks: python-calamine and openpyxl read the same cell texts, and rows keep their sheet numbers."""

from __future__ import annotations

import datetime as dt
import sys

import pytest

from incidentkit.external._stream import _batches, open_source, record_line

openpyxl = pytest.importorskip("openpyxl")


class _Bar:
    def update(self, n: int) -> None:
        pass


def _workbook(path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["eventid", "iyear", "nkill", "city", "when"])
    ws.append([201701010001, 2017, 2.5, "حلب", dt.datetime(2017, 1, 1)])
    ws.append([None, None, None, None, None])          # a blank row inside the data
    ws.append([201701020002, 2018.0, 0, "Malmö", dt.date(2017, 1, 2)])
    ws.append(["201701030003", 2019, None, "Besançon", "3 janv. 2017"])
    for _ in range(3):                                  # formatted-but-empty rows after the data
        ws.append(["", None, None, None, None])
    wb.save(path)


def _read(path):
    src = open_source(path, ["eventid"])
    return src, [b.to_pylist() for b, _ in _batches(src, _Bar())]


def test_calamine_and_openpyxl_give_the_same_texts(tmp_path, monkeypatch):
    pytest.importorskip("python_calamine")
    p = tmp_path / "g.xlsx"
    _workbook(p)
    _, fast = _read(p)
    monkeypatch.setitem(sys.modules, "python_calamine", None)
    _, slow = _read(p)
    assert fast == slow
    rows = fast[0]
    assert [r["eventid"] for r in rows] == ["201701010001", None, "201701020002", "201701030003"]
    assert rows[0]["nkill"] == "2.5" and rows[2]["iyear"] == "2018" and rows[0]["city"] == "حلب"
    assert rows[0]["when"] == "2017-01-01" and rows[2]["when"] == "2017-01-02"


@pytest.mark.parametrize("calamine", [True, False])
def test_a_row_after_a_blank_row_keeps_its_sheet_row_and_trailing_blanks_are_dropped(tmp_path, monkeypatch,
                                                                                      calamine):
    if calamine:
        pytest.importorskip("python_calamine")
    else:
        monkeypatch.setitem(sys.modules, "python_calamine", None)
    p = tmp_path / "g.xlsx"
    _workbook(p)
    src, batches = _read(p)
    rows = batches[0]
    assert len(rows) == 4                     # the blank row kept, the three trailing ones dropped
    assert record_line(src, 2) == 4           # "201701020002" is on the sheet's fourth row (header, row, blank)
    assert rows[2]["city"] == "Malmö"


def test_a_damaged_workbook_is_a_located_error(tmp_path):
    from incidentkit.external._stream import ExternalFileError

    p = tmp_path / "bad.xlsx"
    p.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(ExternalFileError) as info:
        open_source(p, ["eventid"])
    assert info.value.code == "file-unreadable" and str(p) in str(info.value)

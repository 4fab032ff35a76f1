"""The linker's parts: the space-time index equals brute force, one-to-one holds, the taxonomy is data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from incidentkit.cli import main
from incidentkit.errors import InputFileError
from incidentkit.linking import GEO_WIDEN_KM, TIME_WIDEN_DAYS, link, load_taxonomy
from incidentkit.linking import _events
from incidentkit.linking.index import SpaceTimeIndex
from incidentkit.linking.taxonomy import default_taxonomy_path
from incidentkit.matching import haversine_km

DATA = Path(__file__).parent / "data" / "acled"


def _random_events(n: int, seed: int, prefix: str) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2022-01-01") + pd.to_timedelta(rng.integers(0, 60, n), unit="D")
    # around the antimeridian and the equator as well as in mid-latitudes
    lat = np.concatenate([rng.uniform(34, 37, n // 2), rng.uniform(-2, 2, n - n // 2)])
    lon = np.concatenate([rng.uniform(38, 41, n // 2), rng.uniform(178.5, 181.5, n - n // 2)])
    lon = np.where(lon > 180, lon - 360, lon)
    return pd.DataFrame({
        "id": [f"{prefix}{k}" for k in range(n)], "date_start": start,
        "date_end": start + pd.to_timedelta(rng.choice([0, 0, 0, 2], n), unit="D"),
        "time_precision": rng.choice([1, 1, 2, 3], n), "geo_precision": rng.choice([1, 1, 2, 3], n),
        "latitude": lat, "longitude": lon,
    })


def test_index_finds_exactly_the_pairs_a_full_comparison_finds() -> None:
    ours, theirs = _random_events(300, 1, "a"), _random_events(3000, 2, "b")
    a, b = _events(ours, GEO_WIDEN_KM, TIME_WIDEN_DAYS), _events(theirs, GEO_WIDEN_KM, TIME_WIDEN_DAYS)
    km, days = 20.0, 2
    found = []
    for cell in (0.5, None):  # a fixed grid, and the grid sized to each precision class's radius
        got = set()
        for i, e, dist, gap in SpaceTimeIndex(b, km=km, cell_degrees=cell).candidates(a, km, days, chunk=64):
            got |= set(zip(i.tolist(), e.tolist()))
        found.append(got)
    ii, ee = np.meshgrid(np.arange(len(a)), np.arange(len(b)), indexing="ij")
    ii, ee = ii.ravel(), ee.ravel()
    gap = np.maximum(0, np.maximum(b.start[ee] - a.end[ii], a.start[ii] - b.end[ee]))
    dist = haversine_km(a.lat[ii], a.lon[ii], b.lat[ee], b.lon[ee])
    ok = (gap <= days + a.widen_days[ii] + b.widen_days[ee]) & (dist <= km + a.widen_km[ii] + b.widen_km[ee])
    expected = set(zip(ii[ok].tolist(), ee[ok].tolist()))
    assert len(expected) > 500
    assert found[0] == expected and found[1] == expected


def test_links_are_one_to_one_and_deterministic(tmp_path: Path) -> None:
    ours, theirs = _random_events(400, 3, "a"), _random_events(400, 4, "b")
    r1 = link(ours, theirs, days=3, km=30, min_score=0.3)
    r2 = link(ours, theirs, days=3, km=30, min_score=0.3)
    assert len(r1.pairs) > 50
    assert r1.pairs.incident_id.is_unique and r1.pairs.external_id.is_unique
    pd.testing.assert_frame_equal(r1.pairs, r2.pairs)
    r1.write(tmp_path / "a.parquet")
    r2.write(tmp_path / "b.parquet")
    assert (tmp_path / "a.parquet").read_bytes() == (tmp_path / "b.parquet").read_bytes()
    assert list(r1.pairs.columns) == ["incident_id", "external_id", "distance_km", "day_gap", "score",
                                      "window_days", "window_km", "same_event_as", "reason"]
    # no two external events share a point here, so no incident takes per-day rows: strictly one-to-one
    assert r1.pairs.same_event_as.isna().all() and r1.summary["per_day_extra"] == 0


def test_precision_codes_widen_the_windows() -> None:
    ours = pd.DataFrame({"id": ["a"], "date_start": [pd.Timestamp("2022-01-10")], "latitude": [36.0],
                         "longitude": [40.0], "geo_precision": [1], "time_precision": [1]})
    far = pd.DataFrame({"id": ["b"], "date_start": [pd.Timestamp("2022-01-18")], "latitude": [36.6],
                        "longitude": [40.0], "geo_precision": [3], "time_precision": [2]})  # ~67 km, 8 days
    assert len(link(ours, far, days=2, km=10, min_score=0).pairs) == 1
    precise = far.assign(geo_precision=1, time_precision=1)
    assert len(link(ours, precise, days=2, km=10, min_score=0).pairs) == 0


def test_shipped_taxonomy_and_an_edited_copy(tmp_path: Path) -> None:
    tax = load_taxonomy()
    assert tax.weight("Armed clash", 1) == 1.0 and tax.weight("Peaceful protest", 3) == 0.0
    edited = tmp_path / "taxonomy.csv"
    edited.write_text(default_taxonomy_path().read_text(encoding="utf-8")
                      + "Protests,Peaceful protest,3,0.9,our project's choice\n", encoding="utf-8")
    assert load_taxonomy(edited).weight("Peaceful protest", 3) == pytest.approx(0.9)
    bad = tmp_path / "bad.csv"
    bad.write_text("event_type,sub_event_type,type_of_violence,weight\nBattles,Armed clash,1,1\n"
                   "Battles,Air/drone strike,1,1\n", encoding="utf-8")
    with pytest.raises(InputFileError, match=r"bad\.csv:3: event_type: 'Air/drone strike' belongs to"):
        load_taxonomy(bad)


def test_taxonomy_decides_ucdp_compatibility() -> None:
    ours = pd.DataFrame({"id": ["a"], "date_start": [pd.Timestamp("2022-01-10")], "latitude": [36.0],
                         "longitude": [40.0], "event_type": ["Protests"], "sub_event_type": ["Peaceful protest"],
                         "actor1": ["Protesters (Syria)"], "fatalities_best": [0]})
    ged = pd.DataFrame({"id": ["9"], "date_start": [pd.Timestamp("2022-01-10")], "latitude": [36.0],
                        "longitude": [40.0], "type_of_violence": [3], "actor1": ["Government of Syria"],
                        "fatalities_best": [4]})
    result = link(ours, ged, days=1, km=5, min_score=0.75)
    assert result.pairs.empty  # a peaceful protest is not one-sided violence: type scores 0
    ours2 = ours.assign(event_type="Violence against civilians", sub_event_type="Attack",
                        actor1="Military Forces of Syria (2000-2024)", fatalities_best=4)
    pair = link(ours2, ged, days=1, km=5, min_score=0.75).pairs
    assert pair.external_id.tolist() == ["9"]
    assert "compatible via UCDP type" in pair.reason[0] and "actors 1.00" in pair.reason[0]


CODED = """\
source:
  id: test-2022-01-22
  outlet: Test Wire
  title: Prison attack
  published: 2022-01-22
  language: en
coder: ab
coded_on: 2026-11-25
incidents:
  - id: test-2022-01-22-01
    date_start: 2022-01-20
    date_end: 2022-01-21
    time_precision: 1
    event_type: Battles
    sub_event_type: Armed clash
    actor1: Islamic State (Syria)
    inter1: 2
    actor2: "QSD: Syrian Democratic Forces"
    inter2: 2
    country: SY
    location: Ghwayran prison, al-Hasakah
    latitude: 36.4851
    longitude: 40.7410
    fatalities: {low: 58, best: 62, high: 63}
    notes: IS attacked Ghwayran prison.
  - id: test-2022-01-22-02
    date_start: 2022-01-21
    time_precision: 1
    event_type: Battles
    sub_event_type: Armed clash
    actor1: Islamic State (Iraq)
    inter1: 2
    actor2: Military Forces of Iraq (2020-2022)
    inter2: 1
    country: IQ
    location: Al-Azim
    latitude: 34.3556
    longitude: 44.5217
    fatalities: 11
    notes: IS attacked an army post near Al-Azim.
  - id: test-2022-01-22-03
    date_start: 2022-01-19
    time_precision: 1
    event_type: Strategic developments
    sub_event_type: Arrests
    actor1: "QSD: Syrian Democratic Forces"
    inter1: 2
    country: SY
    location: Raqqa
    latitude: 35.95
    longitude: 39.01
    fatalities: 0
    notes: Arrests in Raqqa.
"""


def test_cli_links_a_built_dataset_to_an_ingested_acled_file(tmp_path: Path) -> None:
    from incidentkit.build import build

    coded = tmp_path / "coded"
    coded.mkdir()
    (coded / "test-2022-01-22.yaml").write_text(CODED, encoding="utf-8")
    build(coded, tmp_path / "ds", geocode=False, exports=False)
    runner = CliRunner()
    res = runner.invoke(main, ["ingest", "acled", str(DATA / "acled_2023_api.csv"), "-o", str(tmp_path / "a.parquet")])
    assert res.exit_code == 0, res.output
    out = tmp_path / "links.parquet"
    res = runner.invoke(main, ["link", str(tmp_path / "ds"), str(tmp_path / "a.parquet"), "-o", str(out),
                               "--days", "2", "--km", "10"])
    assert res.exit_code == 0, res.output
    assert "Linked: 2 of 3 incident(s) to 2 of 12 external event(s)\n" in res.output
    assert "Only in ours: 1 incident(s)" in res.output
    pairs = pq.read_table(out).to_pandas()
    assert dict(zip(pairs.incident_id, pairs.external_id)) == {"test-2022-01-22-01": "SYR100201",
                                                               "test-2022-01-22-02": "IRQ20011"}
    assert "fatalities 62 vs 63" in pairs.set_index("incident_id").loc["test-2022-01-22-01", "reason"]
    # the two-day prison battle does not take the coalition's air strike on its second day at the same
    # point: another type and other actors are another event, not the battle's row for that day
    assert "SYR100202" not in set(pairs.external_id)


def test_cli_errors_exit_1_for_bad_files_and_2_for_missing_ones(tmp_path: Path) -> None:
    res = CliRunner().invoke(main, ["link", str(tmp_path / "nope"), str(tmp_path / "x.parquet"), "-o",
                                    str(tmp_path / "l.parquet")])
    assert res.exit_code == 2 and "does not exist" in res.output and "incidentkit build writes" in res.output
    bad = tmp_path / "incidents.parquet"
    bad.write_text("id,date_start\n1,2022-01-01\n", encoding="utf-8")     # a CSV under a Parquet name
    res = CliRunner().invoke(main, ["link", str(bad), str(bad), "-o", str(tmp_path / "l.parquet")])
    assert res.exit_code == 1 and "not a readable Parquet file" in res.output and "Traceback" not in res.output
    assert not (tmp_path / "l.parquet").exists()
    # the taxonomy: a missing file is a usage error, a wrong one bad data located at its line
    res = CliRunner().invoke(main, ["link", str(bad), str(bad), "-o", str(tmp_path / "l.parquet"),
                                    "--taxonomy", str(tmp_path / "taxonomy.csv")])
    assert res.exit_code == 2 and "does not exist" in res.output
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("event_type,sub_event_type,type_of_violence,weight\nBattles,Air/drone strike,1,1\n",
                     encoding="utf-8")
    res = CliRunner().invoke(main, ["link", str(bad), str(bad), "-o", str(tmp_path / "l.parquet"),
                                    "--taxonomy", str(wrong)])
    assert res.exit_code == 1 and "wrong.csv:2: event_type" in res.output and "Traceback" not in res.output

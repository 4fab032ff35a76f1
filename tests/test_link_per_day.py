"""Linking reads ACLED's per-day rows: an incident spanning N days links to one row per day of its span.

ACLED records a multi-day event as one row per day, with the same actors, type and location on each row
and each day's deaths on its own row. The scenario below is the one worked through in
docs/explanation/linking-rules.md, as real files: our coded records, built into a dataset, and an ACLED
CSV in the API layout, ingested.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
import yaml
from click.testing import CliRunner

from incidentkit.cli import main
from incidentkit.linking import link
from incidentkit.matching import assign_one_to_one, assign_per_day, haversine_km

HEADER = (Path(__file__).parent / "data" / "acled" / "acled_2023_api.csv").read_text(encoding="utf-8").splitlines()[0]

GHWAYRAN = (36.4876, 40.7335)      # ACLED's point for "Al Hasakeh - Ghwayran"
BATTLE = {"event_type": "Battles", "sub_event_type": "Armed clash", "disorder_type": "Political violence",
          "actor1": "Islamic State (Syria)", "inter1": 2, "actor2": "QSD: Syrian Democratic Forces", "inter2": 2,
          "interaction": 22, "admin1": "Al Hasakeh", "location": "Al Hasakeh - Ghwayran",
          "latitude": GHWAYRAN[0], "longitude": GHWAYRAN[1]}


def acled_row(event_id: str, date: str, fatalities: int, **over: Any) -> dict[str, Any]:
    row = {"event_id_cnty": event_id, "event_date": date, "year": 2022, "time_precision": 1,
           "iso": 760, "region": "Middle East", "country": "Syria", "admin2": "Al Hasakeh", "admin3": "Al Hasakeh",
           "geo_precision": 1, "source": "SOHR", "source_scale": "National",
           "notes": f"On {date}, fighting; {fatalities} fatalities.", "fatalities": fatalities,
           "timestamp": 1650000000, **BATTLE}
    row.update(over)
    return row


ACLED_ROWS = [
    # the prison battle, one row per day: 20, 21, 22 January (the days our incident spans) and the 23rd
    acled_row("SYR1", "2022-01-20", 63),
    acled_row("SYR2", "2022-01-21", 30),
    acled_row("SYR3", "2022-01-22", 25),
    acled_row("SYR4", "2022-01-23", 10),
    # the same day, the same actors and type, 12 km away: another clash, not a day of the battle
    acled_row("SYR5", "2022-01-21", 2, location="Al Hasakeh - Kawkab", latitude=36.5956, longitude=40.7335),
    # the same day and point, another type and actors: the coalition's air strike
    acled_row("SYR6", "2022-01-21", 0, event_type="Explosions/Remote violence", sub_event_type="Air/drone strike",
              actor1="Global Coalition Against Daesh", inter1=8, actor2="Islamic State (Syria)", inter2=2,
              interaction=28),
    # a killing ACLED dates only to a week (time_precision 2) and places near a town (geo_precision 2)
    acled_row("SYR7", "2022-01-21", 5, event_type="Violence against civilians", sub_event_type="Attack",
              disorder_type="Political violence", actor1="Unidentified Armed Group (Syria)", inter1=3,
              actor2="Civilians (Syria)", inter2=7, interaction=37, civilian_targeting="Civilian targeting",
              admin1="Deir ez Zor", location="Thiban", latitude=35.0117, longitude=40.5061,
              time_precision=2, geo_precision=2),
]


def our_incident(id_: str, date_start: str, event_type: str, sub_event_type: str, actor1: str, inter1: int,
                 lat: float, lon: float, fatalities: Any, location: str, **over: Any) -> dict[str, Any]:
    inc = {"id": id_, "date_start": date_start, "time_precision": 1, "event_type": event_type,
           "sub_event_type": sub_event_type, "actor1": actor1, "inter1": inter1, "country": "SY",
           "location": location, "latitude": lat, "longitude": lon, "fatalities": fatalities,
           "notes": f"{sub_event_type} at {location}."}
    inc.update(over)
    return inc


OUR_INCIDENTS = [
    # A: "the fighting at the prison lasted three days": one incident, 20-22 January
    our_incident("rep-01", "2022-01-20", "Battles", "Armed clash", "Islamic State (Syria)", 2, 36.4851, 40.7410,
                 {"low": 110, "best": 120, "high": 130}, "Ghwayran prison, al-Hasakah", date_end="2022-01-22",
                 actor2="QSD: Syrian Democratic Forces", inter2=2),
    # B: the air strike on the 21st
    our_incident("rep-02", "2022-01-21", "Explosions/Remote violence", "Air/drone strike",
                 "Global Coalition Against Daesh", 8, 36.4851, 40.7410, 0, "Ghwayran prison, al-Hasakah",
                 actor2="Islamic State (Syria)", inter2=2),
    # C: arrests in Raqqa that ACLED does not hold
    our_incident("rep-03", "2022-01-24", "Strategic developments", "Arrests", "QSD: Syrian Democratic Forces", 2,
                 35.95, 39.01, 0, "Raqqa"),
    # D: a killing our report dates to the 25th, 46 km from ACLED's point for it
    our_incident("rep-04", "2022-01-25", "Violence against civilians", "Attack", "Unidentified Armed Group (Syria)",
                 3, 35.4254, 40.5061, 5, "Sur", actor2="Civilians (Syria)", inter2=7),
]


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Our records built into a dataset, and the ACLED rows ingested: the shapes `incidentkit link` reads."""
    from incidentkit.build import build

    d = tmp_path_factory.mktemp("per_day")
    record = {"source": {"id": "rep", "outlet": "Test Wire", "title": "Prison siege", "published": "2022-01-26",
                         "language": "en"}, "coder": "ab", "coded_on": "2026-11-25", "incidents": OUR_INCIDENTS}
    (d / "coded").mkdir()
    (d / "coded" / "rep.yaml").write_text(yaml.safe_dump(record, allow_unicode=True, sort_keys=False),
                                          encoding="utf-8")
    build(d / "coded", d / "ds", geocode=False, exports=False)
    with (d / "acled.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=HEADER.split(","))
        writer.writeheader()
        writer.writerows(ACLED_ROWS)
    res = CliRunner().invoke(main, ["ingest", "acled", str(d / "acled.csv"), "-o", str(d / "acled.parquet")])
    assert res.exit_code == 0, res.output
    return {"ds": d / "ds", "acled": d / "acled.parquet", "dir": d}


def test_a_three_day_incident_links_to_its_three_per_day_rows(files: dict[str, Path]) -> None:
    result = link(files["ds"], files["acled"])          # the defaults: --days 3 --km 25
    links = result.pairs.groupby("incident_id")["external_id"].agg(list).to_dict()
    assert links == {"rep-01": ["SYR1", "SYR2", "SYR3"], "rep-02": ["SYR6"], "rep-04": ["SYR7"]}
    battle = result.pairs[result.pairs.incident_id == "rep-01"].set_index("external_id")
    assert battle.same_event_as.to_dict() == {"SYR1": None, "SYR2": "SYR1", "SYR3": "SYR1"}
    assert battle.loc["SYR2", "reason"].endswith(
        "fatalities 120 vs 30 (their row: 1 of our 3 days); another day of the same event as SYR1")
    assert (battle.day_gap == 0).all()
    # a day's deaths are a part of the incident's: fewer than ours costs a per-day row nothing
    assert battle.score.nunique() == 1
    # each external event at most once
    assert result.pairs.external_id.is_unique
    # SYR4 (the 23rd) lies outside the span; SYR5 is the same day but elsewhere; neither is linked
    assert sorted(result.only_theirs.id) == ["SYR4", "SYR5"]
    assert result.only_ours.id.tolist() == ["rep-03"]


def test_the_summary_counts_incidents_and_external_events_apart(files: dict[str, Path]) -> None:
    s = link(files["ds"], files["acled"]).summary
    assert (s["incidents"], s["linked_incidents"], s["only_ours"]) == (4, 3, 1)
    assert (s["external"], s["linked_external"], s["only_theirs"]) == (7, 5, 2)
    assert (s["per_day_incidents"], s["per_day_extra"]) == (1, 2)
    # fatalities per incident: ACLED's days summed (63 + 30 + 25 = 118 next to our 120)
    assert (s["fatalities_ours"], s["fatalities_theirs"], s["fatalities_equal"]) == (125, 123, 2)


def test_fatalities_are_compared_per_incident_with_the_days_summed(files: dict[str, Path]) -> None:
    fat = link(files["ds"], files["acled"]).fatalities.set_index("incident_id")
    assert fat.loc["rep-01"].to_dict() == {"external_ids": "SYR1; SYR2; SYR3", "external_events": 3,
                                           "fatalities_ours": 120, "fatalities_theirs": 118, "difference": 2}
    assert list(fat.index) == ["rep-01", "rep-02", "rep-04"]


def test_cli_prints_the_summary_and_the_widened_windows(files: dict[str, Path]) -> None:
    out = files["dir"] / "links.parquet"
    res = CliRunner().invoke(main, ["link", str(files["ds"]), str(files["acled"]), "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert res.stdout.splitlines()[:5] == [
        "Linked: 3 of 4 incident(s) to 5 of 7 external event(s) (2 of them further per-day rows of 1 "
        "multi-day incident(s))",
        "Only in ours: 1 incident(s) (0 without coordinates)",
        "Only in theirs (same countries and dates as ours): 2 external event(s)",
        "Windows: --days 3 --km 25; widened for precision: up to 10 days / 50 km (1 linked pair(s) beyond "
        "3 days or 25 km; each pair's window is in its reason)",
        "Fatalities of linked incidents (their rows summed per incident): ours 125, theirs 123, 2 incident(s) "
        "equal, mean absolute difference 0.67",
    ]
    pairs = pq.read_table(out).to_pandas().set_index("external_id")
    # the killing: 4 days and 46 km apart, inside the window ACLED's own precision codes give it
    d = pairs.loc["SYR7"]
    assert (d.day_gap, round(d.distance_km), d.window_days, d.window_km) == (4, 46, 10, 50.0)
    assert d.reason.startswith("4 day(s) apart (window 10); 46.0 km (window 50);")


def test_precise_windows_say_so(files: dict[str, Path]) -> None:
    """Without the imprecise killing no linked pair needed widening, and the summary does not claim any."""
    acled = pd.read_parquet(files["acled"])
    result = link(files["ds"], acled[acled.id != "SYR7"])
    assert result.summary["beyond_base"] == 0
    assert "Windows: --days 3 --km 25; no linked pair needed the widening precision codes allow" in \
        result.summary_text()


def test_rows_of_another_event_never_join(files: dict[str, Path]) -> None:
    acled = pd.read_parquet(files["acled"])
    # without the battle's row for the 21st, the clash 12 km away that day still does not stand in for it
    gap = link(files["ds"], acled[acled.id != "SYR2"])
    assert set(gap.pairs.query("incident_id == 'rep-01'").external_id) == {"SYR1", "SYR3"}
    assert "SYR5" in set(gap.only_theirs.id)
    # a fourth row of the battle's shape on the 21st at another point: not the battle's second day
    moved = acled.assign(latitude=np.where(acled.id == "SYR2", 36.52, acled.latitude))
    assert set(link(files["ds"], moved).pairs.query("incident_id == 'rep-01'").external_id) == {"SYR1", "SYR3"}
    # other actors on the same day and point: another event
    renamed = acled.assign(actor2=np.where(acled.id == "SYR3", "Military Forces of Syria (2000-2024)", acled.actor2))
    assert set(link(files["ds"], renamed).pairs.query("incident_id == 'rep-01'").external_id) == {"SYR1", "SYR2"}


def test_only_a_day_precise_incident_takes_several_rows(files: dict[str, Path]) -> None:
    """A span coded as "some time that week" (time_precision 2) is not a run of known days."""
    ours = pd.read_parquet(files["ds"] / "incidents.parquet")
    vague = ours.assign(time_precision=np.where(ours.id == "rep-01", 2, ours.time_precision))
    pairs = link(vague, files["acled"]).pairs
    assert pairs.incident_id.value_counts()["rep-01"] == 1


def test_never_more_rows_than_days_and_deterministic(files: dict[str, Path]) -> None:
    """A two-day incident takes at most two of the battle's rows; the same input gives the same links."""
    ours = pd.read_parquet(files["ds"] / "incidents.parquet")
    two_days = ours.assign(date_end=np.where(ours.id == "rep-01", pd.Timestamp("2022-01-21"), ours.date_end))
    r1, r2 = link(two_days, files["acled"]), link(two_days, files["acled"])
    assert r1.pairs.query("incident_id == 'rep-01'").external_id.tolist() == ["SYR1", "SYR2"]
    pd.testing.assert_frame_equal(r1.pairs, r2.pairs)


def test_assign_per_day_reduces_to_one_to_one_for_one_day_items() -> None:
    rng = np.random.default_rng(7)
    n = 5000
    left, right = rng.integers(0, 300, n), rng.integers(0, 300, n)
    scores = np.round(rng.random(n), 3)       # many ties: the order must still be the same
    day = rng.integers(0, 30, n)
    same = rng.integers(0, 3, n)
    one_day = assign_per_day(left, right, scores, 0.2, day=day, span_start=day, span_end=day, event=same)
    assert sorted(one_day) == sorted(assign_one_to_one(left, right, scores, 0.2))
    # with spans, every right item is still used once and no left item exceeds its days
    start = rng.integers(0, 30, 300)
    end = start + rng.integers(0, 4, 300)
    kept = assign_per_day(left, right, scores, 0.2, day=day, span_start=start[left], span_end=end[left], event=same)
    assert len(set(right[kept])) == len(kept) > len(one_day)
    per_left = pd.Series(left[kept]).value_counts()
    assert (per_left <= (end - start + 1)[per_left.index]).all()
    assert kept == assign_per_day(left, right, scores, 0.2, day=day, span_start=start[left], span_end=end[left],
                                  event=same)


def test_the_scenario_distances_are_what_the_docs_say() -> None:
    assert haversine_km(GHWAYRAN[0], GHWAYRAN[1], 36.5956, 40.7335) == pytest.approx(12.0, abs=0.1)
    assert haversine_km(35.0117, 40.5061, 35.4254, 40.5061) == pytest.approx(46.0, abs=0.1)


def test_the_worked_example_in_the_docs_is_what_link_prints(files: dict[str, Path], monkeypatch) -> None:
    """docs/explanation/linking-rules.md shows this scenario's output; it must stay what the command prints."""
    page = (Path(__file__).resolve().parents[1] / "docs" / "explanation" / "linking-rules.md").read_text(encoding="utf-8")
    command = "$ incidentkit link datasets acled.parquet -o links.parquet"
    shown = page.split(command + "\n", 1)[1].split("```", 1)[0].splitlines()
    work = files["dir"] / "docs-example"
    work.mkdir()
    (work / "datasets").symlink_to(files["ds"], target_is_directory=True)
    (work / "acled.parquet").symlink_to(files["acled"])
    monkeypatch.chdir(work)
    res = CliRunner().invoke(main, command.split()[2:])
    assert res.exit_code == 0, res.output
    assert res.stdout.splitlines() == shown

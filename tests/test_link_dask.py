"""Linking on Dask gives exactly the links of the single-machine path.

Property tests on two module-scoped clusters (1 worker in threads; 2 worker processes) with 1, 3, 8 and
32 time partitions: incidents on partition edges, date ranges across edges, precision widening
(geo_precision and time_precision 2/3), per-day rows of multi-day events, and exact score ties (shared
points, names and counts). Plus: a Parquet file read by the workers row group by row group, the split of
the assignment into components, the CLI, and the one-line message without the dask extra.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from incidentkit.cli import main
from incidentkit.codebook import vocab
from incidentkit.linking import link
from incidentkit.matching import (
    assign_per_day,
    assign_per_day_components,
    connected_components,
)

distributed = pytest.importorskip("distributed")
from incidentkit.linking.distributed import partition_of, time_boundaries

SUBS = ["Armed clash", "Shelling/artillery/missile attack", "Air/drone strike", "Attack", "Abduction/forced disappearance"]
ACTORS = ["Islamic State (Syria)", "QSD: Syrian Democratic Forces", "Civilians (Syria)", "Military Forces of Syria (2000-2024)", None]
DAY0 = pd.Timestamp("2022-01-01")
POINTS = np.array([[36.4876, 40.7335], [36.5956, 40.7335], [36.30, 40.90], [35.0117, 40.5061], [36.45, 40.70]])


def frames(seed: int, n_inc: int, n_ext: int, span: int, edges: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Our incidents and external events, built for ties and edges.

    Points come from five places (ties in distance), names, types and counts from short lists (ties in
    score); a third of the external events are per-day rows of multi-day events; ``edges`` more
    incidents start or end on the boundaries of 3, 8 and 32 time partitions.
    """
    rng = np.random.default_rng(seed)

    def side(n: int, prefix: str, start: np.ndarray, length: np.ndarray) -> pd.DataFrame:
        place = rng.integers(0, len(POINTS), n)
        jitter = rng.normal(0, 0.03, (n, 2)) * (rng.random((n, 1)) < 0.3)
        sub = rng.choice(SUBS, n)
        return pd.DataFrame({
            "id": [f"{prefix}{k:04d}" for k in range(n)],
            "date_start": DAY0 + pd.to_timedelta(start, "D"),
            "date_end": DAY0 + pd.to_timedelta(start + length, "D"),
            "time_precision": rng.choice([1, 1, 1, 2, 3], n),
            "event_type": [vocab.SUB_EVENT_TYPES[s] for s in sub], "sub_event_type": sub,
            "actor1": rng.choice(np.array(ACTORS, dtype=object), n),
            "actor2": rng.choice(np.array(ACTORS, dtype=object), n),
            "latitude": np.round(POINTS[place, 0] + jitter[:, 0], 4),
            "longitude": np.round(POINTS[place, 1] + jitter[:, 1], 4),
            "geo_precision": rng.choice([1, 1, 1, 2, 3], n),
            "fatalities_best": rng.choice([-1, 0, 1, 2, 5], n),
            "country": "SY", "dataset": "acled",
        })

    ext = side(n_ext, "e", rng.integers(0, span, n_ext), np.zeros(n_ext, np.int64))
    # per-day rows: copy an event onto the following days (same type, actors and point, day-precise)
    base = ext.sample(n=max(1, n_ext // 10), random_state=seed % 2**31)
    rows = []
    for _, r in base.iterrows():
        for d in range(1, int(rng.integers(2, 4))):
            row = r.copy()
            row["date_start"] = row["date_end"] = r["date_start"] + pd.Timedelta(days=d)
            row["time_precision"] = 1
            row["fatalities_best"] = int(rng.integers(0, 4))
            rows.append(row)
    ext = pd.concat([ext, pd.DataFrame(rows)], ignore_index=True)
    ext["id"] = [f"e{k:04d}" for k in range(len(ext))]
    ext = ext.sample(frac=1, random_state=seed % 2**31).reset_index(drop=True)  # the file is not in date order

    days = ext["date_start"].to_numpy().astype("datetime64[D]").astype(np.int64)
    d_u, c_u = np.unique(days, return_counts=True)
    bounds = np.unique(np.concatenate([time_boundaries(d_u, c_u, n) for n in (3, 8, 32)]))
    start = rng.integers(0, span, n_inc)
    length = rng.choice([0, 0, 0, 1, 2, 4], n_inc)
    inc = side(n_inc, "i", start, length)
    if edges and len(bounds):  # on an edge, ending on one, and spanning one
        b = rng.choice(bounds, edges) - DAY0.to_datetime64().astype("datetime64[D]").astype(np.int64)
        shift = rng.choice([0, -1, -2], edges)
        extra = side(edges, "j", b + shift, rng.choice([0, 1, 2, 3], edges))
        inc = pd.concat([inc, extra], ignore_index=True)
    return inc, ext


@pytest.fixture(scope="module")
def clients():
    """A one-worker cluster in threads and a two-worker cluster of processes, for the whole module."""
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as c1, distributed.Client(c1, set_as_default=False) as one, \
            distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                     host="127.0.0.1", silence_logs=40) as c2, \
            distributed.Client(c2, set_as_default=False) as two:
        yield {1: one, 2: two}


def assert_same(local, dask) -> None:
    pd.testing.assert_frame_equal(dask.pairs, local.pairs)
    assert dask.summary == local.summary
    pd.testing.assert_frame_equal(dask.fatalities, local.fatalities)
    assert dask.only_ours["id"].tolist() == local.only_ours["id"].tolist()
    assert dask.only_theirs["id"].tolist() == local.only_theirs["id"].tolist()


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1), n_inc=st.integers(5, 60), n_ext=st.integers(20, 160),
       span=st.integers(35, 70), edges=st.integers(0, 20), days=st.integers(0, 4),
       km=st.sampled_from([5.0, 25.0, 60.0]), min_score=st.sampled_from([0.0, 0.3, 0.5]))
def test_dask_gives_the_local_links(clients, seed, n_inc, n_ext, span, edges, days, km, min_score):
    inc, ext = frames(seed, n_inc, n_ext, span, edges)
    local = link(inc, ext, days=days, km=km, min_score=min_score)
    for workers, parts in ((1, 1), (1, 3), (2, 8), (2, 32)):
        got = link(inc, ext, days=days, km=km, min_score=min_score, engine="dask", client=clients[workers],
                   partitions=parts)
        assert_same(local, got)
        assert len(got.tasks) == len(time_boundaries(*np.unique(
            ext["date_start"].to_numpy().astype("datetime64[D]").astype(np.int64), return_counts=True), parts)) + 1


def test_the_examples_reach_edges_ties_and_widening(clients):
    """The generated data does what the property test claims: pairs across partition edges, tied scores,
    widened windows and per-day rows are all linked in one example."""
    inc, ext = frames(7, 60, 220, 40, 20)
    local = link(inc, ext, days=3, km=25, min_score=0.3)
    got = link(inc, ext, days=3, km=25, min_score=0.3, engine="dask", client=clients[2], partitions=32)
    assert_same(local, got)
    p = local.pairs
    assert p.score.duplicated().any()                               # ties
    assert (p.window_days > 3).any() and (p.window_km > 25).any()   # precision widening
    assert p.same_event_as.notna().any()                            # per-day rows of one event
    days = ext["date_start"].to_numpy().astype("datetime64[D]").astype(np.int64)
    bounds = time_boundaries(*np.unique(days, return_counts=True), 32)
    part = dict(zip(ext["id"], partition_of(days, bounds)))
    start = dict(zip(inc["id"], inc["date_start"].to_numpy().astype("datetime64[D]").astype(np.int64)))
    end = dict(zip(inc["id"], inc["date_end"].to_numpy().astype("datetime64[D]").astype(np.int64)))
    # an incident linked to rows of two partitions, and one whose span crosses an edge
    assert p.groupby("incident_id").external_id.agg(lambda s: len({part[x] for x in s})).max() > 1 or \
        any(((bounds > start[i]) & (bounds <= end[i])).any() for i in p.incident_id)
    assert len(bounds) >= 20


def test_ties_take_the_lower_rows_in_both_engines(clients):
    """Two external events identical but for their ids score the same: the first row wins, on both."""
    inc, _ = frames(3, 1, 1, 40, 0)
    inc = inc.iloc[:1].assign(date_end=inc.date_start, time_precision=1, geo_precision=1)
    twin = inc.iloc[[0, 0, 0]].reset_index(drop=True).assign(id=["x2", "x0", "x1"])
    twin["date_start"] = twin["date_end"] = [inc.date_start[0] + pd.Timedelta(days=d) for d in (1, -1, 1)]
    local = link(inc, twin, days=3, km=25)
    assert local.pairs.external_id.tolist() == ["x2"]  # rows 0 and 2 tie (a day apart each way: row 1 too)
    got = link(inc, twin, days=3, km=25, engine="dask", client=clients[2], partitions=2)
    assert_same(local, got)
    reordered = link(inc, twin.iloc[[2, 1, 0]].reset_index(drop=True), days=3, km=25)
    assert reordered.pairs.external_id.tolist() == ["x1"]  # now x1 is the first of the tied rows


def test_parquet_read_by_the_workers(tmp_path: Path, clients):
    """A Parquet file in small row groups, not sorted by date: each worker reads its partition's rows."""
    inc, ext = frames(11, 40, 200, 50, 10)
    t = pa.Table.from_pandas(ext, preserve_index=False)
    t = t.set_column(t.schema.get_field_index("date_start"), "date_start", t.column("date_start").cast(pa.date32()))
    path = tmp_path / "ext.parquet"
    pq.write_table(t, path, row_group_size=37)
    local = link(inc, path, days=3, km=25)
    assert local.pairs.equals(link(inc, ext, days=3, km=25).pairs)
    for parts in (1, 8):
        got = link(inc, path, days=3, km=25, engine="dask", client=clients[2], partitions=parts)
        assert_same(local, got)
        assert sum(task["external"] for task in got.tasks) == len(ext)
    # row groups sorted by date are skipped on their statistics
    sorted_path = tmp_path / "sorted.parquet"
    pq.write_table(t.sort_by("date_start"), sorted_path, row_group_size=37)
    assert_same(link(inc, sorted_path, days=3, km=25),
                link(inc, sorted_path, days=3, km=25, engine="dask", client=clients[1], partitions=3))


def test_assignment_split_into_components_is_the_same(clients):
    inc, ext = frames(5, 60, 220, 40, 10)
    local = link(inc, ext, days=3, km=60, min_score=0.0)
    got = link(inc, ext, days=3, km=60, min_score=0.0, engine="dask", client=clients[2], partitions=3,
               split_above=0)
    assert_same(local, got)


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_components_give_the_greedy_result(data):
    """assign_per_day_components equals assign_per_day on random pairs full of ties and per-day rows."""
    n = data.draw(st.integers(0, 120))
    ints = lambda lo, hi: np.array(data.draw(st.lists(st.integers(lo, hi), min_size=n, max_size=n)), dtype=np.int64)
    left, right, score = ints(0, 15), ints(0, 25), ints(0, 4) / 4
    day, start, length, event = ints(0, 4), ints(0, 3), ints(0, 2), ints(-1, 2)
    kw = {"day": day, "span_start": start, "span_end": start + length, "event": event}
    want = assign_per_day(left, right, score, 0.25, **kw)
    assert assign_per_day_components(left, right, score, 0.25, bins=data.draw(st.integers(1, 5)), **kw) == want
    label = connected_components(left, right)
    for k in range(n):  # pairs sharing an item share a label
        assert (label[(left == left[k]) | (right == right[k])] == label[k]).all()


def test_cli_engine_dask(tmp_path: Path, clients):
    inc, ext = frames(13, 30, 150, 40, 5)
    inc.to_parquet(tmp_path / "incidents.parquet")
    ext.to_parquet(tmp_path / "ext.parquet")
    runner = CliRunner()
    base = ["link", str(tmp_path / "incidents.parquet"), str(tmp_path / "ext.parquet")]
    r1 = runner.invoke(main, [*base, "-o", str(tmp_path / "local.parquet"), "--json"])
    assert r1.exit_code == 0, r1.output
    address = clients[2].scheduler.address
    r2 = runner.invoke(main, [*base, "-o", str(tmp_path / "dask.parquet"), "--engine", "dask", "--scheduler", address,
                              "--partitions", "5", "--json"])
    assert r2.exit_code == 0, r2.output
    a, b = pq.read_table(tmp_path / "local.parquet"), pq.read_table(tmp_path / "dask.parquet")
    assert a.equals(b) and a.schema.metadata == b.schema.metadata
    r3 = runner.invoke(main, [*base, "-o", str(tmp_path / "x.parquet"), "--partitions", "5"])
    assert r3.exit_code == 2 and "--partitions is an option of --engine dask" in r3.output


def test_without_dask_one_line_and_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    inc, ext = frames(1, 5, 30, 40, 0)
    inc.to_parquet(tmp_path / "incidents.parquet")
    ext.to_parquet(tmp_path / "ext.parquet")
    monkeypatch.setitem(sys.modules, "dask", None)
    monkeypatch.setitem(sys.modules, "distributed", None)
    r = CliRunner().invoke(main, ["link", str(tmp_path / "incidents.parquet"), str(tmp_path / "ext.parquet"),
                                  "-o", str(tmp_path / "out.parquet"), "--engine", "dask"])
    assert r.exit_code == 2
    lines = r.output.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in r.output
    assert "pip install 'incidentkit[dask]'" in lines[0] and lines[0].startswith("error: ")
    assert not (tmp_path / "out.parquet").exists()


def test_missing_dates_and_points_are_never_candidates(clients):
    """An event without a start date or a point is never a candidate (its missing day used to overflow
    the index's windows), on both engines; a missing end is the start."""
    inc, ext = frames(2, 20, 120, 40, 0)
    inc.loc[3, "date_start"] = pd.NaT
    inc.loc[4, "date_end"] = pd.NaT
    ext.loc[5, "date_start"] = pd.NaT
    ext.loc[6, "latitude"] = np.nan
    local = link(inc, ext, days=3, km=25, min_score=0.0)
    assert "i0003" not in set(local.pairs.incident_id) and not {"e0005", "e0006"} & set(local.pairs.external_id)
    assert "i0004" in set(local.pairs.incident_id)
    for parts in (1, 3, 8):
        assert_same(local, link(inc, ext, days=3, km=25, min_score=0.0, engine="dask", client=clients[1],
                                partitions=parts))


def test_candidate_order_does_not_matter():
    """build_result takes pairs in the canonical order whatever order the search found them in."""
    from incidentkit.linking import (
        build_result,
        make_params,
        prepare_incidents,
        score_slice,
    )

    inc, ext = frames(17, 50, 200, 40, 10)
    params = make_params(days=3, km=25, min_score=0.3)
    prepared = prepare_incidents(inc, params)
    cand = score_slice(prepared, ext, np.arange(len(ext), dtype=np.int64), params)
    want = build_result(prepared, cand, params)
    rng = np.random.default_rng(0)
    for _ in range(3):
        order = rng.permutation(len(cand.pairs["i"]))
        shuffled = type(cand)(cand.external, cand.candidates, {k: v[order] for k, v in cand.pairs.items()},
                              cand.rows, cand.scope, cand.scope_ids)
        assert_same(want, build_result(prepared, shuffled, params))
    assert want.pairs.score.duplicated().any()


def gdelt_shaped(seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Events of which half carry only a CAMEO code (typed through the crosswalk) and many are repeated
    as several reports of one event (one ``event_group``): GDELT's shape, on the property test's frames."""
    inc, ext = frames(seed, 40, 160, 40, 10)
    rng = np.random.default_rng(seed)
    coded = rng.random(len(ext)) < 0.5
    ext["event_code"] = pd.Series(np.where(coded, rng.choice(["cameo:190", "cameo:193", "cameo:183", "cameo:145",
                                                              "cameo:042"], len(ext)), None), dtype=object)
    ext.loc[coded, ["event_type", "sub_event_type"]] = None
    ext["event_group"] = pd.array([pd.NA] * len(ext), dtype="Int64")
    reports = ext.sample(n=30, random_state=seed)
    copies = reports.loc[reports.index.repeat(rng.integers(1, 4, len(reports)))].copy()
    ext.loc[reports.index, "event_group"] = np.arange(len(reports))
    copies["event_group"] = ext.loc[copies.index, "event_group"].to_numpy()
    ext = pd.concat([ext, copies], ignore_index=True)
    ext["id"] = [f"g{k:04d}" for k in range(len(ext))]
    return inc, ext.sample(frac=1, random_state=seed).reset_index(drop=True)


@pytest.mark.parametrize("seed", [21, 22])
def test_gdelt_shaped_rows_give_the_local_links(clients, seed):
    """CAMEO-coded rows (the crosswalk) and reports of one event (event_group) link the same on Dask."""
    inc, ext = gdelt_shaped(seed)
    local = link(inc, ext, days=3, km=25, min_score=0.3)
    assert local.summary["same_event_rows"] > 0
    assert local.pairs.reason.str.contains("crosswalk").any()
    for workers, parts in ((1, 3), (2, 8), (2, 32)):
        assert_same(local, link(inc, ext, days=3, km=25, min_score=0.3, engine="dask", client=clients[workers],
                                partitions=parts))

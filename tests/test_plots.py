"""incidentkit.plots: what is drawn is what the data says (positions, colours, sizes, ranges, legends)."""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import LineCollection, PathCollection, PolyCollection  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402
from matplotlib.path import Path as MplPath  # noqa: E402

import incidentkit  # noqa: E402
from incidentkit import plots  # noqa: E402
from incidentkit.errors import MissingDependencyError  # noqa: E402
from incidentkit.external import combine  # noqa: E402
from incidentkit.frames import monthly_counts  # noqa: E402

from test_frames import dataset  # noqa: E402,F401  (the fixture: a small built dataset)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture
def df(dataset: Path) -> pd.DataFrame:  # noqa: F811
    return incidentkit.read_incidents(dataset)


def _data_points(ax) -> np.ndarray:
    """Every scattered point drawn in data coordinates (fanned-out markers mapped back through their transform)."""
    pts = []
    for coll in ax.collections:
        if isinstance(coll, PathCollection) and len(coll.get_offsets()):
            off = np.asarray(coll.get_offsets(), dtype=float)
            if coll.get_offset_transform() is not ax.transData:
                off = ax.transData.inverted().transform(coll.get_offset_transform().transform(off))
            pts.append(off)
    return np.concatenate(pts) if pts else np.empty((0, 2))


def test_basemap_has_real_outlines_offline() -> None:
    bm = plots.load_basemap()
    names = {name: rings for name, _, rings in bm.countries}
    assert len(names) > 170
    cities = {name: (x, y) for name, x, y in bm.cities}
    for city, country in [("Baghdad", "Iraq"), ("Damascus", "Syria"), ("Stockholm", "Sweden")]:
        assert any(MplPath(r).contains_point(cities[city]) for r in names[country]), (city, country)
    assert not any(MplPath(r).contains_point(cities["Baghdad"]) for r in names["Syria"])


def test_map_incidents_positions_colours_sizes_and_legend(df: pd.DataFrame) -> None:
    ax = plots.map_incidents(df)
    located = df.dropna(subset=["latitude"])
    assert ax.get_xlabel() and ax.get_ylabel() and "1 without coordinates" in ax.get_title()
    assert any(isinstance(c, PolyCollection) for c in ax.collections)  # the country outlines
    west, east = ax.get_xlim()
    south, north = ax.get_ylim()
    assert (located.longitude.between(west, east) & located.latitude.between(south, north)).all()
    # the marker collections: one for markers at their own place, one per fanned-out marker
    markers = [c for c in ax.collections if isinstance(c, PathCollection) and c.get_zorder() == 5]
    assert sum(len(c.get_offsets()) for c in markers) == len(located)
    drawn = _data_points(ax)
    alone = located[~located.duplicated(["latitude", "longitude"], keep=False)]
    for lon, lat in zip(alone.longitude, alone.latitude):
        assert np.isclose(drawn, [lon, lat]).all(axis=1).any()
    # fanned markers sit around their true point, not on it, and the label says how many share it
    shared = located[located.duplicated(["latitude", "longitude"], keep=False)]
    assert len(shared) == 2
    assert any(t.get_text() == "2 incidents here" for t in ax.texts)
    fanned = [c for c in markers if c.get_offset_transform() is not ax.transData]
    assert len(fanned) == 2
    fig_pts = [c.get_offset_transform().transform(c.get_offsets())[0] for c in fanned]
    true_pt = ax.transData.transform([shared.longitude.iloc[0], shared.latitude.iloc[0]])
    radii = [np.hypot(*(p - true_pt)) for p in fig_pts]
    assert radii[0] == pytest.approx(radii[1]) and radii[0] > 5
    # colours are the event types' colours; the legend lists exactly the types shown, then the size scale
    faces = {to_hex(c.get_facecolors()[k]) for c in markers for k in range(len(c.get_offsets()))}
    assert faces == {plots.EVENT_COLOURS[t] for t in located.event_type.astype(str)}
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    shown = sorted(set(located.event_type.astype(str)), key=list(plots.EVENT_COLOURS).index)
    assert legend[: len(shown) + 1] == ["Event type", *shown]
    assert "Fatalities (best)" in legend
    # area grows with fatalities
    sizes = plots.marker_size([0, 1, 10, 100])
    assert list(sizes) == sorted(sizes) and sizes[0] > 0


def test_timeline_bars_count_incidents_and_errorbars_span_low_to_high(df: pd.DataFrame) -> None:
    ax_n, ax_f = plots.timeline(df, freq="D")
    days = df.date_start.dt.normalize()
    heights: dict[pd.Timestamp, float] = {}
    for patch in ax_n.patches:
        x = matplotlib.dates.num2date(patch.get_x() + patch.get_width() / 2).replace(tzinfo=None)
        key = pd.Timestamp(x).normalize()
        heights[key] = heights.get(key, 0) + patch.get_height()
    assert heights == {d: n for d, n in days.value_counts().items()}
    assert "Battles" in [t.get_text() for t in ax_n.get_legend().get_texts()]
    (container,) = ax_f.containers
    bars = container.lines[2][0]
    assert isinstance(bars, LineCollection)
    by_day = df.groupby(days)[["fatalities_low", "fatalities_best", "fatalities_high"]].sum()
    segments = sorted((matplotlib.dates.num2date(seg[0][0]).date(), seg[0][1], seg[1][1])
                      for seg in bars.get_segments())
    assert segments == [(d.date(), r.fatalities_low, r.fatalities_high) for d, r in by_day.iterrows()]
    best = container.lines[0].get_ydata()
    assert list(best) == by_day.fatalities_best.tolist()
    assert ax_f.get_ylabel() == "Fatalities per day" and ax_f.get_xlabel()


def test_timeline_picks_the_period_from_the_span(df: pd.DataFrame) -> None:
    long = df.assign(date_start=df.date_start + pd.to_timedelta(np.arange(len(df)) * 400, unit="D"))
    ax_n, _ = plots.timeline(long)
    assert ax_n.get_ylabel() == "Incidents per month"


def test_breakdown_by_event_type_and_by_actor(df: pd.DataFrame) -> None:
    ax = plots.breakdown(df, by="event_type")
    labels = [t.get_text() for t in ax.get_yticklabels()]
    widths = dict(zip(labels, (p.get_width() for p in ax.patches)))
    assert widths == df.event_type.astype(str).value_counts().to_dict()
    top = df.event_type.astype(str).value_counts().index[0]
    assert {to_hex(p.get_facecolor()) for p in ax.patches} <= set(plots.EVENT_COLOURS.values())
    best = int(df[df.event_type == top].fatalities_best.sum())
    assert any(t.get_text().startswith(f"{best} killed") for t in ax.texts)

    ax = plots.breakdown(df, by="actor", hue="event_type")
    per_actor = pd.concat([df.actor1, df.actor2]).dropna().astype(str).value_counts()
    totals: dict[float, float] = {}
    for p in ax.patches:  # stacked: sum the segments of each bar
        y = round(p.get_y() + p.get_height() / 2, 6)
        totals[y] = totals.get(y, 0) + p.get_width()
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert dict(zip(labels, (totals[round(y, 6)] for y in ax.get_yticks()))) == per_actor.to_dict()
    assert "Event type" == ax.get_legend().get_title().get_text()


def _links(ours: pd.DataFrame, theirs: pd.DataFrame) -> dict[str, pd.DataFrame]:
    return {"acled": pd.DataFrame({"incident_id": [ours.id.iloc[0], ours.id.iloc[2]],
                                   "external_id": [theirs.id.iloc[0], theirs.id.iloc[1]]})}


@pytest.fixture
def compared(df: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    located = df.dropna(subset=["latitude"]).reset_index(drop=True)
    theirs = located.assign(id=[f"ACL{k}" for k in range(len(located))], dataset="acled",
                            latitude=located.latitude + 0.05, fatalities_best=located.fatalities_best + 3,
                            fatalities_low=pd.NA, fatalities_high=pd.NA)
    far = theirs.iloc[:1].assign(id="ACL-far", latitude=10.0, longitude=10.0)
    theirs = pd.concat([theirs, far], ignore_index=True)
    return combine(df, theirs), _links(located, theirs)


def test_compare_map_marks_matched_events_and_draws_links(compared) -> None:
    both, links = compared
    ax = plots.compare_map(both, links)
    assert "1 external event(s) outside this view" in ax.get_title()
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    ours_located = both[(both.dataset == "incidentkit") & both.latitude.notna()]
    assert "incidentkit (ours): matched (2)" in legend
    assert f"incidentkit (ours): not matched ({len(ours_located) - 2})" in legend
    assert "ACLED: matched (2)" in legend and "ACLED: not matched (1)" in legend  # the far one is out of view
    lines = [ln for ln in ax.get_lines() if len(ln.get_xdata()) == 2]
    assert len(lines) == 2
    pairs = links["acled"]
    ends = {(round(x[0], 5), round(y[0], 5), round(x[1], 5), round(y[1], 5)) for ln in lines
            for x, y in [(ln.get_xdata(), ln.get_ydata())]}
    want = set()
    for a, b in zip(pairs.incident_id, pairs.external_id):
        ra, rb = both[both.id == a].iloc[0], both[both.id == b].iloc[0]
        want.add((round(ra.longitude, 5), round(ra.latitude, 5), round(rb.longitude, 5), round(rb.latitude, 5)))
    assert ends == want
    assert plots.match_status(both, links).sum() == 4


def test_compare_fatalities_one_row_per_linked_incident(compared) -> None:
    both, links = compared
    ax = plots.compare_fatalities(both, links)
    ids = list(links["acled"].incident_id)
    assert len(ax.get_yticks()) == len(ids)
    assert all(any(i in t.get_text() for t in ax.get_yticklabels()) for i in ids)
    ours = both[both.id.isin(ids)].sort_values("date_start")
    spans = []
    for container in ax.containers:
        (seg,) = container.lines[2][0].get_segments()
        spans.append((seg[0][0], seg[1][0]))
    ours_spans = spans[0::2]
    assert ours_spans == [(r.fatalities_low, r.fatalities_high) for r in ours.itertuples()]
    theirs_best = [c.lines[0].get_xdata()[0] for c in ax.containers[1::2]]
    partner = dict(zip(links["acled"].incident_id, links["acled"].external_id))
    external = both[both.dataset == "acled"].set_index("id")
    assert theirs_best == [external.loc[partner[i], "fatalities_best"] for i in ours.id]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["incidentkit (ours)", "ACLED"]


def test_monthly_counts_plot_matches_the_table(compared) -> None:
    both, _ = compared
    ax = plots.monthly_counts(both)
    table = monthly_counts(both)
    heights = [p.get_height() for p in ax.patches]
    wide = table.pivot(index="month", columns="dataset", values="events")
    assert heights == wide["incidentkit"].tolist() + wide["acled"].tolist()
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["incidentkit (ours)", "ACLED"]
    assert ax.get_xlabel() and ax.get_ylabel() == "Events"


def test_plots_need_matplotlib(df: pd.DataFrame, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(MissingDependencyError, match=r"incidentkit\[notebooks\]"):
        plots.map_incidents(df)


def test_docstring_examples_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """The examples in incidentkit.plots' docstrings run as doctests over the committed seed dataset."""
    import doctest

    monkeypatch.chdir(Path(__file__).resolve().parents[1])
    result = doctest.testmod(plots, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 10 and result.failed == 0


def test_compare_fatalities_sums_an_incidents_per_day_rows(compared) -> None:
    """An N-day incident linked to N per-day ACLED rows: the ACLED marker is their sum, as link compares them."""
    from incidentkit.linking import LinkResult

    both, links = compared
    pairs = links["acled"]
    iid = pairs.incident_id.iloc[0]
    external = both[both.dataset == "acled"].set_index("id")
    day2 = next(e for e in external.index if e not in set(pairs.external_id) and e != "ACL-far")
    per_day = pd.concat([pairs.iloc[:1], pd.DataFrame({"incident_id": [iid], "external_id": [day2]}), pairs.iloc[1:]],
                        ignore_index=True)
    rows = [pairs.external_id.iloc[0], day2]
    want = float(external.loc[rows, "fatalities_best"].sum())
    fat = pd.DataFrame({"incident_id": [iid, pairs.incident_id.iloc[1]],
                        "external_ids": ["; ".join(rows), pairs.external_id.iloc[1]], "external_events": [2, 1]})
    result = LinkResult(pairs=per_day, only_ours=pd.DataFrame(), only_theirs=pd.DataFrame(), fatalities=fat)
    for link in (per_day, result):                        # a plain frame of pairs, or link()'s result
        plt.close("all")
        ax = plots.compare_fatalities(both, {"acled": link})
        assert len(ax.get_yticks()) == 2                  # still one row per incident
        row = next(i for i, t in enumerate(ax.get_yticklabels()) if iid in t.get_text())
        best = ax.containers[1::2][row].lines[0].get_xdata()[0]
        assert best == want and best != external.loc[rows[0], "fatalities_best"]
        assert [t.get_text() for t in ax.texts] == ["sum of 2 rows"]

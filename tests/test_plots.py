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


def test_province_outlines_ship_small_and_place_points_in_their_province() -> None:
    folder = Path(plots.__file__).parent / "data" / "basemap" / "ne_10m_admin1"
    assert sum(f.stat().st_size for f in folder.iterdir()) < 3_000_000  # gzip GeoJSON, one file a country
    for (lon, lat), name in [((36.29, 33.51), "Damascus"), ((37.16, 36.20), "Aleppo"), ((44.36, 33.31), "Baghdad"),
                             ((45.34, 2.04), "Banaadir"), ((7.49, 9.06), "Federal Capital Territory"),
                             ((37.62, 55.75), "Moskva")]:
        assert plots.province_at(lon, lat) == name
    assert plots.province_at(0.0, 0.0) is None  # the Gulf of Guinea
    names = {n for n, _ in plots.provinces((36.0, 42.5, 32.5, 37.3))}  # Syria and its neighbours' edges
    assert {"Aleppo", "Idlib", "Hasaka (Al Haksa)", "Dayr Az Zawr", "Ninawa", "Hatay"} <= names
    assert "Banaadir" not in names


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
    assert any(t.get_text().startswith(f"{best} fatalities (best") for t in ax.texts)
    assert "fatalities in events of this event type (best; low–high)" in ax.get_xlabel()

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
    assert "(not drawn: 1 ACLED event outside this map)" in ax.get_title()  # said once, in the title
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    ours_located = both[(both.dataset == "incidentkit") & both.latitude.notna()]
    assert "incidentkit (ours): matched (2)" in legend
    assert f"incidentkit (ours): not matched ({len(ours_located) - 2})" in legend
    assert "ACLED: matched (2)" in legend and "ACLED: not matched (1)" in legend  # the far one is out of view
    (joins,) = [c for c in ax.collections if isinstance(c, LineCollection) and c.get_label() == "linked pairs"]
    segments = joins.get_segments()
    assert len(segments) == 2
    pairs = links["acled"]
    ends = {(round(a[0], 5), round(a[1], 5), round(b[0], 5), round(b[1], 5)) for a, b in segments}
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
    wide = table.pivot(index="month", columns="dataset", values="events")
    top, bottom = ax.figure.axes  # one panel per dataset, each on its own scale
    assert [p.get_height() for p in top.patches if p.get_visible()] == wide["incidentkit"].tolist()
    assert [p.get_height() for p in bottom.patches if p.get_visible()] == wide["acled"].tolist()
    assert top.get_ylabel().startswith("incidentkit (ours)") and bottom.get_ylabel().startswith("ACLED")
    assert bottom.get_xlabel()


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


# --- on realistic data: many countries, many years, thousands of incidents ------------------------------

def shared_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder every pytest-xdist worker of this run sees (the parent of the workers' base temp folders),
    or the base temp folder without xdist."""
    import os

    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def build_once(root: Path, make) -> Path:
    """Run ``make(root)`` once for all workers: the first takes a lock and builds, the others wait and reuse."""
    import fcntl

    root.parent.mkdir(parents=True, exist_ok=True)
    with open(root.parent / f".{root.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (root / ".done").exists():
            make(root)
            (root / ".done").write_text("ok")
    return root


def multi_project(base: Path) -> Path:
    """The generated multi-country, multi-year project (40 countries on five continents, 15 years), built once
    per run (shared by the xdist workers through ``base``, see :func:`shared_dir`)."""
    from incidentkit.testing import write_coded_project

    def make(root: Path) -> None:
        write_coded_project(root / "coded", 1500, countries=40, start="2010-01-01", years=15, seed=3)
        incidentkit.build(root / "coded", root / "dataset", geocode=False)

    return build_once(base / "multi-project", make)


@pytest.fixture(scope="module")
def multi(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    return incidentkit.read_incidents(multi_project(shared_dir(tmp_path_factory)) / "dataset")


def _texts(fig) -> list:
    out = []
    for ax in fig.axes:
        out += [t for t in ax.texts if t.get_visible() and t.get_text().strip()]
        for axis, (lo, hi) in ((ax.xaxis, sorted(ax.get_xlim())), (ax.yaxis, sorted(ax.get_ylim()))):
            for tick in axis.get_major_ticks():  # ticks beyond the limits are not drawn
                if lo - 1e-9 <= tick.get_loc() <= hi + 1e-9 and tick.label1.get_visible() and tick.label1.get_text().strip():
                    out.append(tick.label1)
        out += [t for t in (ax.title, ax.xaxis.label, ax.yaxis.label) if t.get_text().strip()]
        if ax.get_legend():
            out += [t for t in ax.get_legend().get_texts() if t.get_text().strip()]
    if fig._suptitle is not None:
        out.append(fig._suptitle)
    return out


def text_problems(fig) -> list[str]:
    """What a reader would see as broken: text cut at the figure's edge, annotations leaving their axes,
    texts drawn over one another (measured with the renderer, as the figure is laid out)."""
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    whole = fig.bbox
    problems = []
    texts = _texts(fig)
    boxes = [(t, t.get_window_extent(r)) for t in texts]
    for t, b in boxes:
        if b.x0 < whole.x0 - 1 or b.x1 > whole.x1 + 1 or b.y0 < whole.y0 - 1 or b.y1 > whole.y1 + 1:
            problems.append(f"outside the figure: {t.get_text()!r}")
    for ax in fig.axes:
        frame = ax.get_window_extent(r)
        for t in ax.texts:
            if not t.get_visible() or not t.get_text().strip():
                continue
            b = t.get_window_extent(r)
            if b.x0 < frame.x0 - 1 or b.x1 > frame.x1 + 1 or b.y0 < frame.y0 - 1 or b.y1 > frame.y1 + 1:
                problems.append(f"outside its axes: {t.get_text()!r}")
    for i, (t, b) in enumerate(boxes):
        for u, c in boxes[i + 1:]:
            if b.overlaps(c) and b.width > 0 and c.width > 0:
                inter = min(b.x1, c.x1) - max(b.x0, c.x0), min(b.y1, c.y1) - max(b.y0, c.y0)
                if inter[0] > 1.5 and inter[1] > 1.5:
                    problems.append(f"overlap: {t.get_text()!r} / {u.get_text()!r}")
    return problems


def _located_in_panels(df: pd.DataFrame, fig) -> bool:
    pts = df.dropna(subset=["latitude"])[["longitude", "latitude"]].to_numpy(float)
    inside = np.zeros(len(pts), bool)
    for ax in fig.axes:
        (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
        inside |= (pts[:, 0] >= x0) & (pts[:, 0] <= x1) & (pts[:, 1] >= y0) & (pts[:, 1] <= y1)
    return bool(inside.all())


def test_multi_map_small_multiples_fit_and_aggregate(multi: pd.DataFrame) -> None:
    ax = plots.map_incidents(multi)
    fig = ax.figure
    assert len(fig.axes) >= 3, "Asia, Africa/Middle East and the Americas are separate panels"
    assert _located_in_panels(multi, fig)
    fig.canvas.draw()
    for panel in fig.axes:  # no stretched strip: each panel's frame on screen is at most about 2:1
        box = panel.get_window_extent()
        assert 0.4 < box.width / box.height < 2.5, panel.get_title()
    # aggregated: one circle per grid cell, their areas adding up to every located incident
    circles = [c for a in fig.axes for c in a.collections if isinstance(c, PathCollection) and c.get_zorder() == 5]
    top = max(c.get_sizes().max() for c in circles)
    n = sum(len(c.get_offsets()) for c in circles)
    assert 20 < n < len(multi.dropna(subset=["latitude"]))
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert any(t.startswith("Incidents per circle (cells ~") for t in legend) and top <= 900 + 10
    # a lone incident on a small panel is still a visible circle (about 5 points across), not a speck
    assert min(c.get_sizes().min() for c in circles) >= 24
    assert "1,500 incidents in 40 countries" in fig._suptitle.get_text()
    assert not text_problems(fig)


def test_zoom_names_provinces_and_towns_without_clipping(multi: pd.DataFrame) -> None:
    one = multi[multi.country == multi.country.value_counts().index[0]]
    admin = one.admin1.value_counts().index[0]
    here = one[one.admin1 == admin]
    ax = plots.map_incidents(here, extent=plots.map_extent(here.longitude, here.latitude, pad=0.5, min_span=1.5))
    names = {t.get_text() for t in ax.texts}
    adm, towns = plots.context_places(plots.map_extent(here.longitude, here.latitude, pad=0.5, min_span=1.5))
    assert names & set(towns.name), "the zoom names towns from the embedded gazetteer"
    assert names & {n.upper() for n in adm.name}, "and provinces from admin1.csv"
    # province borders: thin grey lines, every ring of the provinces the view meets, under the markers
    view = plots.map_extent(here.longitude, here.latitude, pad=0.5, min_span=1.5)
    (borders,) = [c for c in ax.collections if isinstance(c, LineCollection) and c.get_label() == "province borders"]
    rings = [r for _, rs in plots.provinces(view) for r in rs]
    assert len(borders.get_segments()) == len(rings) > 1
    assert max(borders.get_linewidths()) <= 0.6 and borders.get_zorder() < 4
    home = plots.province_at(float(here.longitude.median()), float(here.latitude.median()))
    assert home is not None, "the events' own province is among the outlines"
    assert not text_problems(ax.figure)
    r = ax.figure.canvas.get_renderer()
    markers = plots._marker_boxes(ax)
    for t in ax.texts:  # no place name over a data marker
        b = t.get_window_extent(r)
        assert not ((markers[:, 0] < b.x1) & (markers[:, 2] > b.x0) & (markers[:, 1] < b.y1)
                    & (markers[:, 3] > b.y0)).any(), t.get_text()


@pytest.mark.parametrize("days,freq", [(0, "D"), (40, "D"), (300, "W"), (700, "M"), (5 * 365, "M"), (15 * 365, "Y")])
def test_timeline_bins_from_the_span_and_the_year_is_always_written(multi: pd.DataFrame, days: int, freq: str) -> None:
    part = multi.head(300).copy()
    start = pd.Timestamp("2013-03-05")
    part["date_start"] = start + pd.to_timedelta(np.linspace(0, days, len(part)).round(), unit="D")
    assert plots.choose_freq(part.date_start) == freq
    ax_n, ax_f = plots.timeline(part)
    ax_n.figure.canvas.draw()
    lo, hi = ax_f.get_xlim()
    ticks = [t.label1.get_text() for t in ax_f.xaxis.get_major_ticks() if lo <= t.get_loc() <= hi]
    assert any(str(y) in ticks[0] for y in range(2012, 2030)), ticks  # the first tick drawn carries the year
    assert "300 incidents" in ax_n.get_title()
    assert not text_problems(ax_n.figure)


def test_breakdown_words_and_fit(multi: pd.DataFrame) -> None:
    ax = plots.breakdown(multi, by="actor", hue="event_type")
    assert "fatalities in events with this actor, on any side (best; low–high)" in ax.get_xlabel()
    assert all(" fatalities (best" in t.get_text() for t in ax.texts)
    assert "the 15 with most incidents of" in ax.get_title() and "1,500 incidents" in ax.get_title()
    assert not text_problems(ax.figure)  # every label inside the axes, none over another text
    # the bars use the width: the longest reaches most of the x-axis (labels that would not fit after a
    # bar sit inside its end instead of widening the axis)
    ends: dict[float, float] = {}
    for p in ax.patches:
        y = round(p.get_y() + p.get_height() / 2, 6)
        ends[y] = max(ends.get(y, 0.0), p.get_x() + p.get_width())
    assert max(ends.values()) / ax.get_xlim()[1] >= 0.8
    inside = [t for t in ax.texts if t.get_horizontalalignment() == "right"]
    assert inside and all(t.get_bbox_patch() is not None for t in inside)


@pytest.fixture(scope="module")
def multi_compared(multi: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """ACLED-shaped events across the project's 40 countries for a window shorter than ours
    (incidentkit.testing.acled_shaped): our incidents as another coder would have recorded them, linked,
    and background events we never coded, linked to nothing; what notebook 02 does."""
    from incidentkit.testing import acled_shaped

    theirs, pairs = acled_shaped(multi, seed=5, start="2014-01-01", end="2019-12-31")  # an export of six years
    assert theirs.country.nunique() >= 20
    return combine(multi, theirs), {"acled": pairs}


def test_acled_shaped_has_matched_and_background_events(multi_compared) -> None:
    both, links = multi_compared
    theirs = both[both.dataset == "acled"]
    pairs = links["acled"]
    background = theirs[theirs.id.str.startswith("acled-bg-")]
    assert len(background) > 0.2 * len(theirs)                      # events we never coded ...
    assert not set(background.id) & set(pairs.external_id)          # ... are linked to nothing
    assert set(pairs.external_id) <= set(theirs.id) and len(pairs) > 0.5 * (len(theirs) - len(background))
    assert set(pairs.incident_id) <= set(both[both.dataset == "incidentkit"].id)
    assert theirs.date_start.between("2014-01-01", "2019-12-31").all()
    ours = both[both.dataset == "incidentkit"]
    assert set(background.country.astype(str)) <= set(ours.country.astype(str))  # the project's countries


def test_monthly_counts_compares_only_the_common_window(multi_compared) -> None:
    both, _ = multi_compared
    ax = plots.monthly_counts(both)
    fig = ax.figure
    title = fig._suptitle.get_text()
    cov = plots.coverage(both)
    first, last = plots.common_window(cov)
    assert f"{first.strftime('%b %Y')}–{last.strftime('%b %Y')}: only the months every dataset covers" in title
    for name in cov.index:  # each dataset's own window is stated
        assert f"{cov.at[name, 'first'].strftime('%b %Y')}–{cov.at[name, 'last'].strftime('%b %Y')}" in title
    lo, hi = (matplotlib.dates.date2num(first.start_time), matplotlib.dates.date2num(last.end_time))
    for panel in fig.axes:
        xs = [p.get_x() for p in panel.patches if p.get_visible()]
        assert xs and min(xs) >= lo - 1 and max(xs) <= hi + 1
    assert not text_problems(fig)
    # every month: the months a dataset did not collect are gaps (hidden bars on a grey band), not zeros
    plt.close("all")
    ax = plots.monthly_counts(both, window="all")
    acled_panel = ax.figure.axes[1]
    hidden = [p for p in acled_panel.patches if not p.get_visible()]
    assert hidden and all(p.get_height() == 0 for p in hidden)
    assert any(isinstance(c, PolyCollection) or c.get_label() == "not covered" for c in acled_panel.patches
               + acled_panel.collections)


def test_compare_figures_on_many_countries(multi_compared) -> None:
    both, links = multi_compared
    ax = plots.compare_map(both, links)
    title = ax.figure._suptitle.get_text()
    assert len(ax.figure.axes) >= 2 and "regions far apart" in title
    assert "Jan 2014–Dec 2019, the months every dataset covers" in title  # ACLED's window, not ours
    # the legend counts only incidents inside that window: ours from other years are not "not matched"
    legend = [t.get_text() for t in ax.figure.legends[0].get_texts()]
    ours_in = both[(both.dataset == "incidentkit") & both.date_start.between("2014-01-01", "2019-12-31")]
    counts = [int(t.rsplit("(", 1)[1].rstrip(")").replace(",", "")) for t in legend if t.startswith("incidentkit")]
    assert sum(counts) == len(ours_in.dropna(subset=["latitude"]))
    assert not text_problems(ax.figure)
    # what no panel shows is said once, in the figure's title, not in every panel
    assert title.count("not drawn") <= 1 and not any("not drawn" in a.get_title() for a in ax.figure.axes)
    assert "ACLED: not matched (0)" not in legend  # the background events the project never coded
    plt.close("all")
    ax = plots.compare_fatalities(both, links, top=25)
    assert len(ax.get_yticks()) == 25 and "the 25 of" in ax.get_title()
    assert not text_problems(ax.figure)


def test_one_incident_draws_every_figure(df: pd.DataFrame) -> None:
    one = df.dropna(subset=["latitude"]).head(1)
    ax = plots.map_incidents(one)
    assert not text_problems(ax.figure)
    ax_n, _ = plots.timeline(one)
    assert not text_problems(ax_n.figure)
    ax = plots.breakdown(one, by="actor")
    assert not text_problems(ax.figure)


def test_compare_zoom_shows_both_markers_of_a_pair_and_the_provinces(multi: pd.DataFrame, multi_compared) -> None:
    both, links = multi_compared
    ours = both[(both.dataset == "incidentkit") & both.date_start.between("2014-01-01", "2019-12-31")]
    top = ours.groupby(["country", "admin1"], observed=True).size().idxmax()
    here = ours[(ours.country == top[0]) & (ours.admin1 == top[1])]
    view = plots.map_extent(here.longitude, here.latitude, pad=0.4, min_span=1.5)
    ax = plots.compare_map(both, links, extent=view, title="zoom")
    markers = [c for c in ax.collections if isinstance(c, PathCollection) and c.get_zorder() >= 5]
    external = [c for c in markers if c.get_zorder() == 6]
    mine = [c for c in markers if c.get_zorder() == 5 and c.get_sizes().max() > 20]
    assert external and mine
    # the external markers are drawn over ours and smaller, so a pair at nearly one point shows both
    assert max(c.get_sizes().max() for c in external) < min(c.get_sizes().min() for c in mine)
    drawn = np.concatenate([c.get_offsets() for c in external])
    pairs = links["acled"]
    theirs = both[both.dataset == "acled"].set_index("id")
    shown = [e for e in pairs.external_id if e in theirs.index
             and view[0] <= theirs.at[e, "longitude"] <= view[1] and view[2] <= theirs.at[e, "latitude"] <= view[3]]
    assert shown
    for e in shown:
        assert np.isclose(drawn, [theirs.at[e, "longitude"], theirs.at[e, "latitude"]]).all(axis=1).any()
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    matched = next(t for t in legend if t.startswith("ACLED: matched"))
    unmatched = next(t for t in legend if t.startswith("ACLED: not matched"))
    assert matched != "ACLED: matched (0)" and unmatched != "ACLED: not matched (0)"
    assert ax.get_title().count("not drawn:") == 1 and "outside this map" in ax.get_title()
    assert any(isinstance(c, LineCollection) and c.get_label() == "province borders" for c in ax.collections)
    assert not text_problems(ax.figure)


def test_the_generated_project_takes_up_to_forty_countries(multi: pd.DataFrame) -> None:
    from incidentkit.testing import PROJECT_COUNTRIES, coded_project_frame

    assert len(PROJECT_COUNTRIES) == 40 and multi.country.nunique() == 40
    with pytest.raises(ValueError, match="1 to 40"):
        coded_project_frame(10, countries=41)

"""Figures analysts want to look at: maps, timelines, breakdowns, and comparisons with ACLED/UCDP.

Every function draws on a matplotlib ``Axes`` (made for you when ``ax`` is None) and returns it, so
figures compose and can be saved with ``ax.figure.savefig(...)``. Maps render **offline**: country
outlines and capitals come from a Natural Earth 1:110m file shipped in the package
(``incidentkit/data/basemap``, public domain); no tile or boundary is downloaded. Colours mean one thing
everywhere: an event type has the same colour on every figure (:data:`EVENT_COLOURS`), a dataset the
same colour and marker (:data:`DATASET_STYLES`). Needs the ``notebooks`` extra (matplotlib).

>>> import matplotlib
>>> matplotlib.use("Agg")               # outside Jupyter: no screen needed; in a notebook figures show inline
>>> import incidentkit
>>> from incidentkit import plots
>>> df = incidentkit.read_incidents("datasets")
>>> ax = plots.map_incidents(df)
>>> ax.figure.savefig("map.png", dpi=150, bbox_inches="tight")   # doctest: +SKIP
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any, Mapping, Sequence

import numpy as np
import pandas as pd

from incidentkit.codebook import vocab
from incidentkit.errors import UsageError, require
from incidentkit.frames import dataset_label
from incidentkit.frames import monthly_counts as monthly_table

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

_PALETTE = ("#1f77b4", "#d62728", "#9467bd", "#ff7f0e", "#2ca02c", "#8c564b", "#e377c2", "#17becf")
#: One colour per ACLED event type, in codebook order; events without a type are grey.
EVENT_COLOURS: dict[str, str] = {t: _PALETTE[i % len(_PALETTE)] for i, t in enumerate(vocab.EVENT_TYPES)}
UNKNOWN_COLOUR = "#7f7f7f"
#: Marker and colour of each dataset on comparison figures.
DATASET_STYLES: dict[str, dict[str, str]] = {
    "incidentkit": {"marker": "o", "color": "#222222"},
    "acled": {"marker": "s", "color": "#1f77b4"},
    "ucdp": {"marker": "^", "color": "#e6550d"},
}
LAND, SEA, BORDER = "#f3f0e8", "#dde9f3", "#8f8f8f"


def _pyplot() -> Any:
    return require("matplotlib.pyplot", "notebooks", "plots")


def _new_axes(ax: "Axes | None", figsize: tuple[float, float]) -> "Axes":
    if ax is not None:
        return ax
    fig, new = _pyplot().subplots(figsize=figsize, layout="constrained")
    return new


# --- the offline basemap -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Basemap:
    """Country outlines (lists of lon/lat rings per country) and populated places from Natural Earth 1:110m."""

    countries: tuple[tuple[str, str, tuple[np.ndarray, ...]], ...]   # (name, iso_a3, outer rings)
    cities: tuple[tuple[str, float, float], ...]                     # (name, lon, lat)


def _read_geojson(name: str) -> dict[str, Any]:
    ref = resources.files("incidentkit") / "data" / "basemap" / name
    return json.loads(ref.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def load_basemap() -> Basemap:
    """The shipped Natural Earth basemap, parsed once per process (about 0.2 MB of GeoJSON)."""
    countries = []
    for f in _read_geojson("ne_110m_countries.geojson")["features"]:
        g = f["geometry"]
        polys = g["coordinates"] if g["type"] == "MultiPolygon" else [g["coordinates"]]
        rings = tuple(np.asarray(p[0], dtype=float) for p in polys)  # outer rings; 1:110m has no holes that matter
        countries.append((f["properties"]["name"], f["properties"]["iso_a3"], rings))
    cities = tuple((f["properties"]["name"], *map(float, f["geometry"]["coordinates"]))
                   for f in _read_geojson("ne_110m_cities.geojson")["features"])
    return Basemap(tuple(countries), cities)  # type: ignore[arg-type]


def map_extent(lon: Sequence[float], lat: Sequence[float], *, pad: float = 1.5,
               min_span: float = 4.0) -> tuple[float, float, float, float]:
    """(west, east, south, north) around the points: padded, at least ``min_span`` degrees each way."""
    x = np.asarray(lon, dtype=float)
    y = np.asarray(lat, dtype=float)
    ok = np.isfinite(x) & np.isfinite(y)
    if not ok.any():
        return (-180.0, 180.0, -60.0, 85.0)
    x, y = x[ok], y[ok]
    cx, cy = (x.min() + x.max()) / 2, (y.min() + y.max()) / 2
    hx = max((x.max() - x.min()) / 2 + pad, min_span / 2)
    hy = max((y.max() - y.min()) / 2 + pad, min_span / 2)
    return (max(cx - hx, -180.0), min(cx + hx, 180.0), max(cy - hy, -85.0), min(cy + hy, 85.0))


def draw_basemap(ax: "Axes", extent: tuple[float, float, float, float], *, cities: bool = True,
                 country_names: bool = True) -> "Axes":
    """Draw land, borders, country names and capitals inside ``extent``; set the map's aspect and axis labels.

    The aspect is 1/cos(latitude) at the centre, so distances look right near the middle of the map (a
    plain equirectangular view, good enough at the scale of a province or country).
    """
    from matplotlib.collections import PolyCollection

    west, east, south, north = extent
    bm = load_basemap()
    rings = [r for _, _, rs in bm.countries for r in rs]
    ax.add_collection(PolyCollection(rings, facecolors=LAND, edgecolors=BORDER, linewidths=0.7, zorder=0))
    ax.set_facecolor(SEA)
    ax.set_xlim(west, east)
    ax.set_ylim(south, north)
    ax.set_aspect(1.0 / max(math.cos(math.radians((south + north) / 2)), 0.2))
    ax.set_xlabel("Longitude (°E)")
    ax.set_ylabel("Latitude (°N)")
    span = max(east - west, north - south)
    w, h = east - west, north - south
    placed: list[tuple[float, float, float]] = []  # (x, y, half width) of labels drawn: later ones must not collide

    def free(x: float, y: float, chars: int) -> bool:
        half = 0.0095 * w * chars  # about one character per 1.9% of the width at fontsize 8-9
        inner = west + 0.01 * w < x - half and x + half < east - 0.01 * w and south + 0.04 * h < y < north - 0.04 * h
        clear = all(abs(x - px) > half + ph or abs(y - py) > 0.045 * h for px, py, ph in placed)
        if inner and clear:
            placed.append((x, y, half))
        return inner and clear

    if country_names and span < 60:
        for name, _, rs in bm.countries:
            pts = np.concatenate(rs)
            vis = pts[(pts[:, 0] > west) & (pts[:, 0] < east) & (pts[:, 1] > south) & (pts[:, 1] < north)]
            if len(vis) < 4:
                continue
            cx, cy = vis[:, 0].mean(), vis[:, 1].mean()  # the middle of the part of its outline in view
            if free(cx, cy, len(name)):
                ax.text(cx, cy, name.upper(), fontsize=9, color="#8a8a8a",
                        ha="center", va="center", style="italic", zorder=1, clip_on=True)
    if cities:
        inside = [(n, x, y) for n, x, y in bm.cities if west < x < east and south < y < north]
        if inside:
            ax.scatter([c[1] for c in inside], [c[2] for c in inside], s=10, c="#555555", marker="s", zorder=2)
            for n, x, y in inside:
                # the label sits right of and below its square; its centre is what must be free
                if free(x + 0.0095 * w * len(n) / 2 + 0.005 * w, y - 0.025 * h, len(n)):
                    ax.annotate(n, (x, y), xytext=(4, -9), textcoords="offset points", fontsize=8,
                                color="#444444", zorder=2, clip_on=True)
    return ax


# --- incidents ---------------------------------------------------------------------------------------

def _category_colours(values: pd.Series) -> tuple[list[str], dict[str, str]]:
    names = values.astype("object").where(values.notna(), "Unknown").astype(str)
    known = dict(EVENT_COLOURS)
    extra = [n for n in dict.fromkeys(names) if n not in known and n != "Unknown"]
    for i, n in enumerate(extra):
        known[n] = _PALETTE[(len(EVENT_COLOURS) + i) % len(_PALETTE)]
    known["Unknown"] = UNKNOWN_COLOUR
    return [known[n] for n in names], known


def marker_size(fatalities: Any) -> np.ndarray:
    """Marker area (points²) for a fatality count: 30 + 25·√n, so 0 stays visible and 1,000 does not swamp the map.

    The square root compresses the range (ACLED counts run from 0 to hundreds); the size legend shows the scale.
    """
    f = np.clip(np.nan_to_num(np.asarray(fatalities, dtype=float), nan=0.0), 0, None)
    return 30.0 + 25.0 * np.sqrt(f)


def _located(df: pd.DataFrame) -> pd.Series:
    lat = pd.to_numeric(df["latitude"], errors="coerce")
    lon = pd.to_numeric(df["longitude"], errors="coerce")
    return lat.notna() & lon.notna()


def fan_offsets(lon: np.ndarray, lat: np.ndarray, radius_pt: float = 14.0,
                max_fan: int = 8) -> tuple[np.ndarray, np.ndarray]:
    """Screen offsets (points) that fan out markers sharing a place on a small circle around it; 0 elsewhere.

    Several incidents coded to the same place would otherwise hide each other. The shift is on screen, not
    in degrees, so it does not depend on the zoom; callers draw a leader line to the true point and say how
    many incidents are there: no position is silently moved. Groups larger than ``max_fan`` stay stacked
    (a ring of dozens of markers helps nobody); their "n incidents here" label still says how many.
    """
    dx, dy = np.zeros(len(lon)), np.zeros(len(lat))
    keys = pd.Series(list(zip(np.round(lon, 3), np.round(lat, 3))))
    for _, idx in keys.groupby(keys).groups.items():
        idx = np.asarray(idx)
        if 1 < len(idx) <= max_fan:
            angles = np.pi / 2 + 2 * np.pi * np.arange(len(idx)) / len(idx)
            dx[idx], dy[idx] = radius_pt * np.cos(angles), radius_pt * np.sin(angles)
    return dx, dy


def _scatter_fanned(ax: "Axes", lon: np.ndarray, lat: np.ndarray, dx: np.ndarray, dy: np.ndarray,
                    **kwargs: Any) -> None:
    """Scatter with per-point screen offsets: unshifted points in one call, shifted ones each with its transform."""
    from matplotlib.transforms import ScaledTranslation

    sizes = np.broadcast_to(np.asarray(kwargs.pop("s")), lon.shape)
    colours = np.asarray(kwargs.pop("c"), dtype=object)
    still = (dx == 0) & (dy == 0)
    order = np.argsort(-sizes, kind="stable")  # large first: small markers stay on top
    o = order[still[order]]
    ax.scatter(lon[o], lat[o], s=sizes[o], facecolors=list(colours[o]), **kwargs)
    for i in order[~still[order]]:
        shift = ScaledTranslation(dx[i] / 72, dy[i] / 72, ax.figure.dpi_scale_trans)
        ax.annotate("", (lon[i], lat[i]), xytext=(dx[i], dy[i]), textcoords="offset points",
                    arrowprops={"arrowstyle": "-", "color": "#333333", "lw": 0.8, "shrinkA": 0, "shrinkB": 0},
                    zorder=4)
        ax.scatter([lon[i]], [lat[i]], s=[sizes[i]], facecolors=[colours[i]], transform=ax.transData + shift,
                   **kwargs)
    keys = pd.Series(list(zip(np.round(lon, 3), np.round(lat, 3))))
    counts = keys.value_counts()
    for (x, y), n in counts.items() if len(counts) <= 40 else ():  # on a busy map the labels would bury it
        if n > 1:
            ax.scatter([x], [y], s=8, c="#333333", zorder=4)
            ax.annotate(f"{n} incidents here", (x, y), xytext=(22, -20), textcoords="offset points", fontsize=8,
                        zorder=6, bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "#999999", "alpha": 0.9})


def _sectioned_legend(ax: "Axes", sections: Sequence[tuple[str, list[Any]]], **kwargs: Any) -> Any:
    """One legend right of the axes with a bold heading per section (one legend: nothing gets clipped)."""
    from matplotlib.lines import Line2D

    handles: list[Any] = []
    headings: list[int] = []
    for k, (heading, items) in enumerate(sections):
        if k:
            handles.append(Line2D([], [], ls="", marker="", label=" "))
        headings.append(len(handles))
        handles.append(Line2D([], [], ls="", marker="", label=heading))
        handles.extend(items)
    if not handles:
        return None
    leg = ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False,
                    labelspacing=0.9, handletextpad=0.6, **kwargs)
    for i in headings:
        leg.get_texts()[i].set_fontweight("bold")
    return leg


def _column_title(name: str) -> str:
    if name.startswith("fatalities_"):
        return f"Fatalities ({name.split('_', 1)[1]})"
    return name.replace("_", " ").capitalize()


def map_incidents(df: pd.DataFrame, ax: "Axes | None" = None, *, color_by: str = "event_type",
                  size_by: str | None = "fatalities_best", extent: tuple[float, float, float, float] | None = None,
                  title: str | None = None, cities: bool = True) -> "Axes":
    """Incidents on an offline map: colour by ``color_by`` (event type), area by ``size_by`` (fatalities).

    Incidents at the same point are drawn largest first and labelled "n incidents here", so none hides
    behind another unnoticed. Incidents without coordinates are not drawn; the title says how many.

    >>> import incidentkit
    >>> ax = map_incidents(incidentkit.read_incidents("datasets"))
    >>> [t.get_text() for t in ax.get_legend().get_texts()][:4]
    ['Event type', 'Battles', 'Explosions/Remote violence', 'Strategic developments']
    """
    ax = _new_axes(ax, (9, 7))
    ok = _located(df)
    d = df[ok]
    lon = pd.to_numeric(d["longitude"]).to_numpy(float)
    lat = pd.to_numeric(d["latitude"]).to_numpy(float)
    draw_basemap(ax, extent or map_extent(lon, lat, pad=2.5, min_span=6.0), cities=cities)
    colours, palette = _category_colours(d[color_by]) if color_by in d else ([UNKNOWN_COLOUR] * len(d), {})
    sizes = marker_size(d[size_by]) if size_by and size_by in d else np.full(len(d), 60.0)
    dx, dy = fan_offsets(lon, lat)
    _scatter_fanned(ax, lon, lat, dx, dy, s=sizes, c=colours, alpha=0.85, edgecolors="black", linewidths=0.8,
                    zorder=5)
    from matplotlib.lines import Line2D

    shown = [n for n in palette if n in set(d[color_by].astype("object").fillna("Unknown").astype(str))] \
        if color_by in d else []
    handles = [Line2D([], [], marker="o", ls="", markersize=9, markerfacecolor=palette[n], markeredgecolor="black",
                      label=n) for n in shown]
    sections: list[tuple[str, list[Any]]] = []
    if handles:
        sections.append((_column_title(color_by), handles))
    if size_by and size_by in d and len(d):
        top = float(pd.to_numeric(d[size_by], errors="coerce").max())
        steps = [v for v in (0, 10, 50, 100, 500, 1000) if v <= max(top, 1)]
        steps = sorted(set(steps[:2] + steps[-1:] + ([int(top)] if top > steps[-1] else [])))
        sections.append((_column_title(size_by), [
            Line2D([], [], marker="o", ls="", markersize=math.sqrt(float(marker_size([v])[0])),
                   markerfacecolor="white", markeredgecolor="black", label=f"{v}") for v in steps]))
    _sectioned_legend(ax, sections)
    missing = int((~ok).sum())
    head = title or f"{len(d)} incident(s), colour: {_column_title(color_by).lower()}" + (
        f", size: {_column_title(size_by).lower()}" if size_by else "")
    ax.set_title(head + (f" ({missing} without coordinates, not shown)" if missing else ""))
    return ax


def _periods(dates: pd.Series, freq: str | None) -> tuple[pd.Series, str]:
    d = pd.to_datetime(dates)
    if freq is None:
        span = (d.max() - d.min()).days if len(d) else 0
        freq = "D" if span <= 92 else "W" if span <= 3 * 365 else "M"
    per = d.dt.to_period(freq).dt.start_time
    return per, freq


_FREQ_NAMES = {"D": "day", "W": "week", "M": "month"}


def timeline(df: pd.DataFrame, axes: Sequence["Axes"] | None = None, *, freq: str | None = None,
             stack_by: str | None = "event_type") -> tuple["Axes", "Axes"]:
    """Incidents per period (stacked by event type) above fatalities per period: best as a point, low–high as a bar.

    Incidents are counted on their ``date_start``; ``freq`` is ``"D"``, ``"W"`` or ``"M"`` (chosen from the
    span when None). The error bar of a period runs from the sum of the low estimates to the sum of the
    high ones, so the uncertainty coders recorded stays visible.

    >>> import incidentkit
    >>> counts_ax, deaths_ax = timeline(incidentkit.read_incidents("datasets"))
    >>> counts_ax.get_ylabel(), deaths_ax.get_ylabel()
    ('Incidents per day', 'Fatalities per day')
    """
    plt = _pyplot()
    import matplotlib.dates as mdates

    if axes is None:
        fig, axes = plt.subplots(2, 1, figsize=(9, 6), sharex=True, layout="constrained",
                                 gridspec_kw={"height_ratios": [1, 1.2]})
    ax_n, ax_f = axes[0], axes[1]
    per, freq = _periods(df["date_start"], freq)
    unit = _FREQ_NAMES.get(freq[0], freq)
    width = pd.Timedelta(days={"D": 0.8, "W": 5.6}.get(freq[0], 24))
    frame = pd.DataFrame({"period": per})
    frame["kind"] = df[stack_by].astype("object").fillna("Unknown").astype(str).to_numpy() \
        if stack_by and stack_by in df else "Incidents"
    counts = frame.groupby(["period", "kind"]).size().unstack(fill_value=0)
    colours = _category_colours(pd.Series(counts.columns))[1]
    counts = counts[[k for k in colours if k in counts.columns]] if stack_by else counts
    bottom = np.zeros(len(counts))
    for kind in counts.columns:
        ax_n.bar(counts.index, counts[kind].to_numpy(), width=width, bottom=bottom, label=kind,
                 color=colours.get(kind, UNKNOWN_COLOUR), edgecolor="white")
        bottom += counts[kind].to_numpy()
    ax_n.set_ylabel(f"Incidents per {unit}")
    ax_n.yaxis.get_major_locator().set_params(integer=True)
    if stack_by:
        ax_n.legend(title=stack_by.replace("_", " ").capitalize(), loc="upper left", bbox_to_anchor=(1.01, 1.0),
                    frameon=False)
    ax_n.set_title(f"Incidents and fatalities per {unit}")

    fat = pd.DataFrame({"period": per, **{p: pd.to_numeric(df[f"fatalities_{p}"], errors="coerce").fillna(0).to_numpy()
                                          for p in ("low", "best", "high")}}).groupby("period").sum()
    if len(fat) <= 40:
        ax_f.errorbar(fat.index, fat["best"], yerr=[fat["best"] - fat["low"], fat["high"] - fat["best"]], fmt="o",
                      color="#222222", ecolor="#d62728", elinewidth=6, alpha=0.9, capsize=0, markersize=6,
                      label="best estimate (dot),\nlow–high range (bar)")
    else:  # many periods: a line and a band read better than a forest of bars
        ax_f.fill_between(fat.index, fat["low"], fat["high"], color="#d62728", alpha=0.35, step="mid",
                          label="low–high range")
        ax_f.plot(fat.index, fat["best"], color="#222222", lw=1.2, drawstyle="steps-mid", label="best estimate")
    for t, lo, best, hi in zip(fat.index, fat["low"], fat["best"], fat["high"]) if len(fat) <= 20 else ():
        ax_f.annotate(f"{int(best)}" + (f" ({int(lo)}–{int(hi)})" if lo != hi else ""), (t, best),
                      xytext=(9, 0), textcoords="offset points", va="center", fontsize=9)
    ax_f.set_ylabel(f"Fatalities per {unit}")
    ax_f.set_ylim(bottom=0, top=max(float(fat["high"].max()) * 1.15, 1.0) if len(fat) else 1.0)
    ax_f.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    ax_f.set_xlabel("Date (start of incident)")
    if len(fat):
        step = pd.Timedelta(days={"D": 1, "W": 7}.get(freq[0], 31))
        ax_f.set_xlim(fat.index.min() - step, fat.index.max() + step)
    locator = mdates.AutoDateLocator(minticks=3, maxticks=10)
    ax_f.xaxis.set_major_locator(locator)
    ax_f.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    for ax in (ax_n, ax_f):
        ax.grid(axis="y", color="#e5e5e5")
        ax.set_axisbelow(True)
    return ax_n, ax_f


def _actor_rows(df: pd.DataFrame) -> pd.DataFrame:
    """One row per (incident, actor) over actor1 and actor2: an incident counts once for each side."""
    cols = [c for c in ("event_type", "fatalities_low", "fatalities_best", "fatalities_high") if c in df]
    parts = [df[cols].assign(actor=df[a].astype("object")) for a in ("actor1", "actor2") if a in df]
    out = pd.concat(parts, ignore_index=True)
    return out[out["actor"].notna()]


def breakdown(df: pd.DataFrame, by: str = "event_type", ax: "Axes | None" = None, *, hue: str | None = None,
              top: int = 15) -> "Axes":
    """Horizontal bars of incidents per ``by`` value, each labelled with its fatalities (best, low–high).

    ``by`` is any column, or ``"actor"`` to count each incident once for each of its actors (actor1 and
    actor2). ``hue="event_type"`` stacks the bars by event type in the shared colours. At most ``top``
    bars are shown, largest first.

    >>> import incidentkit
    >>> ax = breakdown(incidentkit.read_incidents("datasets"), by="actor", hue="event_type")
    >>> [t.get_text() for t in ax.get_yticklabels()][-2:]   # the largest at the top
    ['QSD: Syrian Democratic Forces', 'Islamic State (Syria)']
    """
    data = _actor_rows(df) if by == "actor" else df.assign(**{by: df[by].astype("object")})
    if by not in data:
        raise UsageError(f"no column {by!r} to break down by", code="usage")
    data = data[data[by].notna()]
    fat = {p: pd.to_numeric(data[f"fatalities_{p}"], errors="coerce").fillna(0)
           for p in ("low", "best", "high") if f"fatalities_{p}" in data}
    g = pd.DataFrame({"key": data[by].astype(str), "n": 1, **fat}).groupby("key").sum()
    g = g.sort_values(["n", "best"] if "best" in g else ["n"], ascending=False).head(top).iloc[::-1]
    keys = list(g.index)
    ax = _new_axes(ax, (9, 0.45 * max(len(keys), 2) + 1.6))
    if by == "event_type" and hue in (None, by):  # colour means event type on every figure
        colours = _category_colours(pd.Series(keys))[1]
        ax.barh(keys, g["n"].to_numpy(), color=[colours[k] for k in keys])
    elif hue and hue in data:
        colours = _category_colours(data[hue])[1]
        table = pd.crosstab(data[by].astype(str), data[hue].astype("object").fillna("Unknown").astype(str))
        table = table.reindex(keys)
        left = np.zeros(len(keys))
        for kind in [k for k in colours if k in table.columns]:
            ax.barh(keys, table[kind].to_numpy(), left=left, color=colours[kind], label=kind, edgecolor="white")
            left += table[kind].to_numpy()
        ax.legend(title=hue.replace("_", " ").capitalize(), loc="upper left", bbox_to_anchor=(1.01, 1.0),
                  frameon=False)
    else:
        ax.barh(keys, g["n"].to_numpy(), color="#4c72b0")
    if "best" in g:
        low, high = g.get("low", g["best"]), g.get("high", g["best"])
        for y, (n, lo, best, hi) in enumerate(zip(g["n"], low, g["best"], high)):
            rng = f" ({int(lo)}–{int(hi)})" if lo != hi else ""
            ax.annotate(f"{int(best)} killed{rng}", (n, y), xytext=(5, 0), textcoords="offset points",
                        va="center", fontsize=9)
    ax.set_xlim(0, max(float(g["n"].max()) * 1.6, 1.0) if len(g) else 1.0)
    ax.xaxis.get_major_locator().set_params(integer=True)
    label = "Actor (actor1 or actor2)" if by == "actor" else by.replace("_", " ").capitalize()
    ax.set_ylabel(label)
    ax.set_xlabel("Incidents (label: fatalities, best and low–high)")
    ax.set_title(f"Incidents by {label.lower()}")
    ax.grid(axis="x", color="#e5e5e5")
    ax.set_axisbelow(True)
    return ax


# --- comparison with ACLED / UCDP --------------------------------------------------------------------

def _pairs(link: Any) -> pd.DataFrame:
    pairs = getattr(link, "pairs", link)
    if not {"incident_id", "external_id"} <= set(pairs.columns):
        raise UsageError("links must be LinkResult objects or frames with incident_id and external_id", code="usage")
    return pairs


def match_status(df: pd.DataFrame, links: Mapping[str, Any]) -> pd.Series:
    """For a combined frame: True where the row is in a linked pair of its dataset (ours: with any dataset)."""
    ds = df["dataset"].astype(str)
    ids = df["id"].astype(str)
    matched = pd.Series(False, index=df.index)
    for name, link in links.items():
        p = _pairs(link)
        matched |= (ds == name) & ids.isin(set(p["external_id"].astype(str)))
        matched |= (ds == "incidentkit") & ids.isin(set(p["incident_id"].astype(str)))
    return matched


def compare_map(df: pd.DataFrame, links: Mapping[str, Any], ax: "Axes | None" = None, *,
                extent: tuple[float, float, float, float] | None = None, title: str | None = None,
                legend: str | None = "right") -> "Axes":
    """Our incidents and external events on one offline map, matched (filled) and unmatched (hollow).

    ``df`` is :func:`incidentkit.external.combine`'s output; ``links`` maps a dataset name (``"acled"``,
    ``"ucdp"``) to its :class:`incidentkit.linking.LinkResult`. A grey line joins each linked pair. The view
    frames our incidents (pass ``extent`` to change it); the title counts external events outside it.
    ``legend`` is ``"right"``, ``"below"`` (for side-by-side maps) or None. Our incidents at one place are
    fanned out as in :func:`map_incidents`.

    Worked through in ``notebooks/02_compare_with_public_data.ipynb``:

    >>> both = combine(ours, acled, ucdp)                                         # doctest: +SKIP
    >>> compare_map(both, {"acled": link(ours, acled), "ucdp": link(ours, ucdp)})  # doctest: +SKIP
    """
    from matplotlib.lines import Line2D

    ax = _new_axes(ax, (10, 7.5))
    d = df[_located(df)].copy()
    d["_lon"] = pd.to_numeric(d["longitude"]).astype(float)
    d["_lat"] = pd.to_numeric(d["latitude"]).astype(float)
    d["_ds"] = d["dataset"].astype(str)
    d["_matched"] = match_status(d, links)
    ours = d[d["_ds"] == "incidentkit"]
    view = extent or map_extent(ours["_lon"] if len(ours) else d["_lon"], ours["_lat"] if len(ours) else d["_lat"],
                                pad=2.0, min_span=6.0)
    draw_basemap(ax, view)
    west, east, south, north = view
    inside = d["_lon"].between(west, east) & d["_lat"].between(south, north)
    pos = {(ds, str(i)): (x, y) for ds, i, x, y in zip(d["_ds"], d["id"], d["_lon"], d["_lat"])}
    for name, link in links.items():
        for a, b in zip(_pairs(link)["incident_id"].astype(str), _pairs(link)["external_id"].astype(str)):
            if ("incidentkit", a) in pos and (name, b) in pos:
                (x0, y0), (x1, y1) = pos[("incidentkit", a)], pos[(name, b)]
                ax.plot([x0, x1], [y0, y1], color="#666666", lw=1.0, zorder=3)
    handles = []
    names = [n for n in DATASET_STYLES if n in set(d["_ds"])] + sorted(set(d["_ds"]) - set(DATASET_STYLES))
    for name in names:
        style = DATASET_STYLES.get(name, {"marker": "D", "color": UNKNOWN_COLOUR})
        for matched in (True, False):
            rows = d[(d["_ds"] == name) & (d["_matched"] == matched) & inside]
            face = style["color"] if matched else "none"
            if name != "incidentkit":
                ax.scatter(rows["_lon"], rows["_lat"], s=45, marker=style["marker"], facecolors=face,
                           edgecolors=style["color"], linewidths=1.4, zorder=4, alpha=0.9)
            total = len(rows)
            handles.append(Line2D([], [], marker=style["marker"], ls="", markersize=8, markerfacecolor=face,
                                  markeredgecolor=style["color"], markeredgewidth=1.4,
                                  label=f"{dataset_label(name)}: {'matched' if matched else 'not matched'} ({total})"))
    mine = d[(d["_ds"] == "incidentkit") & inside]
    if len(mine):
        lon, lat = mine["_lon"].to_numpy(float), mine["_lat"].to_numpy(float)
        style = DATASET_STYLES["incidentkit"]
        faces = np.where(mine["_matched"].to_numpy(bool), style["color"], "none")
        _scatter_fanned(ax, lon, lat, *fan_offsets(lon, lat), s=np.full(len(mine), 70.0), c=faces,
                        marker=style["marker"], edgecolors=style["color"], linewidths=1.4, zorder=5, alpha=0.9)
    handles.append(Line2D([], [], color="#666666", lw=1.0, label="linked pair"))
    if legend == "below":
        ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=2, frameon=False,
                  title="Dataset (events in view)")
    elif legend:
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False,
                  title="Dataset (events in view)")
    outside = int((~inside & (d["_ds"] != "incidentkit")).sum())
    ax.set_title((title or "Our incidents and public datasets")
                 + (f"\n({outside} external event(s) outside this view not shown)" if outside else ""))
    return ax


def _linked_external(link: Any) -> dict[str, list[str]]:
    """Per incident id, the external rows it is linked to, in the link's order.

    An incident spanning N days may be linked to N per-day rows of one ACLED event; their figures are
    one day's deaths each, so the event's figure is their sum (:attr:`LinkResult.fatalities` holds one
    row per incident with ``external_ids`` and the rows summed). A plain frame of pairs is grouped the
    same way.
    """
    out: dict[str, list[str]] = {}
    fat = getattr(link, "fatalities", None)
    if isinstance(fat, pd.DataFrame) and {"incident_id", "external_ids"} <= set(fat.columns):
        out = {str(i): [e for e in str(ids).split("; ") if e] for i, ids in zip(fat["incident_id"], fat["external_ids"])}
    summed = set(out)
    pairs = _pairs(link)
    # incidents link left out of its fatalities (a row's figure unknown), or a plain frame of pairs
    for i, e in zip(pairs["incident_id"].astype(str), pairs["external_id"].astype(str)):
        if i not in summed:
            out.setdefault(i, []).append(e)
    return out


def compare_fatalities(df: pd.DataFrame, links: Mapping[str, Any], ax: "Axes | None" = None) -> "Axes":
    """For each of our linked incidents: our fatality range (low–best–high) next to each dataset's estimate.

    One row per incident that any dataset matched; each dataset's estimate is a marker in its colour,
    with its own low–high bar where the dataset records one (UCDP does, ACLED does not). When an incident
    is linked to several external rows (ACLED records a multi-day event as one row per day, each with
    that day's deaths), the marker is their sum, as ``incidentkit link`` compares them
    (:attr:`incidentkit.linking.LinkResult.fatalities`), labelled with the number of rows; a sum with an
    unknown figure among its rows is not drawn (it would read as a real difference).

    >>> compare_fatalities(both, {"acled": acled_link, "ucdp": ucdp_link})   # doctest: +SKIP
    """
    ax = _new_axes(ax, (9, 5))
    ds = df["dataset"].astype(str)
    key = pd.Series(list(zip(ds, df["id"].astype(str))), index=df.index)
    rows = {k: i for i, k in zip(df.index, key)}
    linked = {name: _linked_external(link) for name, link in links.items()}
    incident_ids: list[str] = []
    for per_incident in linked.values():
        incident_ids += [i for i in per_incident if i not in incident_ids]
    incident_ids = [i for i in incident_ids if ("incidentkit", i) in rows]
    ours = df.loc[[rows[("incidentkit", i)] for i in incident_ids]]
    order = np.argsort(pd.to_datetime(ours["date_start"]).to_numpy(), kind="stable")
    incident_ids = [incident_ids[k] for k in order]
    names = list(links)
    offsets = np.linspace(-0.25, 0.25, len(names) + 1)

    def fat(r: pd.Series) -> tuple[float, float, float]:
        best = float(pd.to_numeric(r.get("fatalities_best"), errors="coerce"))
        lo = pd.to_numeric(r.get("fatalities_low"), errors="coerce")
        hi = pd.to_numeric(r.get("fatalities_high"), errors="coerce")
        return (best if pd.isna(lo) else float(lo), best, best if pd.isna(hi) else float(hi))

    def summed(name: str, external_ids: list[str]) -> tuple[float, float, float] | None:
        if not external_ids or any((name, e) not in rows for e in external_ids):
            return None
        figures = np.array([fat(df.loc[rows[(name, e)]]) for e in external_ids], dtype=float)
        if np.isnan(figures).any():
            return None
        lo, best, hi = figures.sum(axis=0)
        return float(lo), float(best), float(hi)

    labels = []
    for y, iid in enumerate(incident_ids):
        r = df.loc[rows[("incidentkit", iid)]]
        lo, best, hi = fat(r)
        mine = DATASET_STYLES["incidentkit"]
        ax.errorbar([best], [y + offsets[0]], xerr=[[best - lo], [hi - best]], fmt=mine["marker"],
                    color=mine["color"], capsize=4, markersize=7)
        date = pd.Timestamp(r["date_start"]).strftime("%Y-%m-%d")
        place = str(r.get("location") or r.get("admin1") or "")
        labels.append(f"{date} {place[:28]}\n{iid}")
        for k, name in enumerate(names, start=1):
            external_ids = linked[name].get(iid, [])
            figure = summed(name, external_ids)
            if figure is None:
                continue
            lo, best, hi = figure
            style = DATASET_STYLES.get(name, {"marker": "D", "color": UNKNOWN_COLOUR})
            ax.errorbar([best], [y + offsets[k]], xerr=[[best - lo], [hi - best]], fmt=style["marker"],
                        color=style["color"], capsize=4, markersize=7)
            if len(external_ids) > 1:
                ax.annotate(f"sum of {len(external_ids)} rows", (best, y + offsets[k]), xytext=(6, 0),
                            textcoords="offset points", va="center", fontsize=7, color=style["color"])
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], marker=DATASET_STYLES.get(n, {"marker": "D"})["marker"], ls="-",
                      color=DATASET_STYLES.get(n, {"color": UNKNOWN_COLOUR})["color"], label=dataset_label(n))
               for n in ["incidentkit", *names]]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False,
              title="Dataset (bar: low–high)")
    ax.set_yticks(range(len(incident_ids)), labels, fontsize=8)
    ax.set_ylim(-0.6, len(incident_ids) - 0.4)
    ax.invert_yaxis()
    ax.set_xlabel("Fatalities (an incident's linked rows summed)")
    ax.set_xlim(left=-0.03 * max(ax.get_xlim()[1], 10.0))  # markers at 0 stay whole
    ax.set_title("Fatality estimates of linked events")
    ax.grid(axis="x", color="#e5e5e5")
    ax.set_axisbelow(True)
    return ax


def monthly_counts(df: pd.DataFrame, ax: "Axes | None" = None, *, value: str = "events") -> "Axes":
    """Grouped bars per month, one bar per dataset: ``value`` is ``"events"`` or ``"fatalities_best"``.

    The numbers are :func:`incidentkit.frames.monthly_counts` of ``df`` (a combined frame).

    >>> monthly_counts(combine(ours, acled, ucdp), value="fatalities_best")   # doctest: +SKIP
    """
    ax = _new_axes(ax, (10, 4.5))
    table = monthly_table(df)
    if value not in table:
        raise UsageError(f"value must be 'events' or a fatalities column, not {value!r}", code="usage")
    wide = table.pivot(index="month", columns="dataset", values=value).fillna(0)
    names = [n for n in DATASET_STYLES if n in wide.columns] + sorted(set(wide.columns) - set(DATASET_STYLES))
    x = np.arange(len(wide))
    w = 0.8 / max(len(names), 1)
    for k, name in enumerate(names):
        style = DATASET_STYLES.get(name, {"color": UNKNOWN_COLOUR})
        bars = ax.bar(x - 0.4 + w * (k + 0.5), wide[name].to_numpy(), width=w, color=style["color"],
                      label=dataset_label(name))
        if len(wide) <= 12:  # small counts (ours) would be invisible next to a public dataset's: print them
            ax.bar_label(bars, labels=[f"{v:,.0f}" if v else "" for v in wide[name]], fontsize=8, padding=2)
    labels = [p.strftime("%b %Y") for p in wide.index]
    step = max(1, math.ceil(len(labels) / 18))
    crowded = len(labels) > 8
    ax.set_xticks(x[::step], labels[::step], rotation=45 if crowded else 0, ha="right" if crowded else "center")
    ax.set_xlabel("Month (of the event's start date)")
    ax.set_ylabel("Events" if value == "events" else value.replace("_", " ").capitalize())
    ax.set_title(("Events" if value == "events" else "Fatalities (best)") + " per month, by dataset")
    ax.legend(title="Dataset", loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    ax.grid(axis="y", color="#e5e5e5")
    ax.set_axisbelow(True)
    return ax


__all__ = ["map_incidents", "timeline", "breakdown", "compare_map", "compare_fatalities", "monthly_counts",
           "draw_basemap", "load_basemap", "map_extent", "marker_size", "match_status", "EVENT_COLOURS",
           "DATASET_STYLES", "Basemap"]

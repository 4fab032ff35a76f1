"""Figures analysts want to look at: maps, timelines, breakdowns, and comparisons with ACLED/UCDP.

Every function draws on a matplotlib ``Axes`` (made for you when ``ax`` is None) and returns it, so
figures compose and can be saved with ``ax.figure.savefig(...)``. Maps render **offline**: country
outlines and capitals come from a Natural Earth 1:110m file shipped in the package, province borders
(on maps up to 30° across) from Natural Earth 1:10m (``incidentkit/data/basemap``, public domain); no
tile or boundary is downloaded. Colours mean one thing
everywhere: an event type has the same colour on every figure (:data:`EVENT_COLOURS`), a dataset the
same colour and marker (:data:`DATASET_STYLES`). Needs the ``notebooks`` extra (matplotlib).

Figures fit the data they are given (the figure gallery in the documentation shows them on a
40-country, 15-year project): map extents and panels from where the events are (:func:`regions`,
:func:`map_extent`), aggregation above :data:`AGGREGATE_ABOVE` incidents, periods from the span
(:func:`choose_freq`), comparisons in the months every dataset covers (:func:`coverage`,
:func:`common_window`), titles that state the counts (:func:`describe`), and place names checked with
matplotlib's renderer (:func:`declutter`). When a function makes its own figure, it grows the figure
until every text is inside it (:func:`fit_figure`).

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


@lru_cache(maxsize=1)
def _province_index() -> dict[str, tuple[float, float, float, float]]:
    ref = resources.files("incidentkit") / "data" / "basemap" / "ne_10m_admin1" / "index.json"
    return {k: tuple(v) for k, v in json.loads(ref.read_text(encoding="utf-8"))["boxes"].items()}


@lru_cache(maxsize=512)
def _country_provinces(code: str) -> tuple[tuple[str, tuple[float, float, float, float], tuple[np.ndarray, ...]], ...]:
    """One country's provinces: (name, bounding box, rings), parsed once per process."""
    import gzip

    ref = resources.files("incidentkit") / "data" / "basemap" / "ne_10m_admin1" / f"{code}.geojson.gz"
    with ref.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as fh:
        features = json.load(fh)["features"]
    out = []
    for f in features:
        g = f["geometry"]
        polys = g["coordinates"] if g["type"] == "MultiPolygon" else [g["coordinates"]]
        rings = tuple(np.asarray(r, dtype=float) for poly in polys for r in poly if len(r) >= 3)
        if rings:
            pts = np.concatenate(rings)
            box = (pts[:, 0].min(), pts[:, 0].max(), pts[:, 1].min(), pts[:, 1].max())
            out.append((str(f["properties"].get("name") or ""), box, rings))
    return tuple(out)


def provinces(extent: tuple[float, float, float, float]) -> list[tuple[str, tuple[np.ndarray, ...]]]:
    """Province (admin-1) outlines meeting ``extent``: (name, rings) from Natural Earth 1:10m, shipped in the package.

    The outlines are simplified to about 1-2 km (``incidentkit/data/basemap/README.md``) and stored one
    gzip GeoJSON file per country, so a zoomed map reads only the countries it shows.
    """
    west, east, south, north = extent

    def meets(b: Sequence[float]) -> bool:
        return b[0] <= east and b[1] >= west and b[2] <= north and b[3] >= south

    return [(name, rings) for code, box in _province_index().items() if meets(box)
            for name, b, rings in _country_provinces(code) if meets(b)]


def province_at(lon: float, lat: float) -> str | None:
    """The name of the province a point lies in, or None (at sea, or in a gap of the generalised outlines)."""
    from matplotlib.path import Path as MplPath

    for name, rings in provinces((lon, lon, lat, lat)):
        if sum(MplPath(r).contains_point((lon, lat)) for r in rings) % 2:  # odd: inside, not in a hole
            return name
    return None


def map_extent(lon: Sequence[float], lat: Sequence[float], *, pad: float = 1.5,
               min_span: float = 4.0, max_ratio: float = 1.8) -> tuple[float, float, float, float]:
    """(west, east, south, north) around the points: padded, at least ``min_span`` degrees each way.

    The frame is widened along its short side until its shape on screen (width × cos(latitude) against
    height) is at most ``max_ratio`` : 1 either way, so a north–south spread of events never becomes a
    tall thin strip (nor an east–west one a ribbon).
    """
    x = np.asarray(lon, dtype=float)
    y = np.asarray(lat, dtype=float)
    ok = np.isfinite(x) & np.isfinite(y)
    if not ok.any():
        return (-180.0, 180.0, -60.0, 85.0)
    x, y = x[ok], y[ok]
    cx, cy = (x.min() + x.max()) / 2, (y.min() + y.max()) / 2
    hx = max((x.max() - x.min()) / 2 + pad, min_span / 2)
    hy = max((y.max() - y.min()) / 2 + pad, min_span / 2)
    k = max(math.cos(math.radians(cy)), 0.2)
    if hx * k > max_ratio * hy:      # too wide for its height: add height
        hy = hx * k / max_ratio
    elif hy > max_ratio * hx * k:    # too tall: add width
        hx = hy / (max_ratio * k)
    hx, hy = min(hx, 180.0), min(hy, 72.5)
    cx = min(max(cx, -180.0 + hx), 180.0 - hx)
    cy = min(max(cy, -85.0 + hy), 85.0 - hy)
    return (cx - hx, cx + hx, cy - hy, cy + hy)


def regions(lon: Sequence[float], lat: Sequence[float], *, gap: float = 15.0,
            max_regions: int = 6) -> list[np.ndarray]:
    """Indices of the points grouped into separate regions: points closer than ``gap`` degrees share one.

    Single linkage on 1° cells (fast at any size). A map of events in Syria, Nigeria and Mexico gets
    three panels rather than one frame stretched over the Atlantic. When there would be more than
    ``max_regions`` regions (events scattered worldwide), the closest are merged until there are at most
    that many. Points without coordinates belong to no region.
    """
    x = np.asarray(lon, dtype=float)
    y = np.asarray(lat, dtype=float)
    idx = np.flatnonzero(np.isfinite(x) & np.isfinite(y))
    if not len(idx):
        return []
    cells = pd.DataFrame({"cx": np.floor(x[idx]).astype(int), "cy": np.floor(y[idx]).astype(int), "i": idx})
    keys = cells[["cx", "cy"]].drop_duplicates().to_numpy()
    parent = list(range(len(keys)))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    order = np.argsort(keys[:, 0], kind="stable")
    for a_pos, a in enumerate(order):  # sweep by longitude: only cells within gap in x can join
        for b in order[a_pos + 1:]:
            if keys[b, 0] - keys[a, 0] > gap:
                break
            if abs(keys[b, 1] - keys[a, 1]) <= gap:
                parent[find(a)] = find(b)
    label = {tuple(k): find(j) for j, k in enumerate(keys)}
    groups: dict[int, list[int]] = {}
    for cx, cy, i in cells.itertuples(index=False):
        groups.setdefault(label[(cx, cy)], []).append(i)
    out = [np.asarray(g) for g in groups.values()]

    def box(g: np.ndarray) -> tuple[float, float, float, float]:
        return x[g].min(), x[g].max(), y[g].min(), y[g].max()

    while len(out) > max_regions:  # merge the pair whose joint box is smallest
        best = None
        for a in range(len(out)):
            for b in range(a + 1, len(out)):
                (w1, e1, s1, n1), (w2, e2, s2, n2) = box(out[a]), box(out[b])
                area = (max(e1, e2) - min(w1, w2) + 1) * (max(n1, n2) - min(s1, s2) + 1)
                if best is None or area < best[0]:
                    best = (area, a, b)
        _, a, b = best  # type: ignore[misc]
        out[a] = np.concatenate([out[a], out[b]])
        del out[b]
    return sorted(out, key=len, reverse=True)


@lru_cache(maxsize=1)
def _country_boxes() -> pd.DataFrame:
    ref = resources.files("incidentkit") / "data" / "country_bbox.csv"
    with ref.open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh, keep_default_na=False)


@lru_cache(maxsize=1)
def _admin1_table() -> pd.DataFrame:
    ref = resources.files("incidentkit") / "data" / "admin1.csv"
    with ref.open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh, keep_default_na=False, usecols=["country", "name", "latitude", "longitude"])


@lru_cache(maxsize=64)
def _towns(country: str) -> pd.DataFrame:
    """A country's populated places from the embedded gazetteer shard (name, lon, lat, population)."""
    import pyarrow.parquet as pq

    ref = resources.files("incidentkit") / "data" / "gazetteer" / f"{country}.places.parquet"
    if not ref.is_file():
        return pd.DataFrame(columns=["name", "lon", "lat", "population"])
    with resources.as_file(ref) as path:
        t = pq.read_table(path, columns=["name", "lat", "lon", "population", "kind"]).to_pandas()
    import unicodedata

    t = t[t["kind"] == "populated"].copy() if "kind" in t else t.copy()
    # Latin script only (matplotlib's default font does not shape Arabic): 'Al Ḩasakah' -> 'Al Hasakah'
    t["name"] = [unicodedata.normalize("NFKD", n).encode("ascii", "ignore").decode().replace("`", "'")
                 for n in t["name"]]
    t = t[t["name"].str.len() > 1]
    t["lat"], t["lon"] = t["lat"] / 1e6, t["lon"] / 1e6
    return t.sort_values("population", ascending=False).drop_duplicates("name").reset_index(drop=True)


def context_places(extent: tuple[float, float, float, float], *, towns: int = 14) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Provinces (admin1 names at their reference point) and the largest towns inside ``extent``.

    Both come from data shipped in the package (``admin1.csv`` and the embedded gazetteer's shards), so a
    zoomed map names the places around the events offline. Returns (admin1, towns) frames with name, lon, lat.
    """
    west, east, south, north = extent
    boxes = _country_boxes()
    near = boxes[(boxes.min_lon <= east) & (boxes.max_lon >= west) & (boxes.min_lat <= north) & (boxes.max_lat >= south)]
    adm = _admin1_table()
    adm = adm[adm.country.isin(set(near.country)) & adm.longitude.between(west, east) & adm.latitude.between(south, north)]
    parts = []
    for cc in near.country:
        t = _towns(cc)
        t = t[t.lon.between(west, east) & t.lat.between(south, north)]
        known = t[t.population > 0].head(towns)
        # most villages have no population in GeoNames: fill up with some spread over the view
        rest = t[t.population <= 0]
        if len(known) < towns and len(rest):
            rest = rest.iloc[np.linspace(0, len(rest) - 1, min(towns - len(known), len(rest))).astype(int)]
            known = pd.concat([known, rest])
        parts.append(known)
    town = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["name", "lon", "lat", "population"])
    town = town.sort_values("population", ascending=False, kind="stable").head(towns)
    return (adm.rename(columns={"longitude": "lon", "latitude": "lat"})[["name", "lon", "lat"]],
            town[["name", "lon", "lat"]])


#: Province borders are drawn on maps at most this many degrees across (wider, they would be a mesh).
PROVINCES_BELOW = 30.0
PROVINCE_LINE = "#aaa295"


def draw_basemap(ax: "Axes", extent: tuple[float, float, float, float], *, cities: bool = True,
                 country_names: bool = True, context: bool | None = None,
                 province_borders: bool | None = None) -> "Axes":
    """Draw land, borders, country names and capitals inside ``extent``; set the map's aspect and axis labels.

    The aspect is 1/cos(latitude) at the centre, so distances look right near the middle of the map (a
    plain equirectangular view, good enough at the scale of a province or country). ``province_borders`` (by
    default on maps at most :data:`PROVINCES_BELOW` degrees across) draws the province (admin-1)
    borders of Natural Earth 1:10m as thin grey lines (:func:`provinces`). ``context`` (by default
    when the extent is at most 10° across) adds the largest towns of the embedded gazetteer and, up to
    12° across, the provinces' names (admin1, in capitals). Place names are candidates:
    :func:`declutter` (called by the map functions once everything is drawn) removes every one that
    would run off the map or touch a marker or another name.
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
    labels: list[Any] = getattr(ax, "_ik_labels", [])
    ax._ik_labels = labels  # type: ignore[attr-defined]
    if context is None:
        context = span <= 10
    if province_borders is None:
        province_borders = span <= PROVINCES_BELOW
    if province_borders:
        from matplotlib.collections import LineCollection

        lines = [r for _, rings in provinces(extent) for r in rings]
        if lines:
            ax.add_collection(LineCollection(lines, colors=PROVINCE_LINE, linewidths=0.5, zorder=0.5,
                                             label="province borders"))
    if country_names and span < 60:
        for name, _, rs in bm.countries:
            pts = np.concatenate(rs)
            vis = pts[(pts[:, 0] > west) & (pts[:, 0] < east) & (pts[:, 1] > south) & (pts[:, 1] < north)]
            if len(vis) < 4:
                continue
            cx, cy = vis[:, 0].mean(), vis[:, 1].mean()  # the middle of the part of its outline in view
            labels.append(ax.text(cx, cy, name.upper(), fontsize=9, color="#8a8a8a", ha="center", va="center",
                                  style="italic", zorder=1, clip_on=True))
    shown: list[tuple[str, float, float]] = []
    if context:
        adm, towns = context_places(extent)
        for n, x, y in adm.itertuples(index=False) if span <= 12 else ():
            labels.append(ax.text(x, y, n.upper(), fontsize=7, color="#9a8f80", ha="center", va="center",
                                  zorder=1, clip_on=True))
        shown = list(towns.itertuples(index=False, name=None))
    if cities:
        shown += [(n, x, y) for n, x, y in bm.cities if west < x < east and south < y < north]
    if shown:
        seen = set()
        for n, x, y in shown:
            if n in seen:
                continue
            seen.add(n)
            dot = ax.scatter([x], [y], s=10, c="#555555", marker="s", zorder=2)
            t = ax.annotate(n, (x, y), xytext=(4, -9), textcoords="offset points", fontsize=8, color="#444444",
                            zorder=2, clip_on=True)
            t._ik_dot = dot  # type: ignore[attr-defined]  # removed with its name when the name does not fit
            labels.append(t)
    for t in labels:  # names are clipped to the map: the layout need not measure them (hundreds, slow)
        t.set_in_layout(False)
    return ax


def _marker_boxes(ax: "Axes") -> np.ndarray:
    """Display-space boxes (x0, y0, x1, y1 rows) of the data markers (zorder >= 4) on ``ax``: names must not cover them."""
    boxes = [np.empty((0, 4))]
    for coll in ax.collections:
        if coll.get_zorder() < 4 or not len(coll.get_offsets()):
            continue
        pts = coll.get_offset_transform().transform(np.asarray(coll.get_offsets(), dtype=float))
        sizes = np.broadcast_to(np.asarray(coll.get_sizes() if len(coll.get_sizes()) else [36.0]), (len(pts),))
        r = np.sqrt(sizes) / 2 * ax.figure.dpi / 72
        boxes.append(np.column_stack([pts[:, 0] - r, pts[:, 1] - r, pts[:, 0] + r, pts[:, 1] + r]))
    return np.concatenate(boxes)


def _layout(fig: Any) -> None:
    """Lay the figure out as it will be saved (constrained layout, text positions) without rasterising it:
    measuring texts needs the layout, not the pixels, and rasterising thousands of outlines takes seconds."""
    fig.draw_without_rendering()


def declutter(ax: "Axes | Sequence[Axes]") -> int:
    """Remove the basemap's place names that leave the map, cover a data marker or touch another text.

    Measured with matplotlib's renderer (``text.get_window_extent``), after the figure is laid out, so it
    holds at any figure size and font. Names are kept in drawing order (countries, provinces, towns);
    a town's dot goes with its name. Returns how many were removed.
    """
    axes = list(ax) if isinstance(ax, (list, tuple)) else [ax]
    axes = [a for a in axes if getattr(a, "_ik_labels", [])]
    if not axes:
        return 0
    fig = axes[0].figure
    _layout(fig)  # once for all panels: lays the figure out as it will be saved
    renderer = fig.canvas.get_renderer()
    return sum(_declutter_one(a, renderer) for a in axes)


def _declutter_one(ax: "Axes", renderer: Any) -> int:
    labels = ax._ik_labels  # type: ignore[attr-defined]
    frame = ax.get_window_extent(renderer)
    markers = _marker_boxes(ax)
    others = [t for t in ax.texts if t not in labels and t.get_visible() and t.get_text()]
    taken = [t.get_window_extent(renderer).expanded(1.05, 1.15) for t in others]
    removed = 0
    def fits(box: Any) -> bool:
        inside = (frame.x0 + 2 <= box.x0 and box.x1 <= frame.x1 - 2 and frame.y0 + 2 <= box.y0
                  and box.y1 <= frame.y1 - 2)
        on_marker = bool(((markers[:, 0] < box.x1) & (markers[:, 2] > box.x0) & (markers[:, 1] < box.y1)
                          & (markers[:, 3] > box.y0)).any())
        return inside and not on_marker and not any(box.overlaps(b) for b in taken)

    for t in labels:
        box = t.get_window_extent(renderer)
        clear = fits(box)
        if not clear and getattr(t, "_ik_dot", None) is not None:  # a town's name: try the dot's other sides
            for offset, ha in (((4, 3), "left"), ((-4, -9), "right"), ((-4, 3), "right")):
                t.xyann = offset
                t.set_horizontalalignment(ha)
                box = t.get_window_extent(renderer)
                if fits(box):
                    clear = True
                    break
        if clear:
            taken.append(box.expanded(1.05, 1.2))
        else:
            t.remove()
            dot = getattr(t, "_ik_dot", None)
            if dot is not None:
                dot.remove()
            removed += 1
    ax._ik_labels = []  # type: ignore[attr-defined]
    return removed


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


def _span_text(dates: pd.Series) -> str:
    d = pd.to_datetime(dates, errors="coerce").dropna()
    if not len(d):
        return "no dates"
    a, b = d.min(), d.max()
    if a.normalize() == b.normalize():
        return f"{a:%d %b %Y}"
    if a.year == b.year:
        return f"{a:%d %b} – {b:%d %b %Y}" if (b - a).days < 120 else f"{a:%b}–{b:%b %Y}"
    return f"{a:%b %Y} – {b:%b %Y}"


def describe(df: pd.DataFrame, what: str = "incident") -> str:
    """'2,000 incidents in 24 countries, Jan 2010 – Dec 2024; 3,105 fatalities (best)': the counts a title states."""
    n = len(df)
    parts = [f"{n:,} {what}{'' if n == 1 else 's'}"]
    if "country" in df and n:
        k = df["country"].astype("object").dropna().nunique()
        parts[0] += f" in {k} countr{'y' if k == 1 else 'ies'}" if k else ""
    if "date_start" in df and n:
        parts[0] += f", {_span_text(df['date_start'])}"
    if "fatalities_best" in df and n:
        parts.append(f"{int(pd.to_numeric(df['fatalities_best'], errors='coerce').fillna(0).sum()):,} fatalities (best)")
    return "; ".join(parts)


#: Above this many located incidents (or distinct places), a map draws one circle per grid cell (area: incidents).
AGGREGATE_ABOVE = 400


def _size_legend(values: Sequence[float], fmt: str, size: Any) -> list[Any]:
    from matplotlib.lines import Line2D

    top = max(float(max(values)) if len(values) else 1.0, 1.0)
    steps = [v for v in (1, 10, 100, 1000, 10000) if v <= top] or [1]
    if top > steps[-1] * 2:
        steps.append(int(top))
    return [Line2D([], [], marker="o", ls="", markersize=math.sqrt(float(size([v])[0])), markerfacecolor="white",
                   markeredgecolor="black", label=fmt.format(v)) for v in steps]


def place_size(n: Any, top: float) -> np.ndarray:
    """Circle area (points²) for ``n`` incidents in a cell: 28 points² an incident, less when the busiest place
    (``top``) would pass 900 points², so areas stay proportional and the largest circle stays readable; at
    least 24 points² (a circle about 5 points across), so a lone incident on a small panel stays visible
    next to a busy panel's hundreds."""
    return 24.0 + min(28.0, 876.0 / max(float(top), 1.0)) * np.asarray(n, dtype=float)


def aggregation_cell(extent: tuple[float, float, float, float]) -> float:
    """The grid cell (degrees) a map aggregates incidents on: 1/60 of the extent's larger side, at least 0.01°."""
    west, east, south, north = extent
    return max((max(east - west, north - south)) / 60.0, 0.01)


def _cells(lon: np.ndarray, lat: np.ndarray, cell: float) -> pd.DataFrame:
    """Incidents per grid cell, placed at the mean position of the incidents in it (not at the cell centre)."""
    k = pd.DataFrame({"cx": np.floor(lon / cell), "cy": np.floor(lat / cell), "x": lon, "y": lat})
    return k.groupby(["cx", "cy"]).agg(x=("x", "mean"), y=("y", "mean"), n=("x", "size")).reset_index()


def _map_panel(ax: "Axes", d: pd.DataFrame, extent: tuple[float, float, float, float], *, color_by: str,
               size_by: str | None, cities: bool, aggregate: bool, palette: dict[str, str],
               top_place: float) -> None:
    draw_basemap(ax, extent, cities=cities)
    lon = pd.to_numeric(d["longitude"]).to_numpy(float)
    lat = pd.to_numeric(d["latitude"]).to_numpy(float)
    if aggregate:
        cell = aggregation_cell(extent)
        kinds = d[color_by].astype("object").fillna("Unknown").astype(str).to_numpy() if color_by in d \
            else np.full(len(d), "Unknown")
        keys = pd.DataFrame({"cx": np.floor(lon / cell), "cy": np.floor(lat / cell), "kind": kinds})
        per = keys.groupby(["cx", "cy", "kind"]).size().rename("k").reset_index()
        per = per.sort_values("k", ascending=False).drop_duplicates(["cx", "cy"])  # the most frequent kind
        g = per.merge(_cells(lon, lat, cell), on=["cx", "cy"]).sort_values("n", ascending=False)
        ax.scatter(g["x"], g["y"], s=place_size(g["n"], top_place), c=[palette.get(k, UNKNOWN_COLOUR) for k in g["kind"]],
                   alpha=0.6, edgecolors="black", linewidths=0.5, zorder=5)
        return
    colours = [palette.get(k, UNKNOWN_COLOUR) for k in d[color_by].astype("object").fillna("Unknown").astype(str)] \
        if color_by in d else [UNKNOWN_COLOUR] * len(d)
    sizes = marker_size(d[size_by]) if size_by and size_by in d else np.full(len(d), 60.0)
    dx, dy = fan_offsets(lon, lat)
    _scatter_fanned(ax, lon, lat, dx, dy, s=sizes, c=colours, alpha=0.85, edgecolors="black", linewidths=0.8,
                    zorder=5)


def map_incidents(df: pd.DataFrame, ax: "Axes | None" = None, *, color_by: str = "event_type",
                  size_by: str | None = "fatalities_best", extent: tuple[float, float, float, float] | None = None,
                  title: str | None = None, cities: bool = True, aggregate: bool | None = None,
                  highlight: Sequence[str] = (), highlight_label: str = "") -> "Axes":
    """Incidents on an offline map: colour by ``color_by`` (event type), area by ``size_by`` (fatalities).

    The view fits the data: its extent and shape come from where the incidents are (never a stretched
    strip), and when they lie in regions far apart (:func:`regions`) and no ``ax`` is given, each region
    gets its own panel (small multiples, one legend); the first panel is returned, ``ax.figure.axes``
    holds all. Incidents at the same point are drawn largest first and labelled "n incidents here", so
    none hides behind another unnoticed. Above :data:`AGGREGATE_ABOVE` incidents (``aggregate``) the map
    draws one circle per cell of a grid 1/60 of the map across (:func:`aggregation_cell`) instead, at
    the mean position of its incidents, its area the number of incidents and its colour their most
    frequent event type. Place names never run off the map or cover a marker
    (:func:`declutter`). Incidents without coordinates are not drawn; the title counts them. Incidents
    whose id is in ``highlight`` get a bold ``highlight_label`` and their location's name.

    >>> import incidentkit
    >>> ax = map_incidents(incidentkit.read_incidents("datasets"))
    >>> [t.get_text() for t in ax.get_legend().get_texts()][:4]
    ['Event type', 'Battles', 'Explosions/Remote violence', 'Strategic developments']
    """
    ok = _located(df)
    d = df[ok]
    lon = pd.to_numeric(d["longitude"]).to_numpy(float)
    lat = pd.to_numeric(d["latitude"]).to_numpy(float)
    places = len(set(zip(np.round(lon, 2), np.round(lat, 2))))
    if aggregate is None:
        aggregate = len(d) > AGGREGATE_ABOVE or places > AGGREGATE_ABOVE / 2
    palette = _category_colours(d[color_by])[1] if color_by in d else {}
    groups = [np.arange(len(d))] if (extent is not None or ax is not None) else regions(lon, lat)
    groups = groups or [np.arange(len(d))]
    made = ax is None
    if ax is None:
        n = len(groups)
        cols = 1 if n == 1 else 2 if n <= 4 else 3
        rows = math.ceil(n / cols)
        fig, axs = _pyplot().subplots(rows, cols, figsize=(9 if n == 1 else 6.2 * cols + 2.4, 7 if n == 1 else 5.0 * rows),
                                      layout="constrained", squeeze=False)
        panels = list(axs.ravel())
        for extra in panels[n:]:
            extra.remove()
        panels = panels[:n]
    else:
        panels = [ax]
    views = [extent or map_extent(lon[g], lat[g], pad=2.5 if len(groups) == 1 else 1.5, min_span=6.0) for g in groups]
    top_place, cell_km = 1.0, []
    if aggregate and len(d):  # one scale for all panels: the busiest cell of any
        top_place = max(float(_cells(lon[g], lat[g], aggregation_cell(v))["n"].max()) for g, v in zip(groups, views)
                        if len(g))
        cell_km = [aggregation_cell(v) * 111.2 for v in views]
    for k, (panel, g, view) in enumerate(zip(panels, groups, views)):
        part = d.iloc[g]
        _map_panel(panel, part, view, color_by=color_by, size_by=size_by, cities=cities, aggregate=aggregate,
                   palette=palette, top_place=top_place)
        if len(panels) > 1:
            cs = sorted(set(part["country"].astype("object").dropna().astype(str))) if "country" in part else []
            country = ", ".join(cs) if len(cs) <= 5 else f"{len(cs)} countries"
            panel.set_title(f"{chr(65 + k)}. {country}: {len(part):,} incident{'s' * (len(part) != 1)}", fontsize=10)
    main = panels[0]
    for iid in highlight:
        hit = d[d["id"].astype(str) == str(iid)]
        for panel in panels:
            for r in hit.itertuples():
                x0, x1 = panel.get_xlim()
                y0, y1 = panel.get_ylim()
                if x0 <= r.longitude <= x1 and y0 <= r.latitude <= y1:
                    panel.annotate(f"{highlight_label}: {r.location}".strip(": "), (r.longitude, r.latitude),
                                   xytext=(14, -18), textcoords="offset points", fontsize=9, fontweight="bold",
                                   zorder=7, arrowprops={"arrowstyle": "-", "color": "black"},
                                   bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "#333333", "alpha": 0.9})
    from matplotlib.lines import Line2D

    shown = [n for n in palette if n in set(d[color_by].astype("object").fillna("Unknown").astype(str))] \
        if color_by in d else []
    handles = [Line2D([], [], marker="o", ls="", markersize=9, markerfacecolor=palette[n], markeredgecolor="black",
                      label=n) for n in shown]
    sections: list[tuple[str, list[Any]]] = []
    if handles:
        heading = _column_title(color_by)
        sections.append((f"{heading} (most frequent in the circle)" if aggregate else heading, handles))
    if aggregate and len(d):
        km = f"{min(cell_km):,.0f}" if max(cell_km) < 1.5 * min(cell_km) else f"{min(cell_km):,.0f}–{max(cell_km):,.0f}"
        sections.append((f"Incidents per circle (cells ~{km} km)", _size_legend([top_place], "{:,}",
                                                                    lambda v: place_size(v, top_place))))
    elif size_by and size_by in d and len(d):
        top = float(pd.to_numeric(d[size_by], errors="coerce").max())
        steps = [v for v in (0, 10, 50, 100, 500, 1000) if v <= max(top, 1)]
        steps = sorted(set(steps[:2] + steps[-1:] + ([int(top)] if top > steps[-1] else [])))
        sections.append((_column_title(size_by), [
            Line2D([], [], marker="o", ls="", markersize=math.sqrt(float(marker_size([v])[0])),
                   markerfacecolor="white", markeredgecolor="black", label=f"{v}") for v in steps]))
    if len(panels) == 1:
        _sectioned_legend(main, sections)
    elif sections:  # one legend for all panels, outside them on the right
        handles = []
        for k, (heading, items) in enumerate(sections):
            handles += ([Line2D([], [], ls="", marker="", label=" ")] if k else []) + \
                [Line2D([], [], ls="", marker="", label=heading)] + list(items)
        leg = main.figure.legend(handles=handles, loc="outside right upper", frameon=False, labelspacing=0.9)
        for t in leg.get_texts():
            if t.get_text() in {h for h, _ in sections}:
                t.set_fontweight("bold")
    missing = int((~ok).sum())
    what = "circle area: incidents nearby (grid of 1/60 of the map), " if aggregate else ""
    head = title or (describe(df) + f"\n{what}colour: {_column_title(color_by).lower()}"
                     + (f", size: {_column_title(size_by).lower()}" if size_by and not aggregate else ""))
    head += f" ({missing} without coordinates, not shown)" if missing else ""
    if len(panels) > 1:
        main.figure.suptitle(head + f"\n{len(panels)} regions far apart, one panel each")
    else:
        main.set_title(head)
    if made:
        fit_figure(main.figure)
    declutter(panels)
    return main


def choose_freq(dates: pd.Series) -> str:
    """The period for a span of dates: days up to 2 months, weeks up to 18 months, months up to 8 years, else years."""
    d = pd.to_datetime(dates, errors="coerce").dropna()
    span = (d.max() - d.min()).days if len(d) else 0
    return "D" if span <= 62 else "W" if span <= 548 else "M" if span <= 8 * 366 else "Y"


def _periods(dates: pd.Series, freq: str | None) -> tuple[pd.Series, str]:
    d = pd.to_datetime(dates)
    freq = freq or choose_freq(d)
    per = d.dt.to_period(freq).dt.start_time
    return per, freq


_FREQ_NAMES = {"D": "day", "W": "week", "M": "month", "Y": "year", "A": "year"}
_FREQ_DAYS = {"D": 1, "W": 7, "M": 30.4, "Y": 365.25, "A": 365.25}


def _all_periods(per: pd.Series, freq: str) -> pd.DatetimeIndex:
    """Every period from the first to the last (periods without incidents included: they are zeros)."""
    if not len(per):
        return pd.DatetimeIndex([])
    return pd.period_range(per.min(), per.max(), freq=freq).start_time


def date_axis(ax: "Axes", freq: str) -> None:
    """Ticks that always show the year: '20 Jan\\n2022' for days and weeks, 'Jan\\n2022' for months, '2022' for years.

    Within one year, the year is written on the first tick and wherever it changes, so it is never lost.
    """
    import matplotlib.dates as mdates
    from matplotlib.ticker import FuncFormatter

    locator = mdates.AutoDateLocator(minticks=3, maxticks=8)
    if freq[0] in "YA":
        locator = mdates.YearLocator(base=max(1, math.ceil((ax.get_xlim()[1] - ax.get_xlim()[0]) / 365.25 / 10)))
    ax.xaxis.set_major_locator(locator)
    day_level = freq[0] in "DW"

    def fmt(x: float, pos: int | None) -> str:
        t = mdates.num2date(x)
        if freq[0] in "YA":
            return f"{t:%Y}"
        lo, hi = sorted(ax.get_xlim())
        ticks = [v for v in ax.xaxis.get_majorticklocs() if lo <= v <= hi]  # the ticks drawn
        k = int(np.searchsorted(ticks, x)) if len(ticks) else 0
        prev = mdates.num2date(ticks[k - 1]) if k > 0 else None
        head = f"{t.day} {t:%b}" if day_level else f"{t:%b}"
        year = f"\n{t:%Y}" if prev is None or prev.year != t.year else "\n "
        return head + year

    ax.xaxis.set_major_formatter(FuncFormatter(fmt))


def timeline(df: pd.DataFrame, axes: Sequence["Axes"] | None = None, *, freq: str | None = None,
             stack_by: str | None = "event_type") -> tuple["Axes", "Axes"]:
    """Incidents per period (stacked by event type) above fatalities per period: best as a point, low–high as a bar.

    Incidents are counted on their ``date_start``; ``freq`` is ``"D"``, ``"W"``, ``"M"`` or ``"Y"``
    (chosen from the span when None: :func:`choose_freq`). Periods between the first and the last with
    no incident are zeros (the dataset covers them); the ticks always carry the year. The error bar of
    a period runs from the sum of the low estimates to the sum of the high ones, so the uncertainty
    coders recorded stays visible. The title states the counts.

    >>> import incidentkit
    >>> counts_ax, deaths_ax = timeline(incidentkit.read_incidents("datasets"))
    >>> counts_ax.get_ylabel(), deaths_ax.get_ylabel()
    ('Incidents per day', 'Fatalities per day')
    """
    plt = _pyplot()

    made = axes is None
    if axes is None:
        fig, axes = plt.subplots(2, 1, figsize=(9, 6), sharex=True, layout="constrained",
                                 gridspec_kw={"height_ratios": [1, 1.2]})
    ax_n, ax_f = axes[0], axes[1]
    per, freq = _periods(df["date_start"], freq)
    unit = _FREQ_NAMES.get(freq[0], freq)
    days = _FREQ_DAYS.get(freq[0], 30.4)
    full = _all_periods(per, freq)
    width = pd.Timedelta(days=0.8 * days)
    frame = pd.DataFrame({"period": per})
    frame["kind"] = df[stack_by].astype("object").fillna("Unknown").astype(str).to_numpy() \
        if stack_by and stack_by in df else "Incidents"
    counts = frame.groupby(["period", "kind"]).size().unstack(fill_value=0)
    colours = _category_colours(pd.Series(counts.columns))[1]
    counts = counts[[k for k in colours if k in counts.columns]] if stack_by else counts
    shift = pd.Timedelta(0) if freq[0] == "D" else pd.Timedelta(days=days / 2)  # a bar spans its period
    bottom = np.zeros(len(counts))
    for kind in counts.columns:
        ax_n.bar(counts.index + shift, counts[kind].to_numpy(), width=width, bottom=bottom, label=kind,
                 color=colours.get(kind, UNKNOWN_COLOUR), edgecolor="white" if len(full) <= 60 else "none",
                 linewidth=0.5)
        bottom += counts[kind].to_numpy()
    ax_n.set_ylabel(f"Incidents per {unit}")
    ax_n.yaxis.get_major_locator().set_params(integer=True)
    if stack_by:
        ax_n.legend(title=stack_by.replace("_", " ").capitalize(), loc="upper left", bbox_to_anchor=(1.01, 1.0),
                    frameon=False)
    ax_n.set_title(f"Incidents and fatalities per {unit}\n{describe(df)}", fontsize=10)

    fat = pd.DataFrame({"period": per, **{p: pd.to_numeric(df[f"fatalities_{p}"], errors="coerce").fillna(0).to_numpy()
                                          for p in ("low", "best", "high")}}).groupby("period").sum()
    if len(fat) <= 40 and len(full) <= 60:
        ax_f.errorbar(fat.index + shift, fat["best"], yerr=[fat["best"] - fat["low"], fat["high"] - fat["best"]], fmt="o",
                      color="#222222", ecolor="#d62728", elinewidth=6, alpha=0.9, capsize=0, markersize=6,
                      label="best estimate (dot),\nlow–high range (bar)")
    else:  # many periods: a line and a band read better than a forest of bars; empty periods are zeros
        whole = fat.reindex(full, fill_value=0)
        ax_f.fill_between(whole.index + shift, whole["low"], whole["high"], color="#d62728", alpha=0.35, step="mid",
                          label="low–high range")
        ax_f.plot(whole.index + shift, whole["best"], color="#222222", lw=1.0, drawstyle="steps-mid", label="best estimate")
    for t, lo, best, hi in zip(fat.index + shift, fat["low"], fat["best"], fat["high"]) if len(full) <= 10 else ():
        ax_f.annotate(f"{int(best)}" + (f" ({int(lo)}–{int(hi)})" if lo != hi else ""), (t, best),
                      xytext=(9, 0), textcoords="offset points", va="center", fontsize=9)
    ax_f.set_ylabel(f"Fatalities per {unit}")
    top_f = max(float(fat["high"].max()) * 1.15, 1.0) if len(fat) else 1.0
    ax_f.set_ylim(bottom=-0.05 * top_f if len(full) <= 10 else 0, top=top_f)  # a "0" label stays inside
    ax_f.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    ax_f.set_xlabel(f"Date (start of incident), per {unit}")
    if len(fat):
        step = pd.Timedelta(days=days)
        ax_f.set_xlim(full.min() - step + shift, full.max() + (2 * step if len(full) <= 10 else step) + shift)
    date_axis(ax_f, freq)
    for ax in (ax_n, ax_f):
        ax.grid(axis="y", color="#e5e5e5")
        ax.set_axisbelow(True)
    if made:
        fit_figure(ax_n.figure)
    return ax_n, ax_f


def fit_texts_x(ax: "Axes", texts: Sequence[Any]) -> None:
    """Widen the x-axis (from 0) until every text in ``texts``, anchored at a data x, ends inside it.

    Measured with the renderer: a label n units from 0 with a width of w pixels needs a limit of at
    least n·W/(W − w) on an axes W pixels wide.
    """
    texts = [t for t in texts if t.get_text()]
    if not texts:
        return
    fig = ax.figure
    _layout(fig)
    renderer = fig.canvas.get_renderer()
    width = ax.get_window_extent(renderer).width
    x0, x1 = ax.get_xlim()
    need = x1
    for t in texts:
        n = float(t.xy[0]) if hasattr(t, "xy") else float(t.get_position()[0])
        w = t.get_window_extent(renderer).width + 8
        if w < width * 0.9:
            need = max(need, x0 + (n - x0) * width / (width - w))
    if need > x1:
        ax.set_xlim(x0, need * 1.02)


def _place_bar_labels(ax: "Axes", texts: Sequence[Any]) -> None:
    """Put each bar's label where it fits, measured with the renderer: after the bar's end when there is
    room before the right edge, else inside the bar's end (on a white box); only a label fitting neither
    widens the axis (:func:`fit_texts_x`). Long bars carry their labels inside, so the bars keep the width."""
    texts = [t for t in texts if t.get_text()]
    fig = ax.figure
    for _ in range(4):  # widening the axis for one label shortens the bars: decide again
        if not texts:
            return
        _layout(fig)
        renderer = fig.canvas.get_renderer()
        frame = ax.get_window_extent(renderer)
        pad = 5 * fig.dpi / 72
        stuck = []
        for t in texts:
            t.xyann = (5, 0)
            t.set_horizontalalignment("left")
            t.set_bbox(None)
            end = ax.transData.transform((float(t.xy[0]), 0.0))[0]
            w = t.get_window_extent(renderer).width
            if end + pad + w <= frame.x1 - 2:
                continue  # after the bar
            if end - frame.x0 >= w + 2 * pad:  # inside the bar's end
                t.xyann = (-5, 0)
                t.set_horizontalalignment("right")
                t.set_bbox({"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.85})
            else:
                stuck.append(t)
        if not stuck:
            return
        fit_texts_x(ax, stuck)


def fit_figure(fig: Any, *, pad: float = 4.0) -> None:
    """Grow the figure until every text (legends, labels, titles) lies inside it, measured with the renderer.

    Constrained layout cannot shrink a map with a fixed aspect below its size, so a legend at its right
    can end outside the figure; this adds the missing width or height (and lays the figure out again).
    """
    for _ in range(3):
        _layout(fig)
        renderer = fig.canvas.get_renderer()
        tight = fig.get_tightbbox(renderer)  # in inches
        w, h = fig.get_size_inches()
        grow_w = max(0.0, tight.x1 - w, -tight.x0) + (pad / 72 if tight.x1 > w or tight.x0 < 0 else 0)
        grow_h = max(0.0, tight.y1 - h, -tight.y0) + (pad / 72 if tight.y1 > h or tight.y0 < 0 else 0)
        if grow_w <= 0.01 and grow_h <= 0.01:
            return
        fig.set_size_inches(w + 2 * grow_w, h + 2 * grow_h)


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
    made = ax is None
    ax = _new_axes(ax, (11 if hue and hue != by else 9, 0.45 * max(len(keys), 2) + 1.6))
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
    texts = []
    if "best" in g:
        low, high = g.get("low", g["best"]), g.get("high", g["best"])
        for y, (n, lo, best, hi) in enumerate(zip(g["n"], low, g["best"], high)):
            rng = f"; {int(lo):,}–{int(hi):,}" if lo != hi else ""
            texts.append(ax.annotate(f"{int(best):,} fatalities ({'best' + rng if rng else 'best'})", (n, y),
                                     xytext=(5, 0), textcoords="offset points", va="center", fontsize=9))
    ax.set_xlim(0, max(float(g["n"].max()) * 1.04, 1.0) if len(g) else 1.0)  # the longest bar: nearly the full width
    ax.xaxis.get_major_locator().set_params(integer=True)
    label = "Actor (actor1 or actor2)" if by == "actor" else by.replace("_", " ").capitalize()
    ax.set_ylabel(label)
    whose = "in events with this actor, on any side" if by == "actor" else f"in events of this {label.lower()}"
    ax.set_xlabel(f"Incidents (bar)  ·  label: fatalities {whose} (best; low–high)")
    total = data[by].astype(str).nunique()
    shown = f"the {len(keys)} with most incidents of {total}" if total > len(keys) else f"all {total}"
    ax.set_title(f"Incidents by {label.lower()} ({shown})\n{describe(df)}", fontsize=10)
    if made:
        fit_figure(ax.figure)
    _place_bar_labels(ax, texts)
    if made:
        fit_figure(ax.figure)
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


def in_common_window(df: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """The rows of a combined frame inside the months every dataset covers, and a phrase saying so for a title.

    An incident of ours from a year the ACLED export does not reach is not "unmatched": ACLED was not
    asked. Returns ``df`` unchanged (and "") when it holds one dataset or the windows are the same.
    """
    if "dataset" not in df or df["dataset"].astype(str).nunique() < 2:
        return df, ""
    cov = coverage(df)
    both = common_window(cov)
    if both is None:
        return df.iloc[:0], "the datasets' windows do not overlap"
    if (cov["first"] == both[0]).all() and (cov["last"] == both[1]).all():
        return df, ""
    month = pd.to_datetime(df["date_start"], errors="coerce").dt.to_period("M")
    keep = (month >= both[0]) & (month <= both[1])
    return df[keep.fillna(False).to_numpy(bool)], f"{_months(both[0], both[1])}, the months every dataset covers"


#: Marker areas (points²) on comparison maps: ours large and underneath, external events smaller on
#: top, so a matched pair a few hundred metres apart shows both (the external marker inside ours).
OURS_SIZE, EXTERNAL_SIZE = 110.0, 34.0


def _external_style(name: str, matched: bool) -> dict[str, Any]:
    """An external dataset's marker: filled with a white rim when matched, white with a coloured rim when not."""
    style = DATASET_STYLES.get(name, {"marker": "D", "color": UNKNOWN_COLOUR})
    if matched:
        return {"marker": style["marker"], "facecolors": style["color"], "edgecolors": "white", "linewidths": 0.9}
    return {"marker": style["marker"], "facecolors": "white", "edgecolors": style["color"], "linewidths": 1.6}


def _compare_handles(counts: Mapping[tuple[str, bool], int], names: Sequence[str]) -> list[Any]:
    """Legend entries (dataset × matched) in the markers' own styles, each with its count."""
    from matplotlib.lines import Line2D

    handles = []
    for name in names:
        for matched in (True, False):
            label = f"{dataset_label(name)}: {'matched' if matched else 'not matched'} ({counts.get((name, matched), 0):,})"
            if name == "incidentkit":
                c = DATASET_STYLES["incidentkit"]["color"]
                handles.append(Line2D([], [], marker="o", ls="", markersize=math.sqrt(OURS_SIZE),
                                      markerfacecolor=c if matched else "white", markeredgecolor=c,
                                      markeredgewidth=1.4, label=label))
            else:
                st = _external_style(name, matched)
                handles.append(Line2D([], [], marker=st["marker"], ls="", markersize=math.sqrt(EXTERNAL_SIZE) + 1,
                                      markerfacecolor=st["facecolors"], markeredgecolor=st["edgecolors"],
                                      markeredgewidth=st["linewidths"], label=label))
    handles.append(Line2D([], [], color="#666666", lw=1.0, label="linked pair"))
    return handles


def _not_drawn(counts: Mapping[str, int], where: str) -> str:
    """'not drawn: 922 ACLED events outside these panels' (empty when every external event is drawn)."""
    parts = [f"{n:,} {dataset_label(name)} event{'s' * (n != 1)}" for name, n in counts.items() if n]
    return f"not drawn: {' and '.join(parts)} {where}" if parts else ""


def compare_map(df: pd.DataFrame, links: Mapping[str, Any], ax: "Axes | None" = None, *,
                extent: tuple[float, float, float, float] | None = None, title: str | None = None,
                legend: str | None = "right", window: str = "common", _defer: bool = False) -> "Axes":
    """Our incidents and external events on one offline map, matched (filled) and unmatched (hollow).

    ``df`` is :func:`incidentkit.external.combine`'s output; ``links`` maps a dataset name (``"acled"``,
    ``"ucdp"``) to its :class:`incidentkit.linking.LinkResult`. A grey line joins each linked pair. The view
    frames our incidents (pass ``extent`` to change it) and names its towns and provinces (and draws
    their borders, :func:`draw_basemap`); the title says, once, how many external events lie outside
    it (or outside every panel) and are not drawn. Our incidents are large circles and the external
    events smaller markers drawn on top, so a matched pair a few hundred metres apart shows both.
    ``legend`` is ``"right"``, ``"below"`` (for side-by-side maps) or None. Our incidents at one place are
    fanned out as in :func:`map_incidents`. With ``window="common"`` (the default) only the months every
    dataset covers are drawn (:func:`in_common_window`), and the title says which: outside them "not
    matched" would only mean "not collected". Our incidents in regions far apart get one panel each.

    Worked through in ``notebooks/02_compare_with_public_data.ipynb``:

    >>> both = combine(ours, acled, ucdp)                                         # doctest: +SKIP
    >>> compare_map(both, {"acled": link(ours, acled), "ucdp": link(ours, ucdp)})  # doctest: +SKIP
    """
    if window == "common":
        df, note = in_common_window(df)
        if note:
            title = f"{title or 'Our incidents and public datasets'}, {note}"
    if ax is None and extent is None:  # our incidents in regions far apart: one panel each
        ours_all = df[(df["dataset"].astype(str) == "incidentkit") & _located(df)]
        groups = regions(pd.to_numeric(ours_all["longitude"]), pd.to_numeric(ours_all["latitude"]))
        if len(groups) > 1:
            n = len(groups)
            cols = 2 if n <= 4 else 3
            fig, axs = _pyplot().subplots(math.ceil(n / cols), cols, figsize=(6.2 * cols + 3, 5.2 * math.ceil(n / cols)),
                                          layout="constrained", squeeze=False)
            panels = list(axs.ravel())
            for extra in panels[n:]:
                extra.remove()
            located = df[_located(df)]
            lon_all = pd.to_numeric(located["longitude"]).to_numpy(float)
            lat_all = pd.to_numeric(located["latitude"]).to_numpy(float)
            in_any = np.zeros(len(located), bool)
            for k, (panel, g) in enumerate(zip(panels, groups)):
                part = ours_all.iloc[g]
                view = map_extent(pd.to_numeric(part["longitude"]), pd.to_numeric(part["latitude"]), pad=1.5,
                                  min_span=6.0)
                w, e, s_, n_ = view
                in_any |= (lon_all >= w) & (lon_all <= e) & (lat_all >= s_) & (lat_all <= n_)
                cs = sorted(set(part["country"].astype("object").dropna().astype(str)))
                compare_map(df, links, ax=panel, extent=view, legend=None, window="all", _defer=True,
                            title=f"{chr(65 + k)}. {', '.join(cs) if len(cs) <= 5 else f'{len(cs)} countries'}")
            shown = located[in_any]
            status = match_status(shown, links).to_numpy(bool)
            ds_shown = shown["dataset"].astype(str).to_numpy()
            names = [x for x in DATASET_STYLES if x in set(ds_shown)] + sorted(set(ds_shown) - set(DATASET_STYLES))
            counts = {(n, m): int(((ds_shown == n) & (status == m)).sum()) for n in names for m in (True, False)}
            fig.legend(handles=_compare_handles(counts, names), loc="outside right upper", frameon=False,
                       title="Dataset (events in the panels)")
            ds_all = located["dataset"].astype(str).to_numpy()
            hidden = {n: int(((ds_all == n) & ~in_any).sum()) for n in dict.fromkeys(ds_all) if n != "incidentkit"}
            note = _not_drawn(hidden, "outside these panels")
            fig.suptitle((title or "Our incidents and public datasets")
                         + f": {len(groups)} regions far apart, one panel each" + (f"\n({note})" if note else ""),
                         fontsize=11)
            fit_figure(fig)
            declutter(panels)
            return panels[0]
    made = ax is None
    ax = _new_axes(ax, (10, 7.5))
    d = df[_located(df)].copy()
    d["_lon"] = pd.to_numeric(d["longitude"]).astype(float)
    d["_lat"] = pd.to_numeric(d["latitude"]).astype(float)
    d["_ds"] = d["dataset"].astype(str)
    d["_matched"] = match_status(d, links)
    ours = d[d["_ds"] == "incidentkit"]
    view = extent or map_extent(ours["_lon"] if len(ours) else d["_lon"], ours["_lat"] if len(ours) else d["_lat"],
                                pad=2.0, min_span=6.0)
    # province borders up to 30° across; towns of the gazetteer up to 10° (wider: Natural Earth's cities)
    draw_basemap(ax, view)
    west, east, south, north = view
    inside = d["_lon"].between(west, east) & d["_lat"].between(south, north)
    pos = {(ds, str(i)): (x, y) for ds, i, x, y in zip(d["_ds"], d["id"], d["_lon"], d["_lat"])}
    segments = []
    for name, link in links.items():
        for a, b in zip(_pairs(link)["incident_id"].astype(str), _pairs(link)["external_id"].astype(str)):
            if ("incidentkit", a) in pos and (name, b) in pos:
                (x0, y0), (x1, y1) = pos[("incidentkit", a)], pos[(name, b)]
                if (west <= x0 <= east and south <= y0 <= north) or (west <= x1 <= east and south <= y1 <= north):
                    segments.append([(x0, y0), (x1, y1)])
    if segments:  # one collection: thousands of Line2D would take seconds to draw
        from matplotlib.collections import LineCollection

        ax.add_collection(LineCollection(segments, colors="#666666", linewidths=1.0, zorder=3,
                                         label="linked pairs"), autolim=False)
    names = [n for n in DATASET_STYLES if n in set(d["_ds"])] + sorted(set(d["_ds"]) - set(DATASET_STYLES))
    counts: dict[tuple[str, bool], int] = {}
    busy = inside.sum() >= 1500
    for name in names:
        for matched in (True, False):
            rows = d[(d["_ds"] == name) & (d["_matched"] == matched) & inside]
            counts[(name, matched)] = len(rows)
            if name != "incidentkit" and len(rows):  # on top of ours, smaller: both stay visible
                ax.scatter(rows["_lon"], rows["_lat"], s=EXTERNAL_SIZE / 3 if busy else EXTERNAL_SIZE,
                           zorder=6, **_external_style(name, matched))
    mine = d[(d["_ds"] == "incidentkit") & inside]
    if len(mine):
        lon, lat = mine["_lon"].to_numpy(float), mine["_lat"].to_numpy(float)
        colour = DATASET_STYLES["incidentkit"]["color"]
        faces = np.where(mine["_matched"].to_numpy(bool), colour, "white")
        _scatter_fanned(ax, lon, lat, *fan_offsets(lon, lat), s=np.full(len(mine), OURS_SIZE / 3 if busy else OURS_SIZE),
                        c=faces, marker="o", edgecolors=colour, linewidths=1.4, zorder=5)
    handles = _compare_handles(counts, names)
    if legend == "below":
        ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=2, frameon=False,
                  title="Dataset (events in view)")
    elif legend:
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False,
                  title="Dataset (events in view)")
    if _defer:  # a panel: the figure's title says once what no panel shows
        ax.set_title(title or "Our incidents and public datasets", fontsize=10)
    else:
        hidden = {n: int((~inside & (d["_ds"] == n)).sum()) for n in names if n != "incidentkit"}
        note = _not_drawn(hidden, "outside this map")
        ax.set_title((title or "Our incidents and public datasets") + (f"\n({note})" if note else ""), fontsize=10)
    if made:
        fit_figure(ax.figure)
    if not _defer:  # in a figure of panels, names are checked once the whole figure is laid out
        declutter(ax)
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


def compare_fatalities(df: pd.DataFrame, links: Mapping[str, Any], ax: "Axes | None" = None, *,
                       top: int = 30) -> "Axes":
    """For each of our linked incidents: our fatality range (low–best–high) next to each dataset's estimate.

    One row per incident that any dataset matched; each dataset's estimate is a marker in its colour,
    with its own low–high bar where the dataset records one (UCDP does, ACLED does not). When an incident
    is linked to several external rows (ACLED records a multi-day event as one row per day, each with
    that day's deaths), the marker is their sum, as ``incidentkit link`` compares them
    (:attr:`incidentkit.linking.LinkResult.fatalities`), labelled with the number of rows; a sum with an
    unknown figure among its rows is not drawn (it would read as a real difference). At most ``top``
    incidents are shown (those whose figures differ most between the datasets), and the title says so.

    >>> compare_fatalities(both, {"acled": acled_link, "ucdp": ucdp_link})   # doctest: +SKIP
    """
    ds = df["dataset"].astype(str)
    key = pd.Series(list(zip(ds, df["id"].astype(str))), index=df.index)
    rows = {k: i for i, k in zip(df.index, key)}
    linked = {name: _linked_external(link) for name, link in links.items()}
    incident_ids: list[str] = []
    for per_incident in linked.values():
        incident_ids += [i for i in per_incident if i not in incident_ids]
    incident_ids = [i for i in incident_ids if ("incidentkit", i) in rows]
    linked_total = len(incident_ids)
    if linked_total > top:  # keep the incidents whose figures differ most (ours against any dataset's sum)
        best = pd.to_numeric(df["fatalities_best"], errors="coerce").fillna(0)

        def spread(iid: str) -> float:
            mine = float(best.loc[rows[("incidentkit", iid)]])
            theirs = [sum(float(best.loc[rows[(n, e)]]) for e in linked[n].get(iid, []) if (n, e) in rows)
                      for n in linked if linked[n].get(iid)]
            return max((abs(mine - t) for t in theirs), default=0.0)

        incident_ids = sorted(incident_ids, key=spread, reverse=True)[:top]
    made = ax is None
    ax = _new_axes(ax, (9, 1.6 + 0.42 * max(len(incident_ids), 3)))
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
    ax.set_title("Fatality estimates of linked events" + (
        f": the {len(incident_ids)} of {linked_total:,} linked incidents whose figures differ most"
        if linked_total > len(incident_ids) else f": all {linked_total} linked incident(s)"), fontsize=10)
    if made:
        fit_figure(ax.figure)
    ax.grid(axis="x", color="#e5e5e5")
    ax.set_axisbelow(True)
    return ax


def coverage(df: pd.DataFrame, by: str = "dataset") -> pd.DataFrame:
    """Each dataset's window in ``df``: the months from its first to its last event (``first``, ``last``, ``events``).

    A dataset holds nothing outside its window because it was not collected there (an export's dates, a
    project's years), not because nothing happened: figures draw those months as gaps, never zeros.
    """
    groups = df[by].astype("object").astype(str) if by in df else pd.Series("incidentkit", index=df.index)
    month = pd.to_datetime(df["date_start"], errors="coerce").dt.to_period("M")
    t = pd.DataFrame({"name": groups, "month": month}).dropna().groupby("name")["month"].agg(["min", "max", "size"])
    return t.rename(columns={"min": "first", "max": "last", "size": "events"})


def common_window(cov: pd.DataFrame) -> tuple[pd.Period, pd.Period] | None:
    """The months every dataset of :func:`coverage` covers, or None when their windows do not overlap."""
    if not len(cov):
        return None
    first, last = cov["first"].max(), cov["last"].min()
    return (first, last) if first <= last else None


def _month(p: pd.Period) -> str:
    return p.strftime("%b %Y")


def _months(a: pd.Period, b: pd.Period) -> str:
    return _month(a) if a == b else f"{_month(a)}–{_month(b)}"


def monthly_counts(df: pd.DataFrame, ax: "Axes | None" = None, *, value: str = "events",
                   window: str = "common") -> "Axes":
    """Events (or fatalities) per month, one panel per dataset with its own scale: ``value`` is ``"events"`` or a fatalities column.

    The numbers are :func:`incidentkit.frames.monthly_counts` of ``df`` (a combined frame). Each dataset
    covers the months from its first to its last event (:func:`coverage`). With ``window="common"`` (the
    default) the figure keeps only the months every dataset covers, and its title says so, with each
    dataset's own window; with ``window="all"`` every month is drawn and the months a dataset does not
    cover are shaded grey, with no bar (a gap, not a zero). Each dataset gets its own panel and y-axis,
    so a project's handful of incidents is not a sliver next to a public dataset's thousands. Returns
    the top panel (``ax.figure.axes`` holds all); with ``ax`` given, everything is drawn as grouped bars
    on it.

    >>> monthly_counts(combine(ours, acled, ucdp), value="fatalities_best")   # doctest: +SKIP
    """
    table = monthly_table(df)
    if value not in table:
        raise UsageError(f"value must be 'events' or a fatalities column, not {value!r}", code="usage")
    if window not in ("common", "all"):
        raise UsageError(f"window must be 'common' or 'all', not {window!r}", code="usage")
    wide = table.pivot(index="month", columns="dataset", values=value).astype(float)
    cov = coverage(df)
    names = [n for n in DATASET_STYLES if n in wide.columns] + sorted(set(wide.columns) - set(DATASET_STYLES))
    for name in names:  # months outside a dataset's window: not collected, so no value (a gap)
        if name in cov.index:
            wide.loc[(wide.index < cov.at[name, "first"]) | (wide.index > cov.at[name, "last"]), name] = np.nan
    both = common_window(cov.loc[[n for n in names if n in cov.index]]) if len(names) > 1 else None
    windows = "; ".join(f"{dataset_label(n)} {_months(cov.at[n, 'first'], cov.at[n, 'last'])}"
                        for n in names if n in cov.index)
    what = "Events" if value == "events" else _column_title(value)
    if window == "common" and both is not None and len(names) > 1:
        wide = wide[(wide.index >= both[0]) & (wide.index <= both[1])]
        head = (f"{what} per month, {_months(both[0], both[1])}: only the months every dataset covers"
                f"\n(each dataset's window: {windows})")
    elif len(names) > 1:
        head = (f"{what} per month, by dataset" + ("" if both else ": the datasets' windows do not overlap")
                + f"\n(grey: months a dataset does not cover; windows: {windows})")
    else:
        head = f"{what} per month ({windows})" if windows else f"{what} per month"
    x = wide.index.to_timestamp() + pd.Timedelta(days=15) if len(wide) else pd.DatetimeIndex([])
    if ax is not None:  # one axes given: grouped bars on it
        panels = [ax] * len(names)
    else:
        fig, axs = _pyplot().subplots(max(len(names), 1), 1, figsize=(10, 1.2 + 1.9 * max(len(names), 1)),
                                      sharex=True, layout="constrained", squeeze=False)
        panels = list(axs.ravel())
    grouped = ax is not None
    w = 0.8 / max(len(names), 1)
    for k, (panel, name) in enumerate(zip(panels, names)):
        style = DATASET_STYLES.get(name, {"color": UNKNOWN_COLOUR})
        values = wide[name].to_numpy()
        xs = x + pd.Timedelta(days=30 * (w * (k + 0.5) - 0.4)) if grouped else x
        width = pd.Timedelta(days=30 * w if grouped else 24)
        bars = panel.bar(xs, np.nan_to_num(values), width=width, color=style["color"], label=dataset_label(name))
        for bar, v in zip(bars, values):
            if np.isnan(v):
                bar.set_visible(False)
        if window == "all" and name in cov.index and len(wide):
            out = np.isnan(values)
            for start, stop in _runs(out):
                panel.axvspan(x[start] - pd.Timedelta(days=15), x[stop - 1] + pd.Timedelta(days=15), color="#dddddd",
                              alpha=0.6, lw=0, zorder=0, label="not covered" if start == _runs(out)[0][0] else None)
        if len(wide) <= 12:  # values on the bars: small counts stay readable
            panel.bar_label(bars, labels=["" if np.isnan(v) else f"{v:,.0f}" for v in values], fontsize=8, padding=2)
            top = np.nanmax(values) if np.isfinite(values).any() else 1.0
            panel.set_ylim(0, max(top * 1.25, 1.0))
        if not grouped:
            panel.set_ylabel(f"{dataset_label(name)}\n{what.lower()}", fontsize=9)
            panel.yaxis.get_major_locator().set_params(integer=True)
        panel.grid(axis="y", color="#e5e5e5")
        panel.set_axisbelow(True)
    top_ax = panels[0] if panels else _new_axes(None, (10, 4.5))
    bottom = panels[-1] if panels else top_ax
    if len(wide):
        bottom.set_xlim(x.min() - pd.Timedelta(days=25), x.max() + pd.Timedelta(days=25))
        if len(wide) <= 18:  # few months: one tick per bar, at its middle
            labels = [f"{p:%b}" + (f"\n{p:%Y}" if k == 0 or p.month == 1 else "") for k, p in enumerate(wide.index)]
            step = 1 if len(wide) <= 12 else 2
            bottom.set_xticks(list(x[::step]), labels[::step])
        else:
            date_axis(bottom, "M" if len(wide) <= 8 * 12 else "Y")
    bottom.set_xlabel("Month (of the event's start date)")
    if grouped:
        top_ax.set_ylabel(what)
        top_ax.legend(title="Dataset", loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
        top_ax.set_title(head, fontsize=10)
    else:
        top_ax.figure.suptitle(head, fontsize=10)
        fit_figure(top_ax.figure)
    return top_ax


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """[start, stop) index runs where ``mask`` is True."""
    out, start = [], None
    for i, m in enumerate(list(mask) + [False]):
        if m and start is None:
            start = i
        elif not m and start is not None:
            out.append((start, i))
            start = None
    return out


__all__ = ["map_incidents", "timeline", "breakdown", "compare_map", "compare_fatalities", "monthly_counts",
           "draw_basemap", "load_basemap", "provinces", "province_at", "map_extent", "regions", "context_places", "declutter", "choose_freq",
           "coverage", "common_window", "describe", "marker_size", "place_size", "match_status", "EVENT_COLOURS",
           "DATASET_STYLES", "Basemap"]

"""Render the figure gallery of the documentation (docs/reference/gallery.md) into docs/assets/gallery/.

    python notebooks/render_gallery.py                  # writes docs/assets/gallery/*.png
    python notebooks/render_gallery.py /tmp/gallery     # anywhere else, to look at them

Two projects: the seed (datasets/, four incidents) and a generated one of 1,500 incidents in 40
countries over 15 years (incidentkit.testing.write_coded_project; invented events at real towns), with
ACLED-shaped events for 2014-2019 (incidentkit.testing.acled_shaped): most of its incidents as another
coder recorded them (linked) and background events it never coded (linked to nothing).
Every figure is checked as the tests check them (no text outside the figure or its axes, no text over
another) and the check's result is printed.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import incidentkit  # noqa: E402
from incidentkit import plots  # noqa: E402
from incidentkit.external import combine  # noqa: E402
from incidentkit.testing import acled_shaped, write_coded_project  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
from test_plots import text_problems  # noqa: E402


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "docs" / "assets" / "gallery"
    out.mkdir(parents=True, exist_ok=True)
    import matplotlib.pyplot as plt

    seed = incidentkit.read_incidents(REPO / "datasets")
    work = Path(tempfile.mkdtemp(prefix="incidentkit-gallery-"))
    write_coded_project(work / "coded", 1500, countries=40, start="2010-01-01", years=15, seed=3)
    incidentkit.build(work / "coded", work / "dataset", geocode=False)
    multi = incidentkit.read_incidents(work / "dataset")
    theirs, pairs = acled_shaped(multi, seed=5, start="2014-01-01", end="2019-12-31")
    both, links = combine(multi, theirs), {"acled": pairs}
    top = multi.groupby(["country", "admin1"], observed=True).size().idxmax()
    here = multi[(multi.country == top[0]) & (multi.admin1 == top[1])]
    zoom = plots.map_extent(here.longitude, here.latitude, pad=0.3, min_span=1.0)
    recent = multi[multi.date_start.between("2014-01-01", "2019-12-31")]  # the comparison's window
    c_top = recent.groupby(["country", "admin1"], observed=True).size().idxmax()
    c_here = recent[(recent.country == c_top[0]) & (recent.admin1 == c_top[1])]
    c_zoom = plots.map_extent(c_here.longitude, c_here.latitude, pad=0.4, min_span=1.5)

    figures = {
        "seed-map": lambda: plots.map_incidents(seed),
        "seed-timeline": lambda: plots.timeline(seed)[0],
        "multi-map": lambda: plots.map_incidents(multi),
        "multi-zoom": lambda: plots.map_incidents(here, extent=zoom, title=f"Zoom: {top[1]} ({top[0]}), {len(here)} incidents"),
        "multi-timeline": lambda: plots.timeline(multi)[0],
        "multi-breakdown-actor": lambda: plots.breakdown(multi, by="actor", hue="event_type"),
        "multi-monthly-common": lambda: plots.monthly_counts(both),
        "multi-monthly-all": lambda: plots.monthly_counts(both, window="all"),
        "multi-compare-map": lambda: plots.compare_map(both, links),
        "multi-compare-zoom": lambda: plots.compare_map(both, links, extent=c_zoom,
                                                        title=f"Zoom: {c_top[1]} ({c_top[0]})"),
        "multi-compare-fatalities": lambda: plots.compare_fatalities(both, links, top=20),
    }
    for name, draw in figures.items():
        ax = draw()
        problems = text_problems(ax.figure)
        ax.figure.savefig(out / f"{name}.png", dpi=72)
        print(f"{name}.png: {'ok' if not problems else problems}")
        plt.close("all")


if __name__ == "__main__":
    main()

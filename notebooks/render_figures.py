"""Execute the notebooks and save every figure they draw as a PNG, to look at them as a reader would.

    python notebooks/render_figures.py /tmp/figures            # all notebooks, on datasets/coded
    python notebooks/render_figures.py /tmp/figures 02_compare_with_public_data.ipynb
    python notebooks/render_figures.py /tmp/figures --coded ~/project/coded   # on your own records

The notebooks read the records from ``INCIDENTKIT_CODED`` (``--coded`` sets it; default
``datasets/coded``), and ACLED/UCDP files from ``INCIDENTKIT_ACLED_FILE`` / ``INCIDENTKIT_UCDP_FILE``
(stand-ins when unset).

Files are named ``<notebook>_<cell>_<n>.png``. The notebooks' own outputs go to a temporary work folder;
the committed notebooks are not modified (the executed copies are written next to the PNGs).
"""

from __future__ import annotations

import argparse
import base64
import os
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent


def render(notebook: Path, out: Path) -> list[Path]:
    """Run one notebook in a python3 kernel; write its PNG outputs and the executed copy into ``out``."""
    book = nbformat.read(notebook, as_version=4)
    NotebookClient(book, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(notebook.parent)}}).execute()
    written = []
    for i, cell in enumerate(book.cells):
        pngs = [o["data"]["image/png"] for o in cell.get("outputs", []) if "image/png" in o.get("data", {})]
        for k, data in enumerate(pngs, start=1):
            target = out / f"{notebook.stem}_{i:02d}_{k}.png"
            target.write_bytes(base64.b64decode(data))
            written.append(target)
    nbformat.write(book, out / notebook.name)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder for the PNGs and executed copies")
    parser.add_argument("notebooks", nargs="*", help="notebook file names (default: all in notebooks/)")
    parser.add_argument("--coded", type=Path, help="folder of coded records (sets INCIDENTKIT_CODED; "
                        "default: $INCIDENTKIT_CODED, else datasets/coded)")
    args = parser.parse_args()
    if args.coded:
        os.environ["INCIDENTKIT_CODED"] = str(args.coded.resolve())
    args.out.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("INCIDENTKIT_NOTEBOOK_WORK", tempfile.mkdtemp(prefix="incidentkit-render-"))
    names = args.notebooks or sorted(p.name for p in HERE.glob("*.ipynb"))
    for name in names:
        start = time.perf_counter()
        figures = render(HERE / name, args.out)
        print(f"{name}: {len(figures)} figure(s) in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()

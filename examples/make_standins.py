"""Regenerate examples/acled_standin.csv and examples/ged_standin.csv from the seed dataset.

    .venv/bin/python examples/make_standins.py

ACLED data may not be redistributed, and a UCDP GED release is large, so the README's tour and the
how-to guides link the seed incidents to *stand-ins*: files in the real ACLED and GED layouts whose rows
are invented. Each holds a perturbed record of the seed incidents (dates a day off, points a few km
away, revised counts, some events missed), written by incidentkit's own exporters, plus a few dozen
synthetic background events. The same seed always gives the same bytes, so rerunning this script after a
change of the exporters shows, in ``git diff``, exactly what changed.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from incidentkit.external.demo import write_stand_ins

HERE = Path(__file__).resolve().parent
DATASET = HERE.parent / "datasets"

#: Few background events over a short span keep the files small enough to read in an editor.
BACKGROUND_EVENTS = 40
SPAN_DAYS = 60


def main() -> None:
    # The generator leaves intermediate files beside its outputs; only the two stand-ins are kept.
    with tempfile.TemporaryDirectory() as tmp:
        paths = write_stand_ins(DATASET, tmp, background=BACKGROUND_EVENTS, days=SPAN_DAYS)
        for path in paths.values():
            shutil.copyfile(path, HERE / path.name)
            print(f"wrote examples/{path.name}")


if __name__ == "__main__":
    main()

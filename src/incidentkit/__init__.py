"""incidentkit: hand-coded conflict incidents -> a validated, geocoded, ACLED/UCDP-compatible dataset.

The Python API is what the CLI and the notebooks call::

    import incidentkit
    report = incidentkit.validate("datasets/coded")      # problems as data
    result = incidentkit.build("datasets/coded", "datasets")
    df = incidentkit.read_incidents("datasets")          # pandas, categoricals, real dates

    acled = incidentkit.ingest_acled(["acled_export.csv"], "acled.parquet")
    links = incidentkit.link("datasets", "acled.parquet", days=3, km=25)
    both = incidentkit.combine(df, incidentkit.read_events("acled.parquet"))
    agree = incidentkit.agreement("datasets/coded-reliability/ik", "datasets/coded-reliability/mh")

Analysis helpers that pull in heavier modules (ingest, linking, reliability, DuckDB, geopandas) are
imported on first use, so ``import incidentkit`` stays quick.
"""

from __future__ import annotations

import importlib
from typing import Any

from incidentkit._version import __version__
from incidentkit.build import BuildResult, build
from incidentkit.dataset import read_incidents, read_table
from incidentkit.errors import IncidentkitError, InvalidRecordsError, Problem
from incidentkit.validate import ValidationReport, validate

_LAZY = {
    "ingest_acled": "incidentkit.external",
    "ingest_ucdp": "incidentkit.external",
    "read_events": "incidentkit.external",
    "combine": "incidentkit.external",
    "link": "incidentkit.linking",
    "LinkResult": "incidentkit.linking",
    "agreement": "incidentkit.reliability",
    "AgreementResult": "incidentkit.reliability",
    "Geocoder": "incidentkit.geocode",
    "to_geodataframe": "incidentkit.frames",
    "connect": "incidentkit.frames",
    "query": "incidentkit.frames",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'incidentkit' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "__version__", "build", "BuildResult", "read_incidents", "read_table", "validate", "ValidationReport",
    "IncidentkitError", "InvalidRecordsError", "Problem", *_LAZY,
]

"""incidentkit: hand-coded conflict incidents -> a validated, geocoded, ACLED/UCDP-compatible dataset.

The Python API is what the CLI and the notebooks call::

    import incidentkit
    report = incidentkit.validate("datasets/coded")      # problems as data
    result = incidentkit.build("datasets/coded", "datasets")
    df = incidentkit.read_incidents("datasets")          # pandas, categoricals, real dates
"""

from incidentkit._version import __version__
from incidentkit.build import BuildResult, build
from incidentkit.dataset import read_incidents, read_table
from incidentkit.errors import IncidentkitError, InvalidRecordsError, Problem
from incidentkit.validate import ValidationReport, validate

__all__ = [
    "__version__", "build", "BuildResult", "read_incidents", "read_table", "validate", "ValidationReport",
    "IncidentkitError", "InvalidRecordsError", "Problem",
]

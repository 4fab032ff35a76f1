"""Public conflict datasets (ACLED, UCDP GED) read into the harmonised schema of :mod:`.schema`."""

from incidentkit.external.acled import ingest_acled
from incidentkit.external._stream import ExternalFileError, IngestResult

__all__ = ["ingest_acled", "ExternalFileError", "IngestResult"]

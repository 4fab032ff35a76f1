"""Public conflict datasets (ACLED, UCDP GED) read into the harmonised schema of :mod:`.schema`.

>>> from incidentkit.external import ingest_acled, ingest_ucdp, read_events, combine
>>> ingest_acled("acled_export.csv", "acled.parquet")                       # doctest: +SKIP
>>> df = combine(incidentkit.read_incidents("datasets"), read_events("acled.parquet"))  # doctest: +SKIP
"""

from incidentkit.external._stream import ExternalFileError, IngestResult
from incidentkit.external.acled import ingest_acled
from incidentkit.external.frames import combine, read_events
from incidentkit.external.schema import external_schema
from incidentkit.external.ucdp import ingest_ucdp

__all__ = ["ingest_acled", "ingest_ucdp", "read_events", "combine", "external_schema", "ExternalFileError",
           "IngestResult"]

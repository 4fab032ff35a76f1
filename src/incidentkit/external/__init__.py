"""Public conflict and event datasets read into the harmonised schema of :mod:`.schema`.

ACLED, UCDP GED, the Global Terrorism Database, ICEWS, GDELT 2.0 and POLECAT: each reader streams its
files into one Parquet file whose columns mean what our incidents' columns mean (``dataset`` tells the
rows apart), so they stack with our incidents and the linker reads them all the same way.

>>> from incidentkit.external import ingest_acled, ingest_gdelt, read_events, combine
>>> ingest_acled("acled_export.csv", "acled.parquet")                       # doctest: +SKIP
>>> ingest_gdelt("gdelt_2024_05/", "gdelt.parquet", engine="dask")         # doctest: +SKIP
>>> df = combine(incidentkit.read_incidents("datasets"), read_events("acled.parquet"))  # doctest: +SKIP
"""

from incidentkit.external._stream import ExternalFileError, IngestResult
from incidentkit.external.acled import ingest_acled
from incidentkit.external.frames import combine, read_events
from incidentkit.external.gdelt import ingest_gdelt
from incidentkit.external.gtd import ingest_gtd
from incidentkit.external.icews import ingest_icews
from incidentkit.external.polecat import ingest_polecat
from incidentkit.external.schema import external_schema
from incidentkit.external.ucdp import ingest_ucdp

__all__ = ["ingest_acled", "ingest_ucdp", "ingest_gtd", "ingest_icews", "ingest_gdelt", "ingest_polecat",
           "read_events", "combine", "external_schema", "ExternalFileError", "IngestResult"]

"""The demo stand-ins (notebook 02) are real-format ACLED and GED files that hold our incidents."""

from __future__ import annotations

import incidentkit
from incidentkit.external.demo import write_stand_ins

from conftest import SEED


def test_stand_ins_ingest_and_link_back_to_our_incidents(tmp_path):
    incidentkit.build(SEED.parent, tmp_path / "ds", geocode=True, exports=False)
    paths = write_stand_ins(tmp_path / "ds", tmp_path / "demo", background=200, seed=3)
    acled = incidentkit.ingest_acled([paths["acled"]], tmp_path / "acled.parquet", progress=False)
    ged = incidentkit.ingest_ucdp(paths["ucdp"], tmp_path / "ged.parquet", progress=False)
    assert acled is not None and ged is not None
    events = incidentkit.read_events(tmp_path / "acled.parquet")
    assert len(events) > 200 and set(events["dataset"]) == {"acled"}
    result = incidentkit.link(tmp_path / "ds", tmp_path / "ged.parquet", days=3, km=50)
    # the GED stand-in keeps every deadly incident of ours; the linker must find them
    assert set(result.pairs["incident_id"]) >= {"svt-2022-01-21-hasakah-01", "svt-2022-01-21-hasakah-04"}

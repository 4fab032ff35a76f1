"""ACLED's types for other datasets' event codes, as the harmonised schema's dictionary columns.

GTD, ICEWS, GDELT and POLECAT rows carry their own codes (``event_code``); the crosswalk
(:mod:`incidentkit.codebook.crosswalk`) gives each code's best ACLED event and sub-event type, and the
disorder type follows from the sub-event type. One class does it for every reader, deciding each
distinct code once per batch.
"""

from __future__ import annotations

import os

import pyarrow as pa
import pyarrow.compute as pc

from incidentkit.codebook import vocab
from incidentkit.external import _convert as cv
from incidentkit.external.schema import shared_type


class AcledTypes:
    """The crosswalk's ACLED types for a scheme's codes, as the dictionary columns of the schema.

    Plain attributes only (the table is loaded on first use in the process that converts), so the
    object pickles for the Dask engine.
    """

    def __init__(self, crosswalk: str | os.PathLike[str] | None = None) -> None:
        self.crosswalk = None if crosswalk is None else str(crosswalk)
        self.event_type = cv.GrowingDictionary(shared_type("event_type"), vocab.EVENT_TYPES, cv.label)
        self.sub_event_type = cv.GrowingDictionary(shared_type("sub_event_type"), vocab.SUB_EVENT_TYPES, cv.label)
        self.disorder_type = cv.GrowingDictionary(shared_type("disorder_type"), vocab.DISORDER_TYPES, cv.label)
        self._table: object = None

    def __getstate__(self) -> dict[str, object]:
        state = dict(self.__dict__)
        state["_table"] = None  # reloaded where it is used: the shipped table is cached per process
        return state

    def columns(self, scheme: str, codes: pa.Array) -> dict[str, pa.Array]:
        """event_type, sub_event_type, disorder_type for ``codes`` (without the scheme prefix).

        Everything is decided once per distinct code (a batch holds a few hundred) and broadcast to the
        rows by one integer ``take`` per column.
        """
        if self._table is None:
            from incidentkit.codebook.crosswalk import load_crosswalk

            self._table = load_crosswalk(self.crosswalk)
        enc = pc.dictionary_encode(codes)
        ev, sub = self._table.to_acled(scheme, enc.dictionary)  # type: ignore[attr-defined]
        disorder = pa.array([vocab.disorder_type(s) if s else None for s in sub.to_pylist()], pa.string())
        return {"event_type": broadcast(self.event_type.encode(ev, "event_code"), enc.indices),
                "sub_event_type": broadcast(self.sub_event_type.encode(sub, "event_code"), enc.indices),
                "disorder_type": broadcast(self.disorder_type.encode(disorder, "event_code"), enc.indices)}


def broadcast(per_value: pa.DictionaryArray, indices: pa.Array) -> pa.DictionaryArray:
    """A dictionary column decided per distinct value, spread over the rows (``indices`` into the values)."""
    return pa.DictionaryArray.from_arrays(pc.take(per_value.indices, indices), per_value.dictionary)


__all__ = ["AcledTypes", "broadcast"]

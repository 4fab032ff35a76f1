"""The Dask cluster incidentkit runs on when asked (``--engine dask``): one way to get it, for every command.

Ingest (:mod:`incidentkit.external.parallel`) and linking (:mod:`incidentkit.linking.distributed`)
both take ``--scheduler ADDRESS`` (an existing cluster: started by dask-jobqueue on Slurm, by the Dask
Helm chart or operator on Kubernetes, or by ``dask scheduler``) or ``--workers N`` (a local cluster of
N processes on 127.0.0.1, no dashboard, closed when the command ends). Dask is an optional extra:
without it ``--engine dask`` is one line saying how to install it, never an ImportError traceback.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any

from incidentkit.errors import MissingDependencyError, UsageError
from incidentkit.progress import note

#: How long to try reaching a scheduler given by address before saying so (a cluster's scheduler answers in
#: milliseconds; a wrong address or a stopped job would otherwise hang the command).
CONNECT_TIMEOUT = "10s"


class DaskMissingError(MissingDependencyError):
    """``--engine dask`` without the ``dask`` extra: the user asked for an engine that is not installed,
    which the command line can fix (exit 2), with the one line that installs it."""

    exit_code = 2


def require_dask(purpose: str = "--engine dask") -> Any:
    """The ``distributed`` module, or :class:`DaskMissingError` naming the extra that installs it."""
    try:
        import dask  # noqa: F401
        import distributed
    except ImportError:
        raise DaskMissingError("dask", "dask", purpose) from None
    return distributed


@contextlib.contextmanager
def dask_client(scheduler: str | None = None, workers: int | None = None, *,
                purpose: str = "--engine dask") -> Iterator[Any]:
    """A Dask ``Client``: connected to ``scheduler`` (``tcp://host:8786``), or to a local cluster of
    ``workers`` processes (default: the CPU count, at most 8) bound to 127.0.0.1 with no dashboard,
    closed on exit. An unreachable scheduler is a usage error (exit 2) after :data:`CONNECT_TIMEOUT`.
    """
    distributed = require_dask(purpose)
    if scheduler is not None:
        try:
            client = distributed.Client(scheduler, timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError) as exc:
            raise UsageError(f"cannot reach the Dask scheduler at {scheduler}: {exc}", code="usage") from None
        with client:
            yield client
        return
    n = workers or max(1, min(os.cpu_count() or 1, 8))
    note(f"starting a local Dask cluster ({n} worker process{'es' if n > 1 else ''})...")
    with distributed.LocalCluster(n_workers=n, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None, silence_logs=40) as cluster, \
            distributed.Client(cluster) as client:
        yield client


__all__ = ["CONNECT_TIMEOUT", "DaskMissingError", "dask_client", "require_dask"]

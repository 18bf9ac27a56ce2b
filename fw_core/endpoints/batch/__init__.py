"""The Fireworks Batch API: offline chat jobs at half the serverless price.

* :mod:`fw_core.endpoints.batch.lines`: pure pieces (input lines, file splitting, job states,
  ``jobProgress``, output rows and per-row errors);
* :mod:`fw_core.endpoints.batch.api`: the control-plane calls (datasets, ``batchInferenceJobs``,
  output download), sync and async;
* :mod:`fw_core.endpoints.batch.state`: the resume file;
* :mod:`.checks`: input checks, the model check (evidence only), matching rows
  to inputs;
* :mod:`fw_core.endpoints.batch.runner`: :class:`BatchRunner`, the whole round trip.

Wire facts and their sources: ``docs/wire.md`` §7; the guide: ``docs/batch.md``.
"""

from __future__ import annotations

from fw_core.endpoints.batch.checks import BatchProgress, BatchResult, batch_support
from fw_core.endpoints.batch.lines import (
    DEFAULT_MAX_FILE_BYTES,
    BatchInputError,
    BatchJobError,
    BatchRowError,
    DatasetNotReadyError,
    JobInfo,
    JobProgress,
    job_phase,
)
from fw_core.endpoints.batch.runner import BatchRunner
from fw_core.endpoints.batch.state import BatchState, PartState

__all__ = [
    "DEFAULT_MAX_FILE_BYTES",
    "BatchInputError",
    "BatchJobError",
    "BatchProgress",
    "BatchResult",
    "BatchRowError",
    "BatchRunner",
    "BatchState",
    "DatasetNotReadyError",
    "JobInfo",
    "JobProgress",
    "PartState",
    "batch_support",
    "job_phase",
]

"""Sweeps (DESIGN.md layer 8): many runs over parameters and seeds, on local processes or dask.distributed.

:func:`sweep` checks the grid against the experiment, runs every point through an
executor (:mod:`.executors`), writes each finished run into a folder store
(:mod:`.store`) and stacks them into one xarray object (:mod:`.combine`).
"""

from typing import TYPE_CHECKING

from ..lazy import lazy_package

# imported on first use, so that the command line's parser does not load the engine
lazy_package(__name__, {
    "DaskExecutor": "executors", "LocalExecutor": "executors", "SerialExecutor": "executors",
    "SweepInterrupted": "sweep", "sweep": "sweep", "RECORD_CHOICES": "worker",
})
if TYPE_CHECKING:
    from .executors import DaskExecutor, LocalExecutor, SerialExecutor
    from .sweep import SweepInterrupted, sweep
    from .worker import RECORD_CHOICES

__all__ = ["DaskExecutor", "LocalExecutor", "RECORD_CHOICES", "SerialExecutor", "SweepInterrupted", "sweep"]

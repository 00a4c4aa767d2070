"""Sweeps (DESIGN.md layer 8): many runs over parameters and seeds, on local processes or dask.distributed.

:func:`sweep` checks the grid against the experiment, runs every point through an
executor (:mod:`.executors`), writes each finished run into a folder store
(:mod:`.store`) and stacks them into one xarray object (:mod:`.combine`).
"""

from .executors import DaskExecutor, LocalExecutor, SerialExecutor
from .sweep import SweepInterrupted, sweep
from .worker import RECORD_CHOICES

__all__ = ["DaskExecutor", "LocalExecutor", "RECORD_CHOICES", "SerialExecutor", "SweepInterrupted", "sweep"]

"""What a sweep holds in memory: the spikes or traces of its runs, kept until the end and then stacked.

With ``record="traces"`` the bytes are known before any run (:func:`check_traces_fit`). Spikes are not:
how many a run makes is only known when it has run, so :class:`KeptRuns` counts what the finished runs
keep and stops the sweep as soon as they show that all of its runs would not fit. Before, such a sweep
ran until the machine ran out of memory, hours later, and lost its result.
"""

from __future__ import annotations

from pathlib import Path

from ..engine.memory import memory_limit
from ..errors import ConfigError
from .worker import Outcome

TRACE_COPIES = 2
"""A sweep keeping spikes or traces holds each run's until its end, and again in the stacked result."""


def check_traces_fit(trace_bytes: int, runs: int) -> None:
    """Refuse a sweep that keeps traces (``record="traces"``) whose runs' recordings, ``trace_bytes`` in all,
    would not fit in memory: they are held until the end, and again in the stacked result."""
    limit, source = memory_limit()
    needed = TRACE_COPIES * trace_bytes
    if needed > limit:
        raise ConfigError(f"record 'traces': the recordings of {runs:,} runs would take about "
                          f"{needed / 2**30:.3g} GiB of memory (each run's, and the stacked result), more than the "
                          f"{limit / 2**30:.3g} GiB allowed ({source}); record 'spikes' or 'summary', record fewer "
                          "neurons or variables or at a lower rate, or split the sweep")


class KeptRuns:
    """The bytes the runs of a sweep keep (their results, when it records spikes or traces) as they finish."""

    def __init__(self, runs: int, folder: Path | None):
        """``runs`` is the number of runs of the sweep; ``folder`` is where its finished runs are stored (or None)."""
        self.runs = runs
        self.folder = folder
        self.limit, self.source = memory_limit()
        self.held = 0
        self.counted = 0

    def add(self, outcome: Outcome) -> None:
        """Count one finished run's result (:meth:`check` then says whether the sweep may go on)."""
        if outcome.tree is not None:  # record="summary" keeps the summary only
            self.held += outcome.tree.nbytes
            self.counted += 1

    def check(self) -> None:
        """Refuse to go on when the runs so far, on average, show that all of them (and the stacked copy) would
        take more memory than allowed. The finished runs stay stored."""
        if not self.counted:
            return
        each = self.held / self.counted
        needed = TRACE_COPIES * each * self.runs
        if needed > self.limit:
            finished = "the finished run is" if self.counted == 1 else f"the {self.counted} finished runs are"
            kept = f"; {finished} stored in {self.folder}" if self.folder else ""
            so_far = "the first run keeps" if self.counted == 1 else f"the {self.counted} runs so far keep, on average,"
            raise ConfigError(f"record: {so_far} {each / 2**20:.3g} MiB, so all {self.runs:,} runs would take about "
                              f"{needed / 2**30:.3g} GiB of memory (each run's, and the stacked result), more than "
                              f"the {self.limit / 2**30:.3g} GiB allowed "
                              f"({self.source}); record 'summary' (spike counts and rates), record less, or split "
                              f"the sweep{kept}")

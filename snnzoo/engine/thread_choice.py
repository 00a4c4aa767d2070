"""How many threads each stretch of a simulation runs with.

A kernel with shared loops runs each of them as one parallel region per step, which
waits for every thread: on an idle machine two threads halve the time of a large
population's step, but on a machine busy with other work a thread often waits for a
core, and a step then takes longer than with one thread. Results do not depend on the
thread count, so the driver may change it between kernel calls: now and then it runs a
short probe with one thread and one with all of them, and runs the stretches that
follow with whichever was faster (wall-clock time per step), switching as soon as a
stretch runs slower per step than the other count's last measurement. The very first call runs
one step, unmeasured: it loads the compiled kernel and starts the threads.
"""

from __future__ import annotations

from . import layout
from .plan import KernelPlan

SHARED_NEURONS_MIN = 20_000
"""A network whose thread count is left at its default runs with one thread when its populations
large enough to share (``layout.PARALLEL_MIN_SIZE`` neurons or more) hold fewer neurons than this
together: their step is too short to gain from a second thread. Measured on two cores: W4 (10 000
conductance LIF, 6.2 us per step) takes 1.16x as long per step with two threads; its neurons alone
(no synapses) take 0.89x at 10 000 and 0.72x at 20 000 (README section Engine)."""

PROBE_STEPS = 100
"""Steps each thread count runs in a probe."""

PROBE_EVERY = 10
"""Kernel calls between probes (the first probe comes at the start)."""


class ThreadChoice:
    """Chooses between one thread and ``threads`` for the kernel calls of a simulation."""

    def __init__(self, threads: int):
        self.threads = threads
        self.best = threads
        """The count with the shorter time per step in its last measured call."""
        self._probes: list[int] = []
        """Thread counts still to run in the current probe."""
        self._probed = (0, 0.0)
        """Steps and seconds the first of ``_probes`` has run so far (calls cut short add up)."""
        self._timings: dict[int, float] = {}
        self._calls_since_probe = PROBE_EVERY
        self._probe_order = [1, threads]
        self._started = False

    def next(self, steps: int) -> tuple[int, int]:
        """The thread count and number of steps (at most ``steps``, what is left of the run) of the next kernel
        call. A probe the kernel cut short (it returns early when a spike buffer may overflow) goes on in
        the next call until it has run ``PROBE_STEPS`` steps."""
        if self.threads == 1:
            return 1, steps
        if not self._started:
            self._started = True
            return self.threads, 1
        if not self._probes and self._calls_since_probe >= PROBE_EVERY and steps >= 4 * PROBE_STEPS:
            self._probes = list(self._probe_order)
            self._probe_order.reverse()  # whichever runs first also warms the caches: alternate
            self._calls_since_probe = 0
        if self._probes:  # a probe never runs past the end of the run
            return self._probes[0], min(PROBE_STEPS - self._probed[0], steps)
        self._calls_since_probe += 1
        return self.best, steps

    def record(self, threads: int, steps: int, seconds: float) -> None:
        """A kernel call with ``threads`` threads ran ``steps`` steps in ``seconds`` (wall clock).

        Every call of at least ``PROBE_STEPS`` steps updates its count's time per step, so a count
        that became slower than the other's last measurement (the network started to spike, the
        machine got busy) is left at once, not only at the next probe."""
        if self._probes and self._probes[0] == threads:
            steps, seconds = self._probed[0] + steps, self._probed[1] + seconds
            self._probed = (steps, seconds)
            if steps < PROBE_STEPS:
                return
            self._probes.pop(0)
            self._probed = (0, 0.0)
        if steps < PROBE_STEPS:
            return
        self._timings[threads] = seconds / steps
        if not self._probes and len(self._timings) > 1:
            self.best = min(self._timings, key=lambda count: (self._timings[count], -count))


def default_thread_count(plan: KernelPlan, cores: int) -> int:
    """The threads a network of ``plan`` runs with when its count was left at its default (``cores``):
    one if its shareable populations hold fewer than ``SHARED_NEURONS_MIN`` neurons in all, else ``cores``."""
    shared = sum(p.size for p in plan.populations if layout.shared_loop(p.size, cores))
    return cores if shared >= SHARED_NEURONS_MIN else 1

"""One estimate of the memory a simulation allocates, checked before each allocation.

A network adds up what its parts will hold (population state and spike buffers,
synapses, delay rings, recordings) in a :class:`MemoryBudget` as it is built;
each part is checked against the limit *before* it is allocated, together with
everything already held, so a network too big for the machine is refused with
the estimate and the limit instead of being killed by the operating system.
Random connectivity is drawn block by block straight into its final arrays;
synapses given as index arrays need more while they are sorted: that peak is
checked too. The limit is 80 % of the machine's memory, or less when the
process has an address-space limit (``ulimit -v``) or a cgroup memory limit;
``SNNZOO_MEMORY_LIMIT`` (e.g. ``"2 GiB"``) sets it.
"""

from __future__ import annotations

import os
import resource
from pathlib import Path

from ..errors import SimulationError

SPIKE_BUFFER_MIN = 1 << 16
"""The kernel's spike buffers hold max(4 * size, this) spikes per group."""
RESULT_BYTES_PER_SYNAPSE = 8
"""A result adds each synapse's presynaptic and postsynaptic index (int32)."""
RECORD_COPIES = 3
"""A recorded value lives in the drained chunks, the joined result, and the file made in memory."""


def population_bytes(size: int, values: int, noises: int) -> int:
    """A population: ``values`` parameters and variables per neuron (held by Python and by the
    kernel), white-noise samples, spike bookkeeping and spike buffers."""
    spike_buffer = max(4 * size, SPIKE_BUFFER_MIN) * (8 + 4)
    return size * (2 * 8 * values + 8 * noises + 8 + 8 + 4 + 1) + spike_buffer


def synapse_bytes(stored: int, count: int) -> int:
    """``count`` built synapses whose arrays hold ``stored`` bytes (the kernel uses them as they are)."""
    return stored + count * RESULT_BYTES_PER_SYNAPSE


def record_bytes(samples: int, variables: int, neurons: int, copies: int = RECORD_COPIES) -> int:
    """A monitor's recording of ``samples`` time points, held ``copies`` times."""
    return samples * variables * neurons * 8 * copies


def _format(nbytes: float) -> str:
    return f"{nbytes / 2**30:.3g} GiB" if nbytes >= 2**27 else f"{nbytes / 2**20:.3g} MiB"


def memory_limit() -> tuple[int, str]:
    """The bytes a simulation may hold, and where that number comes from."""
    setting = os.environ.get("SNNZOO_MEMORY_LIMIT")
    if setting:
        return _bytes(setting), "SNNZOO_MEMORY_LIMIT"
    physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    limits = [(int(0.8 * physical), f"80% of the machine's {_format(physical)}")]
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft != resource.RLIM_INFINITY:
        limits.append((int(0.8 * soft) - _virtual_size(), "the process's address-space limit (ulimit -v)"))
    cgroup = Path("/sys/fs/cgroup/memory.max")
    try:
        text = cgroup.read_text().strip()
    except OSError:
        text = "max"
    if text.isdigit():
        limits.append((int(0.8 * int(text)), "the cgroup's memory.max"))
    return min(limits)


def _bytes(setting: str) -> int:
    from ..errors import SnnzooError
    from ..units import as_quantity, ureg

    refused = SimulationError(f"SNNZOO_MEMORY_LIMIT: expected an amount of memory such as '2 GiB', got {setting!r}")
    try:  # the spelling advice of a quantity ("did you mean 'abC'?", abcoulomb) knows no memory units
        quantity = as_quantity(setting, what="SNNZOO_MEMORY_LIMIT")
    except SnnzooError:
        raise refused from None
    if quantity.dimensionality != ureg.byte.dimensionality or not quantity.magnitude > 0:
        raise refused
    return int(quantity.to("byte").magnitude)


def _virtual_size() -> int:
    """The address space this process already uses (numba and LLVM reserve much of it)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


class MemoryBudget:
    """What a network will hold, by part; :meth:`require` refuses a part that would not fit."""

    def __init__(self) -> None:
        self.parts: dict[str, int] = {}

    @property
    def total(self) -> int:
        """Bytes held by every part so far."""
        return sum(self.parts.values())

    def require(self, what: str, nbytes: int, hint: str, *, keep: bool = True) -> None:
        """Check that ``what`` (``nbytes``) fits with every other part, then count it (unless
        ``keep`` is False: a transient peak). A part required again replaces its old estimate."""
        others = self.total - self.parts.get(what, 0)
        limit, source = memory_limit()
        if others + nbytes > limit:
            raise SimulationError(
                f"{what} would need {_format(nbytes)} ({_format(others + nbytes)} with the rest of the network) "
                f"but the limit is {_format(limit)} ({source}); {hint}")
        if keep:
            self.parts[what] = nbytes

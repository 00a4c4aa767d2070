#!/usr/bin/env python
"""Print a hash of the generated kernel function of each benchmark workload (W1-W6).

    python benchmarks/kernel_sources.py                          # this checkout
    PYTHONPATH=/path/to/other/checkout python benchmarks/kernel_sources.py

Run it with two versions of snnzoo (from outside both checkouts, so that PYTHONPATH decides):
where the hashes agree, the two versions compile the very same kernel function for that
workload (the module's import line is left out), so its run time cannot differ: a change
that only adds code paths other models use costs those workloads nothing.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import workloads  # noqa: E402

from snnzoo.engine.codegen import generate  # noqa: E402

SMALL = {"W1": None, "W2": 10, "W3": 400, "W4": 1000, "W5": 100, "W6": 100}

if __name__ == "__main__":
    import snnzoo

    print(f"snnzoo from {Path(snnzoo.__file__).parent}")
    for name, n in SMALL.items():
        net = workloads.build(name, n)
        source = generate(net._plan())
        kernel = source[source.index("@njit"):]
        print(f"{name}: {hashlib.sha256(kernel.encode()).hexdigest()[:16]} ({len(kernel.splitlines())} lines)")

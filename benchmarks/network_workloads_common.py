"""What the NEST and ANNarchy drivers of W3, W4, W5 share: sizes, the E/I split, rates, the CLI.

Plain numpy, so it imports in either simulator's virtualenv (the drivers run as scripts,
with this folder first on ``sys.path``).
"""

from __future__ import annotations

import argparse

import numpy as np

WORKLOADS = {
    "W3": {"n": 4000, "duration_ms": 1000.0},
    "W4": {"n": 10000, "duration_ms": 1000.0},
    "W5": {"n": 100, "duration_ms": 10000.0},
}
DT_MS = 0.1


def n_excitatory(n: int) -> int:
    """The excitatory neurons are the first 80 %."""
    return int(round(0.8 * n))


def rates(counts: np.ndarray, n: int, duration_s: float) -> dict[str, float]:
    """Mean rates (Hz) of all, excitatory and inhibitory neurons from per-neuron spike counts."""
    n_exc = n_excitatory(n)
    return {"all": float(counts.sum() / (n * duration_s)),
            "exc": float(counts[:n_exc].sum() / (n_exc * duration_s)),
            "inh": float(counts[n_exc:].sum() / ((n - n_exc) * duration_s))}


def argument_parser(description: str, repeat_help: str) -> argparse.ArgumentParser:
    """The drivers' common options: workload, --repeat, --seed, --size."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("workload", choices=sorted(WORKLOADS))
    parser.add_argument("--repeat", type=int, default=1, help=repeat_help)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--size", type=int, default=None,
                        help="override the number of neurons (not --n: ANNarchy parses sys.argv itself and "
                             "takes --n for its --num-threads)")
    return parser

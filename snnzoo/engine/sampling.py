"""Compiled draws of random connectivity, one random stream per neuron.

Each neuron whose synapses a rule draws (the presynaptic neuron of a row for
``p`` and ``fixed_out_degree``, the postsynaptic neuron for ``fixed_in_degree``)
has its own splitmix64 stream, keyed by the projection's key and the neuron's
index. So the synapses of a neuron do not depend on which other neurons are
drawn with it: :mod:`snnzoo.network.connectivity` can draw a projection block by block,
twice (once to count each row, once to fill it), with any block size.

The draw functions write the global ``(pre, post)`` indices of a block's
synapses into ``out_i``/``out_j``; :func:`tally` counts them per row and
:func:`scatter` writes them into the rows of the final CSR arrays.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .cached_load import load_module_without_refresh
from .runtime import _next, uniform

@njit(cache=True)
def _stream(key: np.uint64, neuron: int) -> np.ndarray:
    """The random stream of ``neuron``: a splitmix64 state started at a scrambled ``key ^ neuron``."""
    state = np.empty(1, dtype=np.uint64)
    state[0] = key ^ np.uint64(neuron)
    state[0] = _next(state)
    return state


@njit(cache=True)
def bernoulli_rows(key, p, rows, cols, skip, first, last, out_i, out_j):
    """Rows ``first``..``last - 1``: each pair (row, column) with probability ``p`` (geometric skipping),
    leaving out column ``skip[row]`` (-1: none). Stops before a row that might not fit in ``out_i``;
    returns (the first row not drawn, the number of synapses written)."""
    n_cols, capacity = cols.shape[0], out_i.shape[0]
    log_q = math.log(1.0 - p) if p < 1.0 else 0.0
    count = 0
    for r in range(first, last):
        state = _stream(key, rows[r])
        start = count
        c = -1
        while True:
            c += 1 if p >= 1.0 else int(math.floor(math.log(1.0 - uniform(state)) / log_q)) + 1
            if c >= n_cols:
                break
            if c == skip[r]:
                continue
            if count == capacity:
                return r, start
            out_i[count] = rows[r]
            out_j[count] = cols[c]
            count += 1
    return last, count


@njit(cache=True)
def fixed_degree(key, k, fixed, candidates, skip, first, last, fixed_is_pre, taken, out_i, out_j):
    """For each neuron ``fixed[first:last]``, ``k`` distinct ``candidates`` without ``candidates[skip[n]]``
    (Floyd's algorithm: exactly k draws; ``taken``, all False, marks the chosen ones meanwhile).
    ``fixed_is_pre``: the fixed neurons are the presynaptic ones (their k targets are written sorted);
    otherwise they are the postsynaptic ones."""
    chosen = np.empty(k, dtype=np.int64)
    count = 0
    for n in range(first, last):
        state = _stream(key, fixed[n])
        excluded = skip[n]
        available = candidates.shape[0] - (1 if excluded >= 0 else 0)
        for t in range(available - k, available):
            r = int(uniform(state) * (t + 1))
            if taken[r]:
                r = t
            taken[r] = True
            chosen[t - available + k] = r
        for t in range(k):
            r = chosen[t]
            taken[r] = False
            chosen[t] = r + 1 if 0 <= excluded <= r else r
        if fixed_is_pre:
            chosen.sort()
        for t in range(k):
            if fixed_is_pre:
                out_i[count], out_j[count] = fixed[n], candidates[chosen[t]]
            else:
                out_i[count], out_j[count] = candidates[chosen[t]], fixed[n]
            count += 1
    return count


@njit(cache=True)
def tally(pre, counts) -> None:
    """Count the synapses of each presynaptic neuron."""
    for s in range(pre.shape[0]):
        counts[pre[s]] += 1


@njit(cache=True)
def scatter(pre, post, fill, targets) -> None:
    """Append each synapse's postsynaptic index to its presynaptic neuron's row (``fill``: next free slot of each row)."""
    for s in range(pre.shape[0]):
        row = pre[s]
        targets[fill[row]] = post[s]
        fill[row] += 1


load_module_without_refresh(globals())  # loaded from numba's cache without its registry refresh

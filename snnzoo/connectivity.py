"""Connectivity rules, synaptic weights and delays, turned into CSR arrays.

A rule picks synapses (pre ``i``, post ``j``) between a source range and a
target range of neuron indices. Random rules draw from the numpy Generator the
network derives from its master seed, so the same seed gives the same synapses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse

from .errors import ConfigError
from .expressions import NumericExpression
from .units import Sign, check_value, is_quantity_text, parse_unit, to_si, ureg, whole_number

MAX_DELAY_STEPS = 2**31 - 1
RULES = ("p", "condition", "fixed_in_degree", "fixed_out_degree", "one_to_one", "all_to_all", "i", "matrix")


@dataclass
class Synapses:
    """Synapses sorted by presynaptic neuron: CSR ``indptr`` over the whole source population."""

    indptr: np.ndarray
    post: np.ndarray
    weights: np.ndarray
    delays: np.ndarray

    @property
    def pre(self) -> np.ndarray:
        """The presynaptic index of each synapse."""
        return np.repeat(np.arange(self.indptr.size - 1, dtype=np.int32), np.diff(self.indptr))

    def matrix(self, n_post: int) -> scipy.sparse.csr_matrix:
        """The weights as a (n_pre, n_post) sparse matrix (SI units)."""
        weights = np.broadcast_to(self.weights, self.post.shape)
        return scipy.sparse.csr_matrix((weights, self.post, self.indptr), shape=(self.indptr.size - 1, n_post))


def pairs(rule: dict[str, Any], pre: np.ndarray, post: np.ndarray, autapses: bool,
          rng: np.random.Generator, where: str) -> tuple[np.ndarray, np.ndarray]:
    """The (i, j) index arrays of the synapses ``rule`` makes between ``pre`` and ``post`` neurons."""
    given = [k for k in RULES if _given(rule.get(k))]
    if not given or (len(given) > 1 and set(given) != {"p", "condition"}):
        raise ConfigError(f"{where}: give exactly one connectivity rule of {', '.join(RULES)} "
                          f"(p and condition may go together), got {given or 'none'}")
    kind = given[0] if given != ["p", "condition"] else "p"
    n_pre, n_post = pre.size, post.size
    if kind == "p" or kind == "condition":
        p = 1.0 if rule.get("p") is None else rule["p"]
        if isinstance(p, bool) or not isinstance(p, (int, float, np.floating, np.integer)) or not 0.0 <= p <= 1.0:
            raise ConfigError(f"{where}: p must be a number in [0, 1], got {p!r}")
        p = float(p)
        i, j = _bernoulli(n_pre, n_post, p, rng)
        i, j = pre[i], post[j]
        if rule.get("condition"):
            keep = _condition(rule["condition"], i, j, where)
            i, j = i[keep], j[keep]
    elif kind == "all_to_all":
        i, j = np.repeat(pre, n_post), np.tile(post, n_pre)
    elif kind == "one_to_one":
        if n_pre != n_post:
            raise ConfigError(f"{where}: one_to_one needs equal sizes, got {n_pre} and {n_post}")
        i, j = pre.copy(), post.copy()
    elif kind in ("fixed_in_degree", "fixed_out_degree"):
        k = whole_number(rule[kind], what=f"{where}: {kind}")
        fixed_in = kind == "fixed_in_degree"
        fixed, chosen = (post, pre) if fixed_in else (pre, post)
        available = chosen.size - (0 if autapses else int(np.intersect1d(pre, post).size > 0))
        if k < 0 or k > available:
            raise ConfigError(f"{where}: {kind} = {k} is impossible with {chosen.size} candidate neurons"
                              + ("" if autapses else " and no autapses"))
        picks = []
        for neuron in fixed:
            candidates = chosen if autapses else chosen[chosen != neuron]
            picks.append(rng.choice(candidates, size=k, replace=False))
        other = np.concatenate(picks) if picks else np.zeros(0, dtype=np.int64)
        mine = np.repeat(fixed, k)
        i, j = (other, mine) if fixed_in else (mine, other)
        autapses = True  # already excluded
    elif kind == "i":
        i = np.asarray(rule["i"], dtype=np.int64).ravel()
        j = np.asarray(rule.get("j"), dtype=np.int64).ravel()
        if rule.get("j") is None or i.shape != j.shape:
            raise ConfigError(f"{where}: explicit connections need index arrays i and j of the same length")
        _check_range(i, pre, "i", where)
        _check_range(j, post, "j", where)
    else:  # matrix
        coo = scipy.sparse.coo_matrix(rule["matrix"])
        if coo.shape != (n_pre, n_post):
            raise ConfigError(f"{where}: the matrix has shape {coo.shape}, expected ({n_pre}, {n_post})")
        i, j = pre[coo.row], post[coo.col]
    if not autapses:
        keep = i != j
        i, j = i[keep], j[keep]
    return i.astype(np.int64), j.astype(np.int64)


def expected_count(rule: dict[str, Any], n_pre: int, n_post: int) -> int:
    """About how many synapses ``rule`` makes between ``n_pre`` and ``n_post`` neurons, before
    drawing them (for the memory estimate; an invalid rule counts as all pairs and fails later)."""
    pairs_count = n_pre * n_post
    try:
        if _given(rule.get("p")):
            return int(pairs_count * min(max(float(rule["p"]), 0.0), 1.0)) + 1
        if _given(rule.get("fixed_in_degree")):
            return int(rule["fixed_in_degree"]) * n_post
        if _given(rule.get("fixed_out_degree")):
            return int(rule["fixed_out_degree"]) * n_pre
        if _given(rule.get("one_to_one")):
            return min(n_pre, n_post)
        if _given(rule.get("i")):
            return int(np.size(rule["i"]))
        if _given(rule.get("matrix")):
            return int(scipy.sparse.coo_matrix(rule["matrix"]).nnz)
    except (TypeError, ValueError):
        pass
    return pairs_count


def _given(value: Any) -> bool:
    """Whether a rule argument was given: anything but None or False (0, arrays and matrices count)."""
    return value is not None and not (isinstance(value, (bool, np.bool_)) and not value)


def _bernoulli(n_pre: int, n_post: int, p: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Each of the n_pre*n_post pairs independently with probability p (geometric skipping)."""
    total = n_pre * n_post
    if p == 0.0 or total == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    if p == 1.0:
        flat = np.arange(total, dtype=np.int64)
    else:
        chunks, position = [], -1
        expected = int(total * p * 1.05) + 64
        while position < total:
            gaps = rng.geometric(p, size=expected)
            flat = position + np.cumsum(gaps, dtype=np.int64)
            chunks.append(flat[flat < total])
            position = int(flat[-1])
        flat = np.concatenate(chunks)
    return flat // n_post, flat % n_post


def _condition(text: str, i: np.ndarray, j: np.ndarray, where: str) -> np.ndarray:
    condition = NumericExpression(text, {"i": ureg.dimensionless, "j": ureg.dimensionless}, where=f"{where}: condition")
    return np.broadcast_to(condition({"i": i, "j": j}).astype(bool), i.shape)


def _check_range(indices: np.ndarray, allowed: np.ndarray, name: str, where: str) -> None:
    if indices.size and not np.isin(indices, allowed).all():
        raise ConfigError(f"{where}: index array {name} has values outside {allowed.min()}..{allowed.max()}")


def values(spec: Any, n: int, unit, rng: np.random.Generator, what: str,
           i: np.ndarray | None = None, j: np.ndarray | None = None, sign: Sign | None = None) -> np.ndarray:
    """Weights or delays: a quantity, one per synapse, a distribution table
    ``{distribution = "normal", mean = ..., std = ...}`` / ``"uniform"`` with ``low``, ``high``,
    or an expression of the pre- and postsynaptic indices ``i``, ``j`` (``"1*ms + 0.1*ms*abs(i - j)"``).
    ``sign`` ("non-negative" for delays) is checked on given and drawn values."""
    if isinstance(spec, str) and not is_quantity_text(spec) and i is not None:
        computed = _per_synapse_expression(spec, unit, i, j, what)
        check_value(computed, what=f"{what} ({spec!r})", unit=unit)  # finite; delay_steps names negative delays
        return computed
    if isinstance(spec, dict) and "distribution" in spec:
        kind = spec["distribution"]
        if kind == "normal" and {"mean", "std"} <= set(spec):
            mean = to_si(spec["mean"], unit, what=f"{what}: mean")
            std = to_si(spec["std"], unit, what=f"{what}: std", sign="non-negative")
            drawn = rng.normal(mean, std, size=n)
        elif kind == "uniform" and {"low", "high"} <= set(spec):
            low, high = (to_si(spec[k], unit, what=f"{what}: {k}") for k in ("low", "high"))
            if low > high:
                raise ConfigError(f"{what}: low ({spec['low']}) must not exceed high ({spec['high']})")
            drawn = rng.uniform(low, high, size=n)
        else:
            raise ConfigError(f"{what}: expected distribution = 'normal' with mean and std, or 'uniform' with "
                              f"low and high, got {spec!r}")
        check_value(drawn, what=f"{what} (drawn from {kind})", sign=sign, unit=unit)
        return drawn
    array = np.asarray(to_si(spec, unit, what=what, sign=sign), dtype=float)
    if array.ndim == 0:
        return array.reshape(1)
    if array.shape != (n,):
        raise ConfigError(f"{what}: expected one value or {n} values (one per synapse), got shape {array.shape}")
    return array


def _per_synapse_expression(text: str, unit, i: np.ndarray, j: np.ndarray, what: str) -> np.ndarray:
    expected = parse_unit(unit, what=what) if isinstance(unit, str) else unit
    expression = NumericExpression(text, {"i": ureg.dimensionless, "j": ureg.dimensionless}, where=what,
                                   expected=expected, expected_what=f"the {what.rsplit(': ', 1)[-1]}")
    return np.broadcast_to(expression({"i": i.astype(float), "j": j.astype(float)}), i.shape).copy()


def delay_steps(delays: np.ndarray, dt: float, what: str, *, round_delays: bool = False) -> np.ndarray:
    """Delays in whole steps. A delay that is not a multiple of dt is an error, or with
    ``round_delays`` is rounded to the nearest step (halves up, as Brian2 does)."""
    if (delays < 0).any():
        raise ConfigError(f"{what}: delay {delays.min() * 1e3:g} ms is negative (expected delays >= 0)")
    if round_delays:
        return np.floor(delays / dt + 0.5).astype(np.int32)
    steps = np.round(delays / dt)
    if steps.size and steps.max() > MAX_DELAY_STEPS:
        raise ConfigError(f"{what}: delay {delays.max():g} s is {steps.max():.3g} steps of dt; at most "
                          f"{MAX_DELAY_STEPS} steps are supported")
    bad = np.abs(steps * dt - delays) > 1e-6 * dt
    if bad.any():
        value = delays[np.argmax(bad)]
        low, high = np.floor(value / dt) * dt, np.ceil(value / dt) * dt
        raise ConfigError(f"{what}: delay {value * 1e3:g} ms is not a multiple of dt = {dt * 1e3:g} ms "
                          f"(nearest: {low * 1e3:g} ms or {high * 1e3:g} ms; round_delays=True rounds to the nearest)")
    return steps.astype(np.int32)


def build(i: np.ndarray, j: np.ndarray, weights: np.ndarray, delays: np.ndarray, n_pre: int) -> Synapses:
    """Sort synapses by presynaptic neuron into CSR form."""
    order = np.argsort(i, kind="stable")
    indptr = np.zeros(n_pre + 1, dtype=np.int64)
    np.cumsum(np.bincount(i, minlength=n_pre), out=indptr[1:])
    per_synapse = lambda a: a[order] if a.size > 1 else a  # noqa: E731
    return Synapses(indptr, j[order].astype(np.int32), per_synapse(weights), per_synapse(delays))




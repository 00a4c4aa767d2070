"""Connectivity rules, synaptic weights and delays, turned into CSR arrays.

A rule picks synapses (pre ``i``, post ``j``) between a source range and a
target range of neuron indices. Random rules draw from the numpy Generator the
network derives from its master seed, so the same seed gives the same synapses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import ConfigError, EquationError
from ..time_steps import CLOCK_NAMES
from ..units import Sign, as_data, check_value, is_quantity_text, parse_unit, show, to_si, ureg, whole_number, whole_numbers

if TYPE_CHECKING:
    import scipy.sparse  # imported where a matrix is made or read: a run without one never loads it

    from ..language.expressions import NumericExpression

MAX_DELAY_STEPS = 2**31 - 1
RULES = ("p", "condition", "fixed_in_degree", "fixed_out_degree", "one_to_one", "all_to_all", "i", "matrix")
EXPLICIT_RULES = ("i", "matrix")
"""Rules that give the synapses as arrays (the others draw or enumerate them)."""
SWITCH_RULES = ("one_to_one", "all_to_all")
"""Rules given as True (or False: not this rule)."""
PAIR_NAMES = ("i", "j", "N_pre", "N_post")
"""What a connection's condition and ``p`` read, as in Brian2: the presynaptic and postsynaptic neuron's
index and the sizes of their groups (whole groups, also for a slice, as ``i`` and ``j`` are)."""
SYNAPSE_COUNT_NAMES = ("N_incoming", "N_outgoing")
"""What weights, delays and synaptic values read besides, as in Brian2's ``S.w = 'J/N_incoming'``: how many
synapses of the projection reach the postsynaptic neuron and leave the presynaptic one (not known to a
condition or ``p``, which decide them)."""


@dataclass
class Synapses:
    """Synapses sorted by presynaptic neuron: CSR ``indptr`` over the whole source population.

    ``post`` is in the narrowest integer type that holds every target index
    (:func:`index_type`); each row is sorted by target when the rule drew it so.
    """

    indptr: np.ndarray
    post: np.ndarray
    weights: np.ndarray
    delays: np.ndarray

    @property
    def pre(self) -> np.ndarray:
        """The presynaptic index of each synapse."""
        return row_of_each(self.indptr)

    def matrix(self, n_post: int) -> scipy.sparse.csr_matrix:
        """The weights as a (n_pre, n_post) sparse matrix (SI units)."""
        import scipy.sparse

        weights = np.broadcast_to(self.weights, self.post.shape)
        return scipy.sparse.csr_matrix((weights, self.post, self.indptr), shape=(self.indptr.size - 1, n_post))


@dataclass
class Structure:
    """Which synapses a rule made, in CSR order: rows by presynaptic neuron (``indptr`` over the whole
    source population), ``post`` the target of each synapse. For explicit ``i``/``j`` or ``matrix``
    rules, ``given_order`` is each synapse's position in the given lists (None for drawn rules)."""

    indptr: np.ndarray
    post: np.ndarray
    given_order: np.ndarray | None = None

    @property
    def size(self) -> int:
        """The number of synapses."""
        return int(self.post.size)

    @property
    def pre(self) -> np.ndarray:
        """The presynaptic index of each synapse."""
        return row_of_each(self.indptr)


def row_of_each(indptr: np.ndarray) -> np.ndarray:
    """The row (presynaptic index) of each entry of CSR rows ``indptr``."""
    return np.repeat(np.arange(indptr.size - 1, dtype=np.int32), np.diff(indptr))


def index_type(n_target: int) -> np.dtype:
    """The narrowest integer type for indices into ``n_target`` neurons (uint16 below 65 537, else int32):
    half the memory traffic per synaptic event in networks of up to 65 536 neurons."""
    return np.dtype(np.uint16) if n_target <= 2**16 else np.dtype(np.int32)


def draw(rule: dict[str, Any], pre: np.ndarray, post: np.ndarray, autapses: bool, key: int,
         n_source: int, n_target: int, where: str) -> Structure:
    """The synapses ``rule`` makes from ``pre`` to ``post`` neurons (indices into groups of ``n_source``
    and ``n_target`` neurons). Random rules draw from one stream per neuron keyed by ``key``, block by
    block straight into the CSR arrays: the same key gives the same synapses whatever the block size."""
    kind = rule_kind(rule, where)
    if kind in EXPLICIT_RULES:
        return _explicit(rule, kind, pre, post, autapses, n_source, n_target, where)
    if kind == "one_to_one":
        if pre.size != post.size:
            raise ConfigError(f"{where}: one_to_one needs equal sizes, got {pre.size} and {post.size}")
        keep = slice(None) if autapses else pre != post
        return _from_pairs(pre[keep], post[keep], n_source, n_target)
    from ..engine import sampling

    sizes = (n_source, n_target)
    check = None if rule.get("condition") is None else _condition(rule["condition"], sizes, where)
    if kind in ("p", "condition", "all_to_all"):
        p = 1.0 if kind == "all_to_all" or rule.get("p") is None else rule["p"]
        if isinstance(p, str):  # every pair is drawn, then kept with its probability
            check, p = _pair_probability(p, key, sizes, check, where), 1.0
        if isinstance(p, bool) or not isinstance(p, (int, float, np.floating, np.integer)) or not 0.0 <= p <= 1.0:
            raise ConfigError(f"{where}: p must be a number in [0, 1] or an expression of i and j, got {show(p)}")
        skip = _positions(post, pre, autapses)  # the column of each row's own neuron, if left out
        if float(p) == 0.0:
            return _from_pairs(pre[:0], post[:0], n_source, n_target)

        def rows(first: int, last: int, out_i: np.ndarray, out_j: np.ndarray) -> tuple[int, int]:
            return sampling.bernoulli_rows(np.uint64(key), float(p), pre, post, skip, first, last, out_i, out_j)

        return _blocks(rows, pre.size, max(1, int(float(p) * post.size)), check, n_source, n_target)
    k = whole_number(rule[kind], what=f"{where}: {kind}")
    fixed_in = kind == "fixed_in_degree"
    fixed, chosen = (post, pre) if fixed_in else (pre, post)
    skip = _positions(chosen, fixed, autapses)
    available = chosen.size - (1 if (skip >= 0).any() else 0)
    if k < 0 or k > available:
        raise ConfigError(f"{where}: {kind} = {k} is impossible with {chosen.size} candidate neurons"
                          + ("" if autapses else " and no autapses") + f" (expected 0..{available})")

    taken = np.zeros(chosen.size, dtype=np.bool_)

    def neurons(first: int, last: int, out_i: np.ndarray, out_j: np.ndarray) -> tuple[int, int]:
        last = min(last, first + out_i.size // max(k, 1))
        return last, sampling.fixed_degree(np.uint64(key), k, fixed, chosen, skip, first, last, not fixed_in,
                                           taken, out_i, out_j)

    return _blocks(neurons, fixed.size, k, check, n_source, n_target)


BLOCK_SYNAPSES = 1 << 16
"""About how many synapses a rule draws at a time (a block stays in the cache while it is counted or written)."""
BLOCK_BYTES = 48 * BLOCK_SYNAPSES
"""What one block holds while it is drawn: int64 pre and post indices, and a condition's temporaries."""
EXPLICIT_BYTES_PER_SYNAPSE = 32
"""Peak while synapses given as index arrays or a matrix are sorted into rows (int64 copies, sort order)."""


def building_bytes(count: int, n_source: int, n_target: int, explicit: bool) -> int:
    """The peak while ``count`` synapses from ``n_source`` onto ``n_target`` neurons are made: drawn
    block by block into their final target-index array (plus one block's temporaries and a few
    numbers per neuron: row counts and pointers, candidate positions), or sorted from ``explicit`` arrays."""
    if explicit:
        return count * EXPLICIT_BYTES_PER_SYNAPSE
    return count * index_type(n_target).itemsize + BLOCK_BYTES + 32 * (n_source + n_target)


def _blocks(draw_block, neurons: int, per_neuron: int, check, n_source: int, n_target: int) -> Structure:
    """Run ``draw_block(first, last, out_i, out_j) -> (next first, count)`` over the ``neurons`` twice:
    once to count the synapses of each row, once to write them into their rows. ``check(i, j)`` (a
    condition) selects which of the drawn synapses are kept."""
    from ..engine import sampling

    capacity = max(BLOCK_SYNAPSES, per_neuron)
    out_i, out_j = np.empty(capacity, dtype=np.int64), np.empty(capacity, dtype=np.int64)
    counts = np.zeros(n_source + 1, dtype=np.int64)
    indptr = fill = targets = None
    for counting in (True, False):
        first = 0
        while first < neurons:
            last = min(neurons, first + max(1, capacity // max(per_neuron, 1)))
            reached, count = draw_block(first, last, out_i, out_j)
            if reached == first:  # one row does not fit: a bigger block
                capacity *= 2
                out_i, out_j = np.empty(capacity, dtype=np.int64), np.empty(capacity, dtype=np.int64)
                continue
            i, j = out_i[:count], out_j[:count]
            if check is not None:
                keep = check(i, j)
                i, j = i[keep], j[keep]
            if counting:
                sampling.tally(i, counts[1:])
            else:
                sampling.scatter(i, j, fill, targets)
            first = reached
        if counting:
            indptr = np.cumsum(counts)
            fill = indptr[:-1].copy()
            targets = np.empty(int(indptr[-1]), dtype=index_type(n_target))
    return Structure(indptr, targets)


def _positions(candidates: np.ndarray, neurons: np.ndarray, autapses: bool) -> np.ndarray:
    """For each of ``neurons``, its position among ``candidates`` (to be left out), or -1 (none, or autapses allowed)."""
    if autapses or candidates.size == 0 or neurons.size == 0:
        return np.full(neurons.size, -1, dtype=np.int64)
    lookup = np.full(int(max(candidates.max(), neurons.max())) + 1, -1, dtype=np.int64)
    lookup[candidates] = np.arange(candidates.size)
    return lookup[neurons]


def _from_pairs(i: np.ndarray, j: np.ndarray, n_source: int, n_target: int) -> Structure:
    """CSR of given (i, j) pairs; each row keeps the given order (``given_order``: where each synapse came from)."""
    i = np.asarray(i, dtype=np.int64)
    order = np.argsort(i, kind="stable")
    indptr = np.zeros(n_source + 1, dtype=np.int64)
    np.cumsum(np.bincount(i, minlength=n_source), out=indptr[1:])
    return Structure(indptr, np.asarray(j)[order].astype(index_type(n_target)), order)


def _explicit(rule: dict[str, Any], kind: str, pre: np.ndarray, post: np.ndarray, autapses: bool,
              n_source: int, n_target: int, where: str) -> Structure:
    """Synapses given as index arrays ``i``/``j`` or as a matrix."""
    if kind == "i":
        if not _given(rule.get("j")):
            raise ConfigError(f"{where}: i needs j, the postsynaptic indices (index arrays i and j of the same length)")
        i, j = (_index_list(rule[name], f"{where}: index array {name}", allowed, size)
                for name, allowed, size in (("i", pre, n_source), ("j", post, n_target)))
        if i.shape != j.shape:
            raise ConfigError(f"{where}: explicit connections need index arrays i and j of the same length")
        _check_range(i, pre, "i", where)
        _check_range(j, post, "j", where)
    else:
        import scipy.sparse

        try:
            coo = scipy.sparse.coo_matrix(rule["matrix"])
        except (TypeError, ValueError):
            given = rule["matrix"]
            shown = f"an array of shape {given.shape}" if hasattr(given, "shape") else show(given)
            raise ConfigError(f"{where}: matrix: expected a scipy.sparse matrix or a 2-D array of numbers, "
                              f"got {shown}") from None
        if not np.isfinite(coo.data).all():
            raise ConfigError(f"{where}: matrix: its entries mark synapses and must be finite, got NaN or infinity")
        if coo.shape != (pre.size, post.size):
            raise ConfigError(f"{where}: the matrix has shape {coo.shape}, expected ({pre.size}, {post.size})")
        i, j = pre[coo.row], post[coo.col]
    structure = _from_pairs(i, j, n_source, n_target)
    if not autapses:
        kept = np.flatnonzero(i != j)
        structure = _from_pairs(i[kept], j[kept], n_source, n_target)
        structure.given_order = kept[structure.given_order]
    return structure


def rule_kind(rule: dict[str, Any], where: str) -> str:
    """Which connectivity rule ``rule`` gives (``p`` with a ``condition`` counts as ``p``)."""
    for switch in SWITCH_RULES:
        if rule.get(switch) is not None and not isinstance(rule[switch], (bool, np.bool_)):
            raise ConfigError(f"{where}: {switch} is True or False, got {show(rule[switch])}")
    if _given(rule.get("j")) and not _given(rule.get("i")):
        raise ConfigError(f"{where}: j needs i, the presynaptic indices (index arrays i and j of the same length); "
                          "for Brian2's connect(j='i') give one_to_one=True, for other generators a condition")
    given = [k for k in RULES if _given(rule.get(k))]
    if not given or (len(given) > 1 and set(given) != {"p", "condition"}):
        raise ConfigError(f"{where}: give exactly one connectivity rule of {', '.join(RULES)} "
                          f"(p and condition may go together), got {given or 'none'}")
    return given[0] if given != ["p", "condition"] else "p"


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
        if _given(rule.get("matrix")):  # counted where it is: a dense matrix made sparse took 16 bytes per entry
            matrix = rule["matrix"]
            return int(matrix.nnz) if hasattr(matrix, "nnz") else int(np.count_nonzero(np.asarray(matrix)))
    except (TypeError, ValueError):
        pass
    return pairs_count


def _given(value: Any) -> bool:
    """Whether a rule argument was given: anything but None or False (0, arrays and matrices count)."""
    return value is not None and not (isinstance(value, (bool, np.bool_)) and not value)


def _pair_expression(text: str, where: str, **options: Any) -> NumericExpression:
    """A condition or ``p`` of a connection: an expression of :data:`PAIR_NAMES`."""
    counted = next((name for name in SYNAPSE_COUNT_NAMES if re.search(rf"\b{name}\b", text)), None)
    if counted:
        raise ConfigError(f"{where}: {text!r} reads {counted!r}, a number of synapses, which this expression decides; "
                          f"it may use {', '.join(PAIR_NAMES)} (a weight, delay or synaptic value may read {counted})")
    from ..language.expressions import NumericExpression  # sympy: only where a connection is given by an expression

    return NumericExpression(text, dict.fromkeys(PAIR_NAMES, ureg.dimensionless), where=where, **options)


def _pair_values(i: np.ndarray, j: np.ndarray, sizes: tuple[int, int]) -> dict[str, Any]:
    """The values of :data:`PAIR_NAMES` for pairs ``i`` -> ``j`` between groups of ``sizes`` neurons."""
    return {"i": i, "j": j, "N_pre": float(sizes[0]), "N_post": float(sizes[1])}


def _condition(text: Any, sizes: tuple[int, int], where: str):
    """The check ``(i, j) -> which pairs to keep`` of a connection condition such as ``"i != j"``, parsed
    and checked once (also when no pair is drawn): it must be a comparison, not a number."""
    if not isinstance(text, str):
        raise ConfigError(f"{where}: condition: expected a text such as 'i != j', got {show(text)}")
    condition = _pair_expression(text, f"{where}: condition",
                                 instead="for random connections give p (with the condition for the rest)")
    if not condition.is_condition:
        raise EquationError(f"{where}: condition {text!r} is a number, not true or false; expected a comparison "
                            "such as 'i != j' or 'j == i // 2'")
    return lambda i, j: np.broadcast_to(condition(_pair_values(i, j, sizes)).astype(bool), i.shape)


def _pair_probability(text: str, key: int, sizes: tuple[int, int], condition, where: str):
    """The check ``(i, j) -> which pairs to keep`` of ``p`` given as an expression of ``i`` and ``j`` (Brian2's
    ``connect(p='exp(-abs(i - j)/10)')``), then of ``condition`` if any. A pair is kept when a uniform number
    made from the key and the pair alone is below its probability: the same seed gives the same synapses
    whatever the block size."""
    probability = _pair_expression(text, f"{where}: p", expected=ureg.dimensionless, expected_what="a probability",
                                   instead="p is the probability itself")

    def keep(i: np.ndarray, j: np.ndarray) -> np.ndarray:
        p = np.broadcast_to(probability(_pair_values(i.astype(float), j.astype(float), sizes)), i.shape)
        outside = ~((p >= 0.0) & (p <= 1.0))  # NaN too
        if outside.any():
            k = int(np.argmax(outside))
            raise ConfigError(f"{where}: p {text!r} is {p[k]:g} for i = {i[k]}, j = {j[k]}; expected a probability "
                              "in [0, 1]")
        kept = _pair_uniform(key, i, j, sizes[1]) < p
        return kept if condition is None else kept & condition(i, j)

    return keep


def _pair_uniform(key: int, i: np.ndarray, j: np.ndarray, n_target: int) -> np.ndarray:
    """A uniform number in [0, 1) for each pair (i, j) that depends on ``key`` and the pair alone
    (the splitmix64 finaliser of the pair's position among all pairs)."""
    z = np.uint64(key) + (i.astype(np.uint64) * np.uint64(n_target) + j.astype(np.uint64) + np.uint64(1)) \
        * np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    z ^= z >> np.uint64(31)
    return (z >> np.uint64(11)).astype(np.float64) * 2.0**-53


def _index_list(values: Any, what: str, allowed: np.ndarray, size: int) -> np.ndarray:
    """``values`` as a list of whole-number indices of the ``allowed`` of ``size`` neurons (one dimension), whose
    range an index outside is told (a slice E[2:] of 4 neurons: 2..3; it said 0..3): a nested list such as
    ``[[0, 1]]`` is refused, not flattened (which pairs it means is a guess)."""
    contiguous = allowed.size and allowed.size == allowed[-1] - allowed[0] + 1
    bounds = {"first": int(allowed[0]), "size": int(allowed[-1]) + 1} if contiguous else {"size": size}
    indices = whole_numbers(values, what=what, items="neurons", **bounds)
    if indices.ndim != 1:
        raise ConfigError(f"{what}: expected a list of indices (one dimension), got an array of shape {indices.shape}")
    return indices


def _check_range(indices: np.ndarray, allowed: np.ndarray, name: str, where: str) -> None:
    if indices.size and not np.isin(indices, allowed).all():
        raise ConfigError(f"{where}: index array {name} has values outside {allowed.min()}..{allowed.max()}")


def values(spec: Any, n: int, unit, rng: np.random.Generator, what: str,
           i: np.ndarray | None = None, j: np.ndarray | None = None, sign: Sign | None = None,
           order: np.ndarray | None = None, sizes: tuple[int, int] | None = None, *,
           clock: tuple[float, float]) -> np.ndarray:
    """Weights or delays: a quantity, one per synapse (in the order ``order`` picks from them, if given), a distribution table
    ``{distribution = "normal", mean = ..., std = ...}`` / ``"uniform"`` with ``low``, ``high``,
    or an expression of the pre- and postsynaptic indices ``i``, ``j`` of the synapses, the ``sizes`` of their groups
    and their numbers of synapses (:data:`PAIR_NAMES`, :data:`SYNAPSE_COUNT_NAMES`; ``"1*ms + 0.1*ms*abs(i - j)"``,
    ``"J/N_incoming"``; ``rand()`` and ``randn()`` draw one number per synapse), and ``clock``, the time ``t``
    and time step ``dt`` (s; :data:`~snnzoo.time_steps.CLOCK_NAMES`) read.
    ``sign`` ("non-negative" for delays) is checked on given and drawn values."""
    if is_expression(spec) and i is not None:
        computed = _per_synapse_expression(spec, unit, i, j, sizes, clock, what, rng)
        check_value(computed, what=f"{what} ({spec!r})", unit=unit)  # finite; delay_steps names negative delays
        return computed
    if isinstance(spec, dict) and "distribution" in spec:
        kind = spec["distribution"]
        if kind == "normal" and set(spec) == {"distribution", "mean", "std"}:
            mean = to_si(spec["mean"], unit, what=f"{what}: mean")
            std = to_si(spec["std"], unit, what=f"{what}: std", sign="non-negative")
            drawn = rng.normal(mean, std, size=n)
        elif kind == "uniform" and set(spec) == {"distribution", "low", "high"}:
            low, high = (to_si(spec[k], unit, what=f"{what}: {k}") for k in ("low", "high"))
            if low > high:
                raise ConfigError(f"{what}: low ({spec['low']}) must not exceed high ({spec['high']})")
            drawn = rng.uniform(low, high, size=n)
        else:
            settings = {"normal": {"mean", "std"}, "uniform": {"low", "high"}}.get(kind, set())
            extra = sorted(set(spec) - settings - {"distribution"}) if settings else []
            raise ConfigError(f"{what}: expected distribution = 'normal' with mean and std, or 'uniform' with "
                              "low and high" + (f"; {kind} takes no {', '.join(extra)}" if extra else "")
                              + f", got {show(spec)}")
        check_value(drawn, what=f"{what} (drawn from {kind})", sign=sign, unit=unit)
        return drawn
    array = np.asarray(to_si(spec, unit, what=what, sign=sign), dtype=float)
    if array.ndim == 0:
        return array.reshape(1)
    if array.shape != (n,):
        raise ConfigError(f"{what}: expected one value or {n} values (one per synapse), got shape {array.shape}")
    return array if order is None else array[order]


def as_provenance(spec: Any) -> Any:
    """A weight, delay or synaptic value as provenance records it: an expression as written (``"2*dt"`` is not
    two decitonnes), anything else as :func:`~snnzoo.units.as_data` gives it."""
    return spec if is_expression(spec) else as_data(spec)


def is_expression(spec: Any) -> bool:
    """Whether a weight or delay ``spec`` is an expression of the indices ``i`` and ``j`` or the clock (``"2*dt"``),
    not a quantity."""
    return isinstance(spec, str) and not is_quantity_text(spec)


def _per_synapse_expression(text: str, unit, i: np.ndarray, j: np.ndarray, sizes: tuple[int, int],
                            clock: tuple[float, float], what: str, rng: np.random.Generator) -> np.ndarray:
    from ..language.expressions import NumericExpression  # sympy: only where a value is given by an expression

    expected = parse_unit(unit, what=what) if isinstance(unit, str) else unit
    names = {**dict.fromkeys(PAIR_NAMES + SYNAPSE_COUNT_NAMES, ureg.dimensionless),
             **dict.fromkeys(CLOCK_NAMES, ureg.second)}
    expression = NumericExpression(text, names, where=what, expected=expected,
                                   expected_what=f"the {what.rsplit(': ', 1)[-1]}", draws=True)
    env = {**_pair_values(i.astype(float), j.astype(float), sizes), **dict(zip(CLOCK_NAMES, clock))}
    if "N_incoming" in expression.names:
        env["N_incoming"] = np.bincount(j, minlength=sizes[1])[j].astype(float)
    if "N_outgoing" in expression.names:
        env["N_outgoing"] = np.bincount(i, minlength=sizes[0])[i].astype(float)
    return np.broadcast_to(expression(env, rng, i.size), i.shape).copy()


def delay_steps(delays: np.ndarray, dt: float, what: str, *, round_delays: bool = False) -> np.ndarray:
    """Delays in whole steps. A delay that is not a multiple of dt is an error, or with
    ``round_delays`` is rounded to the nearest step (halves up, as Brian2 does)."""
    if (delays < 0).any():
        raise ConfigError(f"{what}: delay {delays.min() * 1e3:g} ms is negative (expected delays >= 0)")
    steps = np.floor(delays / dt + 0.5) if round_delays else np.round(delays / dt)
    if steps.size and steps.max() > MAX_DELAY_STEPS:
        raise ConfigError(f"{what}: delay {delays.max():g} s is {steps.max():.3g} steps of dt; at most "
                          f"{MAX_DELAY_STEPS} steps are supported")
    if round_delays:
        return steps.astype(np.int32)
    bad = np.abs(steps * dt - delays) > 1e-6 * dt
    if bad.any():
        value = delays[np.argmax(bad)]
        low, high = np.floor(value / dt) * dt, np.ceil(value / dt) * dt
        raise ConfigError(f"{what}: delay {value * 1e3:g} ms is not a multiple of dt = {dt * 1e3:g} ms "
                          f"(nearest: {low * 1e3:g} ms or {high * 1e3:g} ms; round_delays=True rounds to the nearest)")
    return steps.astype(np.int32)


def uniform_delay(steps: np.ndarray) -> int:
    """The delay (in steps) that every synapse has, -1 when they differ; 0 when there are no synapses."""
    if steps.size == 0:
        return 0
    return int(steps.flat[0]) if np.all(steps == steps.flat[0]) else -1

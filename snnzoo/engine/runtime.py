"""Compiled helpers the generated kernels call: math functions and the random stream.

Random numbers are counter-based: the numbers an element (a neuron, a synapse) draws
at one place of the model (a "site": a noise term, a drive, a reset...) in step ``n``
are a splitmix64 sequence started at a hash of (seed, site, n, element), so they do not
depend on the order in which elements are visited, on how a loop is cut among threads,
on the chunking of a run, or on other simulations in the same process. The hash is
murmur3's 64-bit finaliser (a bijection with full avalanche) applied per level, as
counter-based generators such as Random123's Philox or JAX's threefry key a stream by
position instead of advancing one shared state. Normal deviates use the ziggurat method of
Marsaglia and Tsang (2000) with 128 layers: almost every draw costs one
64-bit number, one table comparison and one multiplication.

``fexp`` and ``exprel`` are branch-free (selects only, no libm call), so when
numba inlines them LLVM can vectorise the neuron loop around them; ``fexp32`` and
``exprel32`` are their float32 versions for single-precision kernels.
"""

from __future__ import annotations

import math

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)
_TWO_M53 = 1.0 / 9007199254740992.0


@intrinsic
def _bits_to_float(typingctx, bits):
    """The float64 whose IEEE-754 bit pattern is the int64 ``bits``."""
    if not isinstance(bits, types.Integer):
        return None

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], context.get_value_type(types.float64))

    return types.float64(types.int64), codegen


@intrinsic
def _fma(typingctx, a, b, c):
    """``a*b + c`` with one rounding, all three float64 or all float32 (llvm.fma; vectorises,
    unlike a call into libm)."""
    if not (a == b == c and a in (types.float64, types.float32)):
        return None

    def codegen(context, builder, signature, args):
        return builder.fma(*args)

    return a(a, a, a), codegen


_LOG2E = 1.4426950408889634
# ln 2 split in two: _LN2_HI has its low 21 mantissa bits zero, so k*_LN2_HI is exact for |k| < 2**21
_LN2_HI = 0.6931471803691238
_LN2_LO = 1.9082149292705877e-10
# (e**r - 1 - r)/r**2 = sum of r**n/(n + 2)! for n = 0..11; the first term left out, r**12/14!,
# is below 4e-18 relative for |r| <= ln(2)/2
_E2, _E3, _E4, _E5, _E6, _E7, _E8, _E9, _E10, _E11, _E12, _E13 = (
    1.0 / math.factorial(n) for n in range(2, 14)
)
# exp(-746) is below half the smallest subnormal and exp(710) above the largest float:
# clamping there changes no result and keeps k in [-1076, 1024]
_EXP_LOW, _EXP_HIGH = -746.0, 710.0
_EXPONENT_BIAS = 1023
_MANTISSA_BITS = 52


@njit(inline="always", cache=True)
def fexp(x: float) -> float:
    """exp(x) within 1 ulp of libm's, including subnormal results, inf above 709.78 and nan for nan.

    x = k ln2 + r with |r| <= ln(2)/2, e**r = 1 + r + r**2 * P(r) (degree-11 Horner in fma),
    times 2**k applied as two exactly representable powers of two so that subnormal
    results are rounded once and overflow gives inf.
    """
    x = float(x)
    x = _EXP_HIGH if x > _EXP_HIGH else x  # comparisons are false for nan, which passes through
    x = _EXP_LOW if x < _EXP_LOW else x
    finite_x = x if x == x else 0.0  # k from a nan would be undefined
    k = math.floor(finite_x * _LOG2E + 0.5)
    kf = float(k)
    r = _fma(-kf, _LN2_HI, x)  # exact
    r = _fma(-kf, _LN2_LO, r)
    p = _fma(r, _E13, _E12)
    p = _fma(p, r, _E11)
    p = _fma(p, r, _E10)
    p = _fma(p, r, _E9)
    p = _fma(p, r, _E8)
    p = _fma(p, r, _E7)
    p = _fma(p, r, _E6)
    p = _fma(p, r, _E5)
    p = _fma(p, r, _E4)
    p = _fma(p, r, _E3)
    p = _fma(p, r, _E2)
    er = 1.0 + _fma(r * r, p, r)
    k1 = k >> 1
    k2 = k - k1
    scale1 = _bits_to_float((k1 + _EXPONENT_BIAS) << _MANTISSA_BITS)
    scale2 = _bits_to_float((k2 + _EXPONENT_BIAS) << _MANTISSA_BITS)
    return er * scale1 * scale2


# (e**x - 1)/x = sum of x**n/(n + 1)! for n = 0..13; the first term left out, x**14/15!,
# is below 5e-17 relative for |x| < 1/2
_R0, _R1, _R2, _R3, _R4, _R5, _R6, _R7, _R8, _R9, _R10, _R11, _R12, _R13 = (
    1.0 / math.factorial(n + 1) for n in range(14)
)
_EXPREL_SERIES_LIMIT = 0.5


@njit(inline="always", cache=True)
def exprel(x: float) -> float:
    """(exp(x) - 1)/x, equal to 1 at x = 0, within 5e-16 relative; branch-free.

    A Taylor polynomial for |x| < 1/2 (where e**x - 1 would cancel), (fexp(x) - 1)/x otherwise;
    both are computed and one is selected.
    """
    x = float(x)
    p = _fma(x, _R13, _R12)
    p = _fma(p, x, _R11)
    p = _fma(p, x, _R10)
    p = _fma(p, x, _R9)
    p = _fma(p, x, _R8)
    p = _fma(p, x, _R7)
    p = _fma(p, x, _R6)
    p = _fma(p, x, _R5)
    p = _fma(p, x, _R4)
    p = _fma(p, x, _R3)
    p = _fma(p, x, _R2)
    p = _fma(p, x, _R1)
    p = _fma(p, x, _R0)
    large = abs(x) >= _EXPREL_SERIES_LIMIT
    quotient = (fexp(x) - 1.0) / (x if large else 1.0)
    return quotient if large else p


@intrinsic
def _power_of_two32(typingctx, k):
    """2**k as a float32, for a whole-numbered float32 ``k`` in [-126, 127] (built from its bits)."""
    if k != types.float32:
        return None

    def codegen(context, builder, signature, args):
        int32 = ir.IntType(32)
        exponent = builder.add(builder.fptosi(args[0], int32), ir.Constant(int32, 127))
        return builder.bitcast(builder.shl(exponent, ir.Constant(int32, 23)), ir.FloatType())

    return types.float32(types.float32), codegen


_F32 = np.float32
_LOG2E_32 = _F32(1.4426950408889634)
# ln 2 split in two: _LN2_HI_32 = 355/512 has 9 significant bits, so k*_LN2_HI_32 is exact for |k| < 2**15
_LN2_HI_32, _LN2_LO_32 = _F32(0.693359375), _F32(-2.1219444005469057e-04)
# (e**r - 1 - r)/r**2 = sum of r**n/(n + 2)! for n = 0..5; the first term left out, r**8/8!, is below
# 6e-9 relative for |r| <= ln(2)/2
_E2_32, _E3_32, _E4_32, _E5_32, _E6_32, _E7_32 = (_F32(1.0 / math.factorial(n)) for n in range(2, 8))
# exp(-104) is below half the smallest float32 subnormal and exp(89) above the largest float32
_EXP_LOW_32, _EXP_HIGH_32 = _F32(-104.0), _F32(89.0)
_ZERO_32, _HALF_32, _ONE_32 = _F32(0.0), _F32(0.5), _F32(1.0)


@njit(inline="always", cache=True)
def fexp32(x: np.float32) -> np.float32:
    """exp(x) in float32 within 1.1 ulp of the exact value, including subnormal results,
    inf above 88.72 and nan for nan; branch-free, so loops around it vectorise (8 or 16 wide).

    As :func:`fexp` in float32: x = k ln2 + r with |r| <= ln(2)/2, e**r = 1 + r + r**2 * P(r)
    (degree-5 Horner in fma), times 2**k applied as two powers of two.
    """
    x = _F32(x)
    x = _EXP_HIGH_32 if x > _EXP_HIGH_32 else x  # comparisons are false for nan, which passes through
    x = _EXP_LOW_32 if x < _EXP_LOW_32 else x
    finite_x = x if x == x else _ZERO_32
    k = np.floor(finite_x * _LOG2E_32 + _HALF_32)
    r = _fma(-k, _LN2_HI_32, x)  # exact
    r = _fma(-k, _LN2_LO_32, r)
    p = _fma(r, _E7_32, _E6_32)
    p = _fma(p, r, _E5_32)
    p = _fma(p, r, _E4_32)
    p = _fma(p, r, _E3_32)
    p = _fma(p, r, _E2_32)
    er = _ONE_32 + _fma(r * r, p, r)
    k1 = np.floor(k * _HALF_32)
    return er * _power_of_two32(k1) * _power_of_two32(k - k1)


# (e**x - 1)/x = sum of x**n/(n + 1)! for n = 0..10; the first term left out, x**11/12!, is below
# 3e-9 relative for |x| < 1
_R32 = tuple(_F32(1.0 / math.factorial(n + 1)) for n in range(11))
_R0_32, _R1_32, _R2_32, _R3_32, _R4_32, _R5_32, _R6_32, _R7_32, _R8_32, _R9_32, _R10_32 = _R32
_EXPREL_SERIES_LIMIT_32 = _F32(1.0)


@njit(inline="always", cache=True)
def exprel32(x: np.float32) -> np.float32:
    """(exp(x) - 1)/x in float32, equal to 1 at x = 0, within 2.5 ulp; branch-free.

    A Taylor polynomial for |x| < 1 (where e**x - 1 would cancel), (fexp32(x) - 1)/x otherwise.
    """
    x = _F32(x)
    p = _fma(x, _R10_32, _R9_32)
    p = _fma(p, x, _R8_32)
    p = _fma(p, x, _R7_32)
    p = _fma(p, x, _R6_32)
    p = _fma(p, x, _R5_32)
    p = _fma(p, x, _R4_32)
    p = _fma(p, x, _R3_32)
    p = _fma(p, x, _R2_32)
    p = _fma(p, x, _R1_32)
    p = _fma(p, x, _R0_32)
    large = abs(x) >= _EXPREL_SERIES_LIMIT_32
    quotient = (fexp32(x) - _ONE_32) / (x if large else _ONE_32)
    return quotient if large else p


_SERIES_SPREAD = 1.0
"""Points of a divided difference closer together than this are summed as a Taylor series."""
_SERIES_TERMS = 24
"""Terms of that series: after 24, with points within 1/2 of their centre, a term is below 1e-31."""


@njit(cache=True)
def exp_divided_difference(points) -> float:
    """The divided difference ``exp[z0, ..., zk]`` of the exponential at the floats ``points``
    (a tuple): ``exp(z0)`` for one point, ``(exp(z0) - exp(z1))/(z0 - z1)`` for two, and their
    limit where points coincide (``exp(z)/k!`` for k + 1 equal points).

    The exact integration of a chain of k + 1 linear equations needs it (``exp`` of a triangular
    matrix, Opitz's formula), and that of variables that feed each other (Newton's form); the
    textbook quotient divides by differences of the points, which is NaN for equal ones and loses
    every digit for nearly equal ones. Points within ``_SERIES_SPREAD`` of each other come from
    the Taylor series around their centre (no cancellation), wider ones from the quotient of
    narrower divided differences, whose denominator is then at least 1. Within a few units of
    1e-16 relative. One, two and three points (every loop of two variables) take no memory from
    the heap, so a kernel that calls this per neuron and step stays cheap.
    """
    count = len(points)  # the points may be float32 (a single-precision kernel's): the work is in float64
    if count == 1:
        return math.exp(np.float64(points[0]))
    if count == 2:
        return _exp_pair(np.float64(points[0]), np.float64(points[1]))
    if count == 3:
        return _exp_triple(np.float64(points[0]), np.float64(points[1]), np.float64(points[2]))
    return _exp_divided_difference_table(points)


@njit(inline="always", cache=True)
def _exp_pair(a: float, b: float) -> float:
    """``exp[a, b]`` as ``exp(high)·exprel(low - high)``: no cancellation, and exprel's argument is
    never positive, so it cannot overflow where the result does not."""
    high, low = (a, b) if a >= b else (b, a)
    return math.exp(high) * exprel(low - high)


@njit(inline="always", cache=True)
def _exp_triple(a: float, b: float, c: float) -> float:
    """``exp[a, b, c]``: the series for points close together, else the quotient of two pairs."""
    if a > b:
        a, b = b, a
    if b > c:
        b, c = c, b
    if a > b:
        a, b = b, a
    spread = c - a
    if spread <= _SERIES_SPREAD:
        centre = 0.5 * (a + c)
        ya, yb, yc = a - centre, b - centre, c - centre
        # h_j of {a}, {a, b} and {a, b, c} (sums of all monomials of degree j), term by term, until the
        # bound r^j/(2·j!) on term j (r = spread/2), which also bounds the terms after it, is below
        # 1e-17 (the sum is above 0.18)
        ha = hb = hc = 1.0
        inverse_factorial = bound = 0.5
        total = inverse_factorial
        for j in range(1, _SERIES_TERMS):
            ha *= ya
            hb = ha + yb * hb
            hc = hb + yc * hc
            inverse_factorial /= j + 2
            total += hc * inverse_factorial
            bound *= 0.5 * spread / j
            if bound < 1e-17:
                break
        return math.exp(centre) * total
    return (_exp_pair(b, c) - _exp_pair(a, b)) / spread


@njit(cache=True)
def _exp_divided_difference_table(points) -> float:
    """``exp[z0, ..., zk]`` for four points or more: the points are sorted and the table of divided
    differences is filled from single points up (a stretch within ``_SERIES_SPREAD`` from the series)."""
    count = len(points)
    z = np.empty(count)
    for q in range(count):
        z[q] = points[q]
    z.sort()
    if z[count - 1] - z[0] <= _SERIES_SPREAD:
        return _exp_divided_difference_series(z)
    table = np.empty((count, count))
    for length in range(count):
        for first in range(count - length):
            last = first + length
            spread = z[last] - z[first]
            if spread <= _SERIES_SPREAD:
                table[first, last] = _exp_divided_difference_series(z[first:last + 1])
            else:
                table[first, last] = (table[first + 1, last] - table[first, last - 1]) / spread
    return table[0, count - 1]


@njit(cache=True)
def _exp_divided_difference_series(z) -> float:
    """``exp[z0, ..., zk]`` for points close together: ``exp(c)·Σ_j h_j(z - c)/(j + k)!`` around
    their centre ``c``, where ``h_j`` is the sum of all monomials of degree j (Taylor's series
    of the exponential, divided term by term)."""
    centre = 0.5 * (z[0] + z[-1])
    monomials = np.zeros(_SERIES_TERMS)  # h_j of the points taken so far
    monomials[0] = 1.0
    for point in z:
        for j in range(1, _SERIES_TERMS):
            monomials[j] += (point - centre) * monomials[j - 1]
    k = len(z) - 1
    inverse_factorial = 1.0
    for j in range(2, k + 1):
        inverse_factorial /= j
    total = 0.0
    for j in range(_SERIES_TERMS):
        total += monomials[j] * inverse_factorial
        inverse_factorial /= j + k + 1
    return math.exp(centre) * total


_FMIX1 = np.uint64(0xFF51AFD7ED558CCD)
_FMIX2 = np.uint64(0xC4CEB9FE1A85EC53)
_STEP_STRIDE = np.uint64(0xD1B54A32D192ED03)
_S33 = np.uint64(33)


@njit(inline="always", cache=True)
def _scramble(z: np.uint64) -> np.uint64:
    """murmur3's finaliser: a bijection of 64-bit words in which every input bit flips
    every output bit with probability about 1/2."""
    z = (z ^ (z >> _S33)) * _FMIX1
    z = (z ^ (z >> _S33)) * _FMIX2
    return z ^ (z >> _S33)


@njit(inline="always", cache=True)
def site_key(key, site: int) -> np.uint64:
    """The key of the random numbers drawn at ``site`` (a 63-bit label of a place in the
    model) in a simulation whose seed key is ``key`` (uint64[1])."""
    return _scramble(key[0] ^ _scramble(np.uint64(site)))


@njit(inline="always", cache=True)
def start_draws(draws, site: np.uint64, n: int, element: int) -> None:
    """Point the stream ``draws`` (uint64[1]) at the numbers of ``element`` in step ``n`` at
    the site keyed ``site``; the draws that follow come from it (loop-invariant parts of the
    hash are hoisted by the compiler)."""
    step = _scramble(site + np.uint64(n) * _STEP_STRIDE)
    draws[0] = _scramble(step + np.uint64(element) * _GOLDEN)


@njit(inline="always", cache=True)
def _next(state) -> np.uint64:
    """The next 64 random bits of the splitmix64 stream ``state`` (uint64[1])."""
    z = state[0] + _GOLDEN
    state[0] = z
    z = (z ^ (z >> _S30)) * _MIX1
    z = (z ^ (z >> _S27)) * _MIX2
    return z ^ (z >> _S31)


@njit(inline="always", cache=True)
def uniform(state) -> float:
    """A uniform deviate in [0, 1) from the stream ``state``."""
    return float(_next(state) >> _S11) * _TWO_M53


def _ziggurat_tables(layers: int = 128, edge: float = 3.442619855899, area: float = 9.91256303526217e-3):
    """Thresholds ``k``, widths ``w`` and densities ``f`` of the ziggurat's layers for 32-bit
    signed draws (the base layer's right edge ``edge`` and the common layer ``area``)."""
    scale = 2.0**31
    k, w, f = np.zeros(layers), np.zeros(layers), np.zeros(layers)
    x = top = edge
    q = area / math.exp(-0.5 * edge * edge)
    k[0], k[1] = (edge / q) * scale, 0.0
    w[0], w[layers - 1] = q / scale, edge / scale
    f[0], f[layers - 1] = 1.0, math.exp(-0.5 * edge * edge)
    for i in range(layers - 2, 0, -1):
        x = math.sqrt(-2.0 * math.log(area / x + math.exp(-0.5 * x * x)))
        k[i + 1] = (x / top) * scale
        top = x
        f[i], w[i] = math.exp(-0.5 * x * x), x / scale
    return k, w, f


_ZK, _ZW, _ZF = _ziggurat_tables()
_ZIG_EDGE = 3.442619855899
_S32, _LOW7 = np.uint64(32), np.uint64(127)


@njit(inline="always", cache=True)
def normal(state) -> float:
    """A standard normal deviate (ziggurat: the layer from the low 7 bits, a signed
    32-bit position from the high 32 bits; the rare rejections fall back to exp/log)."""
    while True:
        bits = _next(state)
        layer = np.int64(bits & _LOW7)
        position = np.int64(bits >> _S32) - 2147483648
        if abs(position) < _ZK[layer]:
            return position * _ZW[layer]
        x = position * _ZW[layer]
        if layer == 0:  # the tail beyond the base layer's edge
            while True:
                tail = -math.log(1.0 - uniform(state)) / _ZIG_EDGE
                if -2.0 * math.log(1.0 - uniform(state)) >= tail * tail:
                    return _ZIG_EDGE + tail if position > 0 else -_ZIG_EDGE - tail
        if _ZF[layer] + uniform(state) * (_ZF[layer - 1] - _ZF[layer]) < math.exp(-0.5 * x * x):
            return x


#: Above this mean (and the same for n*(1 - p)) a binomial draw uses the normal
#: approximation, as Brian2's BinomialFunction does (``approximate=True``).
BINOMIAL_NORMAL_ABOVE = 5.0


@njit(inline="always", cache=True)
def binomial(state, n: int, p: float, q: float, scale: float) -> float:
    """A Binomial(n, p) deviate (``q = 1 - p``, ``scale = sqrt(n*p*q)``): by inversion when ``n*p`` or
    ``n*q`` is at most 5, else from the normal approximation ``n*p + scale*N(0, 1)`` (not rounded), as
    Brian2's PoissonInput. Inversion counts the rarer outcome (``n`` minus the failures when ``p > q``), in
    about ``n*min(p, q)`` <= 5 iterations: counting the successes took ``n*p`` iterations (1e12 inputs at
    p = 1 - 1e-12 ran for hours) and, with ``q**n`` below the smallest float, always gave ``n``."""
    mean = n * p
    if mean > BINOMIAL_NORMAL_ABOVE and n * q > BINOMIAL_NORMAL_ABOVE:
        return mean + scale * normal(state)
    if p > q:
        return n - _binomial_inversion(state, n, q, p)
    return _binomial_inversion(state, n, p, q)


@njit(inline="always", cache=True)
def _binomial_inversion(state, n: int, p: float, q: float) -> float:
    """A Binomial(n, p) deviate by inversion (``q = 1 - p``): about ``n*p`` iterations."""
    if p <= 0.0:
        return 0.0
    ratio = p / q
    a = (n + 1) * ratio
    r = q**n
    u = uniform(state)
    x = 0
    while u > r and x < n:
        u -= r
        x += 1
        r *= a / x - ratio
    return float(x)


@njit(inline="always", cache=True)
def timed_array(values, step: float, dt: float, t: float, column: int) -> float:
    """The value of a timed array (grid ``step``) at time ``t``, as Brian2 computes it: the
    grid is refined by K = 2**ceil(log2(8 step/dt)) so that rounding ``t`` to it is exact,
    then the step index is clipped to the array."""
    refine = max(2.0 ** math.ceil(math.log2(8.0 * step / dt)), 1.0)
    index = int(round(t / (step / refine)) / refine)
    index = min(max(index, 0), values.shape[0] - 1)
    return values[index, column]


@intrinsic
def _prefetch(typingctx, values, index):
    """Ask the CPU to start loading the cache line of ``values[index]`` (llvm.prefetch: a hint that
    never faults, for reading, kept in every cache level)."""
    if not (isinstance(values, types.Array) and isinstance(index, types.Integer)):
        return None

    def codegen(context, builder, signature, args):
        array = context.make_array(signature.args[0])(context, builder, args[0])
        pointer = cgutils.get_item_pointer(context, builder, signature.args[0], array, [args[1]], wraparound=False)
        opaque = getattr(pointer.type, "is_opaque", False)
        if not opaque:  # LLVM before opaque pointers has the intrinsic for i8* only
            pointer = builder.bitcast(pointer, ir.IntType(8).as_pointer())
        int32 = ir.IntType(32)
        signature_ir = ir.FunctionType(ir.VoidType(), [pointer.type, int32, int32, int32])
        function = cgutils.get_or_insert_function(builder.module, signature_ir,
                                                  "llvm.prefetch.p0" if opaque else "llvm.prefetch.p0i8")
        builder.call(function, [pointer, ir.Constant(int32, 0), ir.Constant(int32, 3), ir.Constant(int32, 1)])
        return context.get_dummy_value()

    return types.void(values, index), codegen


CACHE_LINE_BYTES = 64
"""The bytes one prefetch request brings in (a cache line of x86-64 and most ARM cores)."""


@njit(inline="always", cache=True)
def prefetch_row(values, start: int, stop: int) -> None:
    """Start loading ``values[start:stop]`` into the caches, one request per cache line: issued for
    the next row of synapses while this row is delivered, so that a row far out in memory has
    arrived by the time it is read."""
    for index in range(start, stop, max(CACHE_LINE_BYTES // values.itemsize, 1)):
        _prefetch(values, index)


BLOCK_ALIGNMENT = 8
"""Blocks of neurons start at multiples of this many neurons: a block's threshold flags are then
whole uint64 words of its own (read 8 at a time), and two threads share no 64-byte line of a
float64 state row."""


@njit(inline="always", cache=True)
def block_start(count: int, block: int, blocks: int) -> int:
    """Where block ``block`` of ``blocks`` over [0, ``count``) starts (``count`` for ``block == blocks``):
    at an even share of ``count``, rounded down to a multiple of ``BLOCK_ALIGNMENT``."""
    if block >= blocks:
        return count
    return (count * block) // blocks // BLOCK_ALIGNMENT * BLOCK_ALIGNMENT


@njit(inline="always", cache=True)
def first_at_least(values, start: int, stop: int, bound: int, size: int) -> int:
    """The first index in [start, stop) of the sorted ``values`` (each in [0, size)) whose value
    is >= ``bound`` (``stop`` if none).

    The search starts where ``bound`` would be if the values were spread evenly, and widens
    from there: a row of random targets has the answer within a cache line or two of that
    guess, where a bisection of the whole row would touch several lines (:func:`row_block_bounds`
    runs it for every row and block before a run)."""
    if start == stop:
        return start
    probe = min(start + (stop - start) * bound // size, stop - 1)
    step = 1
    if values[probe] < bound:  # the answer is in (probe, stop]
        low = probe
        while low + step < stop and values[low + step] < bound:
            low += step
            step *= 2
        high = min(stop, low + step)
    else:  # the answer is in [start, probe]
        high = probe
        while high - step >= start and values[high - step] >= bound:
            high -= step
            step *= 2
        low = max(start - 1, high - step)
    while low + 1 < high:  # values[low] < bound <= values[high], reading start - 1 as below and stop as above
        middle = (low + high) // 2
        if values[middle] < bound:
            low = middle
        else:
            high = middle
    return high


@njit(cache=True)
def row_block_bounds(targets, row_starts, size: int, blocks: int):
    """int64[rows, blocks + 1]: where the synapses onto each block of targets (``block_start(size, b,
    blocks)`` on) begin in each row of a CSR whose rows are sorted by target; column ``blocks`` is the
    row's end. A thread delivering a row reads its part's bounds from here instead of searching it."""
    rows = row_starts.shape[0] - 1
    bounds = np.empty((rows, blocks + 1), np.int64)
    for row in range(rows):
        start, stop = row_starts[row], row_starts[row + 1]
        for block in range(blocks):
            bounds[row, block] = first_at_least(targets, start, stop, block_start(size, block, blocks), size)
        bounds[row, blocks] = stop
    return bounds


@njit(inline="always", cache=True)
def block_column(bound: int, size: int, blocks: int) -> int:
    """The column of :func:`row_block_bounds` (for ``blocks`` blocks of ``size``) where ``bound`` is a
    block's start (``blocks`` for ``size``). ``bound`` must be one, as the bounds of a kernel call's blocks
    are when their count divides ``blocks`` (the driver runs a kernel with one thread or all of its own)."""
    column = 0
    while column < blocks and block_start(size, column, blocks) != bound:
        column += 1
    return column


def seed_key(seed: int) -> np.ndarray:
    """The key (uint64[1]) of every random number of a simulation with ``seed``."""
    return np.random.SeedSequence(seed).generate_state(1, dtype=np.uint64).astype(np.uint64)

"""Write test/golden/erf/values.json: correctly rounded binary64 erf, erfc and erfinv.

Run with Debian's interpreter (it has mpmath):

    /usr/bin/python3 -P scripts/golden/erf.py   (-P: scripts/golden/random.py must not shadow random)

The reference is mpmath at 400 bits, rounded once to binary64 through an exact fraction
(Python's int / int division rounds correctly, subnormals included), so every expected value
is the correctly rounded one. torch is not needed: the fixture checks the scalar kernels of the
JS backend (src/backend/js/erf.ts), which aim for correct rounding; PyTorch's own erf is
libm's, within an ulp of these.

Points: subnormals, a log-uniform sweep of small |x|, dense uniform sweeps of [0, 6] and the
tail [6, 27.3] (erfc becomes subnormal at 26.543 and 0 at 27.226), neighbours of the points
where an implementation typically switches method (0.5, 0.84375, 1, 1.25, 2, 2.5, 3, 4, 6,
the subnormal and zero thresholds), and negatives. erfinv: a uniform sweep of (-1, 1), the
approach to ±1 (1 - k·2^-53, 1 - 2^-k) and tiny y.

Encoding: binary64 as 16 hex digits of the bit pattern (so NaN, ±0 and ±inf survive JSON).
"""

import json
import math
import os
import random
import struct
from fractions import Fraction

import mpmath

mpmath.mp.prec = 400

OUT = os.path.join("test", "golden", "erf", "values.json")


def bits(v):
    return struct.pack(">d", v).hex()


def to_double(m):
    """The binary64 nearest to the mpf m (ties to even), subnormals and overflow included."""
    if mpmath.isnan(m):
        return math.nan
    if mpmath.isinf(m):
        return math.inf if m > 0 else -math.inf
    if m == 0:
        return 0.0
    if mpmath.mag(m) < -1100:
        return math.copysign(0.0, m)
    man, exp = abs(m).man_exp  # man_exp drops the sign
    v = float(Fraction(man) * Fraction(2) ** exp)
    return -v if m < 0 else v


def rounded(f, x):
    """f(x) correctly rounded, checked to round the same at 300 bits as at 400."""
    if abs(x) >= 30 and f in (mpmath.erf, mpmath.erfc):
        # mpmath's erfc fails beyond ~1e300; here erfc(|x|) < e^(-900) is far below the smallest
        # subnormal, so erf rounds to ±1, erfc to 0 (x > 0) or 2 (x < 0).
        if f is mpmath.erf:
            return math.copysign(1.0, x)
        return 0.0 if x > 0 else 2.0
    with mpmath.workprec(300):
        check = to_double(f(mpmath.mpf(x)))
    v = to_double(f(mpmath.mpf(x)))
    assert bits(v) == bits(check), (f, x)
    return v


def nextafter(x, direction, k=1):
    for _ in range(k):
        x = math.nextafter(x, direction)
    return x


def erf_points(rng):
    xs = set()
    # subnormals and the normal threshold
    for k in [1, 2, 3, 7, 1 << 20, 1 << 40, (1 << 52) - 1]:
        xs.add(k * 5e-324)
    for _ in range(20):
        xs.add(rng.randrange(1, 1 << 52) * 5e-324)
    xs.update([2.0**-1022, nextafter(2.0**-1022, 0), 2.0**-1000, nextafter(2.0**-1000, 0)])
    # log-uniform small values
    for _ in range(150):
        xs.add(2.0 ** rng.uniform(-1000, -1))
    for e in [-60, -59, -56, -54, -53, -30, -28, -27, -26]:
        xs.add(2.0**e)
    # dense sweeps
    for _ in range(450):
        xs.add(rng.uniform(0, 2.5))
    for _ in range(300):
        xs.add(rng.uniform(2.5, 6))
    for _ in range(200):
        xs.add(rng.uniform(6, 26.5))
    for _ in range(150):
        xs.add(rng.uniform(26.5, 27.3))
    # neighbours of switch points and thresholds (erfc(-x) -> 2 at 5.8636, erf -> 1 at 5.9216,
    # erfc subnormal at 26.543, erfc -> 0 at 27.226)
    for c in [0.5, 0.84375, 1.0, 1.25, 2.0, 2.5, 3.0, 4.0, 5.8, 5.8636, 5.9, 5.9216, 5.93, 6.0,
              26.54, 26.5433, 26.55, 26.6, 27.2, 27.22, 27.226, 27.22602, 27.23, 27.3]:
        for k in [1, 2, 5]:
            xs.add(nextafter(c, 0, k))
            xs.add(nextafter(c, 100, k))
        xs.add(c)
    xs.update([28.0, 100.0, 1e10, 1e300, 1.7976931348623157e308])
    pos = sorted(xs)
    # negatives: every point up to 7 (beyond, erfc(-x) is 2 and erf(-x) is -1), a sample above
    neg = [-x for x in pos if x < 7] + [-x for x in rng.sample([x for x in pos if x >= 7], 40)]
    return pos + sorted(neg)


def erfinv_points(rng):
    ys = set()
    for _ in range(300):
        ys.add(rng.uniform(-1, 1))
    for _ in range(60):
        ys.add(2.0 ** rng.uniform(-1074, -1))
    for k in [1, 2, 3, 5, 10, 100, 1000, 10**6, 10**9, 10**12]:
        ys.add(1 - k * 2.0**-53)
    for e in range(2, 53):
        ys.add(1 - 2.0**-e)
    for _ in range(60):
        ys.add(1 - 2.0 ** rng.uniform(-53, -1))
    for c in [2.0**-26, 0.5, 0.9]:
        for k in [1, 2]:
            ys.add(nextafter(c, 0, k))
            ys.add(nextafter(c, 1, k))
        ys.add(c)
    ys.update([5e-324, 2.0**-1022, 2.0**-1000])
    pos = sorted(y for y in ys if y > 0)
    return pos + sorted(-y for y in rng.sample(pos, 150))


def main():
    rng = random.Random(20240611)
    cases = [[bits(x), bits(rounded(mpmath.erf, x)), bits(rounded(mpmath.erfc, x))]
             for x in erf_points(rng)]
    inv = [[bits(y), bits(rounded(mpmath.erfinv, y))] for y in erfinv_points(rng)]
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump({
            "metadata": {"mpmath_version": mpmath.__version__, "precision_bits": mpmath.mp.prec,
                         "script": "scripts/golden/erf.py"},
            "erf_erfc": {"columns": ["x", "erf", "erfc"], "rows": cases},
            "erfinv": {"columns": ["y", "erfinv"], "rows": inv},
        }, f, separators=(",", ":"))
    print(f"wrote {OUT}: {len(cases)} erf/erfc points, {len(inv)} erfinv points")


if __name__ == "__main__":
    main()

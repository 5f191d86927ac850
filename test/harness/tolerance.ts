/**
 * How far a torch-ts result may sit from the reference, per dtype: the one table the tests
 * read their tolerances from (STYLE.md habit 8). Results that PyTorch computes exactly (views,
 * copies, exactly rounded arithmetic, RNG streams, integers, bools) are compared bit for bit and
 * have no entry. Every backend is diffed against the JS reference backend in test/backend, so
 * the entries below hold for each; a backend that needs its own would become a key here.
 *
 * Each entry says why it is what it is; a test that needs another number adds a named entry
 * with its reason instead of writing the number where it is used.
 */

export interface Tolerance {
  rtol: number;
  atol: number;
}

/** Finite-difference settings for a float64 gradient check: |a − n| ≤ atol + rtol·|n|. */
export interface GradcheckTolerance extends Tolerance {
  /** The central-difference step. */
  eps: number;
}

export const TOLERANCE = {
  float32: {
    /**
     * Ulps from PyTorch for results that are not exactly specified (transcendentals, pow,
     * atan2, composed gradients). PyTorch's SLEEF kernels are within 1 ulp of the true value
     * and ours are too, so two such results may sit 1 ulp apart on each side.
     */
    ulps: 2,
    /**
     * erfinv is the one op where PyTorch itself is several ulps from the true value: at 0.9999
     * its float32 result is 4 ulps and its float64 result 7 ulps from the correctly rounded one
     * (checked with 80-digit arithmetic), which torch-ts returns; its Newton steps on erf lose
     * precision where erf is flat. The allowance covers PyTorch's error, not ours.
     */
    erfinvUlps: 8,
    /**
     * maximum and minimum of +0 and -0: PyTorch's vectorised loop returns the second operand,
     * its scalar tail the first, so the sign of a tie of zeros depends on the element's
     * position; -0 and +0 are 1 apart in ulpDistance (golden.ts). Any other difference of a
     * selection is far more than 1 ulp.
     */
    zeroTieUlps: 1,
    /** Gradients of the core ops are sums of several rounded terms: relative, not in ulps. */
    gradRtol: 1e-5,
    /**
     * pow of a float32 tensor by a scalar exponent it does not special-case: PyTorch's scalar
     * tail (the elements after the last block of 16) computes in double, its vectorised loop
     * (and torch-ts) in float32.
     */
    powTailRtol: 1e-5,
    /**
     * Reductions: we accumulate in binary64 in our order, PyTorch in its vectorised order, so
     * results may differ by a few ulps of the largest partial sum; atol covers results near
     * zero after cancellation.
     */
    reduction: { rtol: 1e-6, atol: 1e-6 } as Tolerance,
    /**
     * Computed values of nn: matrix products, activations, losses, normalisation and their
     * gradients. PyTorch's kernels (BLAS included) sum and fuse in their own order (cascade
     * sums, FMA, reciprocal multiplies), ours in binary64 or a plain order, so agreement is to
     * a few float32 ulps, not to the bit: relative 1e-5 plus 1e-6 absolute near zero.
     */
    computed: { rtol: 1e-5, atol: 1e-6 } as Tolerance,
    /**
     * addcmul, addcdiv, lerp: PyTorch's vectorised kernels may fuse the multiply and the add
     * (one rounding fewer), so a result that cancels can differ by one float32 rounding of the
     * terms' scale, |input| + |value·t1·t2|, not of the result. A factor of that scale.
     */
    fusedScale: 2 ** -23,
    /**
     * Optimizer trajectories: max|ours − torch| ≤ rtol · max|torch| over a tensor. Measured:
     * results differ from PyTorch's by one or two ulps, ~1e-7 relative, after many steps.
     */
    trajectoryRtol: 1e-5,
    /** trunc_normal_: its erfinv rounds once where PyTorch's float32 kernel rounds at every step. */
    truncNormalAtol: 4e-7 * 4,
    /** orthogonal_: the QR is ours, not LAPACK's; values agree to the rounding of a QR that size. */
    orthogonalAtol: 2e-6,
  },
  float64: {
    ulps: 2,
    erfinvUlps: 16,
    zeroTieUlps: 1,
    gradRtol: 1e-12,
    reduction: { rtol: 1e-12, atol: 1e-12 } as Tolerance,
    orthogonalAtol: 1e-13,
    /**
     * Float64 normals: PyTorch draws them through glibc's binary64 log/sin/cos, torch-ts through
     * correctly rounded ones; glibc is not correctly rounded in about 0.1 % of inputs, so those
     * values may be one ulp apart (docs/pytorch-rng.md sections 12 to 14).
     */
    libmUlps: 1,
    /** Learning-rate schedules: closed forms and recurrences in binary64, as in Python. */
    lrRtol: 1e-12,
    /**
     * Gradient checks of ops that are linear in their input (joining, splitting, indexing,
     * diagonals): central differences of a linear function are exact up to rounding, so the
     * check is tight (the former `toBeCloseTo(numeric, 6)`: within 5e-7).
     */
    gradcheckLinear: { eps: 1e-6, atol: 5e-7, rtol: 0 } as GradcheckTolerance,
    /**
     * Gradient checks of reductions and einsum (prod, norm, logsumexp, var, ...): curved, so
     * central differences carry an O(eps²) truncation error on top of rounding.
     */
    gradcheckReduction: { eps: 1e-6, atol: 1e-5, rtol: 1e-4 } as GradcheckTolerance,
  },
} as const;

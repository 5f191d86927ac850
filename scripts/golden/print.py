"""Write test/golden/print/cases.json: PyTorch's repr() text for many tensors.

Run with Debian's interpreter, which has torch installed:

    /usr/bin/python3 scripts/golden/print.py

Each case records the tensor exactly (float32 as uint32 bit patterns, float64 as
16 hex digits of its bits, int64 as decimal strings so JSON never rounds them),
the print options in force (as keyword arguments to torch.set_printoptions;
defaults are restored after every case), and the exact repr string. A second
list, "numbers", holds Python's '{:.Nf}' / '{:.Ne}' text for tricky doubles.
"""

import json
import math
import os
import struct

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "test", "golden", "print", "cases.json")

DTYPES = {
    torch.float32: "float32",
    torch.float64: "float64",
    torch.int64: "int64",
    torch.int32: "int32",
    torch.bool: "bool",
}

cases = []


def encode_values(t):
    flat = t.detach().contiguous().reshape(-1)
    if t.dtype == torch.float32:
        return [v & 0xFFFFFFFF for v in flat.view(torch.int32).tolist()]
    if t.dtype == torch.float64:
        return ["%016x" % (v & 0xFFFFFFFFFFFFFFFF) for v in flat.view(torch.int64).tolist()]
    if t.dtype == torch.int64:
        return [str(v) for v in flat.tolist()]
    if t.dtype == torch.int32:
        return flat.tolist()
    if t.dtype == torch.bool:
        return flat.tolist()
    raise TypeError(t.dtype)


def add(name, t, options=None, text_of=repr):
    if options:
        torch.set_printoptions(**options)
    try:
        text = text_of(t)
    finally:
        torch.set_printoptions(profile="default")
    cases.append(
        {
            "name": name,
            "shape": list(t.shape),
            "dtype": DTYPES[t.dtype],
            "values": encode_values(t),
            "requires_grad": t.requires_grad,
            "grad_fn": type(t.grad_fn).__name__ if t.grad_fn is not None else None,
            "options": options,
            "repr": text,
        }
    )


def f32(values):
    return torch.tensor(values, dtype=torch.float32)


def f64(values):
    return torch.tensor(values, dtype=torch.float64)


torch.manual_seed(0)
nan, inf = math.nan, math.inf

# Random normals over many shapes: 1-D lengths straddle the linewidth wrap.
for n in range(1, 31):
    add(f"randn_1d_{n}", torch.randn(n))
for shape in [(4, 3), (3, 4), (1, 1), (1, 5), (5, 1), (10, 10), (2, 3, 4), (2, 3, 4, 5),
              (1, 2, 1, 2, 1), (2, 2, 2, 2, 2), (3, 1, 4), (7, 12)]:
    add("randn_" + "x".join(map(str, shape)), torch.randn(*shape))

# Around the summarization threshold (numel > 1000).
add("randn_1000", torch.randn(1000))
add("randn_1001", torch.randn(1001))
add("randn_10x100", torch.randn(10, 100))
add("randn_7x143", torch.randn(7, 143))
add("randn_100x100", torch.randn(100, 100))
add("randn_10x10x11", torch.randn(10, 10, 11))
add("randn_2x3x4x5x9", torch.randn(2, 3, 4, 5, 9))
add("randn_1001x1", torch.randn(1001, 1))
add("randn_1x1001", torch.randn(1, 1001))
add("randn_6x200", torch.randn(6, 200))
add("randn_7x200", torch.randn(7, 200))

# Scales that switch to scientific notation, or stay fixed.
for label, scale in [("1e-6", 1e-6), ("1e-4", 1e-4), ("1e-3", 1e-3), ("1e2", 1e2),
                     ("1e5", 1e5), ("1e8", 1e8), ("1e9", 1e9), ("1e20", 1e20),
                     ("1e30", 1e30), ("1e-30", 1e-30), ("1e-40", 1e-40)]:
    add(f"randn_8_scale_{label}", torch.randn(8) * scale)
    add(f"randn_3x4_scale_{label}", torch.randn(3, 4) * scale)
add("randn_1001_scale_1e5", torch.randn(1001) * 1e5)
add("ratio_just_under_1000", f32([1.0, 999.0, 0.5]))
add("ratio_just_over_1000", f32([1.0, 1000.5, 0.5]))
add("ratio_exactly_1000", f32([0.5, 500.0, 1.5]))
add("max_1e8_fixed", f32([1e8, 1.5e7 + 0.5]))
add("max_over_1e8", f32([1.1e8, 1.5e7 + 0.5]))
add("min_1e-4", f32([1e-4, 0.5]))
add("min_under_1e-4", f32([9.9e-5, 0.5]))

# Integer-valued floats (int_mode).
add("intvals_small", f32([1.0, 2.0, 3.0]))
add("intvals_neg", f32([-1.0, 20.0, -300.0]))
add("intvals_ratio_sci", f32([1.0, 2000.0]))
add("intvals_big_sci", f32([1e9, 3e9]))
add("intvals_1e8", f32([1e8, 2e7]))
add("intvals_2d", torch.arange(12, dtype=torch.float32).reshape(3, 4))
add("intvals_arange_100", torch.arange(100, dtype=torch.float32))
add("intvals_arange_1001", torch.arange(1001, dtype=torch.float32))
add("intvals_nan_inf", f32([1.0, nan, inf, -inf, 2.0]))
add("intvals_sci_nan_inf", f32([1.0, nan, inf, -inf, 1e10]))
add("intvals_f64_big", f64([2.0 ** 60, 3.0]))

# Zeros, negative zero, non-finite.
add("all_zero", torch.zeros(5))
add("all_zero_2d", torch.zeros(2, 3))
add("neg_zero", f32([-0.0]))
add("neg_zero_mix", f32([-0.0, 0.0, 1.0]))
add("neg_zero_frac", f32([-0.0, 1.5]))
add("neg_zero_sci", f32([-0.0, 1e-6, 1.5]))
add("neg_round_to_zero", f32([-1e-5, 0.5, 2.0]))
add("nan_only", f32([nan, nan]))
add("inf_only", f32([inf, -inf]))
add("nan_inf_zero", f32([0.0, nan, inf, -inf]))
add("nan_frac", f32([nan, 1.5, -2.25]))
add("inf_frac", f32([inf, 1.5, -inf]))
add("nan_sci", f32([nan, 1.5e-7, 2.0]))
add("nan_from_zero_div", torch.zeros(3) / torch.zeros(3))
add("nan_2d", torch.tensor([[nan, 1.25], [inf, -0.0]]))
add("float32_max", f32([3.4028234663852886e38, 1.0]))
add("float32_tiny", f32([1.401298464324817e-45, 1.0]))
add("float32_tiny_only", f32([1.401298464324817e-45]))
add("float64_max", f64([1.7976931348623157e308]))
add("float64_max_frac", f64([1.7976931348623157e308, 0.5]))
add("float64_min_subnormal", f64([5e-324, 0.5]))

# Rounding ties: exact binary halves must round half-to-even, like Python.
add("ties_fixed", f32([0.03125, 0.09375, 1.15625, 2.5, 0.15625, 0.21875]))
add("ties_fixed_neg", f32([-0.03125, -0.09375, 1.5]))
add("ties_sci", f32([12344.5, 12345.5, 1.5, 0.015625]))
add("ties_fixed_prec0", f32([0.5, 1.5, 2.5, 3.25]), {"precision": 0})
add("ties_sci_prec0", f32([25.0, 35.0, 0.001]), {"precision": 0})
add("rounds_to_next_power", f32([9.99995, 0.5]))
add("rounds_up_sci", f32([9.99996e-5, 0.5]))
add("rounds_up_sci_exponent", f32([99999.5, 0.001]))

# float64, including values whose float32 rendering would differ.
add("f64_randn_5", torch.randn(5, dtype=torch.float64))
add("f64_randn_3x3", torch.randn(3, 3, dtype=torch.float64))
add("f64_randn_12", torch.randn(12, dtype=torch.float64))
add("f64_tenth", f64([0.1, 0.2, 0.3]))
add("f64_vs_f32_a", f64([1.00005, 2.00015, 0.12345]))
add("f32_vs_f64_a", f32([1.00005, 2.00015, 0.12345]))
add("f64_vs_f32_prec8", f64([0.1, 1 / 3, 2 / 3]), {"precision": 8})
add("f32_vs_f64_prec8", f32([0.1, 1 / 3, 2 / 3]), {"precision": 8})
add("f64_1e5", torch.randn(6, dtype=torch.float64) * 1e5)
add("f64_int", f64([1.0, 2.0]))
add("f64_sci_big_exp", f64([1e200, 1e-200]))
add("f64_sci_exp100", f64([1.5e100, 2.0]))
add("f64_1001", torch.randn(1001, dtype=torch.float64))

# Integer and bool dtypes.
add("int64_small", torch.tensor([1, 2, 3]))
add("int64_neg", torch.tensor([-1, 20, -300, 4000]))
add("int64_extremes", torch.tensor([-(2 ** 63), 2 ** 63 - 1, 0]))
add("int64_arange_30", torch.arange(30))
add("int64_arange_1001", torch.arange(1001))
add("int64_2d", torch.arange(-6, 6).reshape(3, 4))
add("int64_randint", torch.randint(-1000, 1000, (5, 7)))
add("int32_small", torch.tensor([1, 2, 3], dtype=torch.int32))
add("int32_extremes", torch.tensor([-(2 ** 31), 2 ** 31 - 1], dtype=torch.int32))
add("int32_2d", torch.arange(20, dtype=torch.int32).reshape(4, 5))
add("int32_1001", torch.arange(1001, dtype=torch.int32))
add("int32_long_row", torch.arange(40, dtype=torch.int32) * 100000)
add("bool_1d", torch.tensor([True, False, True]))
add("bool_2d", torch.tensor([[True, False], [False, False]]))
add("bool_1001", torch.arange(1001) % 3 == 0)
add("bool_40", torch.arange(40) % 2 == 0)

# 0-d tensors.
add("scalar_int_valued", torch.tensor(3.0))
add("scalar_frac", torch.tensor(3.5))
add("scalar_neg_zero", torch.tensor(-0.0))
add("scalar_zero", torch.tensor(0.0))
add("scalar_nan", torch.tensor(nan))
add("scalar_inf", torch.tensor(-inf))
add("scalar_small", torch.tensor(1e-5))
add("scalar_big", torch.tensor(1e9))
add("scalar_int64", torch.tensor(7))
add("scalar_int32", torch.tensor(-7, dtype=torch.int32))
add("scalar_bool", torch.tensor(False))
add("scalar_f64", torch.tensor(0.1, dtype=torch.float64))
add("scalar_f64_grad", torch.tensor(3.0, dtype=torch.float64, requires_grad=True))

# Empty tensors.
add("empty_1d", torch.zeros(0))
add("empty_0x3", torch.zeros(0, 3))
add("empty_2x0", torch.zeros(2, 0))
add("empty_2x0x3", torch.zeros(2, 0, 3))
add("empty_int32", torch.zeros(0, dtype=torch.int32))
add("empty_int64", torch.zeros(0, dtype=torch.int64))
add("empty_bool", torch.zeros(0, dtype=torch.bool))
add("empty_f64_0x2", torch.zeros(0, 2, dtype=torch.float64))
add("empty_grad", torch.zeros(0, requires_grad=True))
add("empty_1d_opts", torch.zeros(0), {"threshold": 0})

# requires_grad leaves and grad_fn outputs.
x = torch.randn(3, requires_grad=True)
add("leaf_grad_3", x)
add("leaf_grad_2x3", torch.randn(2, 3, requires_grad=True))
add("leaf_grad_10", torch.randn(10, requires_grad=True))
add("leaf_grad_f64_8", torch.randn(8, dtype=torch.float64, requires_grad=True))
add("leaf_grad_f64_6", torch.randn(6, dtype=torch.float64, requires_grad=True))
add("leaf_grad_1001", torch.randn(1001, requires_grad=True))
add("leaf_grad_scalar", torch.tensor(2.0, requires_grad=True))
add("mul_backward", x * 2)
add("add_backward", x + 1)
add("sum_backward", x.sum())
add("mean_backward", torch.randn(4, 4, requires_grad=True).mean())
add("relu_backward", torch.relu(torch.randn(9, requires_grad=True)))
lin = torch.nn.Linear(3, 2)
add("linear_addmm", lin(torch.randn(4, 3)))
add("linear_3d_view", lin(torch.randn(2, 4, 3)))
# Parameter.__repr__ wraps this in "Parameter containing:\n"; the tensor text
# itself is Tensor.__repr__, which is what formatTensor reproduces.
add("linear_weight_param", lin.weight, text_of=torch.Tensor.__repr__)
add("mul_f64", torch.randn(8, dtype=torch.float64, requires_grad=True) * 3)
add("to_copy_f64", torch.randn(5, requires_grad=True).double())
add("mul_long_row", torch.randn(13, requires_grad=True) * 1)
add("mul_long_row_f64", torch.randn(12, dtype=torch.float64, requires_grad=True) * 1)
add("mul_wrap_2d", torch.randn(3, 11, requires_grad=True) * 1)
add("mul_int_valued", torch.arange(5, dtype=torch.float32, requires_grad=True) * 2)
add("mul_1001", torch.randn(1001, requires_grad=True) * 2)
add("sum_f64", torch.randn(3, dtype=torch.float64, requires_grad=True).sum())

# Suffix wrapping on a single-line tensor near the line width.
for n in range(4, 10):
    add(f"f64_suffix_wrap_{n}", torch.randn(n, dtype=torch.float64) * 10)
for n in range(7, 11):
    add(f"int32_suffix_wrap_{n}", torch.arange(n, dtype=torch.int32) * 1000000)

# Non-default print options.
add("opt_precision_2", torch.randn(6), {"precision": 2})
add("opt_precision_0", torch.randn(6) * 10, {"precision": 0})
add("opt_precision_10", torch.randn(6), {"precision": 10})
add("opt_precision_10_f64", torch.randn(6, dtype=torch.float64), {"precision": 10})
add("opt_precision_1_sci", torch.randn(6) * 1e-6, {"precision": 1})
add("opt_threshold_5", torch.arange(10), {"threshold": 5})
add("opt_threshold_5_float", torch.randn(10), {"threshold": 5})
add("opt_threshold_5_2d", torch.randn(8, 8), {"threshold": 5})
add("opt_threshold_0", torch.randn(3), {"threshold": 0})
add("opt_threshold_0_scalar", torch.tensor(1.5), {"threshold": 0})
add("opt_edgeitems_1", torch.randn(1001), {"edgeitems": 1})
add("opt_edgeitems_1_3d", torch.randn(5, 5, 50), {"edgeitems": 1})
add("opt_edgeitems_2_threshold", torch.randn(6, 7), {"edgeitems": 2, "threshold": 10})
add("opt_edgeitems_0_1d", torch.randn(8), {"edgeitems": 0, "threshold": 4})
add("opt_edgeitems_5", torch.randn(30, 30), {"edgeitems": 5})
add("opt_linewidth_40", torch.randn(20), {"linewidth": 40})
add("opt_linewidth_40_2d", torch.randn(3, 10), {"linewidth": 40})
add("opt_linewidth_10", torch.randn(5), {"linewidth": 10})
add("opt_linewidth_1", torch.randn(2, 2), {"linewidth": 1})
add("opt_linewidth_200", torch.randn(40), {"linewidth": 200})
add("opt_linewidth_40_grad", torch.randn(4, dtype=torch.float64, requires_grad=True), {"linewidth": 40})
add("opt_sci_true", torch.randn(5), {"sci_mode": True})
add("opt_sci_true_int", f32([1.0, 2.0, 30.0]), {"sci_mode": True})
add("opt_sci_true_zeros", torch.zeros(3), {"sci_mode": True})
add("opt_sci_true_nan", f32([nan, 1.5]), {"sci_mode": True})
add("opt_sci_false_small", torch.randn(5) * 1e-6, {"sci_mode": False})
add("opt_sci_false_big", torch.randn(5) * 1e9, {"sci_mode": False})
add("opt_sci_false_huge", f32([1e30, 1.5]), {"sci_mode": False})
add("opt_sci_false_int_huge", f32([1e30, 1.0]), {"sci_mode": False})
add("opt_sci_false_f64_max", f64([1.7976931348623157e308, 0.5]), {"sci_mode": False})
add("opt_sci_true_prec2", torch.randn(2, 3), {"sci_mode": True, "precision": 2})
add("opt_profile_short", torch.randn(1001), {"profile": "short"})
add("opt_profile_short_small", torch.randn(3, 3), {"profile": "short"})
add("opt_profile_full", torch.randn(1001), {"profile": "full"})
add("opt_profile_full_int", torch.arange(1200).reshape(30, 40), {"profile": "full"})
add("opt_profile_full_prec", torch.randn(4), {"profile": "full", "precision": 2})
add("opt_int_threshold", torch.arange(2000, dtype=torch.int32).reshape(2, 1000), {"threshold": 100, "edgeitems": 4})
add("opt_bool_threshold", torch.arange(12) % 2 == 1, {"threshold": 6, "edgeitems": 2})

# Python's own float formatting, which _Formatter builds on: '{:.Nf}' and '{:.Ne}' of
# doubles across the whole range, exact binary ties, subnormals and signed zeros.
number_values = [0.0, -0.0, 0.5, 1.5, 2.5, -2.5, 0.03125, -0.03125, 1.03125, 12344.5, 12345.5,
                 9.99995, 9.5, 99999.5, 5e-324, 2.2250738585072014e-308, 1.7976931348623157e308,
                 1e21, 1e22, 2.0 ** 70, 123456789.0, 0.1, 1 / 3, -2 / 3, 1e-5, 9.99996e-5]
gen = torch.Generator().manual_seed(1)
mant = torch.rand(120, generator=gen, dtype=torch.float64)
expo = torch.randint(-320, 309, (120,), generator=gen)
number_values += [float(m) * 10.0 ** int(e) for m, e in zip(mant.tolist(), expo.tolist())]
number_values += torch.randn(40, generator=gen).tolist()  # float32 values widened
number_values += [(k + 0.5) / 2 ** 6 for k in range(-20, 20)]  # ties at 4 to 6 digits
numbers = []
for v in number_values:
    for prec in (0, 1, 4, 8):
        numbers.append(
            {
                "bits": "%016x" % int.from_bytes(struct.pack(">d", v), "big"),
                "precision": prec,
                "fixed": ("{:.%df}" % prec).format(v) if abs(v) < 1e30 else None,
                "exponent": ("{:.%de}" % prec).format(v),
            }
        )

assert len(set(c["name"] for c in cases)) == len(cases), "duplicate case names"

os.makedirs(os.path.dirname(OUT), exist_ok=True)
with open(OUT, "w") as f:
    json.dump(
        {
            "metadata": {"torch_version": torch.__version__, "script": "scripts/golden/print.py"},
            "cases": cases,
            "numbers": numbers,
        },
        f,
        allow_nan=False,
        separators=(",", ":"),
    )
    f.write("\n")
print(f"wrote {len(cases)} cases to {os.path.relpath(OUT, ROOT)} ({os.path.getsize(OUT)} bytes)")

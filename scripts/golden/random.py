#!/usr/bin/python3
"""Golden fixtures for torch-ts's random module (src/random), written by real PyTorch.

Run with Debian's interpreter, which has python3-torch (1.13) and python3-mpmath:

    /usr/bin/python3 scripts/golden/random.py

Writes test/golden/random/*.json. Every file starts with
{"torch_version": ..., "script": "scripts/golden/random.py", ...}.

Encoding of values (so that tests compare bit patterns, never decimal text):
  float32 -> 8 hex digits of the IEEE bit pattern ("3f25b20b")
  float64 -> 16 hex digits of the IEEE bit pattern
  integer dtypes and bool -> decimal strings ("-5", "1")

A case is a sequence of steps replayed by test/random/golden.ts against one or two
generators: "default" (torch.manual_seed) and "g" (a torch.Generator of its own).
Each step records the values it produced; the last step of every case is a short
rand() "probe", which checks that the step before it consumed the right number of draws.

Debian's 1.13 build uses log(1 - u2) in the scalar Box-Muller path (PyTorch 2.x uses
log1p(-u2)); the tests replay these files with torch-ts's "1.13" variant.
"""

import os
import sys

# This file is named random.py (the fixture family it writes), which would shadow the standard
# library's `random` (imported by torch through tempfile) while its own folder is on sys.path.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]

import json  # noqa: E402
import struct  # noqa: E402
import warnings  # noqa: E402

import torch  # noqa: E402

OUT_DIR = os.path.join(_HERE, "..", "..", "test", "golden", "random")
SEEDS = [0, 1, 42, 2**32 + 5, 123456789, -1]

warnings.simplefilter("ignore")  # random_'s precision warnings for float destinations
torch.set_num_threads(1)

DTYPES = {
    "float32": torch.float32,
    "float64": torch.float64,
    "int64": torch.int64,
    "int32": torch.int32,
    "int16": torch.int16,
    "int8": torch.int8,
    "uint8": torch.uint8,
    "bool": torch.bool,
}


def encode(t):
    """Values of a tensor in its logical (row-major) order, bit-exact."""
    t = t.detach().contiguous().flatten()
    if t.dtype == torch.float32:
        return [struct.pack(">f", v).hex() for v in t.tolist()]
    if t.dtype == torch.float64:
        return [struct.pack(">d", v).hex() for v in t.tolist()]
    if t.dtype == torch.bool:
        return ["1" if v else "0" for v in t.tolist()]
    return [str(int(v)) for v in t.tolist()]


def metadata(**extra):
    meta = {"torch_version": torch.__version__, "script": "scripts/golden/random.py"}
    meta.update(extra)
    return meta


class Case:
    """Runs steps against PyTorch and records them for replay."""

    def __init__(self, name, seed, g_seed=None):
        self.name = name
        self.seed = seed
        torch.manual_seed(seed)
        self.gens = {"default": None}
        self.g_seed = g_seed
        if g_seed is not None:
            self.gens["g"] = torch.Generator().manual_seed(g_seed)
        self.steps = []

    def _record(self, step, tensor):
        step["values"] = encode(tensor)
        self.steps.append(step)

    def rand(self, size, dtype="float32", gen="default"):
        t = torch.rand(*size, dtype=DTYPES[dtype], generator=self.gens[gen])
        self._record({"op": "rand", "size": list(size), "dtype": dtype, "gen": gen}, t)

    def randn(self, size, dtype="float32", gen="default"):
        t = torch.randn(*size, dtype=DTYPES[dtype], generator=self.gens[gen])
        self._record({"op": "randn", "size": list(size), "dtype": dtype, "gen": gen}, t)

    def uniform_(self, size, lo, hi, dtype="float32", gen="default"):
        t = torch.empty(*size, dtype=DTYPES[dtype]).uniform_(lo, hi, generator=self.gens[gen])
        self._record({"op": "uniform_", "size": list(size), "dtype": dtype, "from": lo, "to": hi, "gen": gen}, t)

    def normal_(self, size, mean, std, dtype="float32", gen="default"):
        t = torch.empty(*size, dtype=DTYPES[dtype]).normal_(mean, std, generator=self.gens[gen])
        self._record({"op": "normal_", "size": list(size), "dtype": dtype, "mean": mean, "std": std, "gen": gen}, t)

    def randint(self, low, high, size, dtype="int64", gen="default"):
        t = torch.randint(low, high, tuple(size), dtype=DTYPES[dtype], generator=self.gens[gen])
        self._record({"op": "randint", "low": str(low), "high": str(high), "size": list(size),
                      "dtype": dtype, "gen": gen}, t)

    def randperm(self, n, gen="default"):
        t = torch.randperm(n, generator=self.gens[gen])
        self._record({"op": "randperm", "n": n, "dtype": "int64", "gen": gen}, t)

    def random_(self, size, dtype, args, gen="default"):
        """args: [] -> random_(); [to] -> random_(to); [from, to_or_None] -> random_(from, to)."""
        t = torch.empty(*size, dtype=DTYPES[dtype])
        if len(args) == 0:
            t.random_(generator=self.gens[gen])
        elif len(args) == 1:
            t.random_(args[0], generator=self.gens[gen])
        else:
            t.random_(args[0], args[1], generator=self.gens[gen])
        enc = [None if a is None else str(a) for a in args]
        self._record({"op": "random_", "size": list(size), "dtype": dtype, "args": enc, "gen": gen}, t)

    def transposed(self, kind, n, dtype="float32", gen="default", **kw):
        """empty(n, n).t().<kind>_(): a non-contiguous view. Records the base storage in memory order."""
        base = torch.empty(n, n, dtype=DTYPES[dtype])
        view = base.t()
        assert not view.is_contiguous()
        if kind == "normal":
            view.normal_(kw.get("mean", 0.0), kw.get("std", 1.0), generator=self.gens[gen])
        else:
            view.uniform_(kw.get("from", 0.0), kw.get("to", 1.0), generator=self.gens[gen])
        step = {"op": "transposed", "kind": kind, "n": n, "dtype": dtype, "gen": gen}
        step.update({k: v for k, v in kw.items()})
        self._record(step, base)

    def sliced_normal(self, rows, cols, keep, dtype="float32", gen="default"):
        """empty(rows, cols)[:, :keep].normal_(): non-contiguous, memory order = logical order."""
        base = torch.empty(rows, cols, dtype=DTYPES[dtype])
        view = base[:, :keep]
        assert not view.is_contiguous()
        view.normal_(generator=self.gens[gen])
        self._record({"op": "sliced_normal", "rows": rows, "cols": cols, "keep": keep,
                      "dtype": dtype, "gen": gen}, view)

    def initial_seed(self, gen="default"):
        g = self.gens[gen]
        v = torch.initial_seed() if g is None else g.initial_seed()
        self.steps.append({"op": "initial_seed", "gen": gen, "values": [str(v)]})

    def get_state(self, gen="default"):
        g = self.gens[gen]
        s = torch.get_rng_state() if g is None else g.get_state()
        self.steps.append({"op": "get_state", "gen": gen, "values": [bytes(s.tolist()).hex()]})

    def finish(self):
        self.rand([2])  # probe: checks the draw count of the previous step
        for gen in self.gens:
            if gen != "default":
                self.rand([2], gen=gen)
        return {"name": self.name, "seed": str(self.seed), "g_seed": None if self.g_seed is None else str(self.g_seed),
                "steps": self.steps}


SIZES = [[1], [15], [16], [17], [100], [1000], [4, 2]]


def float32_cases(seed):
    cases = []
    c = Case(f"seed{seed}/rand_sequence", seed)
    for s in SIZES:
        c.rand(s)
    cases.append(c.finish())

    for s in SIZES:
        c = Case(f"seed{seed}/randn_{'x'.join(map(str, s))}", seed)
        c.randn(s)
        cases.append(c.finish())

    c = Case(f"seed{seed}/randn_sequence", seed)  # the normal cache across path S, V32, path S
    for s in SIZES:
        c.randn(s)
    cases.append(c.finish())

    c = Case(f"seed{seed}/randn_cache_3_17_3", seed)
    c.randn([3]); c.randn([17]); c.randn([3])
    cases.append(c.finish())

    c = Case(f"seed{seed}/uniform_and_normal_f32", seed)
    c.uniform_([17], -2.5, 7.25)
    c.uniform_([100], -2.5, 7.25)
    c.normal_([7], 0.5, 2.5)
    c.normal_([100], 0.5, 2.5)
    c.normal_([33], -3.0, 0.1)
    cases.append(c.finish())

    c = Case(f"seed{seed}/noncontiguous", seed)
    c.transposed("normal", 4)
    c.transposed("normal", 5, mean=0.5, std=2.5)
    c.transposed("uniform", 4, **{"from": -2.5, "to": 7.25})
    c.sliced_normal(6, 6, 4)
    cases.append(c.finish())
    return cases


def float64_cases(seed):
    cases = []
    c = Case(f"seed{seed}/f64_uniform", seed)
    c.rand([5], "float64"); c.rand([100], "float64")
    c.uniform_([17], -2.5, 7.25, "float64"); c.uniform_([100], -2.5, 7.25, "float64")
    cases.append(c.finish())

    c = Case(f"seed{seed}/f64_normal", seed)
    c.randn([5], "float64"); c.randn([16], "float64"); c.randn([100], "float64"); c.randn([3], "float64")
    c.normal_([7], 0.5, 2.5, "float64"); c.normal_([40], 0.5, 2.5, "float64")
    c.randn([3])  # float32 after float64: the cache is shared
    cases.append(c.finish())
    return cases


def integer_cases(seed):
    cases = []
    c = Case(f"seed{seed}/randint", seed)
    c.randint(0, 10, [50])
    c.randint(-5, 5, [20])
    c.randint(0, 3, [7])
    c.randint(0, 2**40, [20])
    c.randint(-2**40, 2**40, [10])
    c.randint(-2**63, 2**63 - 1, [6])
    c.randint(0, 2**32, [6])
    c.randint(0, 2**32 - 1, [6])
    c.randint(0, 10, [20], "int32")
    c.randint(-100, 2**31 - 1, [10], "int32")
    c.randint(0, 10, [20], "float32")
    c.randint(0, 2**40, [10], "float32")
    c.randint(-2**40, 2**40, [10], "float64")
    c.randint(0, 100, [10], "int16")
    c.randint(0, 2, [10], "bool")
    c.randint(0, 10, [4, 3])
    cases.append(c.finish())

    c = Case(f"seed{seed}/randperm", seed)
    c.randperm(1); c.randperm(2); c.randperm(10); c.randperm(1000)
    cases.append(c.finish())

    c = Case(f"seed{seed}/random_", seed)
    for dt in ["float32", "float64", "int64", "int32", "int16", "int8", "uint8", "bool"]:
        c.random_([12], dt, [])
    c.random_([10], "float32", [100])
    c.random_([10], "int64", [-3, 30])
    c.random_([10], "int32", [5, None])
    c.random_([10], "int64", [5, None])
    c.random_([10], "float32", [5, None])
    c.random_([10], "float64", [-7, None])
    c.random_([10], "uint8", [200, None])
    c.random_([6], "int64", [-2**63, None])
    c.random_([6], "float32", [-2**63, None])
    c.random_([6], "float64", [-2**63, None])
    c.random_([6], "float32", [0, 2**33])
    c.random_([6], "float32", [2**30 + 1, 2**31 + 7])
    c.random_([6], "float64", [2**60, 2**61])
    cases.append(c.finish())
    return cases


def generator_cases(seed):
    cases = []
    c = Case(f"seed{seed}/generator_object", seed, g_seed=7)
    c.randn([5], gen="g")
    c.rand([3])
    c.rand([3], gen="g")
    c.randn([20], gen="g")
    c.randn([1])
    c.randint(0, 10, [5], gen="g")
    c.initial_seed()
    c.initial_seed(gen="g")
    cases.append(c.finish())
    return cases


def state_cases(seed):
    c = Case(f"seed{seed}/state", seed)
    c.initial_seed()
    c.get_state()
    c.rand([3])
    c.randn([1])  # leaves the binary64 normal cache set
    c.get_state()
    c.randn([1])
    c.get_state()
    return [c.finish()]


def default_generator_case():
    """torch.Generator() without manual_seed: PyTorch's default_rng_seed_val."""
    torch.manual_seed(0)
    g = torch.Generator()
    return {"initial_seed": str(g.initial_seed()),
            "randn_5": encode(torch.randn(5, generator=g)),
            "rand_5": encode(torch.rand(5, generator=g))}


def glibc_version():
    import platform
    return "glibc " + "-".join(platform.libc_ver()) + ", " + platform.machine()


def write(name, payload):
    path = os.path.join(OUT_DIR, name)
    with open(path, "w") as f:
        json.dump(payload, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {os.path.relpath(path)} ({os.path.getsize(path)} bytes)")


def libm_reference():
    """Correctly rounded binary64 log, log1p, sin, cos from mpmath (not glibc), plus glibc's
    own results through Python's math module, for the inputs that the samplers produce."""
    import math
    import random
    import mpmath

    mpmath.mp.prec = 300

    def cr(f, x):
        # Evaluate at 300 bits, then round once to nearest-even binary64 (float() on an mpf
        # would round toward zero).
        return mpmath.libmp.to_float(f(mpmath.mpf(x))._mpf_, rnd="n")

    rng = random.Random(12345)
    inputs = {"log": [], "log1p": [], "sin": [], "cos": []}
    for _ in range(600):
        u = rng.getrandbits(53) * 2.0**-53
        inputs["log"].append(1.0 - u if u < 1.0 else 0.5)
        inputs["log1p"].append(-u)
        inputs["sin"].append(2.0 * math.pi * u)
        inputs["cos"].append(2.0 * math.pi * u)
    for _ in range(200):  # wide range of magnitudes
        e = rng.randint(-1070, 1020)
        m = 1.0 + rng.getrandbits(52) * 2.0**-52
        x = math.ldexp(m, e)
        inputs["log"].append(x)
        inputs["log1p"].append(x if rng.random() < 0.5 else -min(x, 1.0 - 2**-53))
        if abs(x) < 1e22:
            inputs["sin"].append(x if rng.random() < 0.5 else -x)
            inputs["cos"].append(x if rng.random() < 0.5 else -x)
    # Hand-picked edges: powers of two, near 1, near multiples of pi/2.
    edge = [2.0**-1074, 2.0**-1022, 1.0 - 2**-53, 1.0 + 2**-52, 2.0, 0.5, 10.0, 1e300,
            math.pi / 2, math.pi, 3 * math.pi / 2, 2 * math.pi, 1e-8, 2.0**-27, 1e10, 6381956970095103 * 2.0**797]
    for x in edge:
        inputs["log"].append(x)
        if x >= 2.0**-1022:  # keep subnormal results (double rounding in to_float) out
            inputs["sin"].append(x)
            inputs["cos"].append(x)
    for x in [2.0**-54, 2.0**-53, -2.0**-53, 1e-10, -0.5, -1 + 2**-53, 1e300]:
        inputs["log1p"].append(x)

    fns = {"log": (mpmath.log, math.log), "log1p": (mpmath.log1p, math.log1p),
           "sin": (mpmath.sin, math.sin), "cos": (mpmath.cos, math.cos)}
    out = {}
    for name, xs in inputs.items():
        mp_f, glibc_f = fns[name]
        rows = []
        for x in xs:
            rows.append([struct.pack(">d", x).hex(), struct.pack(">d", cr(mp_f, x)).hex(),
                         struct.pack(">d", glibc_f(x)).hex()])
        out[name] = rows
    return out


def log1p_glibc_reference():
    """glibc's own log1p (Python's math.log1p calls it) on the inputs PyTorch 2.x's scalar normal
    path gives it, -u2 for 53-bit uniforms u2, plus a wide range. The uniforms come from
    torch.rand(8000, dtype=float64, generator=Generator().manual_seed(123)), which the test
    regenerates with torch-ts's own sampler; only the results are stored for them."""
    import math

    g = torch.Generator().manual_seed(123)
    u = torch.rand(8000, dtype=torch.float64, generator=g).tolist()
    g2 = torch.Generator().manual_seed(321)
    w = torch.rand(2500, dtype=torch.float64, generator=g2).tolist()
    e = torch.randint(-60, 60, (2500,), generator=g2).tolist()
    wide = [x for x in ((v - 0.5) * 2.0**k for v, k in zip(w, e)) if x > -1][:2000]
    return {
        "uniform_seed": 123,
        "uniform_count": len(u),
        "log1p_of_minus_u": [struct.pack(">d", math.log1p(-v)).hex() for v in u],
        "wide": [[struct.pack(">d", x).hex(), struct.pack(">d", math.log1p(x)).hex()] for x in wide],
    }


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    common = dict(path_s_variant="1.13",
                  platform="x86-64 AVX2, GCC-built Debian python3-torch; float64 normals depend on glibc's libm")

    f32, f64, ints, gens, states = [], [], [], [], []
    for seed in SEEDS:
        f32 += float32_cases(seed)
        f64 += float64_cases(seed)
        ints += integer_cases(seed)
        gens += generator_cases(seed)
    for seed in [0, 2**32 + 5, -1]:
        states += state_cases(seed)

    write("float32.json", {**metadata(**common), "cases": f32})
    write("float64.json", {**metadata(**common), "cases": f64})
    write("integer.json", {**metadata(**common), "cases": ints})
    write("generator.json", {**metadata(**common), "cases": gens + states,
                             "default_generator": default_generator_case()})
    write("libm.json", {**metadata(note="inputs, correctly rounded result (mpmath, 300 bits), glibc result; "
                                        "hex bit patterns of binary64"),
                        "mpmath_version": __import__("mpmath").__version__,
                        "functions": libm_reference()})
    write("log1p_glibc.json", {**metadata(note="glibc's log1p (math.log1p) on this machine: " + glibc_version()),
                               **log1p_glibc_reference()})


if __name__ == "__main__":
    sys.exit(main())

"""PyTorch (Debian's python3-torch) or numpy (python3-numpy, a BLAS yardstick) as a benchmark peer.

    /usr/bin/python3 bench/runners/python_runner.py torch|numpy SPEC.json

The same rules and the same conversation with bench/run.mjs as bench/lib/harness.mjs: one JSON
command a line on stdin ({"run": ID}, {"drop": ID}, {"end": true}), one JSON answer a line on
fd 3. A cell's first run checks the result against the float64 reference, then warms up and
takes the median of batched samples for about the spec's budget; a later run of the same cell
warms up and times again; a row whose one run is estimated above skip_over_s is skipped. The
parent sets OMP_NUM_THREADS, OPENBLAS_NUM_THREADS (and OMP_WAIT_POLICY) before this process
starts, since OpenBLAS and OpenMP read them at load.
"""

import json
import math
import os
import sys
import time

mode, spec_file = sys.argv[1:3]
spec = json.load(open(spec_file))
threads = spec["threads"]

import numpy as np

if mode == "torch":
    import torch
    import torch.nn.functional as F

    torch.set_num_threads(threads)
    torch.set_grad_enabled(True)


def load(entry):
    return np.fromfile(entry["file"], dtype=np.float32).reshape(entry["shape"])


def verify(checks, outputs):
    worst = 0.0
    for name, c in checks.items():
        got = outputs.get(name)
        if got is None:
            return False, math.inf, f'no output "{name}"'
        got = np.asarray(got, dtype=np.float64).reshape(-1)
        for i, want, tol in zip(c["idx"], c["want"], c["tol"]):
            r = abs(float(got[i]) - want) / tol
            if not r <= 1:
                return False, r, f"{name}[{i}] = {float(got[i])}, expected {want} ± {tol:.2e}"
            worst = max(worst, r)
    return True, worst, None


def summary(samples, batch, note=None):
    s = sorted(samples)
    q = lambda f: s[min(len(s) - 1, int(f * len(s)))]
    out = {"status": "ok", "median_s": q(0.5), "min_s": s[0], "p25_s": q(0.25), "p75_s": q(0.75), "runs": len(s), "batch": batch}
    if note:
        out["note"] = note
    return out


class Cell:
    """A checked step: its seconds for the checked run, and how far its worst element came to the tolerance."""

    def __init__(self, step, check_seconds, worst):
        self.step, self.check_seconds, self.worst = step, check_seconds, worst


def first_cell(w, step, outputs):
    t0 = time.perf_counter()
    step()
    check_seconds = time.perf_counter() - t0
    ok, worst, error = verify(w["checks"], outputs())
    if not ok:
        return None, {"status": "failed", "reason": f"wrong result: {error}"}
    cell = Cell(step, check_seconds, worst)
    return cell, time_runs(cell, again=False)


def time_runs(cell, again):
    budget = spec["budget_s"]
    step, check_seconds = cell.step, cell.check_seconds

    def run_batch(k):
        s = time.perf_counter()
        for _ in range(k):
            step()
        return (time.perf_counter() - s) / k

    if check_seconds > 3:
        if again:
            return {**summary([run_batch(1)], 1, "one run"), "check_worst": cell.worst}
        return {**summary([check_seconds], 1, "one run: the checked one"), "check_worst": cell.worst}
    # The same warm-up rule as bench/lib/harness.mjs: a short cell (checked run under 10 ms)
    # warms up for 0.5 s the first time, the others (and later rounds) for a tenth of the budget;
    # at least 2 runs.
    warmup = 0.5 if check_seconds < 0.01 and not again else budget / 10
    t0 = time.perf_counter()
    i = 0
    while check_seconds < 1 and (i < 2 or time.perf_counter() - t0 < warmup):
        run_batch(1)
        i += 1
    first = run_batch(1)
    batch = max(1, math.ceil(2e-4 / first))
    min_runs = 5 if first < 0.2 else 3 if first < 0.5 else 2
    samples = [first] if batch == 1 else []
    t0 = time.perf_counter()
    while len(samples) < min_runs or (time.perf_counter() - t0 < budget and len(samples) < 1000):
        samples.append(run_batch(batch))
    return {**summary(samples, batch), "check_worst": cell.worst}


def make_torch(w, inp):
    t = lambda name: torch.from_numpy(inp[name].copy())
    kind = w["kind"]
    box = {}
    if kind in ("linear", "mm"):
        if kind == "mm":
            a, b = t("a"), t("b")

            def step():
                box["y"] = torch.mm(a, b)
        else:
            x, wt = t("x"), t("w")
            bias = t("b") if "b" in inp else None

            def step():
                box["y"] = F.linear(x, wt, bias)
        return step, lambda: {"y": box["y"].numpy()}
    if kind == "linear_bwd":
        x, wt, g = t("x").requires_grad_(), t("w").requires_grad_(), t("g")
        bias = t("b").requires_grad_() if "b" in inp else None

        def step():
            x.grad = wt.grad = None
            if bias is not None:
                bias.grad = None
            y = F.linear(x, wt, bias)
            y.backward(g)
            box["y"] = y

        def outputs():
            out = {"y": box["y"].detach().numpy(), "dx": x.grad.numpy(), "dw": wt.grad.numpy()}
            if bias is not None:
                out["db"] = bias.grad.numpy()
            return out

        return step, outputs
    nn = torch.nn
    fc1, fc2 = nn.Linear(w["K"], w["H"]), nn.Linear(w["H"], w["C"])
    model = nn.Sequential(fc1, nn.ReLU(), fc2)
    with torch.no_grad():
        fc1.weight.copy_(t("w1"))
        fc1.bias.copy_(t("b1"))
        fc2.weight.copy_(t("w2"))
        fc2.bias.copy_(t("b2"))
    x = t("x")
    target = torch.from_numpy(np.rint(inp["target"]).astype(np.int64))
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=w["lr"])

    def step():
        optimizer.zero_grad()
        loss = criterion(model(x), target)
        loss.backward()
        optimizer.step()
        box["loss"] = loss

    def outputs():
        d = lambda p: p.detach().numpy()
        return {"loss": [box["loss"].item()], "w1": d(fc1.weight), "b1": d(fc1.bias), "w2": d(fc2.weight), "b2": d(fc2.bias)}

    return step, outputs


def make_numpy(w, inp):
    """numpy runs the forward products only: it has no autograd or optimizer."""
    kind = w["kind"]
    box = {}
    if kind == "mm":
        a, b = inp["a"], inp["b"]

        def step():
            box["y"] = a @ b
    elif kind == "linear":
        x, wt = inp["x"], inp["w"]
        bias = inp.get("b")
        # x @ w.T hands OpenBLAS the transposed operand as a flag, no copy: sgemm NT.
        if bias is None:
            def step():
                box["y"] = x @ wt.T
        else:
            def step():
                y = x @ wt.T
                y += bias
                box["y"] = y
    else:
        return "no autograd in numpy"
    return step, lambda: {"y": box["y"]}


def blas_libraries():
    """The BLAS/LAPACK/OpenMP libraries this process has loaded, read from /proc/self/maps."""
    libs = set()
    try:
        for line in open("/proc/self/maps"):
            path = line.split()[-1] if "/" in line else ""
            base = os.path.basename(path)
            if any(k in base for k in ("blas", "lapack", "gomp", "mkl", "blis")):
                libs.add(os.path.realpath(path))
    except OSError:
        pass
    return sorted(libs)


def openblas_details(libs):
    """OpenBLAS's own account of itself (version, kernel chosen for this CPU, thread count)."""
    import ctypes

    for path in libs:
        if "openblas" not in path:
            continue
        try:
            lib = ctypes.CDLL(path)
            lib.openblas_get_config.restype = ctypes.c_char_p
            lib.openblas_get_corename.restype = ctypes.c_char_p
            return {
                "config": lib.openblas_get_config().decode().strip(),
                "core": lib.openblas_get_corename().decode(),
                "threads": lib.openblas_get_num_threads(),
            }
        except (OSError, AttributeError):
            continue
    return None


def estimate(w, done):
    pool = [d for d in done if d["flops"] >= 1e7 and d["result"]["status"] == "ok"]
    same = [d for d in pool if d["kind"] == w["kind"]]
    pool = same or pool
    if not pool:
        return None
    largest = max(pool, key=lambda d: d["flops"])
    return largest["result"]["median_s"] / largest["flops"] * w["flops"]


def runner_info():
    libs = blas_libraries()
    info = {"numpy": np.__version__, "blas_loaded": libs, "openblas": openblas_details(libs)}
    env = {k: os.environ.get(k) for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "OMP_WAIT_POLICY")}
    if mode == "torch":
        info.update({"torch": torch.__version__, "num_threads": torch.get_num_threads(), "env": env})
        import re

        found = re.search(r"\bBLAS_INFO=(\w+)", torch.__config__.show())
        info["blas_info"] = f"BLAS_INFO={found.group(1)}" if found else None
        runner = "PyTorch"
    else:
        info["env"] = env
        runner = "numpy"
    return {"runner": runner, "threads": threads, "info": info}


def first_run(w, done, cells):
    est = estimate(w, done)
    if est is not None and est > spec["skip_over_s"]:
        return {"status": "skipped", "reason": f"> budget (one run ≈ {est:.0f} s)"}
    try:
        inp = {k: load(v) for k, v in w["inputs"].items()}
        made = make(w, inp)
        if isinstance(made, str):
            row = {"status": "unsupported", "reason": made}
        else:
            cell, row = first_cell(w, *made)
            if cell is not None:
                cells[w["id"]] = cell
    except Exception as e:  # a peer's failure is a row of the table, not the end of the run
        row = {"status": "failed", "reason": f"{type(e).__name__}: {e}".split("\n")[0]}
    done.append({"kind": w["kind"], "flops": w["flops"], "result": row})
    return row


answers = os.fdopen(3, "w")


def answer(msg):
    answers.write(json.dumps(msg) + "\n")
    answers.flush()


make = make_torch if mode == "torch" else make_numpy
cells = {}
done = []
workloads = {w["id"]: w for w in spec["workloads"]}
answer({"ready": True})
for line in sys.stdin:
    msg = json.loads(line)
    if msg.get("end"):
        answer({"end": True, **runner_info()})
        sys.stderr.flush()
        os._exit(0)  # no interpreter teardown: a BLAS or OpenMP pool must not hold the exit up
    if "drop" in msg:
        cells.pop(msg["drop"], None)
        continue
    w = workloads[msg["run"]]
    if w["id"] in cells:
        try:
            row = time_runs(cells[w["id"]], again=True)
        except Exception as e:
            row = {"status": "failed", "reason": f"{type(e).__name__}: {e}".split("\n")[0]}
            del cells[w["id"]]
    else:
        row = first_run(w, done, cells)
    shown = f'{row["median_s"] * 1e3:.4g} ms' if row["status"] == "ok" else f'{row["status"]}: {row["reason"]}'
    print(f'  {w["id"]}: {shown}', file=sys.stderr)
    answer({"id": w["id"], "row": row})

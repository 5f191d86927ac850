#!/usr/bin/env bash
# Installs the benchmark's peers: the npm ones into bench/'s own package (without install scripts:
# onnxruntime-node's fetches CUDA files, js-pytorch's dependency headless-gl fails to build; the
# CPU paths need neither), PyTorch and numpy from Debian (run with /usr/bin/python3).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d bench/node_modules ]; then
  npm ci --prefix bench --ignore-scripts --no-audit --no-fund
fi
# OpenBLAS is checked on its own: python3-torch alone (as .ci/run installs it for the interop
# tests) brings the reference BLAS, on which PyTorch's products run 30x slower (a peer measured
# that way is no yardstick; the bench's header names the BLAS that PyTorch loaded).
if ! /usr/bin/python3 -c "import torch, numpy" 2>/dev/null || ! dpkg -s libopenblas0-pthread >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch python3-numpy libopenblas0-pthread
  else
    echo "bench/setup.sh: PyTorch and numpy peers need: apt-get install python3-torch python3-numpy libopenblas0-pthread" >&2
  fi
fi

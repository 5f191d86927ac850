#!/usr/bin/env bash
# Installs the benchmark's peers: the npm ones into bench/'s own package (without install scripts:
# onnxruntime-node's fetches CUDA files, js-pytorch's dependency headless-gl fails to build; the
# CPU paths need neither), PyTorch and numpy from Debian (run with /usr/bin/python3).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d bench/node_modules ]; then
  npm ci --prefix bench --ignore-scripts --no-audit --no-fund
fi
if ! /usr/bin/python3 -c "import torch, numpy" 2>/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch python3-numpy libopenblas0-pthread
  else
    echo "bench/setup.sh: PyTorch and numpy peers need: apt-get install python3-torch python3-numpy libopenblas0-pthread" >&2
  fi
fi

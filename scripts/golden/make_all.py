"""Regenerates every golden fixture with the real PyTorch this interpreter imports.

Run from the repository root with Debian's PyTorch: `npm run golden` (that is
`/usr/bin/python3 scripts/golden/make_all.py`). Each script writes test/golden/<area>/ and records
torch.__version__ in the fixture's metadata.
"""
import pathlib
import subprocess
import sys

here = pathlib.Path(__file__).resolve().parent
scripts = sorted(p for p in here.glob("*.py") if p.name != "make_all.py")
for script in scripts:
    print(f"== {script.name}", flush=True)
    # -P: the script's folder must not shadow standard modules (a script named like one would).
    subprocess.run([sys.executable, "-P", str(script)], check=True, cwd=here.parents[1])

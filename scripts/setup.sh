#!/usr/bin/env bash
# Create .venv and install carescale (with test tools) into it; install the web app's front-end
# packages from npm (package-lock.json) and build its stylesheet. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -c constraints.txt -e ".[all,test]"
bash scripts/web-assets.sh
# Bytecode for carescale's own modules (issue 25): the install is editable, so nothing compiles
# them, and where PYTHONDONTWRITEBYTECODE is set every start compiled them all from source again
# (about a tenth of 'carescale --help'). Python reads these even when it may not write any; a
# module edited since is compiled afresh in memory, so they are never stale.
.venv/bin/python -m compileall -q src/carescale
# The NPV route's compiled kernel (appraisal/npv_jit.py, numba): compiled here once (about 5 s of
# CPU) into numba's cache, so no Monte Carlo run or test pays it later.
.venv/bin/python -c "from carescale.appraisal import npv_kernel; npv_kernel.load()"

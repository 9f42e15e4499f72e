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

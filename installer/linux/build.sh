#!/usr/bin/env bash
# Build the Linux tarball: dist/dsl-desk-<version>-linux-<arch>.tar.gz (see installer/build.py).
# Run from anywhere; uses the project's .venv when there is one.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PYTHON:-.venv/bin/python}
[ -x "$PY" ] || PY=python3
"$PY" -m pip show pyinstaller >/dev/null 2>&1 || "$PY" -m pip install -c constraints.txt -e '.[build]'
exec "$PY" installer/build.py linux "$@"

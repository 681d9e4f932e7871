#!/usr/bin/env bash
# Build dist/DSL Desk.app and dist/dsl-desk-<version>-macos-<arch>.zip (+ .dmg) on a Mac.
# See installer/macos/README.md for signing and notarisation.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PYTHON:-.venv/bin/python}
[ -x "$PY" ] || PY=python3
"$PY" -m pip show pyinstaller >/dev/null 2>&1 || "$PY" -m pip install -c constraints.txt -e '.[build]'
"$PY" installer/build.py macos "$@"
if [ -n "${MACOS_SIGN_IDENTITY:-}" ]; then
  codesign --force --deep --options runtime --timestamp --sign "$MACOS_SIGN_IDENTITY" "dist/DSL Desk.app"
  echo "Signed. Notarise with: xcrun notarytool submit dist/*.zip --keychain-profile <profile> --wait"
fi

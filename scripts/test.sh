#!/usr/bin/env bash
# Set up and run every check: lint, types, the test suite, and a smoke test of the built wheel.
# Usage: bash scripts/test.sh   (from a fresh clone; Python 3.11, Debian)
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
VENV=${VENV:-.venv}

echo "== setting up $VENV"
"$PYTHON" -m venv "$VENV"
"$VENV/bin/pip" install --quiet --upgrade pip
# Strict editable mode: mypy and importlib.resources see the package as it will be installed.
"$VENV/bin/pip" install --quiet -e '.[test]' --config-settings editable_mode=strict

# Browser tests drive Debian's Chromium; install it when we may (root, apt available).
if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "== installing chromium and chromium-driver (browser tests)"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null) \
      || echo "chromium could not be installed: browser tests will be skipped"
  else
    echo "chromium/chromedriver missing and not root: browser tests will be skipped"
  fi
fi

echo "== ruff"
"$VENV/bin/ruff" check .
"$VENV/bin/ruff" format --check .

echo "== mypy"
"$VENV/bin/mypy"

echo "== pytest"
"$VENV/bin/python" -m pytest

echo "== wheel smoke test"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$VENV/bin/python" -m build --wheel --outdir "$work/dist" . >/dev/null
"$PYTHON" -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet "$work"/dist/*.whl
(
  cd "$work"   # away from the source tree: only the installed wheel is importable
  "$work/venv/bin/cakg" --version
  "$work/venv/bin/python" - <<'PY'
from importlib.resources import files
for package, name in [("cakg.ontology", "cakg.ttl"), ("cakg.ontology", "shapes.ttl"),
                      ("cakg.loaders", "gazetteer.toml"), ("cakg.queries", "timeline.rq")]:
    assert files(package).joinpath(name).is_file(), f"{name} missing from the wheel"
templates = files("cakg.web").joinpath("templates")
assert any(p.name.endswith(".html") for p in templates.iterdir()), "templates missing from the wheel"
print("package data present")
PY
  "$work/venv/bin/cakg" --instance "$work/instance" build --sources "$OLDPWD/sources" -q
  "$work/venv/bin/cakg" --instance "$work/instance" query coverage_areas | tail -n 3
  "$work/venv/bin/cakg" --instance "$work/instance" validate >/dev/null
  echo "wheel: build, query and validate work"
)
echo "== all checks passed"

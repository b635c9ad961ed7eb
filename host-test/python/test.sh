#!/usr/bin/env bash
# Builds the okta_nodes wheel with maturin (in a venv this script makes), installs it into
# a fresh venv, and runs the pytest suite against the installed package, and the sidecar's
# (`okta-nodes serve`) from the outside. PROFILE=release
# builds the wheel that ships; the default, dev, shares the workspace's debug build.
# Python's venv module comes from Debian (python3-venv) when it is missing.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
scripts/python-venv
build=target/python/build
if [[ ! -x $build/bin/maturin ]]; then
  python3 -m venv "$build"
  "$build/bin/pip" install -q maturin==1.16.0
fi
rm -rf target/wheels
"$build/bin/maturin" build --quiet --profile "${PROFILE:-dev}" \
  --manifest-path host-test/python/Cargo.toml --out target/wheels
tested=target/python/test
rm -rf "$tested"
python3 -m venv "$tested"
"$tested/bin/pip" install -q pytest==9.2.0 openapi-spec-validator==0.9.0 mypy==1.19.1 \
  target/wheels/okta_nodes-*.whl
# The sidecar's tests run the CLI: the workspace's debug build.
cargo build -q -p okta-nodes
export OKTA_NODES_BIN="$root/target/debug/okta-nodes"
cd host-test/python/tests
"$root/$tested/bin/python" -m pytest -q -p no:cacheprovider "$@"

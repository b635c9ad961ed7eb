#!/usr/bin/env bash
# The Python package and the sidecar against call_json, one mock, one run (BENCHMARKS.md):
# builds the release wheel and the release okta-nodes, then runs bench.py.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
source .ci/env
cargo build --release -q -p okta-nodes
PROFILE=release host-test/python/test.sh -q -k the_catalog
cd /tmp
OKTA_NODES_BIN="$root/target/release/okta-nodes" "$root/target/python/test/bin/python" -P \
  "$root/host-test/python/bench.py"

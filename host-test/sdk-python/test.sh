#!/usr/bin/env bash
# Okta's official Python SDK (pinned in requirements.txt, installed in a venv this script
# makes) runs an admin script against the served mock, unpatched: its `SSWS<token>`
# header and its models validating every answer. Uses the workspace's debug `okta-nodes`.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
scripts/python-venv
venv=target/sdk-python
requirements=host-test/sdk-python/requirements.txt
if ! cmp -s "$requirements" "$venv/requirements.txt" 2>/dev/null; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --no-deps -r "$requirements"
  cp "$requirements" "$venv/requirements.txt"
fi
cargo build -q -p okta-nodes
export OKTA_NODES="$root/target/debug/okta-nodes"
"$venv/bin/python" -m pytest -q -p no:cacheprovider host-test/sdk-python "$@"

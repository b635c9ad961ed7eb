#!/usr/bin/env bash
# Installs the browser the gallery test drives: Debian's chromium (headless), unless one is
# already on PATH or named by $CHROMIUM.
set -euo pipefail
if [[ -n "${CHROMIUM:-}" && -x "$CHROMIUM" ]] || command -v chromium >/dev/null; then
  exit 0
fi
SUDO=""
if [[ "$(id -u)" != 0 ]]; then SUDO="sudo"; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null
command -v chromium

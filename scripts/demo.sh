#!/usr/bin/env bash
# The main demo. Usage: demo.sh BUILD_DIR
set -euo pipefail
build=${1:-build}
exec "$build/ftvm" --help

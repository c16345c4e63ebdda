#!/usr/bin/env bash
# Runs the whole test suite with ctest. Usage: run-tests.sh BUILD_DIR
set -euo pipefail
build=${1:-build}
ctest --test-dir "$build" --output-on-failure -j "$(nproc)" --timeout 900

#!/usr/bin/env bash
# The fault matrix: `descope-mgmt apply` against the standalone emulator under 30 % 503s, a 429
# burst, latency above the per-attempt timeout, the server killed and restarted, SIGINT, SIGTERM
# and a concurrent apply; each case ends with the live state read through the official Python
# SDK (0 lost, 0 duplicated, converged on rerun). Ends with `fault-matrix: N passed, M failed`.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
label=fault-matrix
# shellcheck source=lib/emulator.sh
. "$root/scripts/lib/emulator.sh"

build_emulator
cargo build --quiet --bin descope-mgmt
cli="$(dirname "$binary")/descope-mgmt"

python_sdk_venv

status=0
"$venv/bin/python" "$root/crates/emulator/conformance/fault_matrix.py" \
    --emulator "$binary" --cli "$cli" --work "$work" >"$work/report" 2>&1 || status=$?
finish "$status" "$work/report"

#!/usr/bin/env bash
# Runs the official Descope Python SDK (pinned) against freshly started emulators.
# Ends with `sdk-conformance: N passed, M failed`; exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
conformance="$root/crates/emulator/conformance"
label=sdk-conformance
# shellcheck source=lib/emulator.sh
. "$root/scripts/lib/emulator.sh"

build_emulator

python_sdk_venv

project=P2conformance
key=K2conformance
start_emulator main --project "$project:$key" --project P2other:K2other
url=$started_url
start_emulator limited --project "$project:$key" --rate-limit 3/30
limited_url=$started_url

status=0
"$venv/bin/python" "$conformance/sdk_conformance.py" \
    --url "$url" --project "$project" --key "$key" --other-key K2other \
    --rate-limited-url "$limited_url" \
    --seed-flow "$root/crates/emulator/seed/sign-up-or-in.v1.json" >"$work/report" 2>&1 || status=$?
finish "$status" "$work/report"

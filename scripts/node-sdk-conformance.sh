#!/usr/bin/env bash
# Runs the official Descope Node SDK (pinned, with its lockfile) against freshly started
# emulators. Ends with `node-sdk-conformance: N passed, M failed`; exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
conformance="$root/crates/emulator/conformance/node"
label=node-sdk-conformance
# shellcheck source=lib/emulator.sh
. "$root/scripts/lib/emulator.sh"

command -v node >/dev/null || fail "node is not installed"
command -v npm >/dev/null || fail "npm is not installed"

build_emulator

# `npm ci` installs exactly the committed lockfile, so CI tests the pinned SDK and nothing newer.
(cd "$conformance" && npm ci --no-audit --no-fund --loglevel=error >"$work/npm.log" 2>&1) \
    || fail "cannot install the pinned SDK: $(tail -n 5 "$work/npm.log")"

project=P2conformance
key=K2conformance
start_emulator main --project "$project:$key" --project P2other:K2other
url=$started_url
start_emulator limited --project "$project:$key" --rate-limit 3/30
limited_url=$started_url

status=0
node "$conformance/conformance.mjs" \
    --url "$url" --project "$project" --key "$key" --other-key K2other \
    --rate-limited-url "$limited_url" \
    --seed-flow "$root/crates/emulator/seed/sign-up-or-in.v1.json" >"$work/report" 2>&1 || status=$?
finish "$status" "$work/report"

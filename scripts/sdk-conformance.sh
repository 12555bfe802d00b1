#!/usr/bin/env bash
# Runs the official Descope Python SDK (pinned) against freshly started emulators.
# Ends with `sdk-conformance: N passed, M failed`; exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
conformance="$root/crates/emulator/conformance"
work=$(mktemp -d "${TMPDIR:-/tmp}/sdk-conformance.XXXXXX")
pids=()

cleanup() {
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$work"
}
trap cleanup EXIT

fail() {
    echo "sdk-conformance: $1" >&2
    echo "sdk-conformance: 0 passed, 1 failed"
    exit 1
}

cargo build --quiet -p descope-emulator --bin descope-emulator
target_dir=${CARGO_TARGET_DIR:-$root/target}
binary="$target_dir/debug/descope-emulator"
[ -x "$binary" ] || fail "emulator binary not found at $binary"

venv="${TMPDIR:-/tmp}/descope-sdk-conformance-venv"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv" || fail "cannot create venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check -r "$conformance/requirements.txt" \
    || fail "cannot install the pinned SDK"

# Starts an emulator on port 0 and sets `started_url` from its first stdout line. It runs in this
# shell (not a command substitution) so that its pid is recorded for cleanup.
started_url=
start_emulator() {
    local name=$1
    shift
    local out="$work/$name.out"
    "$binary" --listen 127.0.0.1:0 "$@" >"$out" 2>"$work/$name.err" &
    pids+=("$!")
    for _ in $(seq 1 100); do
        if [ -s "$out" ]; then
            local line
            line=$(head -n 1 "$out")
            case "$line" in
                "listening on http://"*) started_url=${line#listening on }; return 0 ;;
                *) fail "unexpected first line from emulator: $line" ;;
            esac
        fi
        sleep 0.1
    done
    fail "emulator $name did not start: $(cat "$work/$name.err")"
}

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
summary=$(grep -E '^sdk-conformance: [0-9]+ passed, [0-9]+ failed$' "$work/report" | tail -n 1 || true)
grep -v -E '^sdk-conformance: [0-9]+ passed' "$work/report" || true
if [ -z "$summary" ]; then
    fail "conformance runner crashed (exit $status)"
fi
echo "$summary"
exit "$status"

# Sourced by the SDK conformance scripts: builds the emulator binary and starts fresh instances
# on 127.0.0.1:0, stopping them and removing the scratch directory when the caller exits.
#
# The caller sets `label` (the prefix of its summary line) and `root` (the repository root)
# before sourcing, and must run under `set -euo pipefail`.

work=$(mktemp -d "${TMPDIR:-/tmp}/$label.XXXXXX")
pids=()

cleanup() {
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$work"
}
trap cleanup EXIT

# Reports a failure outside the checks themselves in the caller's summary format, so CI always
# sees a count.
fail() {
    echo "$label: $1" >&2
    echo "$label: 0 passed, 1 failed"
    exit 1
}

# Sets `binary` to a freshly built emulator.
build_emulator() {
    cargo build --quiet -p descope-emulator --bin descope-emulator
    local target_dir=${CARGO_TARGET_DIR:-$root/target}
    binary="$target_dir/debug/descope-emulator"
    [ -x "$binary" ] || fail "emulator binary not found at $binary"
}

# Sets `binary` (the emulator) and `cli` (descope-mgmt), both freshly built.
build_emulator_and_cli() {
    build_emulator
    cargo build --quiet --bin descope-mgmt
    cli="$(dirname "$binary")/descope-mgmt"
}

# Sets `venv` to a virtualenv with the pinned official Python SDK installed.
python_sdk_venv() {
    venv="${TMPDIR:-/tmp}/descope-sdk-conformance-venv"
    if [ ! -x "$venv/bin/python" ]; then
        python3 -m venv "$venv" || fail "cannot create venv"
    fi
    "$venv/bin/pip" install --quiet --disable-pip-version-check \
        -r "$root/crates/emulator/conformance/requirements.txt" \
        || fail "cannot install the pinned SDK"
}

# Sets `exports` to the export corpus (flows and themes exported from Descope projects):
# $DESCOPE_EXPORTS_DIR, else `shared/data/descope-exports` beside the checkout.
find_exports() {
    exports=${DESCOPE_EXPORTS_DIR:-}
    # As the Rust tests look: `shared/data/descope-exports` beside any folder above the clone,
    # then the work area's own copy (a clone made elsewhere, e.g. under /tmp, still finds it).
    local dir=$root
    while [ -z "$exports" ] && [ "$dir" != / ]; do
        if [ -d "$dir/shared/data/descope-exports" ]; then
            exports=$dir/shared/data/descope-exports
        fi
        dir=$(dirname "$dir")
    done
    if [ -z "$exports" ] && [ -d /work/shared/data/descope-exports ]; then
        exports=/work/shared/data/descope-exports
    fi
    [ -n "$exports" ] || fail "the export corpus: set DESCOPE_EXPORTS_DIR"
}

# Starts an emulator on port 0 and sets `started_url` from its first stdout line. It runs in the
# calling shell (not a command substitution) so that its pid is recorded for cleanup.
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

# Prints the runner's report with its summary line last (the runner may also have written to
# stderr), and exits with the runner's status; a missing summary means the runner crashed.
finish() {
    local status=$1 report=$2 summary
    summary=$(grep -E "^$label: [0-9]+ passed, [0-9]+ failed\$" "$report" | tail -n 1 || true)
    grep -v -E "^$label: [0-9]+ passed" "$report" || true
    if [ -z "$summary" ]; then
        fail "conformance runner crashed (exit $status)"
    fi
    echo "$summary"
    exit "$status"
}

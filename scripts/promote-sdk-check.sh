#!/usr/bin/env bash
# Promote through the official Python SDK: project A is seeded with the SDK (40 tenants, 10 roles,
# 20 permissions, 3 corpus flows, a theme), `descope-mgmt promote --from a --to b` copies it, the
# SDK reads B back and finds every field equal to A's, and `diff --from a --to b` exits 0.
# The emulator has no rate limit, so the environments lift the default pace: the check takes
# seconds. Ends with `promote-sdk-check: N passed, M failed`; exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
conformance="$root/crates/emulator/conformance"
label=promote-sdk-check
# shellcheck source=lib/emulator.sh
. "$root/scripts/lib/emulator.sh"

find_exports

build_emulator_and_cli
python_sdk_venv

from_project=P2promoteA
from_key=K2promoteA
to_project=P2promoteB
to_key=K2promoteB
start_emulator main --project "$from_project:$from_key" --project "$to_project:$to_key"
url=$started_url

cat >"$work/descope.yaml" <<YAML
version: "1.0"
environments:
  a:
    project_id: $from_project
    management_key: \${PROMOTE_A_KEY}
    base_url: $url
    rate_limit: {requests: 10000, per_seconds: 1}
  b:
    project_id: $to_project
    management_key: \${PROMOTE_B_KEY}
    base_url: $url
    rate_limit: {requests: 10000, per_seconds: 1}
YAML

sdk() {
    local phase=$1
    shift
    "$venv/bin/python" "$conformance/promote_sdk.py" "$phase" --url "$url" \
        --from-project "$from_project" --from-key "$from_key" \
        --to-project "$to_project" --to-key "$to_key" --corpus "$exports" "$@"
}

# Runs descope-mgmt with ARGS…; its output goes to $work/cli.log.
run_cli() {
    (cd "$work" && PROMOTE_A_KEY=$from_key PROMOTE_B_KEY=$to_key \
        DESCOPE_MGMT_STATE_DIR="$work/state" \
        "$cli" --config "$work/descope.yaml" "$@") >"$work/cli.log" 2>&1
}

sdk seed >"$work/seed.log" 2>&1 || finish 1 "$work/seed.log"
run_cli promote --from a --to b --yes || fail "promote failed: $(cat "$work/cli.log")"
cli_passed=0
cli_failed=0
diff_status=0
run_cli diff --from a --to b || diff_status=$?
if [ "$diff_status" -eq 0 ]; then
    echo "ok   diff --from a --to b exits 0" >"$work/report"
    cli_passed=1
else
    {
        echo "FAIL diff --from a --to b exits $diff_status"
        sed 's/^/     /' "$work/cli.log"
    } >"$work/report"
    cli_failed=1
fi
status=0
sdk verify --cli-passed "$cli_passed" --cli-failed "$cli_failed" >>"$work/report" 2>&1 || status=$?
finish "$status" "$work/report"

#!/usr/bin/env bash
# A flow changed through the official Python SDK (the v8 export of a corpus pair imported over
# the v7 that descope-mgmt applied) is drift: `drift` exits 2 naming the changed tasks, `apply`
# repairs it and a second `plan --detailed-exitcode` exits 0.
# Ends with `flow-drift-sdk-check: N passed, M failed`; exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
conformance="$root/crates/emulator/conformance"
label=flow-drift-sdk-check
# shellcheck source=lib/emulator.sh
. "$root/scripts/lib/emulator.sh"

find_exports
v7="$exports/aws-cognito-oidc-sample/3499642/oidc-flow.json"
v8="$exports/aws-cognito-oidc-sample/56f40bb/oidc-flow.json"

build_emulator_and_cli
python_sdk_venv

project=P2flowdrift
key=K2flowdrift
start_emulator main --project "$project:$key"
url=$started_url

cat >"$work/descope.yaml" <<YAML
version: "1.0"
environments:
  dev:
    project_id: $project
    management_key: \${FLOW_DRIFT_KEY}
    base_url: $url
flows:
  - id: oidc-flow
    file: $v7
YAML

passed=0
failed=0
# Runs descope-mgmt with ARGS…, output in $work/out; checks the exit code is EXPECTED.
check() {
    local what=$1 expected=$2
    shift 2
    local code=0
    (cd "$work" && FLOW_DRIFT_KEY=$key DESCOPE_MGMT_STATE_DIR="$work/state" \
        "$cli" --config "$work/descope.yaml" "$@") >"$work/out" 2>&1 || code=$?
    if [ "$code" -eq "$expected" ]; then
        echo "ok   $what (exit $code)"
        passed=$((passed + 1))
    else
        echo "FAIL $what: exit $code, expected $expected"
        sed 's/^/     /' "$work/out"
        failed=$((failed + 1))
    fi
}
names() {
    if grep -qF "$1" "$work/out"; then
        echo "ok   drift names $1"
        passed=$((passed + 1))
    else
        echo "FAIL drift does not name $1"
        sed 's/^/     /' "$work/out"
        failed=$((failed + 1))
    fi
}

check "apply creates the flow" 0 apply --env dev --yes
"$venv/bin/python" "$conformance/flow_import.py" "$v8" oidc-flow --url "$url" \
    --project "$project" --key "$key" || fail "the SDK import failed"
check "drift sees the SDK's change" 2 drift --env dev
names "tasks.4 (Add Email and EmailVerified Attributes, automated)"
names "tasks.8 (End, automated)"
check "apply repairs it" 0 apply --env dev --yes
check "a second plan has nothing to do" 0 plan --env dev --detailed-exitcode
echo "$label: $passed passed, $failed failed"
[ "$failed" -eq 0 ]

#!/usr/bin/env bash
# Lossless writes through the official Python SDK: fields set with the SDK that the
# configuration does not mention survive a `descope-mgmt apply` that changes something else.
# Ends with `lossless-sdk-check: N passed, M failed`; exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
conformance="$root/crates/emulator/conformance"
label=lossless-sdk-check
# shellcheck source=lib/emulator.sh
. "$root/scripts/lib/emulator.sh"

build_emulator_and_cli

python_sdk_venv

project=P2lossless
key=K2lossless
start_emulator main --project "$project:$key"
url=$started_url

write_config() {
    cat >"$work/descope.yaml" <<YAML
version: "1.0"
environments:
  dev:
    project_id: $project
    management_key: \${LOSSLESS_KEY}
    base_url: $url
permissions:
  - name: reports.read
roles:
  - name: viewer
    description: $2
    permissions: [reports.read]
tenants:
  - id: acme-corp
    name: $1
YAML
}

run_cli() {
    (cd "$work" && LOSSLESS_KEY=$key DESCOPE_MGMT_STATE_DIR="$work/state" \
        "$cli" --config "$work/descope.yaml" apply --env dev --yes) >>"$work/cli.log" 2>&1 \
        || fail "descope-mgmt apply failed: $(cat "$work/cli.log")"
}

sdk() {
    "$venv/bin/python" "$conformance/lossless_check.py" "$1" --url "$url" --project "$project" \
        --key "$key" --tenant acme-corp --role viewer
}

write_config "Acme" "Reads reports"
run_cli
sdk set >"$work/report" 2>&1 || finish 1 "$work/report"
write_config "Acme Renamed" "Reworded"
run_cli
status=0
sdk verify >"$work/report" 2>&1 || status=$?
finish "$status" "$work/report"

#!/usr/bin/env bash
# Whole-project workflows against the emulator seeded through the official Python SDK (40
# tenants, 10 roles, 20 permissions, 3 corpus flows and a theme; tenant-03 with session settings,
# OIDC SSO and a password policy): `export` then `plan` of the export exits 0 with tenant-03's
# sign-in blocks in it; a destructive `apply --prune` then `backup restore` of the backup it took
# brings back every field, read back through the SDK. The destructive apply keeps tenant-03's SSO
# as it is: a backup holds no secret, so restore cannot rewrite SSO (README, "Export").
# Ends with `workflows-sdk-check: N passed, M failed`; exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
conformance="$root/crates/emulator/conformance"
label=workflows-sdk-check
# shellcheck source=lib/emulator.sh
. "$root/scripts/lib/emulator.sh"

find_exports
build_emulator_and_cli
python_sdk_venv

project=P2workflows
key=K2workflowsCanary7d1e
start_emulator main --project "$project:$key"
url=$started_url

sdk() {
    "$venv/bin/python" "$conformance/workflows_sdk.py" "$@" --url "$url" --project "$project" \
        --key "$key" --corpus "$exports"
}

# The CLI in the scratch directory; its output goes to cli.log, its exit code is returned.
cli() {
    (cd "$work" && WF_KEY=$key DESCOPE_DEV_MANAGEMENT_KEY=$key DESCOPE_MGMT_STATE_DIR="$work/state" \
        DESCOPE_DEV_SSO_TENANT_03_DEFAULT_CLIENT_SECRET=seeded-oidc-secret \
        "$cli" "$@") >>"$work/cli.log" 2>&1
}

passed=0
failed=0
check() {
    local name=$1 expected=$2 actual=$3
    if [ "$expected" = "$actual" ]; then
        passed=$((passed + 1))
        echo "ok   $name"
    else
        failed=$((failed + 1))
        echo "FAIL $name: exit $actual, expected $expected (see below)"
        tail -n 40 "$work/cli.log"
    fi
} >>"$work/report"

sdk seed >"$work/seed.log" 2>&1 || fail "seeding through the SDK failed: $(cat "$work/seed.log")"
sdk snapshot "$work/before.json" 2>>"$work/seed.log" || fail "SDK snapshot failed: $(cat "$work/seed.log")"

environment="version: \"1.0\"
environments:
  dev:
    project_id: $project
    management_key: \${WF_KEY}
    base_url: $url
    rate_limit: { requests: 100000, per_seconds: 1 }"
echo "$environment" >"$work/descope.yaml"

status=0
cli --config descope.yaml export --env dev --out exported || status=$?
check "export --env dev --out exported" 0 "$status"
status=0
cli --config exported/descope.yaml plan --env dev --detailed-exitcode || status=$?
check "plan of the export --detailed-exitcode" 0 "$status"
leaked=$(grep -rl -- "$key" "$work/exported" || true)
check "no exported file holds the key" "" "$leaked"
# tenant-03's blocks, its secret as the variable the export names.
blocks=0
for block in "session:" "password_policy:" "sso:" \
    'client_secret: "${DESCOPE_DEV_SSO_TENANT_03_DEFAULT_CLIENT_SECRET}"'; do
    grep -qF -- "$block" "$work/exported/descope.yaml" || blocks=1
done
check "the export holds tenant-03's session, sso and password_policy blocks" 0 "$blocks"

# Destructive: keeps one permission, one role and three tenants (one renamed, one with other
# session settings and password policy), adds a tenant, and prunes everything else, flows
# included.
cat >"$work/destructive.yaml" <<YAML
$environment
permissions:
  - name: perm.00
    description: Changed
roles:
  - name: role-00
    description: Changed
    permissions: [perm.00]
tenants:
  - id: tenant-01
    name: Renamed
  - id: tenant-02
    name: Tenant 02
  - id: tenant-03
    name: Tenant 03
    session:
      session_token_expiration: 1h
    password_policy:
      min_length: 20
    sso:
      type: oidc
      name: Tenant 03 Okta
      client_id: t03-client
      client_secret: \${DESCOPE_DEV_SSO_TENANT_03_DEFAULT_CLIENT_SECRET}
      domains: [t03-sso.example.com]
  - id: brand-new
    name: Brand New
YAML
status=0
cli --config destructive.yaml apply --env dev --prune --max-deletes 1000 || status=$?
check "destructive apply --prune" 0 "$status"
backup=$(cd "$work" && DESCOPE_MGMT_STATE_DIR="$work/state" "$cli" --config descope.yaml \
    backup list --env dev --format json | "$venv/bin/python" -c \
    'import json, sys; print(json.load(sys.stdin)["backups"][-1]["id"])')
status=0
cli --config descope.yaml backup restore "$backup" --env dev --prune --max-deletes 10 || status=$?
check "backup restore $backup --prune" 0 "$status"
leaked=$(grep -rl -- "$key" "$work/state" || true)
check "no backup, audit line or lock holds the key" "" "$leaked"

sdk snapshot "$work/after.json" 2>>"$work/report" || fail "SDK snapshot failed"
status=0
sdk compare "$work/before.json" "$work/after.json" --sso --cli-passed "$passed" --cli-failed "$failed" \
    >>"$work/report" 2>&1 || status=$?
finish "$status" "$work/report"

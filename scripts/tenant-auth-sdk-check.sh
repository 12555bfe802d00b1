#!/usr/bin/env bash
# Tenant authentication as code through the official Python SDK (issue 13): after `apply`, the
# tenant's session settings, OIDC SSO (non-secret fields), scoped role and password policy match
# the configuration; a second `plan --detailed-exitcode` exits 0; a session setting changed
# through the SDK is drift (exit 2); and a distinctive client secret (the canary) appears in no
# output (-vvv), plan file, report, audit log, backup or `config show`.
# Ends with `tenant-auth-sdk-check: N passed, M failed`; exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
conformance="$root/crates/emulator/conformance"
label=tenant-auth-sdk-check
# shellcheck source=lib/emulator.sh
. "$root/scripts/lib/emulator.sh"

build_emulator
cargo build --quiet --bin descope-mgmt
cli="$(dirname "$binary")/descope-mgmt"

python_sdk_venv

project=P2tenantauth
key=K2tenantauth
canary="canary-client-secret-5c1e2d"
start_emulator main --project "$project:$key"
url=$started_url

cat >"$work/descope.yaml" <<YAML
version: "1.0"
environments:
  dev:
    project_id: $project
    management_key: \${TENANT_AUTH_KEY}
    base_url: $url
permissions:
  - name: audit.read
tenants:
  - id: acme
    name: Acme
    default_roles: [acme-auditor]
    roles:
      - name: acme-auditor
        description: Reads Acme's audit trail
        permissions: [audit.read]
    session:
      session_token_expiration: 15m
      refresh_token_expiration: 30d
      jit_provisioning: true
    sso:
      type: oidc
      name: Acme Okta
      client_id: acme-client
      client_secret: \${ACME_OIDC_CLIENT_SECRET}
      issuer: https://acme.okta.com
      scope: [openid, email]
      domains: [acme.com]
    password_policy:
      min_length: 16
YAML

# Runs the CLI in the work directory; its stdout and stderr go to "$work/out/<name>".
mkdir -p "$work/out"
cli_run() {
    local name=$1
    shift
    (cd "$work" && TENANT_AUTH_KEY=$key ACME_OIDC_CLIENT_SECRET=$canary \
        DESCOPE_MGMT_STATE_DIR="$work/state" "$cli" --config "$work/descope.yaml" "$@") \
        >"$work/out/$name.stdout" 2>"$work/out/$name.stderr"
}

passed=0
failed=0
report="$work/report"
: >"$report"
check() {
    if [ "$2" = "$3" ]; then
        passed=$((passed + 1))
        echo "ok   $1" >>"$report"
    else
        failed=$((failed + 1))
        echo "FAIL $1: $2 != $3" >>"$report"
    fi
}

status=0
cli_run plan -vvv plan --env dev --out "$work/plan.json" || status=$?
check "plan exits 0" "$status" 0
status=0
cli_run apply -vvv apply "$work/plan.json" --report "$work/apply-report.json" || status=$?
check "apply of the saved plan exits 0" "$status" 0
status=0
cli_run rotate -vvv --format json apply --env dev --rotate-secrets || status=$?
check "apply --rotate-secrets exits 0" "$status" 0

sdk() {
    "$venv/bin/python" "$conformance/tenant_auth_sdk.py" "$1" --url "$url" --project "$project" \
        --key "$key" --tenant acme
}
sdk verify >>"$report" 2>&1 || true
sdk_summary=$(grep -E "^$label: [0-9]+ passed, [0-9]+ failed\$" "$report" | tail -n 1 || true)
[ -n "$sdk_summary" ] || fail "the SDK runner crashed: $(cat "$report")"
sed -i -E "/^$label: [0-9]+ passed/d" "$report"
read -r sdk_passed sdk_failed < <(echo "$sdk_summary" | sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed/\1 \2/')
passed=$((passed + sdk_passed))
failed=$((failed + sdk_failed))

status=0
cli_run converged plan --env dev --detailed-exitcode || status=$?
check "a second plan --detailed-exitcode exits 0" "$status" 0

sdk drift >>"$report" 2>&1 || fail "the SDK could not change a setting: $(cat "$report")"
status=0
cli_run drifted plan --env dev --detailed-exitcode || status=$?
check "a setting changed through the SDK is drift (exit 2)" "$status" 2
named=0
grep -q "session.refresh_token_expiration" "$work/out/drifted.stdout" || named=1
check "the plan names the changed setting" "$named" 0

cli_run show config show --env dev || true
cli_run show-json --format json config show --env dev || true
leaks=$(grep -rlF "$canary" "$work/out" "$work/plan.json" "$work/apply-report.json" \
    "$work/state" 2>/dev/null || true)
check "the client secret appears in no output, plan, report, audit or backup" "${leaks:-none}" none
written=$(find "$work/state" -type f 2>/dev/null | wc -l)
check "audit and backups were written (so the leak check saw them)" "$([ "$written" -gt 1 ] && echo yes)" yes

echo "$label: $passed passed, $failed failed" >>"$report"
finish "$([ "$failed" -eq 0 ] && echo 0 || echo 1)" "$report"

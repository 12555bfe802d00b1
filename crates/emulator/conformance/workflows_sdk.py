"""Whole-project workflows checked through the official Descope Python SDK (pinned in
requirements.txt), driven by scripts/workflows-sdk-check.sh.

Phase `seed`: creates through the SDK 20 permissions, 10 roles (some `default`/`private`), 40
tenants (domains, custom attributes, SSO enforcement, exclusions, federated apps, disabled ones),
imports 3 flows of the export corpus (v1 console exports) and a theme; gives tenant `tenant-03`
(only here, not when promote_sdk.py seeds through `seed`) its own session settings, an OIDC SSO configuration (with a secret) and a password policy.
Phase `snapshot OUT`: reads every tenant, role, permission, flow and the theme back through the
SDK into OUT (JSON), with the project's password policy and tenant-03's session settings, SSO
configurations (non-secret fields: the API never returns a secret) and password policy; lists sorted, without what the server stamps on create or save (creation
times, role and permission ids, a flow's etag and modification time, its screens' revision
numbers), which no restore can bring back.
Phase `compare BEFORE AFTER`: one check per tenant, role, permission, flow and the theme, every
field equal; tenant-03's session settings and password policy equal; its SSO is compared only
with `--sso` (a backup holds no secret, so `backup restore` cannot rewrite an SSO configuration);
the shell's own checks are added with --cli-passed/--cli-failed.

Prints one line per check and ends with `workflows-sdk-check: N passed, M failed`.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from descope import DescopeClient, SSOOIDCSettings
from sdk_checks import Checks

FLOWS = {
    "sign-up-or-in": "zero-to-auth/2004018/sign-up-or-in flow.json",
    "oidc-flow": "aws-cognito-oidc-sample/3499642/oidc-flow.json",
    "passkey-oidc": "auth0-passkey-implementation/oidc-flow.json",
}
THEME = "terraform-provider-descope/basicstyle.json"
SERVER_STAMPS = {"createdTime"}
# What the server stamps on every flow save: its etag and time, and each screen's revision.
FLOW_STAMPS = {"etag", "modifiedTime"}
SCREEN_STAMPS = {"version"}
# The tenant whose sign-in settings are seeded through the SDK.
SIGN_IN_TENANT = "tenant-03"


def seed(mgmt, corpus: Path, sign_in: bool = False) -> None:
    for n in range(20):
        mgmt.permission.create(f"perm.{n:02}", f"Permission {n}")
    for n in range(10):
        mgmt.role.create(
            f"role-{n:02}",
            description=f"Role {n}",
            permission_names=[f"perm.{n:02}", f"perm.{n + 10:02}"],
            default=n % 3 == 0,
            private=n % 4 == 0,
        )
    for n in range(40):
        mgmt.tenant.create(
            f"Tenant {n:02}",
            id=f"tenant-{n:02}",
            self_provisioning_domains=[f"t{n:02}.example.com"] if n % 2 == 0 else [],
            custom_attributes={"tier": ["starter", "growth", "enterprise"][n % 3], "seats": n * 10},
            enforce_sso=n % 5 == 0,
            enforce_sso_exclusions=[f"U2exempt{n}"] if n % 5 == 0 else None,
            federated_app_ids=[f"app-{n}"] if n % 7 == 0 else None,
            disabled=n % 11 == 0,
        )
        if n % 3 == 0:
            mgmt.tenant.update_default_roles(f"tenant-{n:02}", [f"role-{n % 10:02}"])
    if sign_in:
        seed_sign_in(mgmt)
    for flow_id, file in FLOWS.items():
        export = json.loads((corpus / file).read_text(encoding="utf-8"))
        mgmt.flow.import_flow(flow_id, export["flow"], export["screens"])
    theme = json.loads((corpus / THEME).read_text(encoding="utf-8"))
    mgmt.flow.import_theme({"id": "theme", "cssTemplate": theme["styles"]})


def seed_sign_in(mgmt) -> None:
    """Tenant-03's own session settings, password policy and OIDC SSO (with a secret)."""
    mgmt.tenant.update_settings(
        SIGN_IN_TENANT,
        self_provisioning_domains=[],
        session_settings_enabled=True,
        session_token_expiration=15,
        session_token_expiration_unit="minutes",
        refresh_token_expiration=30,
        refresh_token_expiration_unit="days",
        JITDisabled=True,
    )
    mgmt.password.configure_settings(
        SIGN_IN_TENANT, {"enabled": True, "minLength": 12, "lock": True, "lockAttempts": 5}
    )
    mgmt.sso.configure_oidc_settings(
        SIGN_IN_TENANT,
        SSOOIDCSettings(
            name="Tenant 03 Okta",
            client_id="t03-client",
            client_secret="seeded-oidc-secret",
            auth_url="https://t03.okta.example.com/oauth2/v1/authorize",
            token_url="https://t03.okta.example.com/oauth2/v1/token",
            scope=["openid", "email"],
        ),
        domains=["t03-sso.example.com"],
    )


def without(items, drop, key):
    cleaned = [{k: v for k, v in item.items() if k not in drop} for item in items]
    return sorted(cleaned, key=lambda item: item[key])


def snapshot(mgmt) -> dict:
    flows = {}
    for listed in mgmt.flow.list_flows()["flows"]:
        export = mgmt.flow.export_flow(listed["id"])
        flows[listed["id"]] = {
            "flow": {k: v for k, v in export["flow"].items() if k not in FLOW_STAMPS},
            "screens": [
                {k: v for k, v in screen.items() if k not in SCREEN_STAMPS}
                for screen in export["screens"]
            ],
        }
    return {
        "tenants": without(mgmt.tenant.load_all()["tenants"], SERVER_STAMPS, "id"),
        "roles": without(mgmt.role.load_all()["roles"], SERVER_STAMPS | {"id"}, "name"),
        "permissions": without(
            mgmt.permission.load_all()["permissions"], SERVER_STAMPS | {"id"}, "name"
        ),
        "flows": flows,
        "theme": mgmt.flow.export_theme(),
        "password_policy": mgmt.password.get_settings(),
        "sign_in": {
            "session": mgmt.tenant.load_settings(SIGN_IN_TENANT),
            "password_policy": mgmt.password.get_settings(SIGN_IN_TENANT),
            "sso": sorted(
                mgmt.sso.load_all_settings(SIGN_IN_TENANT)["SSOSettings"],
                key=lambda sso: sso["ssoId"],
            ),
        },
    }


def compare(
    before: dict,
    after: dict,
    passed: int,
    failed: int,
    label: str = "workflows-sdk-check",
    sso: bool = False,
) -> int:
    checks = Checks(label)
    # The shell's own checks (export, plan, restore exit codes) count in the one summary.
    checks.passed, checks.failed = passed, failed
    check = checks.check
    for section, key in (("tenants", "id"), ("roles", "name"), ("permissions", "name")):
        old = {item[key]: item for item in before[section]}
        new = {item[key]: item for item in after[section]}
        check(f"{section}: the same set", sorted(new), sorted(old))
        for identity, item in old.items():
            check(f"{section[:-1]} {identity}: every field", new.get(identity), item)
    check("flows: the same set", sorted(after["flows"]), sorted(before["flows"]))
    for flow_id, flow in before["flows"].items():
        check(f"flow {flow_id}: the whole export", after["flows"].get(flow_id), flow)
    check("theme: the whole export", after["theme"], before["theme"])
    check("password policy: every field", after["password_policy"], before["password_policy"])
    for part in ("session", "password_policy") + (("sso",) if sso else ()):
        check(
            f"{SIGN_IN_TENANT} {part}: every field",
            after["sign_in"][part],
            before["sign_in"][part],
        )
    return checks.finish()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("phase", choices=["seed", "snapshot", "compare"])
    parser.add_argument("files", nargs="*")
    parser.add_argument("--url", required=True)
    parser.add_argument("--project", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--corpus")
    parser.add_argument("--cli-passed", type=int, default=0)
    parser.add_argument("--cli-failed", type=int, default=0)
    parser.add_argument("--sso", action="store_true", help="compare the SSO configurations too")
    args = parser.parse_args()
    mgmt = DescopeClient(
        project_id=args.project, management_key=args.key, base_url=args.url
    ).mgmt
    if args.phase == "seed":
        seed(mgmt, Path(args.corpus), sign_in=True)
        print("workflows-sdk-check: seeded")
        return 0
    if args.phase == "snapshot":
        Path(args.files[0]).write_text(json.dumps(snapshot(mgmt), indent=1, sort_keys=True))
        return 0
    before, after = (json.loads(Path(name).read_text()) for name in args.files)
    return compare(before, after, args.cli_passed, args.cli_failed, sso=args.sso)


if __name__ == "__main__":
    sys.exit(main())

"""Tenant authentication as code, checked through the official Descope Python SDK (pinned in
requirements.txt), after `descope-mgmt apply` of scripts/tenant-auth-sdk-check.sh's config.

Phase `verify`: the tenant's session settings, its OIDC SSO configuration (non-secret fields
only: the API never returns a secret), its scoped role and its password policy match the
configuration. Phase `drift`: changes one session setting through the SDK (every other field
sent back as loaded, as the SDK's full write needs), so the caller can check that a plan sees it.

Usage: tenant_auth_sdk.py verify|drift --url URL --project ID --key KEY --tenant ID
Prints one line per check and ends with `tenant-auth-sdk-check: N passed, M failed`.
"""

from __future__ import annotations

import argparse
import sys

from descope import DescopeClient
from descope.management.common import SessionExpirationUnit
from sdk_checks import Checks


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("phase", choices=["verify", "drift"])
    parser.add_argument("--url", required=True)
    parser.add_argument("--project", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--tenant", required=True)
    args = parser.parse_args()
    mgmt = DescopeClient(
        project_id=args.project, management_key=args.key, base_url=args.url
    ).mgmt
    settings = mgmt.tenant.load_settings(args.tenant)

    if args.phase == "drift":
        # The SDK puts the unit into the JSON body as given, so it must be the enum's string.
        unit = SessionExpirationUnit(settings["sessionTokenExpirationUnit"]).value
        mgmt.tenant.update_settings(
            args.tenant,
            self_provisioning_domains=settings.get("selfProvisioningDomains", []),
            session_settings_enabled=settings["enabled"],
            refresh_token_expiration=7,
            refresh_token_expiration_unit=SessionExpirationUnit.DAYS.value,
            session_token_expiration=settings["sessionTokenExpiration"],
            session_token_expiration_unit=unit,
            enable_inactivity=settings["enableInactivity"],
            JITDisabled=settings["JITDisabled"],
        )
        print("tenant-auth-sdk-check: refresh token expiration changed to 7 days")
        return 0

    checks = Checks("tenant-auth-sdk-check")
    check = checks.check

    check("session enabled", settings.get("enabled"), True)
    check(
        "session token expiration",
        (settings.get("sessionTokenExpiration"), settings.get("sessionTokenExpirationUnit")),
        (15, "minutes"),
    )
    check(
        "refresh token expiration",
        (settings.get("refreshTokenExpiration"), settings.get("refreshTokenExpirationUnit")),
        (30, "days"),
    )
    check("JIT provisioning on", settings.get("JITDisabled"), False)

    sso = mgmt.sso.load_settings(args.tenant)
    oidc = sso.get("oidc", {})
    check("sso name", oidc.get("name"), "Acme Okta")
    check("sso client id", oidc.get("clientId"), "acme-client")
    check("sso issuer", oidc.get("issuer"), "https://acme.okta.com")
    check("sso scope", sorted(oidc.get("scope", [])), ["email", "openid"])
    check("sso domains", sso.get("tenant", {}).get("domains"), ["acme.com"])
    check("sso secret never read back", oidc.get("clientSecret", ""), "")

    roles = [
        r
        for r in mgmt.role.search(tenant_ids=[args.tenant])["roles"]
        if r.get("tenantId") == args.tenant
    ]
    check(
        "scoped roles",
        sorted((r["name"], r.get("description", "")) for r in roles),
        [("acme-auditor", "Reads Acme's audit trail")],
    )
    tenant = mgmt.tenant.load(args.tenant)
    check("scoped role is the default role", tenant.get("defaultRoles"), ["acme-auditor"])

    policy = mgmt.password.get_settings(args.tenant)
    check("tenant password min length", policy.get("minLength"), 16)
    return checks.finish()


if __name__ == "__main__":
    sys.exit(main())

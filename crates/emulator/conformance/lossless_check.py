"""Lossless writes, checked through the official Descope Python SDK (pinned in requirements.txt).

Phase `set`: sets, through the SDK, the tenant fields `enforceSSOExclusions`, `federatedAppIds`
and `roleInheritance` and the role flags `default` and `private`, none of which the
configuration mentions. The caller then runs `descope-mgmt apply` with an unrelated change (a new
tenant name and role description). Phase `verify`: loads both through the SDK and checks that the
unrelated change landed and every one of those fields is unchanged.

Usage: lossless_check.py set|verify --url URL --project ID --key KEY --tenant ID --role NAME
Prints one line per check and ends with `lossless-sdk-check: N passed, M failed`.
"""

from __future__ import annotations

import argparse
import sys

from descope import DescopeClient
from sdk_checks import Checks

EXCLUSIONS = ["U2lossless"]
APPS = ["app-lossless"]
INHERITANCE = "userOnly"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("phase", choices=["set", "verify"])
    parser.add_argument("--url", required=True)
    parser.add_argument("--project", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--tenant", required=True)
    parser.add_argument("--role", required=True)
    args = parser.parse_args()
    client = DescopeClient(
        project_id=args.project, management_key=args.key, base_url=args.url
    )
    mgmt = client.mgmt

    if args.phase == "set":
        tenant = mgmt.tenant.load(args.tenant)
        mgmt.tenant.update(
            args.tenant,
            tenant["name"],
            self_provisioning_domains=tenant.get("selfProvisioningDomains", []),
            custom_attributes=tenant.get("customAttributes", {}),
            enforce_sso=tenant.get("enforceSSO", False),
            enforce_sso_exclusions=EXCLUSIONS,
            federated_app_ids=APPS,
            disabled=tenant.get("disabled", False),
        )
        # `tenant.update` in this SDK has no roleInheritance; its patch does.
        mgmt.tenant.patch_tenant(args.tenant, role_inheritance=INHERITANCE)
        role = next(r for r in mgmt.role.load_all()["roles"] if r["name"] == args.role)
        mgmt.role.update(
            args.role,
            args.role,
            description=role.get("description", ""),
            permission_names=role.get("permissionNames", []),
            default=True,
            private=True,
        )
        print("lossless-sdk-check: fields set")
        return 0

    checks = Checks("lossless-sdk-check")
    check = checks.check

    tenant = mgmt.tenant.load(args.tenant)
    role = next(r for r in mgmt.role.load_all()["roles"] if r["name"] == args.role)
    check("the unrelated tenant change landed", tenant.get("name"), "Acme Renamed")
    check("the unrelated role change landed", role.get("description"), "Reworded")
    check("tenant enforceSSOExclusions kept", tenant.get("enforceSSOExclusions"), EXCLUSIONS)
    check("tenant federatedAppIds kept", tenant.get("federatedAppIds"), APPS)
    check("tenant roleInheritance kept", tenant.get("roleInheritance"), INHERITANCE)
    check("role default kept", role.get("default"), True)
    check("role private kept", role.get("private"), True)
    return checks.finish()


if __name__ == "__main__":
    sys.exit(main())

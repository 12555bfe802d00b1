"""Promote between two projects, checked through the official Descope Python SDK (pinned in
requirements.txt).

Phase `seed`: fills project A through the SDK with 40 tenants (domains, custom attributes, default
roles, SSO flags), 10 roles, 20 permissions, 3 corpus flows (v1 exports imported with
`import_flow`) and a theme (`import_theme`). The caller then runs `descope-mgmt promote --from A
--to B`. Phase `verify`: reads both projects back through the SDK and checks that B equals A in
every field of every tenant, role and permission, every flow (its `flow` and `screens` apart from
the save stamps a server sets on every import) and the theme.

Usage: promote_sdk.py seed|verify --url URL --from-project ID --from-key KEY
       [--to-project ID --to-key KEY] [--exports DIR]
Prints one line per check and ends with `promote-sdk-check: N passed, M failed`.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import sys

from descope import DescopeClient

LABEL = "promote-sdk-check"
TENANTS = 40
ROLES = 10
PERMISSIONS = 20
# (flow id, corpus file): three v1 exports, one of them replacing a default flow of the project.
FLOWS = [
    ("sign-up-or-in", "zero-to-auth/5dcc781/sign-up-or-in flow.json"),
    ("oidc-flow", "aws-cognito-oidc-sample/3499642/oidc-flow.json"),
    ("firebase-oidc", "firebase-oidc-sample/oidc-flow.json"),
]
THEME = "terraform-provider-descope/basicstyle.json"
# Set by the server on every save, so they differ between two copies of one flow.
FLOW_STAMPS = ("etag", "modifiedTime", "version")
SCREEN_STAMPS = ("version", "flowId")
# Set by each project when the role or permission is created (`PERM…` ids, creation time).
PROJECT_SET = ("id", "createdTime")


def client(url: str, project: str, key: str):
    return DescopeClient(project_id=project, management_key=key, base_url=url).mgmt


def seed(mgmt, exports: str) -> None:
    for index in range(PERMISSIONS):
        mgmt.permission.create(f"perm.{index:02}", description=f"Permission {index}")
    for index in range(ROLES):
        names = [f"perm.{p:02}" for p in range(index, PERMISSIONS, ROLES)]
        mgmt.role.create(f"role-{index:02}", description=f"Role {index}", permission_names=names)
    for index in range(TENANTS):
        mgmt.tenant.create(
            f"Tenant {index:02}",
            id=f"tenant-{index:02}",
            self_provisioning_domains=[f"t{index:02}.example.com"] if index % 2 else [],
            custom_attributes={"tier": "gold" if index % 3 else "silver", "seats": index},
            enforce_sso=index % 5 == 0,
            disabled=index % 7 == 0,
        )
    for flow_id, name in FLOWS:
        with open(os.path.join(exports, name), encoding="utf-8") as source:
            export = json.load(source)
        mgmt.flow.import_flow(flow_id, export["flow"], export["screens"])
    with open(os.path.join(exports, THEME), encoding="utf-8") as source:
        styles = json.load(source)["styles"]
    # Not the project's default theme, so the promote has a theme to copy.
    styles["light"]["components"]["button"]["mode"]["primary"][
        "--descope-button-main"
    ] = "#0B57D0"
    mgmt.flow.import_theme({"id": "", "cssTemplate": styles})


def by(items, key, project_set=()):
    return {
        item[key]: {field: value for field, value in item.items() if field not in project_set}
        for item in items
    }


def flow_without_stamps(export: dict) -> dict:
    export = copy.deepcopy(export)
    for stamp in FLOW_STAMPS:
        export.get("flow", {}).pop(stamp, None)
    for screen in export.get("screens", []):
        for stamp in SCREEN_STAMPS:
            screen.pop(stamp, None)
    return export


def verify(source, target) -> int:
    results = {"passed": 0, "failed": 0}

    def check(name, actual, expected):
        if actual == expected:
            results["passed"] += 1
            print(f"ok   {name}")
        else:
            results["failed"] += 1
            print(f"FAIL {name}:\n     target {actual!r}\n     source {expected!r}")

    for kind, key, load, project_set in [
        ("tenant", "id", lambda m: m.tenant.load_all()["tenants"], ("createdTime",)),
        ("role", "name", lambda m: m.role.load_all()["roles"], PROJECT_SET),
        ("permission", "name", lambda m: m.permission.load_all()["permissions"], PROJECT_SET),
    ]:
        wanted = by(load(source), key, project_set)
        got = by(load(target), key, project_set)
        check(f"every {kind} is in the target", sorted(got), sorted(wanted))
        for identity, item in sorted(wanted.items()):
            check(f"{kind} {identity}: every field", got.get(identity), item)
    for flow_id, _ in FLOWS:
        check(
            f"flow {flow_id}: flow and screens",
            flow_without_stamps(target.flow.export_flow(flow_id)),
            flow_without_stamps(source.flow.export_flow(flow_id)),
        )
    check("theme", target.flow.export_theme(), source.flow.export_theme())
    print(f"{LABEL}: {results['passed']} passed, {results['failed']} failed")
    return 0 if results["failed"] == 0 else 1


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("phase", choices=["seed", "verify"])
    parser.add_argument("--url", required=True)
    parser.add_argument("--from-project", required=True)
    parser.add_argument("--from-key", required=True)
    parser.add_argument("--to-project")
    parser.add_argument("--to-key")
    parser.add_argument("--exports")
    args = parser.parse_args()
    source = client(args.url, args.from_project, args.from_key)
    if args.phase == "seed":
        seed(source, args.exports)
        print(f"{LABEL}: project {args.from_project} seeded")
        return 0
    return verify(source, client(args.url, args.to_project, args.to_key))


if __name__ == "__main__":
    sys.exit(main())

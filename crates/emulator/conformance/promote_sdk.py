"""Promote between two projects, checked through the official Descope Python SDK (pinned in
requirements.txt), driven by scripts/promote-sdk-check.sh.

Phase `seed`: fills project A through the SDK as workflows_sdk.py does (40 tenants, 10 roles, 20
permissions, 3 corpus flows), then imports a theme that is not the project's default, so that the
promote has a theme to copy. The caller then runs `descope-mgmt promote --from A --to B`.
Phase `verify`: reads both projects back through the SDK (workflows_sdk.snapshot: every tenant,
role, permission, flow and the theme, without what a server stamps on create or save) and checks
that B equals A in every field; the shell's own checks are added with --cli-passed/--cli-failed.

Prints one line per check and ends with `promote-sdk-check: N passed, M failed`.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from descope import DescopeClient
from workflows_sdk import THEME, compare, seed, snapshot

LABEL = "promote-sdk-check"


def client(url: str, project: str, key: str):
    return DescopeClient(project_id=project, management_key=key, base_url=url).mgmt


def seed_with_own_theme(mgmt, corpus: Path) -> None:
    seed(mgmt, corpus)
    styles = json.loads((corpus / THEME).read_text(encoding="utf-8"))["styles"]
    styles["light"]["components"]["button"]["mode"]["primary"]["--descope-button-main"] = "#0B57D0"
    mgmt.flow.import_theme({"id": "theme", "cssTemplate": styles})


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("phase", choices=["seed", "verify"])
    parser.add_argument("--url", required=True)
    parser.add_argument("--from-project", required=True)
    parser.add_argument("--from-key", required=True)
    parser.add_argument("--to-project")
    parser.add_argument("--to-key")
    parser.add_argument("--corpus")
    parser.add_argument("--cli-passed", type=int, default=0)
    parser.add_argument("--cli-failed", type=int, default=0)
    args = parser.parse_args()
    source = client(args.url, args.from_project, args.from_key)
    if args.phase == "seed":
        seed_with_own_theme(source, Path(args.corpus))
        print(f"{LABEL}: project {args.from_project} seeded")
        return 0
    target = client(args.url, args.to_project, args.to_key)
    return compare(snapshot(source), snapshot(target), args.cli_passed, args.cli_failed, LABEL)


if __name__ == "__main__":
    sys.exit(main())

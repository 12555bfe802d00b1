"""A flow changed behind descope-mgmt's back, through the official Descope Python SDK (pinned in
requirements.txt): imports a v1 flow export (`{flow, screens}`) as FLOW_ID with
`mgmt.flow.import_flow`, as a console user's script would.

Usage: flow_import.py FILE FLOW_ID --url URL --project ID --key KEY
"""

from __future__ import annotations

import argparse
import json

from descope import DescopeClient


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("file")
    parser.add_argument("flow_id")
    parser.add_argument("--url", required=True)
    parser.add_argument("--project", required=True)
    parser.add_argument("--key", required=True)
    args = parser.parse_args()
    with open(args.file, encoding="utf-8") as source:
        export = json.load(source)
    client = DescopeClient(
        project_id=args.project, management_key=args.key, base_url=args.url
    )
    client.mgmt.flow.import_flow(args.flow_id, export["flow"], export["screens"])


if __name__ == "__main__":
    main()

"""Drives the emulator through the official Descope Python SDK (pinned in requirements.txt).

Every check calls the SDK's own management methods against a freshly started emulator and
verifies the result, or that the SDK raised its own exception with the expected status. For the
v2 flow and theme endpoints, which this SDK version has no methods for, the SDK's own HTTP client
(same authentication, headers and error handling) is used.

Usage: sdk_conformance.py --url URL --project ID --key KEY --other-key KEY
                          --rate-limited-url URL --seed-flow PATH
Prints one line per check and ends with `sdk-conformance: N passed, M failed`.
"""

from __future__ import annotations

import argparse
import json
import sys
import traceback

from descope import AuthException, DescopeClient, RateLimitException
from descope.management.common import AssociatedTenant
from descope.management.sso_settings import (
    RoleMapping,
    SSOOIDCSettings,
    SSOSAMLSettings,
    SSOSAMLSettingsByMetadata,
)

RESULTS = {"passed": 0, "failed": 0}


def check(name):
    def wrap(fn):
        try:
            fn()
        except Exception as e:  # noqa: BLE001 - every failure must be reported, not abort the run
            RESULTS["failed"] += 1
            print(f"FAIL {name}: {type(e).__name__}: {e}")
            traceback.print_exc(limit=3, file=sys.stdout)
        else:
            RESULTS["passed"] += 1
            print(f"ok   {name}")
        return fn

    return wrap


def expect(cond, message):
    if not cond:
        raise AssertionError(message)


def raises_status(status, fn):
    try:
        fn()
    except AuthException as e:
        expect(e.status_code == status, f"expected status {status}, got {e.status_code}: {e.error_message}")
        body = json.loads(e.error_message)
        for field in ("errorCode", "errorDescription", "errorMessage"):
            expect(field in body, f"error body lacks {field}: {body}")
        return
    raise AssertionError(f"expected AuthException({status}), nothing raised")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--project", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--other-key", required=True)
    parser.add_argument("--rate-limited-url", required=True)
    parser.add_argument("--seed-flow", required=True)
    args = parser.parse_args()

    client = DescopeClient(project_id=args.project, management_key=args.key, base_url=args.url)
    mgmt = client.mgmt
    http = mgmt.flow._http  # the SDK's own authenticated client, for v2-only endpoints
    state = {}

    # --- license -------------------------------------------------------------------------
    @check("license: get returns a rate limit tier")
    def _():
        expect(mgmt.license.get()["rateLimitTier"].startswith("tier"), "no tier")

    # --- tenants -------------------------------------------------------------------------
    @check("tenant: create generates a T id")
    def _():
        res = mgmt.tenant.create(name="Acme", self_provisioning_domains=["acme.com"])
        expect(res["id"].startswith("T") and len(res["id"]) == 28, res)
        state["acme"] = res["id"]

    @check("tenant: create with caller id")
    def _():
        expect(mgmt.tenant.create(name="Globex", id="globex") == {"id": "globex"}, "id not echoed")

    @check("tenant: load is flat with zero values")
    def _():
        t = mgmt.tenant.load(state["acme"])
        expect(t["id"] == state["acme"] and t["name"] == "Acme", t)
        expect(t["selfProvisioningDomains"] == ["acme.com"], t)
        expect(t["disabled"] is False and t["enforceSSO"] is False, t)
        expect(t["customAttributes"] == {} and t["defaultRoles"] == [], t)
        expect(isinstance(t["createdTime"], int) and t["createdTime"] < 10**11, t)

    @check("tenant: load_all in creation order")
    def _():
        ids = [t["id"] for t in mgmt.tenant.load_all()["tenants"]]
        expect(ids == [state["acme"], "globex"], ids)

    @check("tenant: search_all by name and empty result")
    def _():
        found = mgmt.tenant.search_all(names=["Globex"])["tenants"]
        expect([t["id"] for t in found] == ["globex"], found)
        expect(mgmt.tenant.search_all(names=["nobody"]) == {"tenants": []}, "not empty")

    @check("tenant: update overwrites")
    def _():
        mgmt.tenant.update("globex", "Globex Corp", self_provisioning_domains=["g.com"], disabled=True)
        t = mgmt.tenant.load("globex")
        expect(t["name"] == "Globex Corp" and t["disabled"] is True, t)
        mgmt.tenant.update("globex", "Globex Corp")
        t = mgmt.tenant.load("globex")
        expect(t["selfProvisioningDomains"] == [] and t["disabled"] is False, t)

    @check("tenant: patch_tenant changes only given fields")
    def _():
        mgmt.tenant.patch_tenant("globex", disabled=True)
        t = mgmt.tenant.load("globex")
        expect(t["name"] == "Globex Corp" and t["disabled"] is True, t)

    @check("tenant: update_settings and load_settings")
    def _():
        s = mgmt.tenant.load_settings("globex")
        expect(s["JITDisabled"] is False, s)
        mgmt.tenant.update_settings(
            "globex",
            self_provisioning_domains=["globex.com"],
            session_settings_enabled=True,
            session_token_expiration=15,
            session_token_expiration_unit="minutes",
        )
        s = mgmt.tenant.load_settings("globex")
        expect(s["enabled"] is True and s["sessionTokenExpiration"] == 15, s)
        expect(s["selfProvisioningDomains"] == ["globex.com"], s)

    @check("tenant: update_default_roles")
    def _():
        mgmt.tenant.update_default_roles("globex", ["Tenant Admin"])
        expect(mgmt.tenant.load("globex")["defaultRoles"] == ["Tenant Admin"], "not set")

    @check("tenant: SSO configuration link generate and revoke")
    def _():
        link = mgmt.tenant.generate_sso_configuration_link("globex", expire_time=60)
        expect(link.startswith("http"), link)
        mgmt.tenant.revoke_sso_configuration_link("globex")

    @check("tenant: duplicate id raises 409")
    def _():
        raises_status(409, lambda: mgmt.tenant.create(name="Other", id="globex"))

    @check("tenant: duplicate name raises 409")
    def _():
        raises_status(409, lambda: mgmt.tenant.create(name="Acme"))

    @check("tenant: load missing raises 404")
    def _():
        raises_status(404, lambda: mgmt.tenant.load("no-such-tenant"))

    # --- permissions ---------------------------------------------------------------------
    @check("permission: built-ins are systemDefault")
    def _():
        perms = {p["name"]: p for p in mgmt.permission.load_all()["permissions"]}
        for name in ("User Admin", "SSO Admin", "Impersonate"):
            expect(perms[name]["systemDefault"] is True, perms)
            expect(perms[name]["id"].startswith("PERM"), perms[name])

    @check("permission: create and load_all")
    def _():
        mgmt.permission.create("Reports Viewer", "see reports")
        perms = {p["name"]: p for p in mgmt.permission.load_all()["permissions"]}
        expect(perms["Reports Viewer"] == {**perms["Reports Viewer"], "description": "see reports", "systemDefault": False}, perms)

    @check("permission: duplicate raises 409")
    def _():
        raises_status(409, lambda: mgmt.permission.create("Reports Viewer"))

    @check("permission: create_batch and update_batch")
    def _():
        mgmt.permission.create_batch([{"name": "p1", "description": "one"}, {"name": "p2"}])
        mgmt.permission.update_batch([{"name": "p2", "newName": "p2b", "description": "two"}])
        names = [p["name"] for p in mgmt.permission.load_all()["permissions"]]
        expect("p1" in names and "p2b" in names and "p2" not in names, names)

    # --- roles ---------------------------------------------------------------------------
    @check("role: built-in Tenant Admin exists")
    def _():
        roles = [r for r in mgmt.role.load_all()["roles"] if r["name"] == "Tenant Admin"]
        expect(len(roles) == 1 and roles[0]["id"].startswith("ROL"), roles)

    @check("role: create and load_all")
    def _():
        mgmt.role.create("Viewer", "reads", ["Reports Viewer"])
        role = [r for r in mgmt.role.load_all()["roles"] if r["name"] == "Viewer"][0]
        expect(role["permissionNames"] == ["Reports Viewer"] and role["tenantId"] == "", role)
        expect(role["default"] is False and role["private"] is False, role)
        state["viewer_id"] = role["id"]

    @check("role: duplicate raises 409")
    def _():
        raises_status(409, lambda: mgmt.role.create("Viewer"))

    @check("role: unknown permission raises 400")
    def _():
        raises_status(400, lambda: mgmt.role.create("Broken", permission_names=["ghost"]))

    @check("role: update replaces permissions and renames")
    def _():
        mgmt.role.update("Viewer", "Reader", "reads more", ["p1"])
        role = [r for r in mgmt.role.load_all()["roles"] if r["id"] == state["viewer_id"]][0]
        expect(role["name"] == "Reader" and role["permissionNames"] == ["p1"], role)

    @check("permission: rename is reflected in roles")
    def _():
        mgmt.permission.update("p1", "p1-renamed", "renamed")
        role = [r for r in mgmt.role.load_all()["roles"] if r["id"] == state["viewer_id"]][0]
        expect(role["permissionNames"] == ["p1-renamed"], role)

    @check("role: update_by_id")
    def _():
        mgmt.role.update_by_id(state["viewer_id"], "Reader", "by id", [])
        role = [r for r in mgmt.role.load_all()["roles"] if r["id"] == state["viewer_id"]][0]
        expect(role["description"] == "by id" and role["permissionNames"] == [], role)

    @check("role: tenant-scoped role with same name")
    def _():
        mgmt.role.create("Reader", tenant_id="globex")
        found = mgmt.role.search(tenant_ids=["globex"])["roles"]
        expect([r["name"] for r in found] == ["Reader"] and found[0]["tenantId"] == "globex", found)

    @check("role: search by name like")
    def _():
        found = mgmt.role.search(role_name_like="read", include_project_roles=True)["roles"]
        expect(len(found) == 2, found)

    @check("role: create_batch, update_batch, delete_batch")
    def _():
        mgmt.role.create_batch([{"name": "b1"}, {"name": "b2", "permissionNames": ["p2b"]}])
        mgmt.role.update_batch([{"name": "b1", "newName": "b1x", "description": "x"}])
        names = [r["name"] for r in mgmt.role.load_all()["roles"]]
        expect("b1x" in names and "b2" in names, names)
        mgmt.role.delete_batch(["b1x", "b2"])
        names = [r["name"] for r in mgmt.role.load_all()["roles"]]
        expect("b1x" not in names and "b2" not in names, names)

    @check("role: delete tenant role by name + tenant")
    def _():
        mgmt.role.delete("Reader", tenant_id="globex")
        expect(mgmt.role.search(tenant_ids=["globex"])["roles"] == [], "still there")

    @check("role: delete_by_id and missing raises 404")
    def _():
        mgmt.role.delete_by_id(state["viewer_id"])
        raises_status(404, lambda: mgmt.role.delete_by_id(state["viewer_id"]))

    @check("permission: delete, delete_batch, delete_batch_by_ids")
    def _():
        mgmt.permission.delete("Reports Viewer")
        mgmt.permission.delete_batch(["p2b"])
        p1 = [p for p in mgmt.permission.load_all()["permissions"] if p["name"] == "p1-renamed"][0]
        mgmt.permission.delete_batch_by_ids([p1["id"]])
        names = [p["name"] for p in mgmt.permission.load_all()["permissions"]]
        expect(not {"Reports Viewer", "p2b", "p1-renamed"} & set(names), names)

    # --- flows and themes ----------------------------------------------------------------
    @check("flow: list_flows includes sign-up-or-in")
    def _():
        res = mgmt.flow.list_flows()
        ids = [f["id"] for f in res["flows"]]
        expect("sign-up-or-in" in ids and res["total"] == len(ids), res)

    @check("flow: export_flow (v1) has screens")
    def _():
        res = mgmt.flow.export_flow("sign-up-or-in")
        expect(res["flow"]["id"] == "sign-up-or-in" and len(res["screens"]) > 0, res.keys())
        expect("tasks" in res["flow"]["dsl"], res["flow"].keys())

    @check("flow: import_flow (v1) round-trips")
    def _():
        with open(args.seed_flow) as f:
            doc = json.load(f)
        res = mgmt.flow.import_flow("copy-flow", doc["flow"], doc["screens"])
        expect(res["flow"]["id"] == "copy-flow", res["flow"]["id"])
        out = mgmt.flow.export_flow("copy-flow")
        expect(out["flow"]["dsl"] == doc["flow"]["dsl"], "dsl changed")
        expect([s["id"] for s in out["screens"]] == [s["id"] for s in doc["screens"]], "screens changed")
        expect([s["htmlTemplate"] for s in out["screens"]] == [s["htmlTemplate"] for s in doc["screens"]], "html changed")

    @check("flow: v2 export of a v1-imported flow")
    def _():
        res = http.post("/v2/mgmt/flow/export", body={"flowId": "copy-flow"}).json()
        flow = res["flow"]
        expect(flow["flowId"] == "copy-flow" and "tasks" in flow["contents"], flow.keys())
        expect(all("screenId" in s and "contents" in s for s in flow["screens"]), "screen shape")
        state["v2flow"] = flow

    @check("flow: v2 import, visible in v1 export")
    def _():
        expect(http.post("/v2/mgmt/flow/import", body={"flowId": "v2-flow", "flow": state["v2flow"]}).json() == {}, "not {}")
        out = mgmt.flow.export_flow("v2-flow")
        expect(out["flow"]["dsl"] == state["v2flow"]["contents"], "dsl differs")

    @check("flow: delete_flows")
    def _():
        mgmt.flow.delete_flows(["copy-flow", "v2-flow", "never-existed"])
        ids = [f["id"] for f in mgmt.flow.list_flows()["flows"]]
        expect("copy-flow" not in ids and "v2-flow" not in ids, ids)

    @check("flow: export missing raises 404")
    def _():
        raises_status(404, lambda: mgmt.flow.export_flow("copy-flow"))

    @check("theme: export_theme (v1) is wrapped with an id")
    def _():
        res = mgmt.flow.export_theme()
        expect(res["theme"]["id"] and isinstance(res["theme"]["cssTemplate"], dict), res)
        state["theme"] = res["theme"]

    @check("theme: import_theme (v1) then v2 export")
    def _():
        theme = {"id": state["theme"]["id"], "cssTemplate": {"light": {"a": 1}}}
        res = mgmt.flow.import_theme(theme)
        expect(res["theme"]["cssTemplate"] == {"light": {"a": 1}}, res)
        v2 = http.post("/v2/mgmt/theme/export", body={}).json()
        expect(v2["theme"]["styles"] == {"light": {"a": 1}}, v2)

    @check("theme: v2 import round-trips")
    def _():
        theme = {"styles": {"dark": {"designTokens": {}}}, "componentsVersion": "3.18.6", "references": {}}
        expect(http.post("/v2/mgmt/theme/import", body={"theme": theme}).json() == {}, "not {}")
        expect(http.post("/v2/mgmt/theme/export", body={}).json()["theme"] == theme, "changed")

    # --- SSO -----------------------------------------------------------------------------
    @check("sso: configure_oidc_settings then load_settings")
    def _():
        mgmt.sso.configure_oidc_settings(
            "globex",
            SSOOIDCSettings(name="okta", client_id="cid", client_secret="s3cret", scope=["openid"]),
            domains=["globex.com"],
        )
        s = mgmt.sso.load_settings("globex")
        expect(s["oidc"]["clientId"] == "cid" and s["oidc"]["clientSecret"] == "", s["oidc"])
        expect(s["tenant"]["authType"] == "oidc" and s["tenant"]["domains"] == ["globex.com"], s["tenant"])

    @check("sso: configure_saml_settings maps request to load shape")
    def _():
        mgmt.sso.configure_saml_settings(
            "globex",
            SSOSAMLSettings(
                idp_url="https://idp/sso",
                idp_entity_id="idp-entity",
                idp_cert="CERT",
                role_mappings=[RoleMapping(groups=["admins"], role_name="Tenant Admin")],
                default_sso_roles=["Tenant Admin"],
            ),
            redirect_url="https://app/cb",
        )
        saml = mgmt.sso.load_settings("globex")["saml"]
        expect(saml["idpSSOUrl"] == "https://idp/sso" and saml["idpEntityId"] == "idp-entity", saml)
        expect(saml["groupsMapping"][0]["role"]["name"] == "Tenant Admin", saml)
        expect(saml["defaultSSORoles"] == ["Tenant Admin"], saml)

    @check("sso: configure_saml_settings_by_metadata and load_all_settings")
    def _():
        mgmt.sso.configure_saml_settings_by_metadata(
            state["acme"], SSOSAMLSettingsByMetadata(idp_metadata_url="https://idp/metadata")
        )
        all_settings = mgmt.sso.load_all_settings(state["acme"])["SSOSettings"]
        expect(len(all_settings) == 1 and all_settings[0]["saml"]["idpMetadataUrl"] == "https://idp/metadata", all_settings)

    @check("sso: configure_auth_type")
    def _():
        mgmt.sso.configure_auth_type(state["acme"], "oidc")
        expect(mgmt.tenant.load(state["acme"])["authType"] == "oidc", "not set")
        mgmt.sso.configure_auth_type(state["acme"], "saml")

    @check("sso: delete_settings resets the tenant auth type")
    def _():
        mgmt.sso.delete_settings("globex")
        s = mgmt.sso.load_settings("globex")
        expect(s["tenant"]["authType"] == "none" and s["saml"]["idpSSOUrl"] == "", s)

    # --- access keys ---------------------------------------------------------------------
    @check("access key: create returns cleartext once")
    def _():
        res = mgmt.access_key.create(
            "ci-key", 0, key_tenants=[AssociatedTenant("globex", ["Tenant Admin"])], description="ci"
        )
        expect(res["cleartext"] and res["key"]["id"].startswith("K"), res)
        expect(res["key"]["status"] == "active" and res["key"]["createdBy"], res["key"])
        state["key"] = res["key"]["id"]

    @check("access key: load has no cleartext")
    def _():
        res = mgmt.access_key.load(state["key"])
        expect("cleartext" not in res and res["key"]["name"] == "ci-key", res)
        expect(res["key"]["keyTenants"][0]["tenantId"] == "globex", res["key"])

    @check("access key: search by tenant")
    def _():
        keys = mgmt.access_key.search_all_access_keys(tenant_ids=["globex"])["keys"]
        expect([k["id"] for k in keys] == [state["key"]], keys)
        expect(mgmt.access_key.search_all_access_keys(tenant_ids=[state["acme"]]) == {"keys": []}, "not empty")

    @check("access key: update keeps omitted fields")
    def _():
        mgmt.access_key.update(state["key"], "ci-key-2")
        key = mgmt.access_key.load(state["key"])["key"]
        expect(key["name"] == "ci-key-2" and key["description"] == "ci", key)

    @check("access key: deactivate and activate")
    def _():
        mgmt.access_key.deactivate(state["key"])
        expect(mgmt.access_key.load(state["key"])["key"]["status"] == "inactive", "still active")
        mgmt.access_key.activate(state["key"])
        expect(mgmt.access_key.load(state["key"])["key"]["status"] == "active", "still inactive")

    @check("access key: rotate keeps the key, returns a new secret")
    def _():
        res = mgmt.access_key.rotate(state["key"])
        expect(res["cleartext"] and res["key"]["id"] == state["key"], res)

    @check("access key: batch deactivate, activate, delete")
    def _():
        ids = [mgmt.access_key.create(f"batch{i}")["key"]["id"] for i in range(2)]
        mgmt.access_key.deactivate_batch(ids)
        expect(all(mgmt.access_key.load(i)["key"]["status"] == "inactive" for i in ids), "not inactive")
        mgmt.access_key.activate_batch(ids)
        expect(all(mgmt.access_key.load(i)["key"]["status"] == "active" for i in ids), "not active")
        mgmt.access_key.delete_batch(ids)
        raises_status(404, lambda: mgmt.access_key.load(ids[0]))

    @check("access key: delete then load raises 404")
    def _():
        mgmt.access_key.delete(state["key"])
        raises_status(404, lambda: mgmt.access_key.load(state["key"]))

    # --- users ---------------------------------------------------------------------------
    @check("user: create")
    def _():
        res = mgmt.user.create(
            "alice@example.com",
            email="alice@example.com",
            display_name="Alice",
            user_tenants=[AssociatedTenant("globex", ["Tenant Admin"])],
        )
        u = res["user"]
        expect(u["userId"].startswith("U") and u["loginIds"] == ["alice@example.com"], u)
        expect(u["userTenants"][0]["tenantId"] == "globex" and u["status"] == "enabled", u)
        state["alice"] = u["userId"]

    @check("user: create_test_user and duplicate raises 409")
    def _():
        mgmt.user.create_test_user("tester")
        raises_status(409, lambda: mgmt.user.create("alice@example.com"))

    @check("user: load and load_by_user_id")
    def _():
        expect(mgmt.user.load("alice@example.com")["user"]["name"] == "Alice", "by login id")
        expect(mgmt.user.load_by_user_id(state["alice"])["user"]["userId"] == state["alice"], "by id")

    @check("user: search_all paginates with total")
    def _():
        for i in range(5):
            mgmt.user.create(f"user{i}")
        page = mgmt.user.search_all(limit=2, page=1)
        expect(page["total"] == 6 and len(page["users"]) == 2, page)
        expect(page["users"][0]["loginIds"] == ["user1"], page["users"][0])
        tenant_users = mgmt.user.search_all(tenant_ids=["globex"])
        expect(tenant_users["total"] == 1, tenant_users)
        with_tests = mgmt.user.search_all(with_test_user=True)
        expect(with_tests["total"] == 7, with_tests["total"])

    @check("user: delete then load raises 404")
    def _():
        mgmt.user.delete("alice@example.com")
        raises_status(404, lambda: mgmt.user.load("alice@example.com"))

    @check("user: delete_batch")
    def _():
        ids = [mgmt.user.load(f"user{i}")["user"]["userId"] for i in range(2)]
        mgmt.user.delete_batch(ids)
        raises_status(404, lambda: mgmt.user.load("user0"))

    # --- tenant delete (after users/keys exist) ------------------------------------------
    @check("tenant: delete with cascade")
    def _():
        mgmt.user.create("bob", user_tenants=[AssociatedTenant(state["acme"])])
        mgmt.tenant.delete(state["acme"], cascade=True)
        raises_status(404, lambda: mgmt.tenant.load(state["acme"]))
        raises_status(404, lambda: mgmt.user.load("bob"))

    # --- project snapshots ---------------------------------------------------------------
    @check("project: export_snapshot contains flows, styles and roles")
    def _():
        files = mgmt.project.export_snapshot()["files"]
        expect("flows/sign-up-or-in.json" in files and "styles/styles.json" in files, list(files))
        state["files"] = files

    @check("project: validate_snapshot ok and failures")
    def _():
        res = mgmt.project.validate_snapshot(state["files"])
        expect(res["ok"] is True and res["failures"] == [], res)
        bad = mgmt.project.validate_snapshot({"flows/x.json": {"flowId": "x", "screens": 3}})
        expect(bad["ok"] is False and len(bad["failures"]) == 1, bad)

    @check("project: import_snapshot restores flows")
    def _():
        mgmt.flow.delete_flows(["sign-up-or-in"])
        mgmt.project.import_snapshot(state["files"])
        ids = [f["id"] for f in mgmt.flow.list_flows()["flows"]]
        expect("sign-up-or-in" in ids, ids)

    @check("project: legacy export_project / import_project")
    def _():
        files = mgmt.project.export_project()
        expect("flows/sign-up-or-in.json" in files, list(files))
        mgmt.project.import_project(files)
        expect(mgmt.project.export_project().keys() == files.keys(), "files differ")

    @check("project: update_name and update_tags")
    def _():
        mgmt.project.update_name("Conformance")
        mgmt.project.update_tags(["ci", "local"])

    # --- authentication and rate limiting ------------------------------------------------
    @check("auth: wrong key raises 401")
    def _():
        bad = DescopeClient(project_id=args.project, management_key="K2wrong", base_url=args.url)
        raises_status(401, lambda: bad.mgmt.tenant.load_all())

    @check("auth: key of another project raises 403")
    def _():
        other = DescopeClient(project_id=args.project, management_key=args.other_key, base_url=args.url)
        raises_status(403, lambda: other.mgmt.tenant.load_all())

    @check("rate limit: RateLimitException carries Retry-After")
    def _():
        limited = DescopeClient(project_id=args.project, management_key=args.key, base_url=args.rate_limited_url)
        for _ in range(20):
            try:
                limited.mgmt.tenant.load_all()
            except RateLimitException as e:
                retry = e.rate_limit_parameters["Retry-After"]
                expect(isinstance(retry, int) and 1 <= retry <= 60, f"Retry-After {retry}")
                expect(e.status_code == "E130429", f"errorCode {e.status_code}")
                return
        raise AssertionError("never rate limited")

    print(f"sdk-conformance: {RESULTS['passed']} passed, {RESULTS['failed']} failed")
    return 0 if RESULTS["failed"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

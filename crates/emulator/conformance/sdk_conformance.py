"""Drives the emulator through the official Descope Python SDK (pinned in requirements.txt).

Every check calls the SDK's own management methods against a freshly started emulator and
verifies the result, or that the SDK raised its own exception with the expected status. Where
the SDK returns nothing (project name and tags), the stored value is read back through
`/emulator/state`. Checks are independent: each creates what it needs under fresh names. For the
v2 flow and theme endpoints, which this SDK version has no methods for, the SDK's own HTTP client
(same authentication, headers and error handling) is used.

Usage: sdk_conformance.py --url URL --project ID --key KEY --other-key KEY
                          --rate-limited-url URL --seed-flow PATH
Prints one line per check and ends with `sdk-conformance: N passed, M failed`.
"""

from __future__ import annotations

import argparse
import json
import itertools
import sys
import traceback
import urllib.request

from descope import AuthException, DescopeClient, RateLimitException
from descope.management.common import AssociatedTenant
from descope.management.sso_settings import (
    RoleMapping,
    SSOOIDCSettings,
    SSOSAMLSettings,
    SSOSAMLSettingsByMetadata,
)

RESULTS = {"passed": 0, "failed": 0}
_NAMES = itertools.count(1)


def unique(prefix):
    """A name no other check uses."""
    return f"{prefix}-{next(_NAMES)}"


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

    def project_state():
        """This project's stored collections, for what the SDK's calls do not return."""
        with urllib.request.urlopen(f"{args.url}/emulator/state") as response:
            return json.load(response)["projects"][args.project]

    def route_count(route):
        with urllib.request.urlopen(f"{args.url}/emulator/stats") as response:
            return json.load(response)["byRoute"].get(route, 0)

    def new_tenant(**fields):
        """A tenant of this check only, with a caller-chosen id (also its name unless given)."""
        tenant_id = unique("tenant")
        mgmt.tenant.create(name=fields.pop("name", tenant_id), id=tenant_id, **fields)
        return tenant_id

    def new_permission(description=""):
        name = unique("perm")
        mgmt.permission.create(name, description)
        return name

    def role_by_id(role_id):
        return [r for r in mgmt.role.load_all()["roles"] if r["id"] == role_id][0]

    def new_role(permission_names=None, description=""):
        name = unique("role")
        mgmt.role.create(name, description, permission_names or [])
        role = [r for r in mgmt.role.load_all()["roles"] if r["name"] == name][0]
        return name, role["id"]

    def new_access_key(**fields):
        return mgmt.access_key.create(unique("key"), 0, **fields)

    # Each check makes what it needs under fresh names, so that one failure cannot cascade.

    # --- license -------------------------------------------------------------------------
    @check("license: get returns a rate limit tier")
    def _():
        expect(mgmt.license.get()["rateLimitTier"].startswith("tier"), "no tier")

    # --- tenants -------------------------------------------------------------------------
    @check("tenant: create generates a T id")
    def _():
        res = mgmt.tenant.create(name=unique("Generated"))
        expect(res["id"].startswith("T") and len(res["id"]) == 28, res)

    @check("tenant: create with caller id")
    def _():
        tenant_id = unique("caller")
        expect(mgmt.tenant.create(name=tenant_id, id=tenant_id) == {"id": tenant_id}, "id not echoed")

    @check("tenant: load is flat with zero values")
    def _():
        tenant_id = new_tenant(name=unique("Acme"), self_provisioning_domains=["acme.com"])
        t = mgmt.tenant.load(tenant_id)
        expect(t["id"] == tenant_id and t["name"].startswith("Acme"), t)
        expect(t["selfProvisioningDomains"] == ["acme.com"], t)
        expect(t["disabled"] is False and t["enforceSSO"] is False, t)
        expect(t["customAttributes"] == {} and t["defaultRoles"] == [], t)
        expect(isinstance(t["createdTime"], int) and t["createdTime"] < 10**11, t)

    @check("tenant: load_all in creation order")
    def _():
        first, second = new_tenant(), new_tenant()
        ids = [t["id"] for t in mgmt.tenant.load_all()["tenants"]]
        expect(ids.index(first) + 1 == ids.index(second), ids)

    @check("tenant: search_all by name and empty result")
    def _():
        name = unique("Searched")
        tenant_id = new_tenant(name=name)
        found = mgmt.tenant.search_all(names=[name])["tenants"]
        expect([t["id"] for t in found] == [tenant_id], found)
        expect(mgmt.tenant.search_all(names=["nobody"]) == {"tenants": []}, "not empty")

    @check("tenant: update overwrites")
    def _():
        tenant_id = new_tenant()
        renamed = unique("Renamed")
        mgmt.tenant.update(tenant_id, renamed, self_provisioning_domains=["g.com"], disabled=True)
        t = mgmt.tenant.load(tenant_id)
        expect(t["name"] == renamed and t["disabled"] is True, t)
        mgmt.tenant.update(tenant_id, renamed)
        t = mgmt.tenant.load(tenant_id)
        expect(t["selfProvisioningDomains"] == [] and t["disabled"] is False, t)

    @check("tenant: update clears custom attributes and federation fields it leaves out")
    def _():
        tenant_id = new_tenant(custom_attributes={"tier": "gold"})
        mgmt.tenant.update_settings(
            tenant_id, self_provisioning_domains=[], enforce_sso_exclusions=["U1"], federated_app_ids=["app"]
        )
        t = mgmt.tenant.load(tenant_id)
        expect(t["enforceSSOExclusions"] == ["U1"] and t["federatedAppIds"] == ["app"], t)
        mgmt.tenant.update(tenant_id, unique("Renamed"))
        t = mgmt.tenant.load(tenant_id)
        expect(t["customAttributes"] == {} and t["enforceSSOExclusions"] == [] and t["federatedAppIds"] == [], t)

    @check("tenant: update_settings is a full write of the session settings")
    def _():
        tenant_id = new_tenant()
        mgmt.tenant.update_settings(
            tenant_id, self_provisioning_domains=[], session_settings_enabled=True, session_token_expiration=15
        )
        mgmt.tenant.update_settings(tenant_id, self_provisioning_domains=[], JITDisabled=True)
        s = mgmt.tenant.load_settings(tenant_id)
        expect(s["JITDisabled"] is True and s["enabled"] is False and s["sessionTokenExpiration"] == 0, s)

    @check("password: project and tenant settings")
    def _():
        tenant_id = new_tenant()
        mgmt.password.configure_settings(tenant_id, {"enabled": True, "minLength": 14, "lock": True, "lockAttempts": 3})
        s = mgmt.password.get_settings(tenant_id)
        expect(s["minLength"] == 14 and s["lockAttempts"] == 3 and s["uppercase"] is False, s)
        project = mgmt.password.get_settings()
        expect(isinstance(project["minLength"], int) and "lockAttempts" in project, project)

    @check("tenant: patch_tenant changes only given fields")
    def _():
        name = unique("Patched")
        tenant_id = new_tenant(name=name)
        mgmt.tenant.patch_tenant(tenant_id, disabled=True)
        t = mgmt.tenant.load(tenant_id)
        expect(t["name"] == name and t["disabled"] is True, t)

    @check("tenant: update_settings and load_settings")
    def _():
        tenant_id = new_tenant()
        s = mgmt.tenant.load_settings(tenant_id)
        expect(s["JITDisabled"] is False, s)
        mgmt.tenant.update_settings(
            tenant_id,
            self_provisioning_domains=["globex.com"],
            session_settings_enabled=True,
            session_token_expiration=15,
            session_token_expiration_unit="minutes",
        )
        s = mgmt.tenant.load_settings(tenant_id)
        expect(s["enabled"] is True and s["sessionTokenExpiration"] == 15, s)
        expect(s["selfProvisioningDomains"] == ["globex.com"], s)

    @check("tenant: update_default_roles")
    def _():
        tenant_id = new_tenant()
        mgmt.tenant.update_default_roles(tenant_id, ["Tenant Admin"])
        expect(mgmt.tenant.load(tenant_id)["defaultRoles"] == ["Tenant Admin"], "not set")

    @check("tenant: SSO configuration link generate")
    def _():
        tenant_id = new_tenant()
        link = mgmt.tenant.generate_sso_configuration_link(tenant_id, expire_time=60)
        expect(link.startswith("http") and tenant_id in link, link)

    @check("tenant: SSO configuration link revoke reaches the tenant")
    def _():
        # The SDK returns nothing; the server's route count and its 404 for a missing tenant
        # show that the revoke was sent, and sent for the named tenant.
        route = "POST /v1/mgmt/tenant/adminlinks/sso/revoke"
        tenant_id = new_tenant()
        before = route_count(route)
        mgmt.tenant.revoke_sso_configuration_link(tenant_id)
        expect(route_count(route) == before + 1, f"{route} not called")
        raises_status(404, lambda: mgmt.tenant.revoke_sso_configuration_link(unique("missing")))

    @check("tenant: duplicate id raises 409")
    def _():
        tenant_id = new_tenant()
        raises_status(409, lambda: mgmt.tenant.create(name=unique("Other"), id=tenant_id))

    @check("tenant: duplicate name raises 409")
    def _():
        name = unique("Taken")
        new_tenant(name=name)
        raises_status(409, lambda: mgmt.tenant.create(name=name))

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
        name = new_permission("see reports")
        perms = {p["name"]: p for p in mgmt.permission.load_all()["permissions"]}
        expect(perms[name] == {**perms[name], "description": "see reports", "systemDefault": False}, perms)

    @check("permission: duplicate raises 409")
    def _():
        name = new_permission()
        raises_status(409, lambda: mgmt.permission.create(name))

    @check("permission: create_batch and update_batch")
    def _():
        one, two, renamed = unique("p"), unique("p"), unique("p")
        mgmt.permission.create_batch([{"name": one, "description": "one"}, {"name": two}])
        mgmt.permission.update_batch([{"name": two, "newName": renamed, "description": "two"}])
        names = [p["name"] for p in mgmt.permission.load_all()["permissions"]]
        expect(one in names and renamed in names and two not in names, names)

    @check("permission: rename is reflected in roles")
    def _():
        permission = new_permission()
        _, role_id = new_role([permission])
        renamed = unique("perm")
        mgmt.permission.update(permission, renamed, "renamed")
        expect(role_by_id(role_id)["permissionNames"] == [renamed], role_by_id(role_id))

    @check("permission: delete, delete_batch, delete_batch_by_ids")
    def _():
        one, two, three = new_permission(), new_permission(), new_permission()
        mgmt.permission.delete(one)
        mgmt.permission.delete_batch([two])
        third = [p for p in mgmt.permission.load_all()["permissions"] if p["name"] == three][0]
        mgmt.permission.delete_batch_by_ids([third["id"]])
        names = [p["name"] for p in mgmt.permission.load_all()["permissions"]]
        expect(not {one, two, three} & set(names), names)

    # --- roles ---------------------------------------------------------------------------
    @check("role: built-in Tenant Admin exists")
    def _():
        roles = [r for r in mgmt.role.load_all()["roles"] if r["name"] == "Tenant Admin"]
        expect(len(roles) == 1 and roles[0]["id"].startswith("ROL"), roles)
        expect(roles[0]["systemDefault"] is True, roles)

    @check("role: create and load_all")
    def _():
        permission = new_permission()
        _, role_id = new_role([permission], "reads")
        role = role_by_id(role_id)
        expect(role["permissionNames"] == [permission] and role["tenantId"] == "", role)
        expect(role["description"] == "reads", role)
        expect(role["default"] is False and role["private"] is False, role)

    @check("role: duplicate raises 409")
    def _():
        name, _ = new_role()
        raises_status(409, lambda: mgmt.role.create(name))

    @check("role: unknown permission raises 400")
    def _():
        raises_status(400, lambda: mgmt.role.create(unique("broken"), permission_names=["ghost"]))

    @check("role: update replaces permissions and renames")
    def _():
        before, after = new_permission(), new_permission()
        name, role_id = new_role([before])
        renamed = unique("role")
        mgmt.role.update(name, renamed, "reads more", [after])
        role = role_by_id(role_id)
        expect(role["name"] == renamed and role["permissionNames"] == [after], role)
        expect(role["description"] == "reads more", role)

    @check("role: update_by_id")
    def _():
        name, role_id = new_role([new_permission()])
        mgmt.role.update_by_id(role_id, name, "by id", [])
        role = role_by_id(role_id)
        expect(role["description"] == "by id" and role["permissionNames"] == [], role)

    @check("role: tenant-scoped role with a project role's name")
    def _():
        tenant_id = new_tenant()
        name, _ = new_role()
        mgmt.role.create(name, tenant_id=tenant_id)
        found = mgmt.role.search(tenant_ids=[tenant_id])["roles"]
        expect([r["name"] for r in found] == [name] and found[0]["tenantId"] == tenant_id, found)

    @check("role: search by name like")
    def _():
        stem = unique("liked")
        mgmt.role.create(f"{stem}-a")
        mgmt.role.create(f"{stem}-b")
        found = mgmt.role.search(role_name_like=stem, include_project_roles=True)["roles"]
        expect(sorted(r["name"] for r in found) == [f"{stem}-a", f"{stem}-b"], found)

    @check("role: create_batch, update_batch, delete_batch")
    def _():
        permission = new_permission()
        one, two, renamed = unique("b"), unique("b"), unique("b")
        mgmt.role.create_batch([{"name": one}, {"name": two, "permissionNames": [permission]}])
        mgmt.role.update_batch([{"name": one, "newName": renamed, "description": "x"}])
        names = [r["name"] for r in mgmt.role.load_all()["roles"]]
        expect(renamed in names and two in names and one not in names, names)
        mgmt.role.delete_batch([renamed, two])
        names = [r["name"] for r in mgmt.role.load_all()["roles"]]
        expect(renamed not in names and two not in names, names)

    @check("role: delete tenant role by name + tenant")
    def _():
        tenant_id = new_tenant()
        name = unique("scoped")
        mgmt.role.create(name, tenant_id=tenant_id)
        mgmt.role.delete(name, tenant_id=tenant_id)
        expect(mgmt.role.search(tenant_ids=[tenant_id])["roles"] == [], "still there")

    @check("role: delete_by_id and missing raises 404")
    def _():
        _, role_id = new_role()
        mgmt.role.delete_by_id(role_id)
        raises_status(404, lambda: mgmt.role.delete_by_id(role_id))

    # --- flows and themes ----------------------------------------------------------------
    def seed_flow():
        with open(args.seed_flow) as f:
            return json.load(f)

    def imported_flow():
        """A copy of the seed flow under a fresh id, imported through the v1 endpoint."""
        doc = seed_flow()
        flow_id = unique("flow")
        mgmt.flow.import_flow(flow_id, doc["flow"], doc["screens"])
        return flow_id, doc

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
        doc = seed_flow()
        flow_id = unique("flow")
        res = mgmt.flow.import_flow(flow_id, doc["flow"], doc["screens"])
        expect(res["flow"]["id"] == flow_id, res["flow"]["id"])
        out = mgmt.flow.export_flow(flow_id)
        expect(out["flow"]["dsl"] == doc["flow"]["dsl"], "dsl changed")
        expect([s["id"] for s in out["screens"]] == [s["id"] for s in doc["screens"]], "screens changed")
        expect([s["htmlTemplate"] for s in out["screens"]] == [s["htmlTemplate"] for s in doc["screens"]], "html changed")

    @check("flow: v2 export of a v1-imported flow")
    def _():
        flow_id, _ = imported_flow()
        flow = http.post("/v2/mgmt/flow/export", body={"flowId": flow_id}).json()["flow"]
        expect(flow["flowId"] == flow_id and "tasks" in flow["contents"], flow.keys())
        expect(all("screenId" in s and "contents" in s for s in flow["screens"]), "screen shape")

    @check("flow: v2 import, visible in v1 export")
    def _():
        source, _ = imported_flow()
        v2flow = http.post("/v2/mgmt/flow/export", body={"flowId": source}).json()["flow"]
        flow_id = unique("flow")
        expect(http.post("/v2/mgmt/flow/import", body={"flowId": flow_id, "flow": v2flow}).json() == {}, "not {}")
        out = mgmt.flow.export_flow(flow_id)
        expect(out["flow"]["dsl"] == v2flow["contents"], "dsl differs")

    @check("flow: delete_flows")
    def _():
        first, _ = imported_flow()
        second, _ = imported_flow()
        mgmt.flow.delete_flows([first, second, "never-existed"])
        ids = [f["id"] for f in mgmt.flow.list_flows()["flows"]]
        expect(first not in ids and second not in ids, ids)

    @check("flow: export missing raises 404")
    def _():
        raises_status(404, lambda: mgmt.flow.export_flow(unique("missing")))

    # The project has one theme: these checks set it whole before reading it back.
    @check("theme: export_theme (v1) is wrapped with an id")
    def _():
        res = mgmt.flow.export_theme()
        expect(res["theme"]["id"] and isinstance(res["theme"]["cssTemplate"], dict), res)

    @check("theme: import_theme (v1) then v2 export")
    def _():
        theme_id = mgmt.flow.export_theme()["theme"]["id"]
        marker = unique("v1")
        theme = {"id": theme_id, "cssTemplate": {"light": {"marker": marker}}}
        res = mgmt.flow.import_theme(theme)
        expect(res["theme"]["cssTemplate"] == {"light": {"marker": marker}}, res)
        v2 = http.post("/v2/mgmt/theme/export", body={}).json()
        expect(v2["theme"]["styles"] == {"light": {"marker": marker}}, v2)

    @check("theme: v2 import round-trips")
    def _():
        theme = {"styles": {"dark": {"designTokens": {"marker": unique("v2")}}}, "componentsVersion": "3.18.6", "references": {}}
        expect(http.post("/v2/mgmt/theme/import", body={"theme": theme}).json() == {}, "not {}")
        expect(http.post("/v2/mgmt/theme/export", body={}).json()["theme"] == theme, "changed")

    # --- SSO -----------------------------------------------------------------------------
    def oidc_configured():
        tenant_id = new_tenant()
        domain = f"{tenant_id}.example.com"
        mgmt.sso.configure_oidc_settings(
            tenant_id,
            SSOOIDCSettings(name="okta", client_id="cid", client_secret="s3cret", scope=["openid"]),
            domains=[domain],
        )
        return tenant_id, domain

    @check("sso: configure_oidc_settings then load_settings")
    def _():
        tenant_id, domain = oidc_configured()
        s = mgmt.sso.load_settings(tenant_id)
        expect(s["oidc"]["clientId"] == "cid" and s["oidc"]["clientSecret"] == "", s["oidc"])
        expect(s["tenant"]["authType"] == "oidc" and s["tenant"]["domains"] == [domain], s["tenant"])

    @check("sso: configure_saml_settings maps request to load shape")
    def _():
        tenant_id = new_tenant()
        mgmt.sso.configure_saml_settings(
            tenant_id,
            SSOSAMLSettings(
                idp_url="https://idp/sso",
                idp_entity_id="idp-entity",
                idp_cert="CERT",
                role_mappings=[RoleMapping(groups=["admins"], role_name="Tenant Admin")],
                default_sso_roles=["Tenant Admin"],
            ),
            redirect_url="https://app/cb",
        )
        saml = mgmt.sso.load_settings(tenant_id)["saml"]
        expect(saml["idpSSOUrl"] == "https://idp/sso" and saml["idpEntityId"] == "idp-entity", saml)
        expect(saml["groupsMapping"][0]["role"]["name"] == "Tenant Admin", saml)
        expect(saml["defaultSSORoles"] == ["Tenant Admin"], saml)

    @check("sso: configure_saml_settings_by_metadata and load_all_settings")
    def _():
        tenant_id = new_tenant()
        mgmt.sso.configure_saml_settings_by_metadata(
            tenant_id, SSOSAMLSettingsByMetadata(idp_metadata_url="https://idp/metadata")
        )
        all_settings = mgmt.sso.load_all_settings(tenant_id)["SSOSettings"]
        expect(len(all_settings) == 1 and all_settings[0]["saml"]["idpMetadataUrl"] == "https://idp/metadata", all_settings)

    @check("sso: configure_auth_type is read back by the SDK and stored")
    def _():
        tenant_id = new_tenant()
        for auth_type in ("oidc", "saml", "none"):
            mgmt.sso.configure_auth_type(tenant_id, auth_type)
            expect(mgmt.tenant.load(tenant_id)["authType"] == auth_type, f"not {auth_type}")
            stored = project_state()["tenants"][tenant_id]["authType"]
            expect(stored == auth_type, f"stored {stored}, not {auth_type}")

    @check("sso: delete_settings resets the tenant auth type")
    def _():
        tenant_id, _ = oidc_configured()
        mgmt.sso.delete_settings(tenant_id)
        s = mgmt.sso.load_settings(tenant_id)
        expect(s["tenant"]["authType"] == "none" and s["saml"]["idpSSOUrl"] == "", s)
        expect(s["oidc"]["clientId"] == "", s["oidc"])

    # --- access keys ---------------------------------------------------------------------
    @check("access key: create returns cleartext once")
    def _():
        tenant_id = new_tenant()
        res = new_access_key(key_tenants=[AssociatedTenant(tenant_id, ["Tenant Admin"])], description="ci")
        expect(res["cleartext"] and res["key"]["id"].startswith("K"), res)
        expect(res["key"]["status"] == "active" and res["key"]["createdBy"], res["key"])

    @check("access key: load has no cleartext")
    def _():
        tenant_id = new_tenant()
        created = new_access_key(key_tenants=[AssociatedTenant(tenant_id, ["Tenant Admin"])])["key"]
        res = mgmt.access_key.load(created["id"])
        expect("cleartext" not in res and res["key"]["name"] == created["name"], res)
        expect(res["key"]["keyTenants"][0]["tenantId"] == tenant_id, res["key"])

    @check("access key: search by tenant")
    def _():
        tenant_id, other = new_tenant(), new_tenant()
        key_id = new_access_key(key_tenants=[AssociatedTenant(tenant_id, ["Tenant Admin"])])["key"]["id"]
        keys = mgmt.access_key.search_all_access_keys(tenant_ids=[tenant_id])["keys"]
        expect([k["id"] for k in keys] == [key_id], keys)
        expect(mgmt.access_key.search_all_access_keys(tenant_ids=[other]) == {"keys": []}, "not empty")

    @check("access key: update keeps omitted fields")
    def _():
        key_id = new_access_key(description="ci")["key"]["id"]
        renamed = unique("key")
        mgmt.access_key.update(key_id, renamed)
        key = mgmt.access_key.load(key_id)["key"]
        expect(key["name"] == renamed and key["description"] == "ci", key)

    @check("access key: deactivate and activate")
    def _():
        key_id = new_access_key()["key"]["id"]
        mgmt.access_key.deactivate(key_id)
        expect(mgmt.access_key.load(key_id)["key"]["status"] == "inactive", "still active")
        mgmt.access_key.activate(key_id)
        expect(mgmt.access_key.load(key_id)["key"]["status"] == "active", "still inactive")

    @check("access key: rotate keeps the key, returns a new secret")
    def _():
        created = new_access_key()
        res = mgmt.access_key.rotate(created["key"]["id"])
        expect(res["cleartext"] and res["key"]["id"] == created["key"]["id"], res)
        expect(res["cleartext"] != created["cleartext"], "the same secret")

    @check("access key: batch deactivate, activate, delete")
    def _():
        ids = [new_access_key()["key"]["id"] for _ in range(2)]
        mgmt.access_key.deactivate_batch(ids)
        expect(all(mgmt.access_key.load(i)["key"]["status"] == "inactive" for i in ids), "not inactive")
        mgmt.access_key.activate_batch(ids)
        expect(all(mgmt.access_key.load(i)["key"]["status"] == "active" for i in ids), "not active")
        mgmt.access_key.delete_batch(ids)
        raises_status(404, lambda: mgmt.access_key.load(ids[0]))

    @check("access key: delete then load raises 404")
    def _():
        key_id = new_access_key()["key"]["id"]
        mgmt.access_key.delete(key_id)
        raises_status(404, lambda: mgmt.access_key.load(key_id))

    # --- users ---------------------------------------------------------------------------
    def new_user(**fields):
        login_id = f"{unique('user')}@example.com"
        return login_id, mgmt.user.create(login_id, **fields)["user"]

    @check("user: create")
    def _():
        tenant_id = new_tenant()
        login_id, u = new_user(display_name="Alice", user_tenants=[AssociatedTenant(tenant_id, ["Tenant Admin"])])
        expect(u["userId"].startswith("U") and u["loginIds"] == [login_id], u)
        expect(u["userTenants"][0]["tenantId"] == tenant_id and u["status"] == "enabled", u)

    @check("user: create_test_user and duplicate raises 409")
    def _():
        mgmt.user.create_test_user(unique("tester"))
        login_id, _ = new_user()
        raises_status(409, lambda: mgmt.user.create(login_id))

    @check("user: load and load_by_user_id")
    def _():
        login_id, u = new_user(display_name="Alice")
        expect(mgmt.user.load(login_id)["user"]["name"] == "Alice", "by login id")
        expect(mgmt.user.load_by_user_id(u["userId"])["user"]["userId"] == u["userId"], "by id")

    @check("user: search_all paginates with total")
    def _():
        # Counted within a fresh tenant, since other checks create users too.
        tenant_id = new_tenant()
        logins = [new_user(user_tenants=[AssociatedTenant(tenant_id)])[0] for _ in range(5)]
        page = mgmt.user.search_all(tenant_ids=[tenant_id], limit=2, page=1)
        expect(page["total"] == 5 and len(page["users"]) == 2, page)
        expect(page["users"][0]["loginIds"] == [logins[2]], page["users"][0])
        test_login = unique("tester")
        mgmt.user.create_test_user(test_login, user_tenants=[AssociatedTenant(tenant_id)])
        without_tests = mgmt.user.search_all(tenant_ids=[tenant_id])
        expect(without_tests["total"] == 5, without_tests["total"])
        with_tests = mgmt.user.search_all(tenant_ids=[tenant_id], with_test_user=True)
        expect(with_tests["total"] == 6, with_tests["total"])

    @check("user: delete then load raises 404")
    def _():
        login_id, _ = new_user()
        mgmt.user.delete(login_id)
        raises_status(404, lambda: mgmt.user.load(login_id))

    @check("user: delete_batch")
    def _():
        users = [new_user() for _ in range(2)]
        mgmt.user.delete_batch([u["userId"] for _, u in users])
        for login_id, _ in users:
            raises_status(404, lambda: mgmt.user.load(login_id))

    @check("tenant: delete with cascade")
    def _():
        tenant_id = new_tenant()
        login_id, _ = new_user(user_tenants=[AssociatedTenant(tenant_id)])
        mgmt.tenant.delete(tenant_id, cascade=True)
        raises_status(404, lambda: mgmt.tenant.load(tenant_id))
        raises_status(404, lambda: mgmt.user.load(login_id))

    # --- project snapshots ---------------------------------------------------------------
    @check("project: export_snapshot contains flows, styles and roles")
    def _():
        files = mgmt.project.export_snapshot()["files"]
        expect("flows/sign-up-or-in.json" in files and "styles/styles.json" in files, list(files))

    @check("project: validate_snapshot ok and failures")
    def _():
        res = mgmt.project.validate_snapshot(mgmt.project.export_snapshot()["files"])
        expect(res["ok"] is True and res["failures"] == [], res)
        bad = mgmt.project.validate_snapshot({"flows/x.json": {"flowId": "x", "screens": 3}})
        expect(bad["ok"] is False and len(bad["failures"]) == 1, bad)

    @check("project: import_snapshot restores flows")
    def _():
        flow_id, _ = imported_flow()
        files = mgmt.project.export_snapshot()["files"]
        mgmt.flow.delete_flows([flow_id])
        mgmt.project.import_snapshot(files)
        ids = [f["id"] for f in mgmt.flow.list_flows()["flows"]]
        expect(flow_id in ids, ids)

    @check("project: legacy export_project / import_project")
    def _():
        files = mgmt.project.export_project()
        expect("flows/sign-up-or-in.json" in files, list(files))
        mgmt.project.import_project(files)
        expect(mgmt.project.export_project().keys() == files.keys(), "files differ")

    @check("project: update_name is stored")
    def _():
        name = unique("Conformance")
        mgmt.project.update_name(name)
        stored = project_state()["project"]["current"]["name"]
        expect(stored == name, f"stored name {stored!r}")

    @check("project: update_tags replaces the tags")
    def _():
        tags = [unique("ci"), unique("local")]
        mgmt.project.update_tags(["old"])
        mgmt.project.update_tags(tags)
        stored = project_state()["project"]["current"]["tags"]
        expect(stored == tags, f"stored tags {stored!r}")

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

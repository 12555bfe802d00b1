// Drives the emulator through the official Descope Node SDK (pinned in package.json).
//
// Every check calls the SDK's own management methods against a freshly started emulator and
// verifies what the SDK hands back; where the SDK hands back nothing (project name and tags), the
// stored value is read back through `/emulator/state`. Checks are independent: each creates what it
// needs under fresh names. Node SDK methods never throw for HTTP errors: they resolve to
// `{ ok, code, data, error }`, with `error` the parsed error body (plus `retryAfter` on 429), so
// error checks assert on that object. This SDK version has no v2 flow/theme methods; the Python
// conformance run covers those endpoints.
//
// Usage: node conformance.mjs --url URL --project ID --key KEY --other-key KEY
//                             --rate-limited-url URL --seed-flow PATH
// Prints one line per check and ends with `node-sdk-conformance: N passed, M failed`.

import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import DescopeClient from '@descope/node-sdk';

const results = { passed: 0, failed: 0 };

async function check(name, fn) {
  try {
    await fn();
    results.passed += 1;
    console.log(`ok   ${name}`);
  } catch (e) {
    results.failed += 1;
    console.log(`FAIL ${name}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function expect(cond, message) {
  if (!cond) {
    throw new Error(typeof message === 'string' ? message : JSON.stringify(message));
  }
}

// JSON with object keys sorted at every level: equal values print the same whatever order the
// server wrote their keys in (arrays keep their order, which is part of the value).
function canonical(value) {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((key) => [key, canonical(value[key])]));
  }
  return value;
}

function same(a, b) {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

let names = 0;

// A name no other check uses.
function unique(prefix) {
  names += 1;
  return `${prefix}-${names}`;
}

// The SDK's success value, or a failure naming what the SDK reported instead.
function data(res, what) {
  expect(res && typeof res === 'object', `${what}: SDK returned ${res}`);
  expect(res.ok === true, `${what}: expected success, got ${res.code} ${JSON.stringify(res.error)}`);
  return res.data;
}

// Asserts the SDK reported an HTTP error with this status and a complete Descope error body.
function failsWith(res, status, what, errorCode) {
  expect(res && res.ok === false, `${what}: expected HTTP ${status}, got success`);
  expect(res.code === status, `${what}: expected HTTP ${status}, got ${res.code} ${JSON.stringify(res.error)}`);
  for (const field of ['errorCode', 'errorDescription', 'errorMessage']) {
    expect(res.error && typeof res.error[field] === 'string', `${what}: error lacks ${field}: ${JSON.stringify(res.error)}`);
  }
  if (errorCode !== undefined) {
    expect(res.error.errorCode === errorCode, `${what}: errorCode ${res.error.errorCode}, wanted ${errorCode}`);
  }
  return res.error;
}

async function main() {
  const { values: args } = parseArgs({
    options: {
      url: { type: 'string' },
      project: { type: 'string' },
      key: { type: 'string' },
      'other-key': { type: 'string' },
      'rate-limited-url': { type: 'string' },
      'seed-flow': { type: 'string' },
    },
  });
  for (const name of ['url', 'project', 'key', 'other-key', 'rate-limited-url', 'seed-flow']) {
    if (!args[name]) {
      console.error(`missing --${name}`);
      console.log('node-sdk-conformance: 0 passed, 1 failed');
      return 2;
    }
  }

  const client = DescopeClient({ projectId: args.project, managementKey: args.key, baseUrl: args.url });
  const m = client.management;

  // This project's stored collections, for what the SDK's calls do not return.
  const projectState = async () => (await (await fetch(`${args.url}/emulator/state`)).json()).projects[args.project];
  const routeCount = async (route) => (await (await fetch(`${args.url}/emulator/stats`)).json()).byRoute[route] ?? 0;

  // Fixtures of one check only, under fresh names, so that one failure cannot cascade.
  const newTenant = async (fields = {}) => {
    const id = unique('tenant');
    const { name = id, domains = [], attributes, enforceSSO, disabled, parent } = fields;
    data(await m.tenant.createWithId(id, name, domains, attributes, enforceSSO, disabled, parent), `createWithId ${id}`);
    return id;
  };
  const newPermission = async (description = '') => {
    const name = unique('perm');
    data(await m.permission.create(name, description), `create permission ${name}`);
    return name;
  };
  const roleById = async (id) => data(await m.role.loadAll(), 'loadAll').find((r) => r.id === id);
  const newRole = async (permissionNames = [], description = '') => {
    const name = unique('role');
    data(await m.role.create(name, description, permissionNames), `create role ${name}`);
    const role = data(await m.role.loadAll(), 'loadAll').find((r) => r.name === name);
    return { name, id: role.id };
  };
  const newKey = async (tenantId, description) => {
    const tenants = tenantId ? [{ tenantId, roleNames: ['Tenant Admin'] }] : undefined;
    return data(await m.accessKey.create(unique('key'), 0, undefined, tenants, undefined, undefined, description), 'create key');
  };
  const newUser = async (options = {}) => {
    const login = `${unique('user')}@example.com`;
    return { login, user: data(await m.user.create(login, options), `create ${login}`) };
  };
  const seedFlow = async () => JSON.parse(await readFile(args['seed-flow'], 'utf8'));
  const importedFlow = async () => {
    const doc = await seedFlow();
    const id = unique('flow');
    data(await m.flow.import(id, doc.flow, doc.screens), `import ${id}`);
    return id;
  };

  // --- tenants -------------------------------------------------------------------------
  await check('tenant: create generates a T id', async () => {
    const res = data(await m.tenant.create(unique('Generated'), ['acme.com']), 'create');
    expect(typeof res.id === 'string' && res.id.startsWith('T') && res.id.length === 28, res);
  });

  await check('tenant: createWithId uses the caller id', async () => {
    const id = unique('caller');
    data(await m.tenant.createWithId(id, 'Caller'), 'createWithId');
    expect(data(await m.tenant.load(id), 'load').name === 'Caller', `not stored under ${id}`);
  });

  await check('tenant: load is flat with zero values', async () => {
    const name = unique('Acme');
    const { id } = data(await m.tenant.create(name, ['acme.com']), 'create');
    const t = data(await m.tenant.load(id), 'load');
    expect(t.id === id && t.name === name, t);
    expect(same(t.selfProvisioningDomains, ['acme.com']), t);
    expect(t.disabled === false && t.enforceSSO === false, t);
    expect(same(t.customAttributes, {}) && same(t.defaultRoles, []), t);
    expect(Number.isInteger(t.createdTime) && t.createdTime < 1e11, t);
  });

  await check('tenant: loadAll returns the array in creation order', async () => {
    const first = await newTenant();
    const second = await newTenant();
    const tenants = data(await m.tenant.loadAll(), 'loadAll');
    expect(Array.isArray(tenants), tenants);
    const ids = tenants.map((t) => t.id);
    expect(ids.indexOf(first) >= 0 && ids.indexOf(first) + 1 === ids.indexOf(second), ids);
  });

  await check('tenant: searchAll by name and empty result', async () => {
    const name = unique('Searched');
    const id = await newTenant({ name });
    const found = data(await m.tenant.searchAll(undefined, [name]), 'searchAll');
    expect(same(found.map((t) => t.id), [id]), found);
    expect(same(data(await m.tenant.searchAll(undefined, ['nobody']), 'searchAll'), []), 'not empty');
    const byId = data(await m.tenant.searchAll([id]), 'searchAll by id');
    expect(same(byId.map((t) => t.id), [id]), byId);
  });

  await check('tenant: create with parent and custom attributes, searchAll by them', async () => {
    const parent = await newTenant();
    const region = unique('region');
    const domain = `${unique('eu')}.acme.com`;
    const res = data(await m.tenant.create(unique('Acme EU'), [domain], { region }, true, false, parent), 'create child');
    const child = data(await m.tenant.load(res.id), 'load child');
    expect(child.parent === parent && child.enforceSSO === true, child);
    expect(same(child.customAttributes, { region }), child);
    const byParent = data(await m.tenant.searchAll(undefined, undefined, undefined, undefined, parent), 'searchAll parent');
    expect(same(byParent.map((t) => t.id), [res.id]), byParent);
    const byAttr = data(await m.tenant.searchAll(undefined, undefined, undefined, { region }), 'searchAll attributes');
    expect(same(byAttr.map((t) => t.id), [res.id]), byAttr);
    const byDomain = data(await m.tenant.searchAll(undefined, undefined, [domain]), 'searchAll domains');
    expect(same(byDomain.map((t) => t.id), [res.id]), byDomain);
  });

  await check('tenant: update overwrites', async () => {
    const id = await newTenant();
    const name = unique('Renamed');
    data(await m.tenant.update(id, name, ['g.com'], undefined, undefined, true), 'update');
    let t = data(await m.tenant.load(id), 'load');
    expect(t.name === name && t.disabled === true && same(t.selfProvisioningDomains, ['g.com']), t);
    data(await m.tenant.update(id, name, [], undefined, undefined, false), 'update');
    t = data(await m.tenant.load(id), 'load');
    expect(same(t.selfProvisioningDomains, []) && t.disabled === false, t);
  });

  await check('tenant: update without customAttributes clears them (a full overwrite)', async () => {
    const id = await newTenant();
    data(await m.tenant.update(id, id, [], { tier: 'gold' }), 'update with attributes');
    expect(same(data(await m.tenant.load(id), 'load').customAttributes, { tier: 'gold' }), 'not set');
    data(await m.tenant.update(id, id), 'update without attributes');
    const t = data(await m.tenant.load(id), 'load');
    expect(same(t.customAttributes, {}), t);
  });

  await check('tenant: configureSettings and getSettings', async () => {
    const id = await newTenant();
    const before = data(await m.tenant.getSettings(id), 'getSettings');
    expect(before.JITDisabled === false, before);
    data(
      await m.tenant.configureSettings(id, {
        selfProvisioningDomains: ['globex.com'],
        enabled: true,
        sessionTokenExpiration: 15,
        sessionTokenExpirationUnit: 'minutes',
      }),
      'configureSettings',
    );
    const s = data(await m.tenant.getSettings(id), 'getSettings');
    expect(s.enabled === true && s.sessionTokenExpiration === 15, s);
    expect(s.sessionTokenExpirationUnit === 'minutes', s);
    expect(same(s.selfProvisioningDomains, ['globex.com']), s);
  });

  await check('tenant: configureSettings with the SDK-typed InactivityTime fields', async () => {
    // The SDK's TenantSettings type capitalises these two names; the emulator accepts them as
    // aliases of inactivityTime / inactivityTimeUnit and answers with the wire names.
    const id = await newTenant();
    data(
      await m.tenant.configureSettings(id, {
        selfProvisioningDomains: ['globex.com'],
        enableInactivity: true,
        InactivityTime: 10,
        InactivityTimeUnit: 'minutes',
      }),
      'configureSettings',
    );
    const s = data(await m.tenant.getSettings(id), 'getSettings');
    expect(s.enableInactivity === true && s.inactivityTime === 10 && s.inactivityTimeUnit === 'minutes', s);
  });

  await check('tenant: updateDefaultRoles', async () => {
    const id = await newTenant();
    data(await m.tenant.updateDefaultRoles(id, ['Tenant Admin']), 'updateDefaultRoles');
    expect(same(data(await m.tenant.load(id), 'load').defaultRoles, ['Tenant Admin']), 'not set');
  });

  await check('tenant: SSO configuration link generate', async () => {
    const id = await newTenant();
    const res = data(await m.tenant.generateSSOConfigurationLink(id, 60), 'generate');
    const link = res.adminSSOConfigurationLink;
    expect(typeof link === 'string' && link.startsWith('http') && link.includes(id), res);
  });

  await check('tenant: SSO configuration link revoke reaches the tenant', async () => {
    // The SDK returns nothing; the server's route count and its 404 for a missing tenant show
    // that the revoke was sent, and sent for the named tenant.
    const route = 'POST /v1/mgmt/tenant/adminlinks/sso/revoke';
    const id = await newTenant();
    const before = await routeCount(route);
    data(await m.tenant.revokeSSOConfigurationLink(id), 'revoke');
    expect((await routeCount(route)) === before + 1, `${route} not called`);
    failsWith(await m.tenant.revokeSSOConfigurationLink(unique('missing')), 404, 'revoke missing');
  });

  await check('tenant: duplicate id reports 409', async () => {
    const id = await newTenant();
    failsWith(await m.tenant.createWithId(id, unique('Other')), 409, 'createWithId', 'E011004');
  });

  await check('tenant: duplicate name reports 409', async () => {
    const name = unique('Taken');
    await newTenant({ name });
    failsWith(await m.tenant.create(name), 409, 'create', 'E011004');
  });

  await check('tenant: load missing reports 404', async () => {
    failsWith(await m.tenant.load('no-such-tenant'), 404, 'load', 'E011004');
  });

  await check('tenant: update missing reports 404', async () => {
    failsWith(await m.tenant.update('no-such-tenant', 'x'), 404, 'update');
  });

  await check('tenant: delete with cascade removes tenant-only users', async () => {
    const id = await newTenant();
    const { login } = await newUser({ userTenants: [{ tenantId: id, roleNames: [] }] });
    data(await m.tenant.delete(id, true), 'delete');
    failsWith(await m.tenant.load(id), 404, 'load tenant');
    failsWith(await m.user.load(login), 404, `load ${login}`);
  });

  await check('tenant: delete missing reports 404', async () => {
    const id = await newTenant();
    data(await m.tenant.delete(id), 'delete');
    failsWith(await m.tenant.delete(id), 404, 'delete again');
  });

  // --- permissions ---------------------------------------------------------------------
  await check('permission: built-ins are systemDefault', async () => {
    const perms = Object.fromEntries(data(await m.permission.loadAll(), 'loadAll').map((p) => [p.name, p]));
    for (const name of ['User Admin', 'SSO Admin', 'Impersonate']) {
      expect(perms[name] && perms[name].systemDefault === true, perms);
    }
  });

  await check('permission: create and loadAll', async () => {
    const name = await newPermission('see reports');
    const p = data(await m.permission.loadAll(), 'loadAll').find((x) => x.name === name);
    expect(p && p.description === 'see reports' && p.systemDefault === false, p);
  });

  await check('permission: duplicate reports 409', async () => {
    const name = await newPermission();
    failsWith(await m.permission.create(name), 409, 'create', 'E011004');
  });

  await check('permission: createBatch and updateBatch', async () => {
    const [one, two, renamed] = [unique('p'), unique('p'), unique('p')];
    data(await m.permission.createBatch([{ name: one, description: 'one' }, { name: two }]), 'createBatch');
    data(await m.permission.updateBatch([{ name: two, newName: renamed, description: 'two' }]), 'updateBatch');
    const names = data(await m.permission.loadAll(), 'loadAll').map((p) => p.name);
    expect(names.includes(one) && names.includes(renamed) && !names.includes(two), names);
  });

  await check('permission: updateWithId renames', async () => {
    const name = await newPermission();
    const p = data(await m.permission.loadAll(), 'loadAll').find((x) => x.name === name);
    expect(p && typeof p.id === 'string', p);
    const renamed = unique('perm');
    data(await m.permission.updateWithId(p.id, renamed, 'renamed'), 'updateWithId');
    const names = data(await m.permission.loadAll(), 'loadAll').map((x) => x.name);
    expect(names.includes(renamed) && !names.includes(name), names);
  });

  await check('permission: rename is reflected in roles', async () => {
    const permission = await newPermission();
    const role = await newRole([permission]);
    const renamed = unique('perm');
    data(await m.permission.update(permission, renamed, 'renamed'), 'update');
    const after = await roleById(role.id);
    expect(same(after.permissionNames, [renamed]), after);
  });

  await check('permission: update missing reports 404', async () => {
    failsWith(await m.permission.update('ghost', 'ghost2'), 404, 'update');
  });

  await check('permission: delete, deleteWithId, deleteBatch by names and ids', async () => {
    const [byName, byId, batchName, batchId] = [await newPermission(), await newPermission(), await newPermission(), await newPermission()];
    const all = data(await m.permission.loadAll(), 'loadAll');
    const idOf = (name) => all.find((p) => p.name === name).id;
    data(await m.permission.delete(byName), 'delete');
    data(await m.permission.deleteWithId(idOf(byId)), 'deleteWithId');
    data(await m.permission.deleteBatch([batchName]), 'deleteBatch names');
    data(await m.permission.deleteBatch(undefined, [idOf(batchId)]), 'deleteBatch ids');
    const names = data(await m.permission.loadAll(), 'loadAll').map((p) => p.name);
    for (const gone of [byName, byId, batchName, batchId]) {
      expect(!names.includes(gone), names);
    }
  });

  // --- roles ---------------------------------------------------------------------------
  await check('role: built-in Tenant Admin exists', async () => {
    const roles = data(await m.role.loadAll(), 'loadAll').filter((r) => r.name === 'Tenant Admin');
    expect(roles.length === 1 && roles[0].id.startsWith('ROL'), roles);
  });

  await check('role: create and loadAll', async () => {
    const permission = await newPermission();
    const { id } = await newRole([permission], 'reads');
    const role = await roleById(id);
    expect(role && same(role.permissionNames, [permission]) && role.tenantId === '', role);
    expect(role.default === false && role.private === false && role.description === 'reads', role);
  });

  await check('role: create with defaultRole', async () => {
    const name = unique('member');
    data(await m.role.create(name, 'everyone', [], undefined, true), 'create');
    const role = data(await m.role.loadAll(), 'loadAll').find((r) => r.name === name);
    expect(role && role.default === true, role);
  });

  await check('role: duplicate reports 409', async () => {
    const { name } = await newRole();
    failsWith(await m.role.create(name), 409, 'create', 'E011004');
  });

  await check('role: unknown permission reports 400', async () => {
    failsWith(await m.role.create(unique('broken'), undefined, ['ghost']), 400, 'create');
  });

  await check('role: update replaces permissions and renames', async () => {
    const [before, after] = [await newPermission(), await newPermission()];
    const { name, id } = await newRole([before]);
    const renamed = unique('role');
    data(await m.role.update(name, renamed, 'reads more', [after]), 'update');
    const role = await roleById(id);
    expect(role.name === renamed && same(role.permissionNames, [after]) && role.description === 'reads more', role);
  });

  await check('role: updateWithId', async () => {
    const { name, id } = await newRole([await newPermission()]);
    data(await m.role.updateWithId(id, name, 'by id', []), 'updateWithId');
    const role = await roleById(id);
    expect(role.description === 'by id' && same(role.permissionNames, []), role);
  });

  await check('role: tenant-scoped role with a project role\'s name', async () => {
    const tenantId = await newTenant();
    const { name } = await newRole();
    data(await m.role.create(name, undefined, undefined, tenantId), 'create');
    const found = data(await m.role.search({ tenantIds: [tenantId] }), 'search');
    expect(same(found.map((r) => r.name), [name]) && found[0].tenantId === tenantId, found);
  });

  await check('role: search by name like', async () => {
    const stem = unique('liked');
    data(await m.role.create(`${stem}-a`), 'create a');
    data(await m.role.create(`${stem}-b`), 'create b');
    const found = data(await m.role.search({ roleNameLike: stem, includeProjectRoles: true }), 'search');
    expect(same(found.map((r) => r.name).sort(), [`${stem}-a`, `${stem}-b`]), found);
  });

  await check('role: createBatch, updateBatch, deleteBatch', async () => {
    const permission = await newPermission();
    const [one, two, renamed] = [unique('b'), unique('b'), unique('b')];
    const created = data(await m.role.createBatch([{ name: one }, { name: two, permissionNames: [permission] }]), 'createBatch');
    expect(Array.isArray(created) && same(created.map((r) => r.name), [one, two]), created);
    const updated = data(await m.role.updateBatch([{ name: one, newName: renamed, description: 'x' }]), 'updateBatch');
    expect(Array.isArray(updated) && updated[0].name === renamed, updated);
    let names = data(await m.role.loadAll(), 'loadAll').map((r) => r.name);
    expect(names.includes(renamed) && names.includes(two) && !names.includes(one), names);
    data(await m.role.deleteBatch([renamed, two]), 'deleteBatch');
    names = data(await m.role.loadAll(), 'loadAll').map((r) => r.name);
    expect(!names.includes(renamed) && !names.includes(two), names);
  });

  await check('role: delete tenant role by name + tenant', async () => {
    const tenantId = await newTenant();
    const name = unique('scoped');
    data(await m.role.create(name, undefined, undefined, tenantId), 'create');
    data(await m.role.delete(name, tenantId), 'delete');
    expect(same(data(await m.role.search({ tenantIds: [tenantId] }), 'search'), []), 'still there');
  });

  await check('role: deleteWithId, then missing reports 404', async () => {
    const { id } = await newRole();
    data(await m.role.deleteWithId(id), 'deleteWithId');
    failsWith(await m.role.deleteWithId(id), 404, 'deleteWithId again', 'E011004');
  });

  // --- flows and themes ----------------------------------------------------------------
  await check('flow: list includes sign-up-or-in with total', async () => {
    const res = data(await m.flow.list(), 'list');
    const ids = res.flows.map((f) => f.id);
    expect(ids.includes('sign-up-or-in') && res.total === ids.length, res);
    expect(res.flows.every((f) => typeof f.name === 'string' && typeof f.disabled === 'boolean'), res.flows);
  });

  await check('flow: export (v1) has dsl and screens', async () => {
    const res = data(await m.flow.export('sign-up-or-in'), 'export');
    expect(res.flow.id === 'sign-up-or-in' && res.screens.length > 0, Object.keys(res));
    expect(res.flow.dsl && 'tasks' in res.flow.dsl, Object.keys(res.flow));
  });

  await check('flow: import (v1) round-trips', async () => {
    const doc = await seedFlow();
    const id = unique('flow');
    const res = data(await m.flow.import(id, doc.flow, doc.screens), 'import');
    expect(res.flow.id === id, res.flow.id);
    const out = data(await m.flow.export(id), 'export');
    expect(same(out.flow.dsl, doc.flow.dsl), 'dsl changed');
    expect(same(out.screens.map((s) => s.id), doc.screens.map((s) => s.id)), 'screens changed');
    expect(same(out.screens.map((s) => s.htmlTemplate), doc.screens.map((s) => s.htmlTemplate)), 'html changed');
  });

  await check('flow: delete ignores unknown ids', async () => {
    const id = await importedFlow();
    data(await m.flow.delete([id, 'never-existed']), 'delete');
    const ids = data(await m.flow.list(), 'list').flows.map((f) => f.id);
    expect(!ids.includes(id), ids);
  });

  await check('flow: export missing reports 404', async () => {
    failsWith(await m.flow.export(unique('missing')), 404, 'export', 'E011004');
  });

  // The project has one theme: the import check sets it whole before reading it back.
  await check('theme: export (v1) is wrapped with an id', async () => {
    const res = data(await m.theme.export(), 'export');
    expect(res.theme.id && typeof res.theme.cssTemplate === 'object', res);
  });

  await check('theme: import (v1) round-trips', async () => {
    const { id } = data(await m.theme.export(), 'export').theme;
    const theme = { id, cssTemplate: { light: { marker: unique('v1'), a: 1 } } };
    const res = data(await m.theme.import(theme), 'import');
    expect(same(res.theme.cssTemplate, theme.cssTemplate), res);
    const out = data(await m.theme.export(), 'export');
    expect(same(out.theme.cssTemplate, theme.cssTemplate), out);
  });

  // --- SSO -----------------------------------------------------------------------------
  const oidcConfigured = async () => {
    const id = await newTenant();
    const domain = `${id}.example.com`;
    data(
      await m.sso.configureOIDCSettings(
        id,
        {
          name: 'okta',
          clientId: 'cid',
          clientSecret: 's3cret',
          scope: ['openid'],
          attributeMapping: { email: 'mail' },
        },
        [domain],
      ),
      'configureOIDCSettings',
    );
    return { id, domain };
  };

  await check('sso: configureOIDCSettings then loadSettings', async () => {
    const { id, domain } = await oidcConfigured();
    const s = data(await m.sso.loadSettings(id), 'loadSettings');
    expect(s.oidc.clientId === 'cid' && s.oidc.clientSecret === '' && s.oidc.name === 'okta', s.oidc);
    expect(s.oidc.attributeMapping && s.oidc.attributeMapping.email === 'mail', s.oidc);
    expect(s.tenant.authType === 'oidc' && same(s.tenant.domains, [domain]), s.tenant);
  });

  await check('sso: configureSAMLSettings maps to the load shape', async () => {
    const id = await newTenant();
    data(
      await m.sso.configureSAMLSettings(
        id,
        {
          idpUrl: 'https://idp/sso',
          entityId: 'idp-entity',
          idpCert: 'CERT',
          roleMappings: [{ groups: ['admins'], roleName: 'Tenant Admin' }],
          defaultSSORoles: ['Tenant Admin'],
        },
        'https://app/cb',
      ),
      'configureSAMLSettings',
    );
    const { saml } = data(await m.sso.loadSettings(id), 'loadSettings');
    expect(saml.idpSSOUrl === 'https://idp/sso' && saml.idpEntityId === 'idp-entity', saml);
    expect(saml.idpCertificate === 'CERT' && saml.redirectUrl === 'https://app/cb', saml);
    // The SDK flattens groupsMapping[].role.name into roleName.
    expect(saml.groupsMapping[0].roleName === 'Tenant Admin', saml);
    expect(same(saml.groupsMapping[0].groups, ['admins']), saml);
    expect(same(saml.defaultSSORoles, ['Tenant Admin']), saml);
  });

  await check('sso: configureSAMLByMetadata and loadAllSettings', async () => {
    const id = await newTenant();
    data(await m.sso.configureSAMLByMetadata(id, { idpMetadataUrl: 'https://idp/metadata' }), 'configureSAMLByMetadata');
    const all = data(await m.sso.loadAllSettings(id), 'loadAllSettings');
    expect(Array.isArray(all) && all.length === 1 && all[0].saml.idpMetadataUrl === 'https://idp/metadata', all);
  });

  await check('sso: the auth type a configuration sets is stored on the tenant', async () => {
    // This SDK has no auth-type call: configuring OIDC, then SAML, sets it, read back from the
    // tenant through the SDK and from the emulator's stored state.
    const { id } = await oidcConfigured();
    expect(data(await m.tenant.load(id), 'load').authType === 'oidc', 'not oidc');
    expect((await projectState()).tenants[id].authType === 'oidc', 'stored auth type is not oidc');
    data(await m.sso.configureSAMLByMetadata(id, { idpMetadataUrl: 'https://idp/metadata' }), 'configureSAMLByMetadata');
    expect(data(await m.tenant.load(id), 'load').authType === 'saml', 'not saml');
    expect((await projectState()).tenants[id].authType === 'saml', 'stored auth type is not saml');
  });

  await check('sso: deleteSettings resets the tenant auth type', async () => {
    const { id } = await oidcConfigured();
    data(await m.sso.deleteSettings(id), 'deleteSettings');
    const s = data(await m.sso.loadSettings(id), 'loadSettings');
    expect(s.tenant.authType === 'none' && s.saml.idpSSOUrl === '' && s.oidc.clientId === '', s);
  });

  await check('sso: loadSettings of a missing tenant reports 404', async () => {
    failsWith(await m.sso.loadSettings('no-such-tenant'), 404, 'loadSettings');
  });

  // --- access keys ---------------------------------------------------------------------
  await check('access key: create returns cleartext once', async () => {
    const res = await newKey(await newTenant(), 'ci');
    expect(typeof res.cleartext === 'string' && res.cleartext.length > 0, 'no cleartext');
    expect(res.key.id.startsWith('K') && res.key.status === 'active' && res.key.createdBy, res.key);
  });

  await check('access key: create with roles, claims, IPs and attributes; searchAll by attribute', async () => {
    const env = unique('env');
    const { key } = data(
      await m.accessKey.create(unique('rich'), 0, ['Tenant Admin'], undefined, undefined, { team: 'ops' }, undefined, ['10.0.0.0/8'], { env }),
      'create',
    );
    const loaded = data(await m.accessKey.load(key.id), 'load');
    expect(same(loaded.roleNames, ['Tenant Admin']) && same(loaded.permittedIps, ['10.0.0.0/8']), loaded);
    expect(same(loaded.customClaims, { team: 'ops' }) && same(loaded.customAttributes, { env }), loaded);
    const found = data(await m.accessKey.searchAll(undefined, undefined, undefined, { env }), 'searchAll');
    expect(same(found.map((k) => k.id), [key.id]), found);
  });

  await check('access key: load has no cleartext', async () => {
    const tenantId = await newTenant();
    const created = (await newKey(tenantId, 'ci')).key;
    const key = data(await m.accessKey.load(created.id), 'load');
    expect(!('cleartext' in key) && key.name === created.name && key.description === 'ci', key);
    expect(key.keyTenants[0].tenantId === tenantId && same(key.keyTenants[0].roleNames, ['Tenant Admin']), key);
  });

  await check('access key: searchAll by tenant', async () => {
    const [tenantId, other] = [await newTenant(), await newTenant()];
    const { id } = (await newKey(tenantId)).key;
    const keys = data(await m.accessKey.searchAll([tenantId]), 'searchAll');
    expect(same(keys.map((k) => k.id), [id]), keys);
    expect(same(data(await m.accessKey.searchAll([other]), 'searchAll'), []), 'not empty');
  });

  await check('access key: update returns the key and keeps omitted fields', async () => {
    const { id } = (await newKey(undefined, 'ci')).key;
    const renamed = unique('key');
    const key = data(await m.accessKey.update(id, renamed), 'update');
    expect(key.id === id && key.name === renamed, key);
    const loaded = data(await m.accessKey.load(id), 'load');
    expect(loaded.name === renamed && loaded.description === 'ci', loaded);
  });

  await check('access key: deactivate and activate', async () => {
    const { id } = (await newKey()).key;
    data(await m.accessKey.deactivate(id), 'deactivate');
    expect(data(await m.accessKey.load(id), 'load').status === 'inactive', 'still active');
    data(await m.accessKey.activate(id), 'activate');
    expect(data(await m.accessKey.load(id), 'load').status === 'active', 'still inactive');
  });

  await check('access key: rotate keeps the key, returns a new secret', async () => {
    const created = await newKey();
    const res = data(await m.accessKey.rotate(created.key.id), 'rotate');
    expect(res.cleartext && res.key.id === created.key.id && res.cleartext !== created.cleartext, res.key);
  });

  await check('access key: batch deactivate, activate, delete', async () => {
    const ids = [(await newKey()).key.id, (await newKey()).key.id];
    data(await m.accessKey.deactivateBatch(ids), 'deactivateBatch');
    for (const id of ids) expect(data(await m.accessKey.load(id), 'load').status === 'inactive', id);
    data(await m.accessKey.activateBatch(ids), 'activateBatch');
    for (const id of ids) expect(data(await m.accessKey.load(id), 'load').status === 'active', id);
    data(await m.accessKey.deleteBatch(ids), 'deleteBatch');
    failsWith(await m.accessKey.load(ids[0]), 404, 'load deleted');
  });

  await check('access key: delete then load reports 404', async () => {
    const { id } = (await newKey()).key;
    data(await m.accessKey.delete(id), 'delete');
    failsWith(await m.accessKey.load(id), 404, 'load', 'E011004');
    failsWith(await m.accessKey.delete(id), 404, 'delete again');
  });

  // --- users ---------------------------------------------------------------------------
  await check('user: create', async () => {
    const tenantId = await newTenant();
    const login = `${unique('alice')}@example.com`;
    const u = data(
      await m.user.create(login, {
        email: login,
        displayName: 'Alice',
        userTenants: [{ tenantId, roleNames: ['Tenant Admin'] }],
      }),
      'create',
    );
    expect(u.userId.startsWith('U') && same(u.loginIds, [login]), u);
    expect(u.email === login && u.name === 'Alice', u);
    expect(u.userTenants[0].tenantId === tenantId && u.status === 'enabled', u);
  });

  await check('user: createTestUser, and duplicate login id reports 409', async () => {
    const t = data(await m.user.createTestUser(unique('tester')), 'createTestUser');
    expect(t.test === true, t);
    const { login } = await newUser();
    failsWith(await m.user.create(login), 409, 'create', 'E062107');
  });

  await check('user: create with project roles and custom attributes, search by role', async () => {
    const { login, user } = await newUser({ roles: ['Tenant Admin'], customAttributes: { team: 'ops' } });
    expect(same(user.roleNames, ['Tenant Admin']) && same(user.customAttributes, { team: 'ops' }), user);
    const found = data(await m.user.search({ roles: ['Tenant Admin'] }), 'search by role');
    expect(found.users.some((x) => x.loginIds[0] === login), found);
  });

  await check('user: load and loadByUserId', async () => {
    const { login, user } = await newUser({ displayName: 'Alice' });
    expect(data(await m.user.load(login), 'load').name === 'Alice', 'by login id');
    expect(data(await m.user.loadByUserId(user.userId), 'loadByUserId').userId === user.userId, 'by user id');
  });

  await check('user: searchAll and search paginate', async () => {
    // Counted within a fresh tenant, since other checks create users too.
    const tenantId = await newTenant();
    const logins = [];
    for (let i = 0; i < 5; i += 1) logins.push((await newUser({ userTenants: [{ tenantId, roleNames: [] }] })).login);
    const users = data(await m.user.searchAll([tenantId], undefined, 2, 1), 'searchAll');
    expect(Array.isArray(users) && users.length === 2 && same(users[0].loginIds, [logins[2]]), users);
    const page = data(await m.user.search({ tenantIds: [tenantId], limit: 2, page: 1 }), 'search');
    expect(page.total === 5 && page.users.length === 2, page);
    data(await m.user.createTestUser(unique('tester'), { userTenants: [{ tenantId, roleNames: [] }] }), 'createTestUser');
    expect(data(await m.user.search({ tenantIds: [tenantId] }), 'search').total === 5, 'without test users');
    expect(data(await m.user.search({ tenantIds: [tenantId], withTestUser: true }), 'search').total === 6, 'with test users');
  });

  await check('user: delete then load reports 404', async () => {
    const { login, user } = await newUser();
    data(await m.user.delete(login), 'delete');
    failsWith(await m.user.load(login), 404, 'load', 'E112102');
    failsWith(await m.user.loadByUserId(user.userId), 404, 'loadByUserId', 'E112102');
  });

  await check('user: deleteByUserId and deleteBatch', async () => {
    const users = [await newUser(), await newUser(), await newUser()];
    data(await m.user.deleteByUserId(users[0].user.userId), 'deleteByUserId');
    data(await m.user.deleteBatch(users.slice(1).map((u) => u.user.userId)), 'deleteBatch');
    for (const { login } of users) failsWith(await m.user.load(login), 404, `load ${login}`);
  });

  // --- project snapshots ---------------------------------------------------------------
  const snapshotFiles = async () => data(await m.project.exportSnapshot(), 'exportSnapshot').files;

  await check('project: exportSnapshot contains flows, styles and roles', async () => {
    const files = await snapshotFiles();
    for (const f of ['flows/sign-up-or-in.json', 'styles/styles.json', 'authorization/roles.json']) {
      expect(f in files, Object.keys(files));
    }
  });

  await check('project: validateSnapshot ok and failures', async () => {
    const res = data(await m.project.validateSnapshot({ files: await snapshotFiles() }), 'validateSnapshot');
    expect(res.ok === true && same(res.failures, []), res);
    const bad = data(await m.project.validateSnapshot({ files: { 'flows/x.json': { flowId: 'x', screens: 3 } } }), 'validate bad');
    expect(bad.ok === false && bad.failures.length === 1, bad);
  });

  await check('project: importSnapshot restores flows', async () => {
    const id = await importedFlow();
    const files = await snapshotFiles();
    data(await m.flow.delete([id]), 'delete flow');
    data(await m.project.importSnapshot({ files }), 'importSnapshot');
    const ids = data(await m.flow.list(), 'list').flows.map((f) => f.id);
    expect(ids.includes(id), ids);
  });

  await check('project: export / import shorthands', async () => {
    const files = data(await m.project.export(), 'export');
    expect('flows/sign-up-or-in.json' in files, Object.keys(files));
    data(await m.project.import(files), 'import');
    expect(same(Object.keys(data(await m.project.export(), 'export')).sort(), Object.keys(files).sort()), 'files differ');
  });

  await check('project: updateName is stored', async () => {
    const name = unique('Conformance');
    data(await m.project.updateName(name), 'updateName');
    const stored = (await projectState()).project.current.name;
    expect(stored === name, `stored name ${stored}`);
  });

  await check('project: updateTags replaces the tags', async () => {
    const tags = [unique('ci'), unique('local')];
    data(await m.project.updateTags(['old']), 'updateTags');
    data(await m.project.updateTags(tags), 'updateTags');
    const stored = (await projectState()).project.current.tags;
    expect(same(stored, tags), `stored tags ${JSON.stringify(stored)}`);
  });

  // --- authentication and rate limiting ------------------------------------------------
  await check('auth: wrong key reports 401', async () => {
    const bad = DescopeClient({ projectId: args.project, managementKey: 'K2wrong', baseUrl: args.url });
    failsWith(await bad.management.tenant.loadAll(), 401, 'loadAll', 'E011401');
  });

  await check('auth: missing key reports 401', async () => {
    const none = DescopeClient({ projectId: args.project, baseUrl: args.url });
    failsWith(await none.management.tenant.loadAll(), 401, 'loadAll', 'E011401');
  });

  await check('auth: key of another project reports 403', async () => {
    const other = DescopeClient({ projectId: args.project, managementKey: args['other-key'], baseUrl: args.url });
    failsWith(await other.management.tenant.loadAll(), 403, 'loadAll', 'E011403');
  });

  await check('rate limit: 429 with errorCode and retryAfter', async () => {
    const limited = DescopeClient({ projectId: args.project, managementKey: args.key, baseUrl: args['rate-limited-url'] });
    for (let i = 0; i < 20; i += 1) {
      const res = await limited.management.tenant.loadAll();
      if (res.ok) continue;
      const error = failsWith(res, 429, 'loadAll', 'E130429');
      expect(Number.isInteger(error.retryAfter) && error.retryAfter >= 1 && error.retryAfter <= 60, `retryAfter ${error.retryAfter}`);
      return;
    }
    throw new Error('never rate limited');
  });

  console.log(`node-sdk-conformance: ${results.passed} passed, ${results.failed} failed`);
  return results.failed === 0 ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    console.log(`FAIL runner: ${e instanceof Error ? e.stack : String(e)}`);
    console.log(`node-sdk-conformance: ${results.passed} passed, ${results.failed + 1} failed`);
    process.exitCode = 1;
  },
);

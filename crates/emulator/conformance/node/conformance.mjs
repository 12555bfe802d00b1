// Drives the emulator through the official Descope Node SDK (pinned in package.json).
//
// Every check calls the SDK's own management methods against a freshly started emulator and
// verifies what the SDK hands back. Node SDK methods never throw for HTTP errors: they resolve to
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

function same(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
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
  const state = {};

  // --- tenants -------------------------------------------------------------------------
  await check('tenant: create generates a T id', async () => {
    const res = data(await m.tenant.create('Acme', ['acme.com']), 'create');
    expect(typeof res.id === 'string' && res.id.startsWith('T') && res.id.length === 28, res);
    state.acme = res.id;
  });

  await check('tenant: createWithId uses the caller id', async () => {
    data(await m.tenant.createWithId('globex', 'Globex'), 'createWithId');
    expect(data(await m.tenant.load('globex'), 'load').name === 'Globex', 'not stored under globex');
  });

  await check('tenant: load is flat with zero values', async () => {
    const t = data(await m.tenant.load(state.acme), 'load');
    expect(t.id === state.acme && t.name === 'Acme', t);
    expect(same(t.selfProvisioningDomains, ['acme.com']), t);
    expect(t.disabled === false && t.enforceSSO === false, t);
    expect(same(t.customAttributes, {}) && same(t.defaultRoles, []), t);
    expect(Number.isInteger(t.createdTime) && t.createdTime < 1e11, t);
  });

  await check('tenant: loadAll returns the array in creation order', async () => {
    const tenants = data(await m.tenant.loadAll(), 'loadAll');
    expect(Array.isArray(tenants), tenants);
    expect(same(tenants.map((t) => t.id), [state.acme, 'globex']), tenants);
  });

  await check('tenant: searchAll by name and empty result', async () => {
    const found = data(await m.tenant.searchAll(undefined, ['Globex']), 'searchAll');
    expect(same(found.map((t) => t.id), ['globex']), found);
    expect(same(data(await m.tenant.searchAll(undefined, ['nobody']), 'searchAll'), []), 'not empty');
    const byId = data(await m.tenant.searchAll([state.acme]), 'searchAll by id');
    expect(same(byId.map((t) => t.id), [state.acme]), byId);
  });

  await check('tenant: create with parent and custom attributes, searchAll by them', async () => {
    const res = data(await m.tenant.create('Acme EU', ['eu.acme.com'], { region: 'eu' }, true, false, state.acme), 'create child');
    const child = data(await m.tenant.load(res.id), 'load child');
    expect(child.parent === state.acme && child.enforceSSO === true, child);
    expect(same(child.customAttributes, { region: 'eu' }), child);
    const byParent = data(await m.tenant.searchAll(undefined, undefined, undefined, undefined, state.acme), 'searchAll parent');
    expect(same(byParent.map((t) => t.id), [res.id]), byParent);
    const byAttr = data(await m.tenant.searchAll(undefined, undefined, undefined, { region: 'eu' }), 'searchAll attributes');
    expect(same(byAttr.map((t) => t.id), [res.id]), byAttr);
    const byDomain = data(await m.tenant.searchAll(undefined, undefined, ['eu.acme.com']), 'searchAll domains');
    expect(same(byDomain.map((t) => t.id), [res.id]), byDomain);
    data(await m.tenant.delete(res.id), 'delete child');
  });

  await check('tenant: update overwrites', async () => {
    data(await m.tenant.update('globex', 'Globex Corp', ['g.com'], undefined, undefined, true), 'update');
    let t = data(await m.tenant.load('globex'), 'load');
    expect(t.name === 'Globex Corp' && t.disabled === true && same(t.selfProvisioningDomains, ['g.com']), t);
    data(await m.tenant.update('globex', 'Globex Corp', [], undefined, undefined, false), 'update');
    t = data(await m.tenant.load('globex'), 'load');
    expect(same(t.selfProvisioningDomains, []) && t.disabled === false, t);
  });

  await check('tenant: update keeps customAttributes the SDK omits', async () => {
    data(await m.tenant.update('globex', 'Globex Corp', [], { tier: 'gold' }), 'update with attributes');
    data(await m.tenant.update('globex', 'Globex Corp'), 'update without attributes');
    const t = data(await m.tenant.load('globex'), 'load');
    expect(same(t.customAttributes, { tier: 'gold' }), t);
  });

  await check('tenant: configureSettings and getSettings', async () => {
    const before = data(await m.tenant.getSettings('globex'), 'getSettings');
    expect(before.JITDisabled === false, before);
    data(
      await m.tenant.configureSettings('globex', {
        selfProvisioningDomains: ['globex.com'],
        enabled: true,
        sessionTokenExpiration: 15,
        sessionTokenExpirationUnit: 'minutes',
      }),
      'configureSettings',
    );
    const s = data(await m.tenant.getSettings('globex'), 'getSettings');
    expect(s.enabled === true && s.sessionTokenExpiration === 15, s);
    expect(s.sessionTokenExpirationUnit === 'minutes', s);
    expect(same(s.selfProvisioningDomains, ['globex.com']), s);
  });

  await check('tenant: configureSettings with the SDK-typed InactivityTime fields', async () => {
    // The SDK's TenantSettings type capitalises these two names; the emulator accepts them as
    // aliases of inactivityTime / inactivityTimeUnit and answers with the wire names.
    data(
      await m.tenant.configureSettings('globex', {
        selfProvisioningDomains: ['globex.com'],
        enableInactivity: true,
        InactivityTime: 10,
        InactivityTimeUnit: 'minutes',
      }),
      'configureSettings',
    );
    const s = data(await m.tenant.getSettings('globex'), 'getSettings');
    expect(s.enableInactivity === true && s.inactivityTime === 10 && s.inactivityTimeUnit === 'minutes', s);
    expect(s.sessionTokenExpiration === 15, 'earlier settings kept');
  });

  await check('tenant: updateDefaultRoles', async () => {
    data(await m.tenant.updateDefaultRoles('globex', ['Tenant Admin']), 'updateDefaultRoles');
    expect(same(data(await m.tenant.load('globex'), 'load').defaultRoles, ['Tenant Admin']), 'not set');
  });

  await check('tenant: SSO configuration link generate and revoke', async () => {
    const res = data(await m.tenant.generateSSOConfigurationLink('globex', 60), 'generate');
    expect(typeof res.adminSSOConfigurationLink === 'string' && res.adminSSOConfigurationLink.startsWith('http'), res);
    data(await m.tenant.revokeSSOConfigurationLink('globex'), 'revoke');
  });

  await check('tenant: duplicate id reports 409', async () => {
    failsWith(await m.tenant.createWithId('globex', 'Other'), 409, 'createWithId', 'E011004');
  });

  await check('tenant: duplicate name reports 409', async () => {
    failsWith(await m.tenant.create('Acme'), 409, 'create', 'E011004');
  });

  await check('tenant: load missing reports 404', async () => {
    failsWith(await m.tenant.load('no-such-tenant'), 404, 'load', 'E011004');
  });

  await check('tenant: update missing reports 404', async () => {
    failsWith(await m.tenant.update('no-such-tenant', 'x'), 404, 'update');
  });

  // --- permissions ---------------------------------------------------------------------
  await check('permission: built-ins are systemDefault', async () => {
    const perms = Object.fromEntries(data(await m.permission.loadAll(), 'loadAll').map((p) => [p.name, p]));
    for (const name of ['User Admin', 'SSO Admin', 'Impersonate']) {
      expect(perms[name] && perms[name].systemDefault === true, perms);
    }
  });

  await check('permission: create and loadAll', async () => {
    data(await m.permission.create('Reports Viewer', 'see reports'), 'create');
    const p = data(await m.permission.loadAll(), 'loadAll').find((x) => x.name === 'Reports Viewer');
    expect(p && p.description === 'see reports' && p.systemDefault === false, p);
  });

  await check('permission: duplicate reports 409', async () => {
    failsWith(await m.permission.create('Reports Viewer'), 409, 'create', 'E011004');
  });

  await check('permission: createBatch and updateBatch', async () => {
    data(await m.permission.createBatch([{ name: 'p1', description: 'one' }, { name: 'p2' }]), 'createBatch');
    data(await m.permission.updateBatch([{ name: 'p2', newName: 'p2b', description: 'two' }]), 'updateBatch');
    const names = data(await m.permission.loadAll(), 'loadAll').map((p) => p.name);
    expect(names.includes('p1') && names.includes('p2b') && !names.includes('p2'), names);
  });

  await check('permission: updateWithId renames', async () => {
    data(await m.permission.create('by-id'), 'create');
    const p = data(await m.permission.loadAll(), 'loadAll').find((x) => x.name === 'by-id');
    expect(p && typeof p.id === 'string', p);
    data(await m.permission.updateWithId(p.id, 'by-id-2', 'renamed'), 'updateWithId');
    const names = data(await m.permission.loadAll(), 'loadAll').map((x) => x.name);
    expect(names.includes('by-id-2') && !names.includes('by-id'), names);
    state.byIdPermission = p.id;
  });

  await check('permission: update missing reports 404', async () => {
    failsWith(await m.permission.update('ghost', 'ghost2'), 404, 'update');
  });

  // --- roles ---------------------------------------------------------------------------
  await check('role: built-in Tenant Admin exists', async () => {
    const roles = data(await m.role.loadAll(), 'loadAll').filter((r) => r.name === 'Tenant Admin');
    expect(roles.length === 1 && roles[0].id.startsWith('ROL'), roles);
  });

  await check('role: create and loadAll', async () => {
    data(await m.role.create('Viewer', 'reads', ['Reports Viewer']), 'create');
    const role = data(await m.role.loadAll(), 'loadAll').find((r) => r.name === 'Viewer');
    expect(role && same(role.permissionNames, ['Reports Viewer']) && role.tenantId === '', role);
    expect(role.default === false && role.private === false && role.description === 'reads', role);
    state.viewerId = role.id;
  });

  await check('role: create with defaultRole', async () => {
    data(await m.role.create('Member', 'everyone', [], undefined, true), 'create');
    const role = data(await m.role.loadAll(), 'loadAll').find((r) => r.name === 'Member');
    expect(role && role.default === true, role);
    data(await m.role.delete('Member'), 'delete');
  });

  await check('role: duplicate reports 409', async () => {
    failsWith(await m.role.create('Viewer'), 409, 'create', 'E011004');
  });

  await check('role: unknown permission reports 400', async () => {
    failsWith(await m.role.create('Broken', undefined, ['ghost']), 400, 'create');
  });

  await check('role: update replaces permissions and renames', async () => {
    data(await m.role.update('Viewer', 'Reader', 'reads more', ['p1']), 'update');
    const role = data(await m.role.loadAll(), 'loadAll').find((r) => r.id === state.viewerId);
    expect(role.name === 'Reader' && same(role.permissionNames, ['p1']), role);
  });

  await check('permission: rename is reflected in roles', async () => {
    data(await m.permission.update('p1', 'p1-renamed', 'renamed'), 'update');
    const role = data(await m.role.loadAll(), 'loadAll').find((r) => r.id === state.viewerId);
    expect(same(role.permissionNames, ['p1-renamed']), role);
  });

  await check('role: updateWithId', async () => {
    data(await m.role.updateWithId(state.viewerId, 'Reader', 'by id', []), 'updateWithId');
    const role = data(await m.role.loadAll(), 'loadAll').find((r) => r.id === state.viewerId);
    expect(role.description === 'by id' && same(role.permissionNames, []), role);
  });

  await check('role: tenant-scoped role with the same name', async () => {
    data(await m.role.create('Reader', undefined, undefined, 'globex'), 'create');
    const found = data(await m.role.search({ tenantIds: ['globex'] }), 'search');
    expect(same(found.map((r) => r.name), ['Reader']) && found[0].tenantId === 'globex', found);
  });

  await check('role: search by name like', async () => {
    const found = data(await m.role.search({ roleNameLike: 'read', includeProjectRoles: true }), 'search');
    expect(found.length === 2, found);
  });

  await check('role: createBatch, updateBatch, deleteBatch', async () => {
    const created = data(await m.role.createBatch([{ name: 'b1' }, { name: 'b2', permissionNames: ['p2b'] }]), 'createBatch');
    expect(Array.isArray(created) && same(created.map((r) => r.name), ['b1', 'b2']), created);
    const updated = data(await m.role.updateBatch([{ name: 'b1', newName: 'b1x', description: 'x' }]), 'updateBatch');
    expect(Array.isArray(updated) && updated[0].name === 'b1x', updated);
    let names = data(await m.role.loadAll(), 'loadAll').map((r) => r.name);
    expect(names.includes('b1x') && names.includes('b2'), names);
    data(await m.role.deleteBatch(['b1x', 'b2']), 'deleteBatch');
    names = data(await m.role.loadAll(), 'loadAll').map((r) => r.name);
    expect(!names.includes('b1x') && !names.includes('b2'), names);
  });

  await check('role: delete tenant role by name + tenant', async () => {
    data(await m.role.delete('Reader', 'globex'), 'delete');
    expect(same(data(await m.role.search({ tenantIds: ['globex'] }), 'search'), []), 'still there');
  });

  await check('role: deleteWithId, then missing reports 404', async () => {
    data(await m.role.deleteWithId(state.viewerId), 'deleteWithId');
    failsWith(await m.role.deleteWithId(state.viewerId), 404, 'deleteWithId again', 'E011004');
  });

  await check('permission: delete, deleteWithId, deleteBatch by names and ids', async () => {
    data(await m.permission.delete('Reports Viewer'), 'delete');
    data(await m.permission.deleteWithId(state.byIdPermission), 'deleteWithId');
    data(await m.permission.deleteBatch(['p2b']), 'deleteBatch names');
    const p1 = data(await m.permission.loadAll(), 'loadAll').find((p) => p.name === 'p1-renamed');
    data(await m.permission.deleteBatch(undefined, [p1.id]), 'deleteBatch ids');
    const names = data(await m.permission.loadAll(), 'loadAll').map((p) => p.name);
    for (const gone of ['Reports Viewer', 'by-id-2', 'p2b', 'p1-renamed']) {
      expect(!names.includes(gone), names);
    }
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
    const doc = JSON.parse(await readFile(args['seed-flow'], 'utf8'));
    const res = data(await m.flow.import('copy-flow', doc.flow, doc.screens), 'import');
    expect(res.flow.id === 'copy-flow', res.flow.id);
    const out = data(await m.flow.export('copy-flow'), 'export');
    expect(same(out.flow.dsl, doc.flow.dsl), 'dsl changed');
    expect(same(out.screens.map((s) => s.id), doc.screens.map((s) => s.id)), 'screens changed');
    expect(same(out.screens.map((s) => s.htmlTemplate), doc.screens.map((s) => s.htmlTemplate)), 'html changed');
  });

  await check('flow: delete ignores unknown ids', async () => {
    data(await m.flow.delete(['copy-flow', 'never-existed']), 'delete');
    const ids = data(await m.flow.list(), 'list').flows.map((f) => f.id);
    expect(!ids.includes('copy-flow'), ids);
  });

  await check('flow: export missing reports 404', async () => {
    failsWith(await m.flow.export('copy-flow'), 404, 'export', 'E011004');
  });

  await check('theme: export (v1) is wrapped with an id', async () => {
    const res = data(await m.theme.export(), 'export');
    expect(res.theme.id && typeof res.theme.cssTemplate === 'object', res);
    state.themeId = res.theme.id;
  });

  await check('theme: import (v1) round-trips', async () => {
    const theme = { id: state.themeId, cssTemplate: { light: { a: 1 } } };
    const res = data(await m.theme.import(theme), 'import');
    expect(same(res.theme.cssTemplate, theme.cssTemplate), res);
    const out = data(await m.theme.export(), 'export');
    expect(same(out.theme.cssTemplate, theme.cssTemplate), out);
  });

  // --- SSO -----------------------------------------------------------------------------
  await check('sso: configureOIDCSettings then loadSettings', async () => {
    data(
      await m.sso.configureOIDCSettings(
        'globex',
        {
          name: 'okta',
          clientId: 'cid',
          clientSecret: 's3cret',
          scope: ['openid'],
          attributeMapping: { email: 'mail' },
        },
        ['globex.com'],
      ),
      'configureOIDCSettings',
    );
    const s = data(await m.sso.loadSettings('globex'), 'loadSettings');
    expect(s.oidc.clientId === 'cid' && s.oidc.clientSecret === '' && s.oidc.name === 'okta', s.oidc);
    expect(s.oidc.attributeMapping && s.oidc.attributeMapping.email === 'mail', s.oidc);
    expect(s.tenant.authType === 'oidc' && same(s.tenant.domains, ['globex.com']), s.tenant);
  });

  await check('sso: configureSAMLSettings maps to the load shape', async () => {
    data(
      await m.sso.configureSAMLSettings(
        'globex',
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
    const { saml } = data(await m.sso.loadSettings('globex'), 'loadSettings');
    expect(saml.idpSSOUrl === 'https://idp/sso' && saml.idpEntityId === 'idp-entity', saml);
    expect(saml.idpCertificate === 'CERT' && saml.redirectUrl === 'https://app/cb', saml);
    // The SDK flattens groupsMapping[].role.name into roleName.
    expect(saml.groupsMapping[0].roleName === 'Tenant Admin', saml);
    expect(same(saml.groupsMapping[0].groups, ['admins']), saml);
    expect(same(saml.defaultSSORoles, ['Tenant Admin']), saml);
  });

  await check('sso: configureSAMLByMetadata and loadAllSettings', async () => {
    data(await m.sso.configureSAMLByMetadata(state.acme, { idpMetadataUrl: 'https://idp/metadata' }), 'configureSAMLByMetadata');
    const all = data(await m.sso.loadAllSettings(state.acme), 'loadAllSettings');
    expect(Array.isArray(all) && all.length === 1 && all[0].saml.idpMetadataUrl === 'https://idp/metadata', all);
  });

  await check('sso: deleteSettings resets the tenant auth type', async () => {
    data(await m.sso.deleteSettings('globex'), 'deleteSettings');
    const s = data(await m.sso.loadSettings('globex'), 'loadSettings');
    expect(s.tenant.authType === 'none' && s.saml.idpSSOUrl === '', s);
  });

  await check('sso: loadSettings of a missing tenant reports 404', async () => {
    failsWith(await m.sso.loadSettings('no-such-tenant'), 404, 'loadSettings');
  });

  // --- access keys ---------------------------------------------------------------------
  await check('access key: create returns cleartext once', async () => {
    const res = data(
      await m.accessKey.create('ci-key', 0, undefined, [{ tenantId: 'globex', roleNames: ['Tenant Admin'] }], undefined, undefined, 'ci'),
      'create',
    );
    expect(typeof res.cleartext === 'string' && res.cleartext.length > 0, 'no cleartext');
    expect(res.key.id.startsWith('K') && res.key.status === 'active' && res.key.createdBy, res.key);
    state.key = res.key.id;
  });

  await check('access key: create with roles, claims, IPs and attributes; searchAll by attribute', async () => {
    const { key } = data(
      await m.accessKey.create('rich', 0, ['Tenant Admin'], undefined, undefined, { team: 'ops' }, undefined, ['10.0.0.0/8'], { env: 'ci' }),
      'create',
    );
    const loaded = data(await m.accessKey.load(key.id), 'load');
    expect(same(loaded.roleNames, ['Tenant Admin']) && same(loaded.permittedIps, ['10.0.0.0/8']), loaded);
    expect(same(loaded.customClaims, { team: 'ops' }) && same(loaded.customAttributes, { env: 'ci' }), loaded);
    const found = data(await m.accessKey.searchAll(undefined, undefined, undefined, { env: 'ci' }), 'searchAll');
    expect(same(found.map((k) => k.id), [key.id]), found);
    data(await m.accessKey.delete(key.id), 'delete');
  });

  await check('access key: load has no cleartext', async () => {
    const key = data(await m.accessKey.load(state.key), 'load');
    expect(!('cleartext' in key) && key.name === 'ci-key' && key.description === 'ci', key);
    expect(key.keyTenants[0].tenantId === 'globex' && same(key.keyTenants[0].roleNames, ['Tenant Admin']), key);
  });

  await check('access key: searchAll by tenant', async () => {
    const keys = data(await m.accessKey.searchAll(['globex']), 'searchAll');
    expect(same(keys.map((k) => k.id), [state.key]), keys);
    expect(same(data(await m.accessKey.searchAll([state.acme]), 'searchAll'), []), 'not empty');
  });

  await check('access key: update returns the key and keeps omitted fields', async () => {
    const key = data(await m.accessKey.update(state.key, 'ci-key-2'), 'update');
    expect(key.id === state.key && key.name === 'ci-key-2', key);
    const loaded = data(await m.accessKey.load(state.key), 'load');
    expect(loaded.name === 'ci-key-2' && loaded.description === 'ci', loaded);
  });

  await check('access key: deactivate and activate', async () => {
    data(await m.accessKey.deactivate(state.key), 'deactivate');
    expect(data(await m.accessKey.load(state.key), 'load').status === 'inactive', 'still active');
    data(await m.accessKey.activate(state.key), 'activate');
    expect(data(await m.accessKey.load(state.key), 'load').status === 'active', 'still inactive');
  });

  await check('access key: rotate keeps the key, returns a new secret', async () => {
    const res = data(await m.accessKey.rotate(state.key), 'rotate');
    expect(res.cleartext && res.key.id === state.key, res.key);
  });

  await check('access key: batch deactivate, activate, delete', async () => {
    const ids = [];
    for (const name of ['batch0', 'batch1']) {
      ids.push(data(await m.accessKey.create(name, 0), 'create').key.id);
    }
    data(await m.accessKey.deactivateBatch(ids), 'deactivateBatch');
    for (const id of ids) expect(data(await m.accessKey.load(id), 'load').status === 'inactive', id);
    data(await m.accessKey.activateBatch(ids), 'activateBatch');
    for (const id of ids) expect(data(await m.accessKey.load(id), 'load').status === 'active', id);
    data(await m.accessKey.deleteBatch(ids), 'deleteBatch');
    failsWith(await m.accessKey.load(ids[0]), 404, 'load deleted');
  });

  await check('access key: delete then load reports 404', async () => {
    data(await m.accessKey.delete(state.key), 'delete');
    failsWith(await m.accessKey.load(state.key), 404, 'load', 'E011004');
    failsWith(await m.accessKey.delete(state.key), 404, 'delete again');
  });

  // --- users ---------------------------------------------------------------------------
  await check('user: create', async () => {
    const u = data(
      await m.user.create('alice@example.com', {
        email: 'alice@example.com',
        displayName: 'Alice',
        userTenants: [{ tenantId: 'globex', roleNames: ['Tenant Admin'] }],
      }),
      'create',
    );
    expect(u.userId.startsWith('U') && same(u.loginIds, ['alice@example.com']), u);
    expect(u.email === 'alice@example.com' && u.name === 'Alice', u);
    expect(u.userTenants[0].tenantId === 'globex' && u.status === 'enabled', u);
    state.alice = u.userId;
  });

  await check('user: createTestUser, and duplicate login id reports 409', async () => {
    const t = data(await m.user.createTestUser('tester'), 'createTestUser');
    expect(t.test === true, t);
    failsWith(await m.user.create('alice@example.com'), 409, 'create', 'E062107');
  });

  await check('user: create with project roles and custom attributes, search by role', async () => {
    const u = data(await m.user.create('carol', { roles: ['Tenant Admin'], customAttributes: { team: 'ops' } }), 'create');
    expect(same(u.roleNames, ['Tenant Admin']) && same(u.customAttributes, { team: 'ops' }), u);
    const found = data(await m.user.search({ roles: ['Tenant Admin'] }), 'search by role');
    expect(found.users.some((x) => x.loginIds[0] === 'carol'), found);
    data(await m.user.delete('carol'), 'delete');
  });

  await check('user: load and loadByUserId', async () => {
    expect(data(await m.user.load('alice@example.com'), 'load').name === 'Alice', 'by login id');
    expect(data(await m.user.loadByUserId(state.alice), 'loadByUserId').userId === state.alice, 'by user id');
  });

  await check('user: searchAll and search paginate', async () => {
    for (let i = 0; i < 5; i += 1) data(await m.user.create(`user${i}`), `create user${i}`);
    const users = data(await m.user.searchAll(undefined, undefined, 2, 1), 'searchAll');
    expect(Array.isArray(users) && users.length === 2 && same(users[0].loginIds, ['user1']), users);
    const page = data(await m.user.search({ limit: 2, page: 1 }), 'search');
    expect(page.total === 6 && page.users.length === 2, page);
    expect(data(await m.user.search({ tenantIds: ['globex'] }), 'search').total === 1, 'by tenant');
    expect(data(await m.user.search({ withTestUser: true }), 'search').total === 7, 'with test users');
  });

  await check('user: delete then load reports 404', async () => {
    data(await m.user.delete('alice@example.com'), 'delete');
    failsWith(await m.user.load('alice@example.com'), 404, 'load', 'E112102');
    failsWith(await m.user.loadByUserId(state.alice), 404, 'loadByUserId', 'E112102');
  });

  await check('user: deleteByUserId and deleteBatch', async () => {
    const ids = [];
    for (const login of ['user0', 'user1', 'user2']) ids.push(data(await m.user.load(login), 'load').userId);
    data(await m.user.deleteByUserId(ids[0]), 'deleteByUserId');
    data(await m.user.deleteBatch(ids.slice(1)), 'deleteBatch');
    for (const login of ['user0', 'user1', 'user2']) failsWith(await m.user.load(login), 404, `load ${login}`);
  });

  // --- tenant delete (after users and keys exist) --------------------------------------
  await check('tenant: delete with cascade removes tenant-only users', async () => {
    data(await m.user.create('bob', { userTenants: [{ tenantId: state.acme, roleNames: [] }] }), 'create bob');
    data(await m.tenant.delete(state.acme, true), 'delete');
    failsWith(await m.tenant.load(state.acme), 404, 'load tenant');
    failsWith(await m.user.load('bob'), 404, 'load bob');
  });

  await check('tenant: delete missing reports 404', async () => {
    failsWith(await m.tenant.delete(state.acme), 404, 'delete again');
  });

  // --- project snapshots ---------------------------------------------------------------
  await check('project: exportSnapshot contains flows, styles and roles', async () => {
    const { files } = data(await m.project.exportSnapshot(), 'exportSnapshot');
    for (const f of ['flows/sign-up-or-in.json', 'styles/styles.json', 'authorization/roles.json']) {
      expect(f in files, Object.keys(files));
    }
    state.files = files;
  });

  await check('project: validateSnapshot ok and failures', async () => {
    const res = data(await m.project.validateSnapshot({ files: state.files }), 'validateSnapshot');
    expect(res.ok === true && same(res.failures, []), res);
    const bad = data(await m.project.validateSnapshot({ files: { 'flows/x.json': { flowId: 'x', screens: 3 } } }), 'validate bad');
    expect(bad.ok === false && bad.failures.length === 1, bad);
  });

  await check('project: importSnapshot restores flows', async () => {
    data(await m.flow.delete(['sign-up-or-in']), 'delete flow');
    data(await m.project.importSnapshot({ files: state.files }), 'importSnapshot');
    const ids = data(await m.flow.list(), 'list').flows.map((f) => f.id);
    expect(ids.includes('sign-up-or-in'), ids);
  });

  await check('project: export / import shorthands', async () => {
    const files = data(await m.project.export(), 'export');
    expect('flows/sign-up-or-in.json' in files, Object.keys(files));
    data(await m.project.import(files), 'import');
    expect(same(Object.keys(data(await m.project.export(), 'export')).sort(), Object.keys(files).sort()), 'files differ');
  });

  await check('project: updateName and updateTags', async () => {
    data(await m.project.updateName('Conformance'), 'updateName');
    data(await m.project.updateTags(['ci', 'local']), 'updateTags');
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

// The dashboard's only way to Granary: the public /v1 API with the user's access token, as any
// client would call it. The access token lives in this module's memory only (never in storage);
// the refresh token is an HttpOnly cookie the page cannot read, sent only to /v1/auth.

const SESSION_HEADER = { 'X-Granary-Session': 'cookie' };
let accessToken = null;
let expiresAt = 0;
let claims = null;
let tenant = null; // the tenant a system admin works in (X-Granary-Tenant)
let refreshing = null;
let renew = null; // how this session gets a new access token: the cookie's, or an OIDC provider's
const listeners = new Set();

/** An API error: the problem document's fields, the HTTP status. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.code = problem.code || 'http_' + status;
    this.detail = problem.detail || problem.title || `The server answered ${status}.`;
  }
}

/** Who is logged in ({username, roles, tenant, system, admin, external}), or null. */
export function currentUser() {
  return claims;
}

/** Subscribes to log-ins, log-outs and tenant changes; returns the unsubscribe function. */
export function onSessionChange(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function changed() {
  listeners.forEach((listener) => listener(claims));
}

/** The tenant a system admin acts in, or null. */
export function actingTenant() {
  return claims && claims.system ? tenant : claims && claims.tenant;
}

// A system admin's chosen tenant outlives a reload in this tab: its name only, never a token.
const TENANT_KEY = 'granary.tenant';

function keepTenant(name) {
  try {
    if (name) sessionStorage.setItem(TENANT_KEY, name); else sessionStorage.removeItem(TENANT_KEY);
  } catch (unavailable) {
    // Storage disabled: the choice lasts as long as the page.
  }
}

function keptTenant() {
  try {
    return sessionStorage.getItem(TENANT_KEY);
  } catch (unavailable) {
    return null;
  }
}

export function actAsTenant(name) {
  tenant = name || null;
  keepTenant(tenant);
  changed();
}

/**
 * After a reload, the tenant this tab's system admin had chosen, if it still exists (asked
 * before the screens load, so none of them is shown for a deleted tenant).
 */
async function restoreTenant() {
  const kept = keptTenant();
  if (!kept || !claims.system) return;
  try {
    await call('GET', '/tenants/' + encodeURIComponent(kept), { noTenant: true });
    tenant = kept;
  } catch (error) {
    if (error.status === 404) keepTenant(null);
  }
}

function accept(body) {
  const fresh = !claims;
  accessToken = body.accessToken;
  expiresAt = Date.now() + (body.expiresIn || 900) * 1000;
  const payload = JSON.parse(atob(accessToken.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
  // The embedded issuer writes roles as granary:<role> (docs/security.md).
  const roles = (payload.roles || []).map((role) => role.replace(/^granary:/, ''));
  claims = {
    id: payload.sub,
    username: payload.preferred_username || payload.sub,
    roles,
    tenant: payload.tenant || null,
    system: roles.includes('system-admin'),
    admin: roles.includes('system-admin') || roles.includes('tenant-admin'),
    // Logged in through another identity provider: Granary cannot revoke what this session issues.
    external: renew !== null && renew !== cookieRefresh,
  };
  if (fresh) {
    restoreTenant().finally(changed);
  } else {
    changed();
  }
}

async function problem(response) {
  try {
    return await response.json();
  } catch (notJson) {
    return {};
  }
}

async function authCall(path, body) {
  const response = await fetch('/v1/auth/' + path, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { ...SESSION_HEADER, 'Content-Type': 'application/json' },
    body: JSON.stringify(body || {}),
  });
  if (!response.ok) {
    throw new ApiError(response.status, await problem(response));
  }
  return response.status === 204 ? null : response.json();
}

/**
 * A new access token from the refresh cookie. Tabs share the cookie, and a refresh token is
 * spent by its first use (a second use ends the session), so tabs take turns through a lock.
 */
function cookieRefresh() {
  const run = () => authCall('refresh');
  return navigator.locks ? navigator.locks.request('granary-refresh', run) : run();
}

/** Logs in with the embedded issuer; the refresh cookie is set by the answer. */
export async function login(username, password) {
  const body = await authCall('login', { username, password });
  renew = cookieRefresh;
  accept(body);
}

/**
 * Starts a session with an access token from an OIDC provider ({accessToken, expiresIn});
 * `providerRenew` answers the next one (or rejects), and is never stored anywhere.
 */
export function acceptExternal(tokens, providerRenew) {
  renew = providerRenew;
  accept(tokens);
}

function refresh() {
  if (!refreshing) {
    refreshing = (renew || cookieRefresh)().then(accept).finally(() => { refreshing = null; });
  }
  return refreshing;
}

/**
 * A new access token for this session, or the session of an earlier page (a reload) from the
 * cookie; false when there is none.
 */
export async function resume() {
  try {
    await refresh();
    return true;
  } catch (error) {
    return false;
  }
}

/** Ends the session on the server and forgets everything this page held. */
export async function logout() {
  try {
    // Also for an OIDC session: it clears any cookie session of this browser.
    await authCall('logout');
  } finally {
    accessToken = null;
    claims = null;
    tenant = null;
    keepTenant(null);
    renew = null;
    changed();
  }
}

/** The headers that authenticate a call, refreshing the token shortly before it expires. */
export async function authHeaders() {
  if (accessToken && Date.now() > expiresAt - 30000) {
    await refresh().catch(() => {});
  }
  const headers = accessToken ? { Authorization: 'Bearer ' + accessToken } : {};
  if (claims && claims.system && tenant) {
    headers['X-Granary-Tenant'] = tenant;
  }
  return headers;
}

/**
 * Calls the API: `path` under /v1, `options.query` an object of parameters, `options.json` a
 * body to send as JSON, `options.body` any other body, `options.raw` for the Response itself.
 * `options.noTenant` leaves out X-Granary-Tenant, for a system admin's installation-wide calls
 * (tenants, every user) while acting in a tenant.
 * Answers the parsed JSON (null for 204); throws ApiError with the problem's detail otherwise.
 */
export async function call(method, path, options = {}) {
  const url = new URL('/v1' + path, location.origin);
  Object.entries(options.query || {}).forEach(([name, value]) => {
    if (value !== undefined && value !== null && value !== '') url.searchParams.set(name, value);
  });
  const send = async () => {
    const headers = { ...(await authHeaders()), ...(options.headers || {}) };
    if (options.noTenant) delete headers['X-Granary-Tenant'];
    let body = options.body;
    if (options.json !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(options.json);
    }
    return fetch(url, { method, headers, body, signal: options.signal, credentials: 'same-origin' });
  };
  let response = await send();
  if (response.status === 401 && accessToken) {
    const first = await problem(response);
    if (first.code !== 'token_expired' || !(await resume())) {
      throw new ApiError(401, first);
    }
    response = await send();
  }
  if (!response.ok && !(options.raw && response.status === 304)) {
    throw new ApiError(response.status, await problem(response));
  }
  if (options.raw) return response;
  return response.status === 204 ? null : response.json();
}

export const get = (path, options) => call('GET', path, options);
export const post = (path, json, options = {}) => call('POST', path, { ...options, json });
export const patch = (path, json, options = {}) => call('PATCH', path, { ...options, json });
export const put = (path, json, options = {}) => call('PUT', path, { ...options, json });
export const del = (path, options) => call('DELETE', path, options);

/** An object key as the API's path expects it: each segment escaped, the slashes kept. */
export function keyPath(key) {
  return key.split('/').map(encodeURIComponent).join('/');
}

let limits = null;

/**
 * The server's `limits` from its index `GET /` (no credential; docs/api.md), read once per page:
 * e.g. {signedUrlMinTtlSeconds, signedUrlMaxTtlSeconds}.
 */
export function serviceLimits() {
  if (!limits) {
    limits = fetch('/', { headers: { Accept: 'application/json' }, credentials: 'omit' })
      .then(async (response) => {
        if (!response.ok) throw new ApiError(response.status, await problem(response));
        return (await response.json()).limits;
      })
      .catch((error) => {
        limits = null; // ask again next time
        throw error;
      });
  }
  return limits;
}

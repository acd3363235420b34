// Login at an OIDC provider: the authorization-code flow with PKCE (S256) as a public client.
// Only the flow's own one-time values (state, verifier) wait in sessionStorage while the browser
// is at the provider; tokens stay in memory. A reload ends such a session: the provider's own
// session makes the next login one click.
import { acceptExternal } from './api.js';

const PENDING = 'granary-oidc-pending';
const CALLBACK = '/ui/callback';

function base64url(bytes) {
  return btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function random() {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

/** The providers the server offers ({password, oidc: [...]}). */
export async function providers() {
  const response = await fetch('/v1/auth/providers');
  return response.ok ? response.json() : { password: true, oidc: [] };
}

/** Sends the browser to the provider; it comes back to /ui/callback. */
export async function startLogin(provider, next) {
  const verifier = random();
  const state = random();
  const challenge = base64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  sessionStorage.setItem(PENDING, JSON.stringify({ provider, verifier, state, next }));
  const url = new URL(provider.authorizationEndpoint);
  Object.entries({
    response_type: 'code',
    client_id: provider.clientId,
    redirect_uri: location.origin + CALLBACK,
    scope: provider.scopes,
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }).forEach(([name, value]) => url.searchParams.set(name, value));
  location.assign(url);
}

async function tokenRequest(provider, parameters) {
  const response = await fetch(provider.tokenEndpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: provider.clientId, ...parameters }),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok || !body.access_token) {
    throw new Error(body.error_description || body.error || `The provider answered ${response.status}.`);
  }
  return body;
}

/**
 * Finishes a login on /ui/callback: checks the state, trades the code for tokens and starts the
 * session. Answers where to go next; throws with the reason when the login failed.
 */
export async function finishLogin(query) {
  const pending = JSON.parse(sessionStorage.getItem(PENDING) || 'null');
  sessionStorage.removeItem(PENDING);
  if (query.get('error')) {
    throw new Error(query.get('error_description') || query.get('error'));
  }
  if (!pending || query.get('state') !== pending.state) {
    throw new Error('This login was not started here, or was already used: log in again.');
  }
  const { provider } = pending;
  const body = await tokenRequest(provider, {
    grant_type: 'authorization_code',
    code: query.get('code'),
    redirect_uri: location.origin + CALLBACK,
    code_verifier: pending.verifier,
  });
  let refreshToken = body.refresh_token;
  const renew = async () => {
    if (!refreshToken) throw new Error('The provider gave no refresh token: log in again.');
    const next = await tokenRequest(provider, { grant_type: 'refresh_token', refresh_token: refreshToken });
    refreshToken = next.refresh_token || refreshToken;
    return { accessToken: next.access_token, expiresIn: next.expires_in };
  };
  // The access token is the one for the API (its audience is Granary); the ID token is not sent.
  acceptExternal({ accessToken: body.access_token, expiresIn: body.expires_in }, renew);
  return pending.next || '/ui/buckets';
}

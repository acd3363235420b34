import { useEffect, useState } from 'preact/hooks';
import { html } from '../html.js';
import { login } from '../api.js';
import { providers, startLogin } from '../oidc.js';
import { ErrorText } from '../parts/error.js';

/** User name and password for the embedded issuer, and a button per OIDC provider. */
export function Login({ error: given }) {
  const [error, setError] = useState(given || null);
  const [busy, setBusy] = useState(false);
  const [offered, setOffered] = useState({ password: true, oidc: [] });
  useEffect(() => {
    providers().then(setOffered, () => {});
  }, []);
  // After a provider's login, back to the address that asked for it.
  const next = new URLSearchParams(location.search).get('next')
    || (location.pathname.startsWith('/ui/login') ? null : location.pathname + location.search);
  const submit = async (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    setBusy(true);
    setError(null);
    try {
      await login(form.get('username'), form.get('password'));
    } catch (failed) {
      setError(failed);
      setBusy(false);
    }
  };
  return html`
    <main class="login">
      <form class="card" onSubmit=${submit} aria-labelledby="login-title">
        <h1 id="login-title">Granary</h1>
        <label>User name <input name="username" autocomplete="username" required autofocus /></label>
        <label>Password <input name="password" type="password" autocomplete="current-password" required /></label>
        <${ErrorText} error=${error} />
        <button type="submit" class="primary" disabled=${busy}>${busy ? 'Logging in…' : 'Log in'}</button>
        ${offered.oidc.map((provider) => html`
          <button type="button" class="provider" onClick=${() => startLogin(provider, next)}>Log in with ${provider.name}</button>`)}
      </form>
    </main>`;
}

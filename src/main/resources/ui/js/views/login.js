import { useState } from 'preact/hooks';
import { html } from '../html.js';
import { login } from '../api.js';
import { ErrorText } from '../parts/error.js';

/** User name and password, for the embedded issuer. */
export function Login() {
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
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
      </form>
    </main>`;
}

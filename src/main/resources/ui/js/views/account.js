import { useState } from 'preact/hooks';
import { html } from '../html.js';
import { logout, patch } from '../api.js';
import { navigate } from '../router.js';
import { ErrorText } from '../parts/error.js';
import { Sessions } from './sessions.js';

/** The user's own account: who they are, a new password, and their sessions. */
export function Account({ user }) {
  const [error, setError] = useState(null);
  const [changed, setChanged] = useState(false);
  const submit = async (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    setError(null);
    if (form.get('password') !== form.get('repeat')) {
      setError(new Error('The two new passwords differ.'));
      return;
    }
    try {
      await patch('/users/' + user.id, { password: form.get('password'), currentPassword: form.get('current') },
        { noTenant: true });
      setChanged(true);
    } catch (failed) {
      setError(failed);
    }
  };
  const again = async () => {
    await logout().catch(() => {});
    navigate('/ui/login', true);
  };
  return html`
    <section class="account stack">
      <h1>Account</h1>
      <dl class="facts">
        <dt>User name</dt><dd>${user.username}</dd>
        <dt>Role</dt><dd>${user.roles.join(', ')}</dd>
        <dt>Tenant</dt><dd>${user.tenant || 'none (system admin)'}</dd>
      </dl>
      <div class="account-columns">
        ${changed ? html`
          <div class="card" role="status">
            <p><strong>Password changed.</strong> Every session of yours has ended, this one included.</p>
            <button type="button" class="primary" onClick=${again}>Log in again</button>
          </div>` : html`
          <form class="card form" onSubmit=${submit} aria-labelledby="password-title">
            <h2 id="password-title">Change password</h2>
            <label>Current password <input type="password" name="current" autocomplete="current-password" required /></label>
            <label>New password (10 characters or more)
              <input type="password" name="password" autocomplete="new-password" required minlength="10" /></label>
            <label>New password again <input type="password" name="repeat" autocomplete="new-password" required minlength="10" /></label>
            <${ErrorText} error=${error} />
            <button type="submit" class="primary">Change password</button>
          </form>`}
        ${!changed && html`<${Sessions} />`}
      </div>
    </section>`;
}

import { useState } from 'preact/hooks';
import { html } from '../html.js';
import { del, get, patch, post } from '../api.js';
import { ErrorText } from '../parts/error.js';
import { useLoad } from '../parts/load.js';
import { useTenant } from '../parts/tenant.js';
import { ConfirmDialog } from '../parts/dialog.js';
import { formatInstant } from '../parts/dates.js';

// A system admin manages users installation-wide (never through X-Granary-Tenant, which would
// make it an admin of one tenant only); the chosen tenant just narrows the list.
const SYSTEM = { noTenant: true };

/** Users: create, change role, disable or enable, reset password, delete. */
export function Users({ user }) {
  const tenant = useTenant();
  const loaded = useLoad(async (signal) => {
    const options = user.system ? { ...SYSTEM, signal, query: { tenant } } : { signal };
    const [list, tenants] = await Promise.all([get('/users', options),
      user.system ? get('/tenants', { ...SYSTEM, signal }) : null]);
    const names = new Map((tenants ? tenants.tenants : []).map((each) => [each.id, each.name]));
    return { users: list.users, names };
  }, [tenant]);
  const [dialog, setDialog] = useState(null);
  const [error, setError] = useState(null);
  const options = user.system ? SYSTEM : {};
  const change = async (target, body) => {
    setError(null);
    try {
      await patch('/users/' + target.id, body, options);
      loaded.reload();
    } catch (failed) {
      setError(failed);
    }
  };
  const data = loaded.data;
  return html`
    <section>
      <h1>Users</h1>
      <p class="muted">People who log in to the dashboard. Every change to a user ends that user's sessions.</p>
      <${NewUser} user=${user} tenant=${tenant} onCreated=${loaded.reload} />
      <${ErrorText} error=${loaded.error || error} />
      ${data && data.users.length === 0 && html`<p class="empty">No users${tenant ? ' in ' + tenant : ''} yet. Create one above.</p>`}
      ${data && data.users.length > 0 && html`
        <div class="table-wrap">
          <table class="users">
            <caption class="visually-hidden">Users</caption>
            <thead><tr><th scope="col">User name</th>${user.system && html`<th scope="col">Tenant</th>`}
              <th scope="col">Role</th><th scope="col">Status</th><th scope="col">Created</th>
              <th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
            <tbody>
              ${data.users.map((each) => html`
                <tr>
                  <th scope="row">${each.username}</th>
                  ${user.system && html`<td>${each.tenantId ? data.names.get(each.tenantId) || each.tenantId : '—'}</td>`}
                  <td>${each.role === 'system-admin' ? 'system admin' : html`
                    <select aria-label=${'Role of ' + each.username} value=${each.role}
                            onChange=${(event) => change(each, { role: event.target.value })}>
                      <option value="member">member</option>
                      <option value="tenant-admin">tenant admin</option>
                    </select>`}</td>
                  <td>${each.disabled ? html`<span class="badge off">disabled</span>` : 'active'}</td>
                  <td>${formatInstant(each.createdAt)}</td>
                  <td class="row-actions">
                    ${each.id !== user.id && html`
                      <button type="button" onClick=${() => change(each, { disabled: !each.disabled })}>
                        ${each.disabled ? 'Enable' : 'Disable'}<span class="visually-hidden"> ${each.username}</span></button>`}
                    ${each.id === user.id ? html`<a href="/ui/account">your account</a>` : html`
                      <button type="button" onClick=${() => setDialog({ reset: each })}>
                        Reset password<span class="visually-hidden"> of ${each.username}</span></button>
                      <button type="button" class="danger" onClick=${() => setDialog({ remove: each })}>
                        Delete<span class="visually-hidden"> ${each.username}</span></button>`}
                  </td>
                </tr>`)}
            </tbody>
          </table>
        </div>`}
      ${dialog && dialog.reset && html`<${ResetPassword} target=${dialog.reset} options=${options}
        onClose=${() => setDialog(null)} />`}
      ${dialog && dialog.remove && html`
        <${ConfirmDialog} title=${'Delete user ' + dialog.remove.username + '?'} typed=${dialog.remove.username}
          confirmLabel="Delete user" action=${() => del('/users/' + dialog.remove.id, options)}
          onClose=${(done) => { setDialog(null); if (done) loaded.reload(); }}>
          <p>The user can no longer log in, and the signed URLs it issued stop working.</p>
        <//>`}
    </section>`;
}

function ResetPassword({ target, options, onClose }) {
  const [password, setPassword] = useState('');
  return html`
    <${ConfirmDialog} title=${'New password for ' + target.username} confirmLabel="Set password" danger=${false}
      action=${() => patch('/users/' + target.id, { password }, options)} onClose=${onClose}>
      <label>New password (10 characters or more)
        <input type="password" autocomplete="new-password" minlength="10" value=${password} name="newPassword"
               onInput=${(event) => setPassword(event.target.value)} required /></label>
      <p class="muted">Tell the user through a safe channel. Their sessions end now.</p>
    <//>`;
}

function NewUser({ user, tenant, onCreated }) {
  const [open, setOpen] = useState(false);
  const [role, setRole] = useState('member');
  const [error, setError] = useState(null);
  if (!open) return html`<button type="button" class="primary" onClick=${() => setOpen(true)}>New user…</button>`;
  const needsTenant = user.system && role !== 'system-admin';
  const submit = async (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    const body = { username: form.get('username').trim(), password: form.get('password'), role };
    if (needsTenant) body.tenantId = form.get('tenant').trim();
    setError(null);
    try {
      await post('/users', body, user.system ? SYSTEM : {});
      setOpen(false);
      onCreated();
    } catch (failed) {
      setError(failed);
    }
  };
  return html`
    <form class="card form" onSubmit=${submit} aria-label="New user">
      <label>User name <input name="username" required autofocus autocomplete="off"
        aria-describedby="username-help" />
        <small id="username-help" class="muted">1-64 of a-z 0-9 . _ @ -, unique across all tenants.</small></label>
      <label>Password (10 characters or more) <input name="password" type="password" autocomplete="new-password" required minlength="10" /></label>
      <label>Role
        <select name="role" value=${role} onChange=${(event) => setRole(event.target.value)}>
          <option value="member">member: objects in every bucket</option>
          <option value="tenant-admin">tenant admin: also buckets, keys and users</option>
          ${user.system && html`<option value="system-admin">system admin: the whole installation</option>`}
        </select></label>
      ${needsTenant && html`<label>Tenant <input name="tenant" required value=${tenant || ''} placeholder="tenant name" /></label>`}
      <${ErrorText} error=${error} />
      <div class="actions">
        <button type="button" onClick=${() => setOpen(false)}>Cancel</button>
        <button type="submit" class="primary">Create user</button>
      </div>
    </form>`;
}

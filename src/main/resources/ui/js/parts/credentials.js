import { useState } from 'preact/hooks';
import { html } from '../html.js';
import { del, get, post } from '../api.js';
import { ErrorText } from './error.js';
import { useLoad } from './load.js';
import { OneTimeSecret } from './secret.js';
import { ConfirmDialog } from './dialog.js';
import { formatInstant } from './dates.js';

const PERMISSIONS = [
  ['read', 'read objects'], ['list', 'list objects'], ['write', 'upload and change'], ['delete', 'delete objects'],
  ['admin', 'everything, keys and buckets included'],
];

/**
 * A tenant's credentials of one kind, API keys or S3 credentials (the API treats both alike):
 * issue one with permissions, bucket scope and expiry, see its secret once, list, revoke.
 * `kind`: {path, field (the list's name in answers), noun, secrets(answer) → [[label, value]],
 * idOf(credential) → what identifies it in the list}.
 */
export function Credentials({ tenant, kind }) {
  const base = '/tenants/' + encodeURIComponent(tenant) + '/' + kind.path;
  const loaded = useLoad(async (signal) => {
    const [list, buckets] = await Promise.all([get(base, { signal }),
      get('/buckets', { signal }).catch(() => ({ buckets: [] }))]);
    return { credentials: list[kind.field], buckets: buckets.buckets.map((bucket) => bucket.name) };
  }, [base]);
  const [issued, setIssued] = useState(null);
  const [revoking, setRevoking] = useState(null);
  const data = loaded.data;
  return html`
    <section class="credentials stack" aria-labelledby=${kind.path + '-title'}>
      <h2 id=${kind.path + '-title'}>${kind.title}</h2>
      <p class="muted">${kind.about}</p>
      ${issued ? html`<${OneTimeSecret} fields=${kind.secrets(issued)} onDone=${() => setIssued(null)} />`
        : data && html`<${IssueForm} base=${base} kind=${kind} buckets=${data.buckets}
                          onIssued=${(answer) => { setIssued(answer); loaded.reload(); }} />`}
      <${ErrorText} error=${loaded.error} />
      ${data && data.credentials.length === 0 && html`<p class="empty">No ${kind.noun}s yet. Create one above.</p>`}
      ${data && data.credentials.length > 0 && html`
        <div class="table-wrap">
          <table>
            <caption class="visually-hidden">${kind.title}</caption>
            <thead><tr><th scope="col">Name</th><th scope="col">${kind.idLabel}</th><th scope="col">Permissions</th>
              <th scope="col">Buckets</th><th scope="col">Expires</th><th scope="col">Created</th>
              <th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
            <tbody>
              ${data.credentials.map((credential) => html`
                <tr>
                  <th scope="row">${credential.name}</th>
                  <td class="mono">${kind.idOf(credential)}</td>
                  <td>${credential.permissions.join(', ')}</td>
                  <td>${credential.buckets ? credential.buckets.join(', ') : 'all'}</td>
                  <td>${credential.expiresAt ? formatInstant(credential.expiresAt) : 'never'}</td>
                  <td>${formatInstant(credential.createdAt)}</td>
                  <td><button type="button" class="danger" onClick=${() => setRevoking(credential)}
                    aria-label=${'Revoke ' + credential.name}>Revoke</button></td>
                </tr>`)}
            </tbody>
          </table>
        </div>`}
      ${revoking && html`
        <${ConfirmDialog} title=${'Revoke ' + kind.noun + ' “' + revoking.name + '”?'} confirmLabel="Revoke"
          action=${() => del(base + '/' + encodeURIComponent(revoking.id))}
          onClose=${(done) => { setRevoking(null); if (done) loaded.reload(); }}>
          <p>Every request made with it is refused from now on. This cannot be undone.</p>
        <//>`}
    </section>`;
}

function IssueForm({ base, kind, buckets, onIssued }) {
  const [open, setOpen] = useState(false);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const [scoped, setScoped] = useState(false);
  if (!open) {
    return html`<button type="button" class="primary" onClick=${() => setOpen(true)}>New ${kind.noun}…</button>`;
  }
  const submit = async (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    const body = { name: form.get('name').trim(), permissions: form.getAll('permissions') };
    if (scoped) body.buckets = form.getAll('buckets');
    // A date means "until the end of that day" in the user's time zone.
    if (form.get('expires')) body.expiresAt = new Date(form.get('expires') + 'T23:59:59').toISOString();
    setBusy(true);
    setError(null);
    try {
      onIssued(await post(base, body));
      setOpen(false);
    } catch (failed) {
      setError(failed);
    } finally {
      setBusy(false);
    }
  };
  const prefix = kind.path;
  return html`
    <form class="card form" onSubmit=${submit} aria-label=${'New ' + kind.noun}>
      <label>Name <input name="name" required maxlength="128" autofocus placeholder="what uses it: backup, website…" /></label>
      <fieldset><legend>Permissions</legend>
        ${PERMISSIONS.map(([name, what]) => html`
          <label class="inline"><input type="checkbox" name="permissions" value=${name} defaultChecked=${name === 'read'} />
            <span><strong>${name}</strong> <span class="muted">${what}</span></span></label>`)}
      </fieldset>
      <fieldset><legend>Buckets</legend>
        <label class="inline"><input type="radio" name=${prefix + '-scope'} checked=${!scoped} onChange=${() => setScoped(false)} />
          Every bucket, including future ones</label>
        <label class="inline"><input type="radio" name=${prefix + '-scope'} checked=${scoped} onChange=${() => setScoped(true)} />
          Only these buckets</label>
        ${scoped && (buckets.length ? html`<div class="choices">${buckets.map((bucket) => html`
          <label class="inline"><input type="checkbox" name="buckets" value=${bucket} /> ${bucket}</label>`)}</div>`
          : html`<p class="empty">The tenant has no buckets yet.</p>`)}
      </fieldset>
      <label>Expires at the end of <input type="date" name="expires" min=${new Date().toISOString().slice(0, 10)} />
        <small class="muted">Blank: never.</small></label>
      <${ErrorText} error=${error} />
      <div class="actions">
        <button type="button" onClick=${() => setOpen(false)}>Cancel</button>
        <button type="submit" class="primary" disabled=${busy}>Create ${kind.noun}</button>
      </div>
    </form>`;
}

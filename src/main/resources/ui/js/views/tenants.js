import { useState } from 'preact/hooks';
import { html } from '../html.js';
import { actAsTenant, del, get, patch, post } from '../api.js';
import { ErrorText } from '../parts/error.js';
import { useLoad } from '../parts/load.js';
import { ConfirmDialog } from '../parts/dialog.js';
import { parseSize, sizeText } from '../parts/bytes.js';
import { formatInstant } from '../parts/dates.js';

// Installation-wide calls: never in the name of the tenant the admin is acting in.
const SYSTEM = { noTenant: true };

/** Tenants (system admins): create, set quotas, delete, and choose one to work in. */
export function Tenants() {
  const loaded = useLoad((signal) => get('/tenants', { ...SYSTEM, signal }), []);
  const [dialog, setDialog] = useState(null);
  const tenants = loaded.data && loaded.data.tenants;
  const close = (done) => { setDialog(null); if (done) loaded.reload(); };
  return html`
    <section>
      <h1>Tenants</h1>
      <${NewTenant} onCreated=${loaded.reload} />
      <${ErrorText} error=${loaded.error} />
      ${tenants && tenants.length === 0 && html`<p class="empty">No tenants yet. Create one above.</p>`}
      ${tenants && tenants.length > 0 && html`
        <div class="table-wrap">
          <table>
            <caption class="visually-hidden">Tenants</caption>
            <thead><tr><th scope="col">Name</th><th scope="col">Quota: bytes</th><th scope="col">Quota: objects</th>
              <th scope="col">Created</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
            <tbody>
              ${tenants.map((tenant) => html`
                <tr>
                  <th scope="row">${tenant.name}</th>
                  <td>${tenant.quotaBytes === null ? 'no limit' : sizeText(tenant.quotaBytes)}</td>
                  <td>${tenant.quotaObjects === null ? 'no limit' : tenant.quotaObjects.toLocaleString()}</td>
                  <td>${formatInstant(tenant.createdAt)}</td>
                  <td class="row-actions">
                    <button type="button" onClick=${() => actAsTenant(tenant.name)}>Work in<span class="visually-hidden"> ${tenant.name}</span></button>
                    <button type="button" onClick=${() => setDialog({ quotas: tenant })}>Quotas<span class="visually-hidden"> of ${tenant.name}</span></button>
                    <button type="button" class="danger" onClick=${() => setDialog({ remove: tenant })}>Delete<span class="visually-hidden"> ${tenant.name}</span></button>
                  </td>
                </tr>`)}
            </tbody>
          </table>
        </div>`}
      ${dialog && dialog.quotas && html`<${Quotas} tenant=${dialog.quotas} onClose=${close} />`}
      ${dialog && dialog.remove && html`
        <${ConfirmDialog} title=${'Delete tenant ' + dialog.remove.name + '?'} typed=${dialog.remove.name}
          confirmLabel="Delete tenant" action=${() => del('/tenants/' + dialog.remove.id, SYSTEM)} onClose=${close}>
          <p>Its keys, S3 credentials, users and trusted issuers are deleted with it. A tenant that still has
            buckets cannot be deleted: delete them first.</p>
        <//>`}
    </section>`;
}

function NewTenant({ onCreated }) {
  const [error, setError] = useState(null);
  const submit = async (event) => {
    event.preventDefault();
    const input = event.target.elements.name;
    setError(null);
    try {
      await post('/tenants', { name: input.value.trim() }, SYSTEM);
      input.value = '';
      onCreated();
    } catch (failed) {
      setError(failed);
    }
  };
  return html`
    <form class="card form inline-form" onSubmit=${submit} aria-label="New tenant">
      <label>New tenant's name <input name="name" required autocomplete="off" placeholder="acme"
        aria-describedby="tenant-help" /></label>
      <button type="submit" class="primary">Create tenant</button>
      <small id="tenant-help" class="muted">1-63 lowercase letters, digits and inner hyphens; it appears in public URLs.</small>
      <${ErrorText} error=${error} />
    </form>`;
}

function Quotas({ tenant, onClose }) {
  const [bytes, setBytes] = useState(sizeText(tenant.quotaBytes));
  const [objects, setObjects] = useState(tenant.quotaObjects === null ? '' : String(tenant.quotaObjects));
  const save = () => {
    if (objects.trim() && !/^\d+$/.test(objects.trim())) throw new Error('The object quota must be a whole number.');
    return patch('/tenants/' + tenant.id,
      { quotaBytes: parseSize(bytes), quotaObjects: objects.trim() ? Number(objects) : null }, SYSTEM);
  };
  return html`
    <${ConfirmDialog} title=${'Quotas of ' + tenant.name} confirmLabel="Save quotas" danger=${false}
      action=${async () => save()} onClose=${onClose}>
      <p class="muted">All buckets of the tenant together. Blank: no limit. Sizes like 10 GB or 1.5 TiB.</p>
      <label>Bytes <input name="quotaBytes" value=${bytes} onInput=${(event) => setBytes(event.target.value)} placeholder="no limit" /></label>
      <label>Objects <input name="quotaObjects" value=${objects} inputmode="numeric"
        onInput=${(event) => setObjects(event.target.value)} placeholder="no limit" /></label>
    <//>`;
}

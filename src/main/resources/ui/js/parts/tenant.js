// The tenant the screens work in: a tenant user's own, or the one a system admin has chosen
// in the shell's tenant picker (sent as X-Granary-Tenant).
import { useEffect, useState } from 'preact/hooks';
import { html } from '../html.js';
import { actingTenant, actAsTenant, get, onSessionChange } from '../api.js';
import { useLoad } from './load.js';

/** The acting tenant's name (or null), re-rendering the caller when it changes. */
export function useTenant() {
  const [tenant, setTenant] = useState(actingTenant());
  useEffect(() => onSessionChange(() => setTenant(actingTenant())), []);
  return tenant;
}

/** What a tenant's screen shows to a system admin who has not chosen a tenant. */
export function ChooseTenant({ what }) {
  return html`<p class="empty" role="status">Choose a tenant with the “Tenant” menu at the top to see ${what}.</p>`;
}

/** The shell's tenant menu, for system admins only. */
export function TenantPicker() {
  const tenant = useTenant();
  const tenants = useLoad((signal) => get('/tenants', { signal, noTenant: true }), []);
  const names = (tenants.data ? tenants.data.tenants : []).map((each) => each.name);
  return html`
    <label class="inline tenant-picker">Tenant
      <select value=${tenant || ''} onChange=${(event) => actAsTenant(event.target.value)}
              title=${tenants.error ? tenants.error.detail : undefined}>
        <option value="">— none —</option>
        ${tenant && !names.includes(tenant) && html`<option value=${tenant}>${tenant}</option>`}
        ${names.map((name) => html`<option value=${name}>${name}</option>`)}
      </select>
    </label>`;
}

import { html } from '../html.js';
import { logout } from '../api.js';
import { match, navigate } from '../router.js';
import { SCREENS } from './screens.js';
import { UploadsPanel } from '../parts/uploads.js';
import { TenantPicker } from '../parts/tenant.js';

function visible(screen, user) {
  return screen.nav === 'all' || (screen.nav === 'admin' && user.admin) || (screen.nav === 'system' && user.system);
}

/** The frame every screen shares: navigation, the user and logout, and the screen itself. */
export function Shell({ user, where }) {
  let params = null;
  const screen = SCREENS.find((candidate) => (params = match(candidate.pattern, where.path)));
  const out = async () => {
    await logout().catch(() => {});
    navigate('/ui/login', true);
  };
  return html`
    <a class="skip" href="#main">Skip to content</a>
    <header class="top">
      <a class="brand" href="/ui/buckets">Granary</a>
      <nav aria-label="Main">
        <ul>
          ${SCREENS.filter((candidate) => candidate.nav && visible(candidate, user)).map((candidate) => html`
            <li><a href=${candidate.pattern} aria-current=${screen === candidate ? 'page' : undefined}>${candidate.title}</a></li>`)}
        </ul>
      </nav>
      ${user.system && html`<${TenantPicker} />`}
      <span class="who" title=${user.tenant ? 'Tenant ' + user.tenant : 'System admin'}>${user.username}</span>
      <button type="button" onClick=${out}>Log out</button>
    </header>
    <main id="main" tabindex="-1">
      ${screen ? html`<${screen.view} ...${params} where=${where} user=${user} />`
        : html`<section><h1>Not found</h1><p>No screen at ${where.path}. <a href="/ui/buckets">Go to buckets</a>.</p></section>`}
    </main>
    <${UploadsPanel} />`;
}

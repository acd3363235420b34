import { useState } from 'preact/hooks';
import { html } from '../html.js';
import { del, get } from '../api.js';
import { ConfirmDialog } from '../parts/dialog.js';
import { ErrorText } from '../parts/error.js';
import { formatInstant } from '../parts/dates.js';
import { useLoad } from '../parts/load.js';

const VIA = { browser: 'Dashboard sign-in', password: 'API login' };

/** A User-Agent as a person names it: "Firefox on Linux"; the raw text when nothing is recognised. */
function describeClient(agent) {
  if (!agent) return 'Unknown client';
  const browser = [['Edg/', 'Edge'], ['Firefox/', 'Firefox'], ['Chrome/', 'Chrome'], ['Safari/', 'Safari'], ['curl/', 'curl']]
    .find(([mark]) => agent.includes(mark));
  const system = [['Android', 'Android'], ['iPhone', 'iOS'], ['iPad', 'iPadOS'], ['Windows', 'Windows'],
    ['Mac OS', 'macOS'], ['Linux', 'Linux']].find(([mark]) => agent.includes(mark));
  if (!browser) return agent.length > 40 ? agent.slice(0, 40) + '…' : agent;
  return browser[1] + (system ? ' on ' + system[1] : '');
}

/**
 * The user's own sessions of Granary's sign-in (GET /v1/auth/sessions): when each started, was
 * last active and expires, from which client; any but this one can be ended, or all at once.
 */
export function Sessions() {
  const loaded = useLoad((signal) => get('/auth/sessions', { signal, noTenant: true }), []);
  const [ending, setEnding] = useState(null); // a session, or 'others'
  const data = loaded.data;
  const others = data ? data.sessions.filter((session) => !session.current) : [];
  return html`
    <section class="card sessions" aria-labelledby="sessions-title" aria-busy=${loaded.loading ? 'true' : 'false'}>
      <h2 id="sessions-title">Sessions</h2>
      <${ErrorText} error=${loaded.error} />
      ${data && data.managedBy !== 'granary' && html`
        <p class="empty">You signed in through your organisation's identity provider: your sessions are managed there,
          not by Granary. “Log out” at the top ends this browser's.</p>`}
      ${data && data.managedBy === 'granary' && html`
        <p class="muted">Every browser or program signed in as you. Ending a session stops it from getting new access;
          the access token it holds already keeps working until it expires (15 minutes by default).</p>
        <ul class="session-list">
          ${data.sessions.map((session) => html`
            <li class=${session.current ? 'current' : ''}>
              <div class="session-head">
                <strong>${describeClient(session.client)}</strong>
                ${session.current && html`<span class="badge">This session</span>`}
                ${!session.current && html`
                  <button type="button" class="danger" onClick=${() => setEnding(session)}
                    aria-label=${'End session of ' + describeClient(session.client) + ' started '
                      + formatInstant(session.startedAt)}>End</button>`}
              </div>
              <dl class="facts small">
                <dt>Started</dt><dd>${formatInstant(session.startedAt)}</dd>
                <dt>Last active</dt><dd>${formatInstant(session.refreshedAt)}</dd>
                <dt>Expires</dt><dd>${formatInstant(session.expiresAt)}</dd>
                <dt>How</dt><dd>${VIA[session.via] || 'Unknown'}</dd>
                ${session.client && html`<dt>Client</dt><dd class="mono">${session.client}</dd>`}
              </dl>
            </li>`)}
        </ul>
        ${others.length === 0 ? html`<p class="empty">No other session: you are signed in here only.</p>` : html`
          <div class="actions">
            <button type="button" class="danger" onClick=${() => setEnding('others')}>Log out everywhere else</button>
          </div>`}`}
      ${ending && html`
        <${ConfirmDialog} title=${ending === 'others' ? 'Log out everywhere else?' : 'End this session?'}
          confirmLabel=${ending === 'others' ? 'Log out ' + others.length + (others.length === 1 ? ' session' : ' sessions') : 'End session'}
          action=${() => (ending === 'others' ? del('/auth/sessions', { noTenant: true })
            : del('/auth/sessions/' + encodeURIComponent(ending.id), { noTenant: true }))}
          onClose=${(done) => { setEnding(null); if (done) loaded.reload(); }}>
          <p>${ending === 'others' ? 'Every session but this one ends: those browsers and programs must sign in again.'
            : describeClient(ending.client) + ', signed in ' + formatInstant(ending.startedAt)
              + ', must sign in again once its current access runs out.'}</p>
        <//>`}
    </section>`;
}

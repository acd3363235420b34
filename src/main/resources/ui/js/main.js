import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { html } from './html.js';
import { currentUser, onSessionChange, resume } from './api.js';
import { navigate, useLocation, onLinkClick } from './router.js';
import { finishLogin } from './oidc.js';
import { Login } from './views/login.js';
import { Shell } from './views/shell.js';

/** Logged out: the login screen (remembering where to go next); logged in: the shell. */
function App() {
  const [user, setUser] = useState(undefined);
  const [loginError, setLoginError] = useState(null);
  const where = useLocation();
  useEffect(() => {
    const unsubscribe = onSessionChange((claims) => setUser(claims));
    if (location.pathname === '/ui/callback') {
      // Back from an OIDC provider.
      finishLogin(new URLSearchParams(location.search)).then((next) => navigate(next, true), (failed) => {
        setLoginError(failed);
        setUser(null);
        navigate('/ui/login', true);
      });
    } else {
      // A reload keeps the session through the refresh cookie.
      resume().then((resumed) => { if (!resumed) setUser(null); });
    }
    return unsubscribe;
  }, []);
  if (user === undefined) {
    return html`<p class="loading" role="status">Loading…</p>`;
  }
  if (!user) {
    return html`<${Login} error=${loginError} />`;
  }
  if (['/ui/login', '/ui/callback', '/ui', '/ui/'].includes(where.path)) {
    navigate(where.query.get('next') || '/ui/buckets', true);
    return null;
  }
  return html`<${Shell} user=${currentUser()} where=${where} />`;
}

document.addEventListener('click', onLinkClick);
render(html`<${App} />`, document.getElementById('app'));

// Addresses under /ui name what is on screen (bucket, folder, screen), so a link can be shared
// and the back button works: the History API, no hash.
import { useEffect, useState } from 'preact/hooks';

const listeners = new Set();

/** Goes to `path` (under /ui); `replace` leaves no history entry. */
export function navigate(path, replace = false) {
  if (path !== location.pathname + location.search) {
    history[replace ? 'replaceState' : 'pushState'](null, '', path);
  }
  listeners.forEach((listener) => listener());
}

window.addEventListener('popstate', () => listeners.forEach((listener) => listener()));

/** The current address as {path, query}, re-rendering the caller when it changes. */
export function useLocation() {
  const [, setTick] = useState(0);
  useEffect(() => {
    const listener = () => setTick((tick) => tick + 1);
    listeners.add(listener);
    return () => listeners.delete(listener);
  }, []);
  return { path: location.pathname, query: new URLSearchParams(location.search) };
}

/**
 * Matches `path` against a pattern like '/ui/b/:bucket/*prefix' (':name' one segment, '*name'
 * the rest, possibly empty, slashes kept); answers the decoded parameters, or null.
 */
export function match(pattern, path) {
  const wanted = pattern.split('/');
  const given = path.split('/');
  const params = {};
  for (let i = 0; i < wanted.length; i++) {
    const part = wanted[i];
    if (part.startsWith('*')) {
      params[part.slice(1)] = given.slice(i).map(decodeURIComponent).join('/');
      return params;
    }
    if (i >= given.length) return null;
    if (part.startsWith(':')) {
      if (!given[i]) return null;
      params[part.slice(1)] = decodeURIComponent(given[i]);
    } else if (part !== given[i]) {
      return null;
    }
  }
  // A trailing slash is the same screen.
  return given.length === wanted.length || (given.length === wanted.length + 1 && given[given.length - 1] === '')
    ? params : null;
}

/** The address of a folder: each segment of the prefix escaped, its slashes kept. */
export function folderPath(bucket, prefix) {
  return '/ui/b/' + encodeURIComponent(bucket) + '/' + prefix.split('/').map(encodeURIComponent).join('/');
}

/** An in-app link: a plain anchor (so it opens in a new tab too) that navigates without a reload. */
export function onLinkClick(event) {
  const anchor = event.target.closest && event.target.closest('a[href^="/ui"]');
  if (!anchor || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey
      || event.altKey || anchor.target) {
    return;
  }
  event.preventDefault();
  navigate(anchor.getAttribute('href'));
}

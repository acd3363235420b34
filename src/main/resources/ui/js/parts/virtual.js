// A scrolling list that keeps only the rows in view (and a few around them) in the DOM, so a
// folder of 100,000 entries costs as much to show as one of 50.
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { html } from '../html.js';

const OVERSCAN = 8;

/**
 * `count` items drawn by `item(index)`, in rows of `rowHeight` pixels: one item a row, or as many
 * as fit when `columnWidth` is given (a grid; `onColumns` learns how many).
 * `onNearEnd` is called when the end comes within a few screens (an IntersectionObserver on a
 * sentinel placed there), to load the next page. `active` is kept scrolled into view. Other
 * props (role, aria-*, tabindex, onKeyDown, class) go to the scrolling element.
 */
export function VirtualRows({ count, rowHeight, columnWidth, onColumns, item, onNearEnd, active, ...props }) {
  const scroller = useRef(null);
  const sentinel = useRef(null);
  const [view, setView] = useState({ top: 0, height: 600, width: 800 });
  const frame = useRef(0);

  useLayoutEffect(() => {
    const element = scroller.current;
    const measure = () => setView({ top: element.scrollTop, height: element.clientHeight, width: element.clientWidth });
    const onScroll = () => {
      // At most one re-render per frame, however fast the wheel turns.
      if (!frame.current) frame.current = requestAnimationFrame(() => { frame.current = 0; measure(); });
    };
    const resize = new ResizeObserver(measure);
    resize.observe(element);
    element.addEventListener('scroll', onScroll, { passive: true });
    measure();
    return () => {
      resize.disconnect();
      element.removeEventListener('scroll', onScroll);
      cancelAnimationFrame(frame.current);
    };
  }, []);

  // A new observation for every length: an observer reports a target once when it starts
  // watching, so a sentinel still in view after a short page asks for the next page again.
  useEffect(() => {
    if (!onNearEnd || !sentinel.current) return undefined;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) onNearEnd();
    }, { root: scroller.current, rootMargin: '0px 0px 1200px 0px' });
    observer.observe(sentinel.current);
    return () => observer.disconnect();
  }, [count, onNearEnd]);

  const columns = columnWidth ? Math.max(1, Math.floor(view.width / columnWidth)) : 1;
  const rowCount = Math.ceil(count / columns);
  useEffect(() => { if (onColumns) onColumns(columns); }, [columns, onColumns]);

  useEffect(() => {
    const element = scroller.current;
    if (active === undefined || active < 0 || !element) return;
    const top = Math.floor(active / columns) * rowHeight;
    if (top < element.scrollTop) element.scrollTop = top;
    else if (top + rowHeight > element.scrollTop + element.clientHeight) element.scrollTop = top + rowHeight - element.clientHeight;
  }, [active, rowHeight, columns]);

  const first = Math.max(0, Math.floor(view.top / rowHeight) - OVERSCAN);
  const last = Math.min(rowCount, Math.ceil((view.top + view.height) / rowHeight) + OVERSCAN);
  const rows = [];
  for (let index = first; index < last; index++) {
    const items = [];
    for (let at = index * columns; at < Math.min(count, (index + 1) * columns); at++) items.push(item(at));
    rows.push(html`<div class="vrow" key=${index} style=${{ top: index * rowHeight + 'px', height: rowHeight + 'px' }}>${items}</div>`);
  }
  return html`
    <div ...${props} ref=${scroller}>
      <div class="vspace" role="presentation" style=${{ height: rowCount * rowHeight + 'px' }}>
        ${rows}
        <div class="vsentinel" ref=${sentinel} aria-hidden="true" style=${{ top: Math.max(0, rowCount * rowHeight - 1) + 'px' }}></div>
      </div>
    </div>`;
}

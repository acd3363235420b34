import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import { html } from '../html.js';

/** The page's current colours (they change with the system's dark mode), from app.css's properties. */
function colours() {
  const style = getComputedStyle(document.documentElement);
  const read = (name) => style.getPropertyValue(name).trim();
  return { line: read('--accent'), text: read('--muted'), grid: read('--border') };
}

/** UTC midnight of a YYYY-MM-DD day, in seconds, as uPlot's x values are. */
const seconds = (date) => Date.parse(date + 'T00:00:00Z') / 1000;

/** One sentence that says what the chart shows, for screen readers (the canvas says nothing). */
export function summary(title, days, field, format) {
  const known = days.filter((day) => day[field] !== null && day[field] !== undefined);
  if (!known.length) return `${title}: no figures between ${days[0].date} and ${days[days.length - 1].date}.`;
  const top = known.reduce((best, day) => (day[field] > best[field] ? day : best));
  const last = known[known.length - 1];
  return `${title} from ${days[0].date} to ${days[days.length - 1].date}: ${format(last[field])} on ${last.date}, `
    + `highest ${format(top[field])} on ${top.date}.`;
}

/**
 * A daily line chart of `days[*][field]` (null days are gaps), drawn by uPlot on a canvas. It
 * follows the window's width and the system's light or dark mode.
 */
export function DailyChart({ title, days, field, format }) {
  const box = useRef(null);
  useEffect(() => {
    const data = [days.map((day) => seconds(day.date)), days.map((day) => day[field] ?? null)];
    const size = () => ({ width: Math.max(box.current.clientWidth, 200), height: 180 });
    const make = () => {
      const { line, text, grid } = colours();
      const axis = { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
      return new uPlot({
        ...size(),
        // Days are UTC days: label them so, whatever the browser's time zone.
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
        legend: { show: false },
        cursor: { y: false },
        scales: { x: { time: true } },
        series: [{}, { label: title, stroke: line, width: 2, fill: line + '22', spanGaps: false,
          points: { show: days.length <= 62 }, value: (plot, value) => (value === null ? '—' : format(value)) }],
        axes: [{ ...axis }, { ...axis, size: 72, values: (plot, ticks) => ticks.map(format) }],
      }, data, box.current);
    };
    let plot = make();
    const resize = new ResizeObserver(() => plot.setSize(size()));
    resize.observe(box.current);
    // Colours are drawn into the canvas, so a change of mode means drawing again.
    const scheme = matchMedia('(prefers-color-scheme: dark)');
    const redraw = () => { plot.destroy(); plot = make(); };
    scheme.addEventListener('change', redraw);
    return () => {
      resize.disconnect();
      scheme.removeEventListener('change', redraw);
      plot.destroy();
    };
  }, [days, field]);
  const id = 'chart-' + field;
  return html`
    <figure class="chart card" aria-labelledby=${id}>
      <figcaption id=${id}>${title}</figcaption>
      <div ref=${box} class="plot" role="img" aria-label=${summary(title, days, field, format)}></div>
    </figure>`;
}

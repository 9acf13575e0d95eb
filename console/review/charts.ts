/**
 * Charts for the review dashboard, drawn on the server as inline SVG: no script, no library, no CDN. Nothing is told by
 * colour alone: every bar carries its label and its value in text, stacked parts are told apart by pattern, and the page
 * gives each chart a table with the same figures. Bars with a target are links (the drill-down).
 *
 * Presentation attributes only, never `style`: the console's Content-Security-Policy refuses inline styles.
 */

/** Fills that differ in more than colour. */
export type Pattern = 'solid' | 'hatch' | 'dots' | 'cross' | 'light';

/** One bar (or part of a stacked bar). */
export interface Bar {
  label: string;
  value: number;
  /** The value as the reader sees it (a count, a percentage, minutes). */
  display: string;
  href?: string;
  pattern?: Pattern;
}

/** Escapes text for SVG/HTML content and attribute values. */
export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const COLOURS: Record<Pattern, string> = { solid: '#1f5fbf', hatch: '#b3261e', dots: '#8a5a00', cross: '#5b6475', light: '#1b7f3b' };

/** The pattern definitions of a chart (ids prefixed by the chart's id, so several charts share a page). */
function defs(id: string): string {
  const p = (name: Pattern, body: string) =>
    `<pattern id="${id}-${name}" width="8" height="8" patternUnits="userSpaceOnUse"><rect width="8" height="8" fill="#ffffff"/>${body}</pattern>`;
  return (
    '<defs>' +
    p('solid', `<rect width="8" height="8" fill="${COLOURS.solid}"/>`) +
    p('hatch', `<path d="M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4" stroke="${COLOURS.hatch}" stroke-width="2.5"/>`) +
    p('dots', `<circle cx="4" cy="4" r="2.2" fill="${COLOURS.dots}"/>`) +
    p('cross', `<path d="M0,4 h8 M4,0 v8" stroke="${COLOURS.cross}" stroke-width="2"/>`) +
    p('light', `<rect width="8" height="8" fill="${COLOURS.light}" fill-opacity="0.55"/>`) +
    '</defs>'
  );
}

function fill(id: string, pattern: Pattern = 'solid'): string {
  return `url(#${id}-${pattern})`;
}

function shorten(label: string, max: number): string {
  const chars = [...label];
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : label;
}

function linked(href: string | undefined, label: string, body: string): string {
  return href ? `<a href="${esc(href)}" aria-label="${esc(label)}">${body}</a>` : `<g>${body}</g>`;
}

function frame(id: string, title: string, width: number, height: number, body: string): string {
  return (
    `<svg class="chart" id="${id}" role="img" aria-labelledby="${id}-title" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg">` +
    `<title id="${id}-title">${esc(title)}</title>${defs(id)}${body}</svg>`
  );
}

/** Horizontal bars, one per row: label on the left, value at the bar's end. */
export function barChart(id: string, title: string, bars: Bar[]): string {
  const width = 460;
  const labelW = 120;
  const valueW = 90;
  const rowH = 24;
  const max = Math.max(1, ...bars.map((b) => b.value));
  const rows = bars
    .map((b, i) => {
      const y = 6 + i * rowH;
      const w = b.value > 0 ? Math.max(2, Math.round(((width - labelW - valueW) * b.value) / max)) : 0;
      const label = `${b.label}: ${b.display}`;
      return linked(
        b.href,
        label,
        `<title>${esc(label)}</title>` +
          `<text x="${labelW - 6}" y="${y + 15}" text-anchor="end" font-size="12" fill="#1d2433">${esc(shorten(b.label, 14))}</text>` +
          `<rect x="${labelW}" y="${y + 3}" width="${w}" height="${rowH - 8}" fill="${fill(id, b.pattern)}" stroke="#1d2433" stroke-width="${w ? 0.6 : 0}"/>` +
          `<text x="${labelW + w + 5}" y="${y + 15}" font-size="12" fill="#1d2433">${esc(b.display)}</text>`,
      );
    })
    .join('');
  return frame(id, title, width, 12 + bars.length * rowH, rows);
}

/** One bar split into parts (NPS: promoters, passives, detractors), each part patterned, with a legend row per part. */
export function stackedBar(id: string, title: string, parts: Bar[]): string {
  const width = 460;
  const total = parts.reduce((a, b) => a + b.value, 0);
  let x = 0;
  const body = parts
    .map((p, i) => {
      const w = total ? (width * p.value) / total : 0;
      const label = `${p.label}: ${p.display}`;
      const y = 44 + i * 20;
      const part = linked(
        p.href,
        label,
        `<title>${esc(label)}</title>` +
          `<rect x="${x.toFixed(1)}" y="4" width="${w.toFixed(1)}" height="28" fill="${fill(id, p.pattern)}" stroke="#1d2433" stroke-width="${w ? 0.6 : 0}"/>` +
          // The legend: a swatch with the same pattern, the name and the value.
          `<rect x="0" y="${y}" width="14" height="14" fill="${fill(id, p.pattern)}" stroke="#1d2433" stroke-width="0.6"/>` +
          `<text x="20" y="${y + 12}" font-size="12" fill="#1d2433">${esc(label)}</text>`,
      );
      x += w;
      return part;
    })
    .join('');
  return frame(id, title, width, 48 + parts.length * 20, body);
}

/** Vertical bars over time (a trend), the value over each bar when there is room, dates under some of them. */
export function columnChart(id: string, title: string, columns: Bar[], options: { valueDigits?: number } = {}): string {
  const width = 620;
  const height = 170;
  const top = 16;
  const bottom = 22;
  // Room either side for the first and last date, which are centred under their bars.
  const side = 16;
  const plotH = height - top - bottom;
  const max = Math.max(1e-9, ...columns.map((c) => c.value));
  const step = (width - 2 * side) / Math.max(1, columns.length);
  const barW = Math.max(2, step * 0.7);
  const labelEvery = Math.max(1, Math.ceil(columns.length / 10));
  const roomForValues = step >= 18;
  const body = columns
    .map((c, i) => {
      const h = c.value > 0 ? Math.max(1, (plotH * c.value) / max) : 0;
      const x = side + i * step + (step - barW) / 2;
      const y = top + plotH - h;
      const label = `${c.label}: ${c.display}`;
      return linked(
        c.href,
        label,
        `<title>${esc(label)}</title>` +
          `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${barW.toFixed(1)}" height="${h.toFixed(1)}" fill="${fill(id, c.pattern)}"/>` +
          (roomForValues && c.value > 0
            ? `<text x="${(x + barW / 2).toFixed(1)}" y="${(y - 3).toFixed(1)}" text-anchor="middle" font-size="9" fill="#1d2433">${esc(c.value.toFixed(options.valueDigits ?? 0))}</text>`
            : '') +
          (i % labelEvery === 0
            ? `<text x="${(x + barW / 2).toFixed(1)}" y="${height - 6}" text-anchor="middle" font-size="10" fill="#5b6475">${esc(c.label)}</text>`
            : ''),
      );
    })
    .join('');
  const axis = `<line x1="0" y1="${top + plotH}" x2="${width}" y2="${top + plotH}" stroke="#5b6475" stroke-width="1"/>`;
  return frame(id, title, width, height, axis + body);
}

/**
 * Bar charts as inline SVG, drawn on the server: one row per category (long Vietnamese names fit on the
 * left), one bar per series. The figures are also in the table beside each chart, for screen readers.
 */
import { html, type SafeHtml } from './html';

export interface BarSeries {
  name: string;
  color: string;
}

export interface BarChartInput {
  /** What the chart shows, read by screen readers. */
  title: string;
  series: BarSeries[];
  rows: { label: string; values: number[] }[];
  /** The value of a full bar (default: the largest value, at least 1). */
  max?: number;
  /** Appended to each value label, e.g. '%'. */
  unit?: string;
  /** A dashed reference line at this value (e.g. 100 %). */
  reference?: number;
}

const LABEL_W = 330;
const BAR_AREA = 420;
const BAR_H = 12;
const GAP = 8;

export function barChart(c: BarChartInput): SafeHtml {
  const max = Math.max(c.max ?? 0, 1, ...c.rows.flatMap((r) => r.values));
  const rowH = c.series.length * BAR_H + GAP;
  const height = c.rows.length * rowH + 24;
  const width = LABEL_W + BAR_AREA + 60;
  const x = (v: number): number => (Math.max(0, v) / max) * BAR_AREA;
  const short = (s: string): string => (s.length > 52 ? `${s.slice(0, 51)}…` : s);
  const bars = c.rows.map((r, i) => {
    const y0 = 8 + i * rowH;
    return html`<g>
      <text x="${LABEL_W - 8}" y="${y0 + (c.series.length * BAR_H) / 2 + 4}" text-anchor="end">${short(r.label)}</text>
      ${c.series.map((s, k) => {
        const v = r.values[k] ?? 0;
        const y = y0 + k * BAR_H;
        return html`<rect x="${LABEL_W}" y="${y}" width="${x(v).toFixed(1)}" height="${BAR_H - 2}" fill="${s.color}"
            ><title>${r.label} — ${s.name}: ${v}${c.unit ?? ''}</title></rect
          >
          <text x="${LABEL_W + x(v) + 4}" y="${y + BAR_H - 3}" font-size="11">${v}${c.unit ?? ''}</text>`;
      })}
    </g>`;
  });
  const ref =
    c.reference !== undefined && c.reference <= max
      ? html`<line
            x1="${LABEL_W + x(c.reference)}"
            x2="${LABEL_W + x(c.reference)}"
            y1="0"
            y2="${height - 16}"
            stroke="#555"
            stroke-dasharray="4 3"
          />
          <text x="${LABEL_W + x(c.reference)}" y="${height - 4}" text-anchor="middle" font-size="11"
            >${c.reference}${c.unit ?? ''}</text
          >`
      : '';
  return html`<figure class="card">
    <figcaption>
      <strong>${c.title}</strong>
      <span class="legend"
        >${c.series.map((s) => html`<span style="--c:${s.color}" class="k-${s.name === 'Quá hạn' ? 'overdue' : s.name === 'Đã cảnh báo Thường trực' ? 'escalated' : 'pct'}">${s.name}</span>`)}</span
      >
    </figcaption>
    <svg
      class="chart"
      width="${width}"
      height="${height}"
      viewBox="0 0 ${width} ${height}"
      role="img"
      aria-label="${c.title}"
    >
      <line x1="${LABEL_W}" x2="${LABEL_W}" y1="0" y2="${height - 16}" stroke="#999" />
      ${bars} ${ref}
    </svg>
  </figure>`;
}

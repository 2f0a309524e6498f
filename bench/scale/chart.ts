/**
 * The scale bench's chart, as a hand-written SVG string (no dependency): validate throughput and p99 latency
 * against the number of live sessions (log scale), one line per store, two panels side by side.
 */
import type { ScaleStoreKind } from './config.js';
import type { StoreResult } from './results.js';

const WIDTH = 960;
const HEIGHT = 400;
const PANEL_WIDTH = WIDTH / 2;
const MARGIN = { left: 70, right: 24, top: 78, bottom: 52 };

const NAMES: Record<ScaleStoreKind, string> = {
  memory: 'memory',
  sqlite: 'SQLite',
  postgres: 'PostgreSQL',
  redis: 'Redis',
};

const COLOURS: Record<ScaleStoreKind, string> = {
  memory: '#1f77b4',
  sqlite: '#2ca02c',
  postgres: '#9467bd',
  redis: '#d62728',
};

interface Panel {
  readonly title: string;
  readonly unit: string;
  readonly value: (size: StoreResult['sizes'][number]) => number;
  readonly format: (value: number) => string;
}

const PANELS: readonly Panel[] = [
  {
    title: 'validate throughput (req/s, higher is better)',
    unit: 'req/s',
    value: (size) => size.validate.requestsPerSec,
    format: (value) =>
      value >= 1000 ? `${(value / 1000).toFixed(value >= 10_000 ? 0 : 1)}k` : value.toFixed(0),
  },
  {
    title: 'validate p99 latency (ms, lower is better)',
    unit: 'ms',
    value: (size) => size.validate.p99 / 1000,
    format: (value) => (value === 0 ? '0' : value.toFixed(value >= 10 ? 0 : value >= 1 ? 1 : 2)),
  },
];

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A round step (1, 2 or 5 times a power of ten) that cuts [0, max] into about `parts` parts. */
export function niceStep(max: number, parts = 5): number {
  if (!(max > 0)) return 1;
  const rough = max / parts;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].find((factor) => factor * power >= rough) ?? 10;
  return step * power;
}

function superscript(exponent: number): string {
  const digits = '⁰¹²³⁴⁵⁶⁷⁸⁹';
  return [...String(exponent)].map((digit) => digits[Number(digit)]).join('');
}

function panelSvg(panel: Panel, stores: readonly StoreResult[], offsetX: number): string {
  const sizes = stores.flatMap((store) => store.sizes.map((size) => size.size));
  const values = stores.flatMap((store) => store.sizes.map(panel.value)).filter(Number.isFinite);
  let low = Math.floor(Math.log10(Math.min(...sizes)));
  let high = Math.ceil(Math.log10(Math.max(...sizes)));
  if (low === high) {
    low -= 1;
    high += 1;
  }
  const step = niceStep(Math.max(...values, 0) * 1.1);
  const top = step * Math.max(1, Math.ceil((Math.max(...values, 0) * 1.1) / step));
  const plotWidth = PANEL_WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = (size: number): number =>
    offsetX + MARGIN.left + ((Math.log10(size) - low) / (high - low)) * plotWidth;
  const y = (value: number): number => MARGIN.top + plotHeight - (value / top) * plotHeight;
  const parts: string[] = [];
  parts.push(
    `<text x="${offsetX + MARGIN.left}" y="${MARGIN.top - 12}" font-size="13" font-weight="bold">${escapeXml(panel.title)}</text>`,
  );
  for (let value = 0; value <= top + step / 2; value += step) {
    const at = y(value).toFixed(1);
    parts.push(
      `<line x1="${offsetX + MARGIN.left}" x2="${offsetX + MARGIN.left + plotWidth}" y1="${at}" y2="${at}" stroke="#e5e5e5"/>`,
      `<text x="${offsetX + MARGIN.left - 6}" y="${at}" text-anchor="end" dominant-baseline="middle">${escapeXml(panel.format(value))}</text>`,
    );
  }
  for (let exponent = low; exponent <= high; exponent += 1) {
    const at = x(10 ** exponent).toFixed(1);
    parts.push(
      `<line x1="${at}" x2="${at}" y1="${MARGIN.top}" y2="${MARGIN.top + plotHeight}" stroke="#f0f0f0"/>`,
      `<text x="${at}" y="${MARGIN.top + plotHeight + 18}" text-anchor="middle">10${superscript(exponent)}</text>`,
    );
  }
  parts.push(
    `<rect x="${offsetX + MARGIN.left}" y="${MARGIN.top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#999"/>`,
    `<text x="${offsetX + MARGIN.left + plotWidth / 2}" y="${HEIGHT - 12}" text-anchor="middle">live sessions (log scale)</text>`,
    `<text transform="translate(${offsetX + 16} ${MARGIN.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">${escapeXml(panel.unit)}</text>`,
  );
  for (const store of stores) {
    const colour = COLOURS[store.kind];
    const points = store.sizes
      .filter((size) => Number.isFinite(panel.value(size)))
      .map((size) => [x(size.size), y(panel.value(size))] as const);
    if (points.length > 1) {
      const path = points.map(([px, py]) => `${px.toFixed(1)},${py.toFixed(1)}`).join(' ');
      parts.push(`<polyline points="${path}" fill="none" stroke="${colour}" stroke-width="2"/>`);
    }
    for (const [px, py] of points) {
      parts.push(`<circle cx="${px.toFixed(1)}" cy="${py.toFixed(1)}" r="3.5" fill="${colour}"/>`);
    }
  }
  return parts.join('\n');
}

/** The whole chart. `subtitle` says what it was measured on (commit, date, machine). */
export function scaleChart(stores: readonly StoreResult[], subtitle: string): string {
  const drawn = stores.filter((store) => store.sizes.length > 0);
  const legend = drawn
    .map((store, index) => {
      const left = MARGIN.left + index * 150;
      const colour = COLOURS[store.kind];
      return (
        `<line x1="${left}" x2="${left + 22}" y1="44" y2="44" stroke="${colour}" stroke-width="3"/>` +
        `<text x="${left + 28}" y="44" dominant-baseline="middle">${NAMES[store.kind]}</text>`
      );
    })
    .join('\n');
  const panels =
    drawn.length === 0 ? [] : PANELS.map((panel, index) => panelSvg(panel, drawn, index * PANEL_WIDTH));
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif" font-size="12" fill="#222">`,
    // A title for screen readers and tooltips (and the lint's a11y rule).
    `<title>Tessera: validate throughput and p99 latency over HTTP against live sessions, per store</title>`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#fff"/>`,
    `<text x="${MARGIN.left}" y="20" font-size="15" font-weight="bold">Tessera: validate over HTTP as the store grows</text>`,
    `<text x="${WIDTH - MARGIN.right}" y="20" text-anchor="end" fill="#666">${escapeXml(subtitle)}</text>`,
    legend,
    ...panels,
    '</svg>',
    '',
  ].join('\n');
}

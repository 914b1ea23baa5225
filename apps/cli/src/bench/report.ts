/**
 * Summaries of the raw runs: medians per workload/metric/server, Paddock/ZooKeeper ratios checked
 * against the targets, the text table, and the SVG chart of the ratios.
 */
import type { MetricSpec, Metrics, Workload } from './workloads.js';
import { median } from './stats.js';

export interface RunRecord {
  workload: string;
  round: number;
  target: string;
  metrics: Metrics;
  notes: string[];
  error?: string;
  wallMs: number;
  /** How long the run waited for every server process to be idle before it started. */
  quietWaitMs?: number;
  /** CPU the other target's server processes used during the run (interference on a shared machine). */
  otherServersCpuMs?: number;
}

export interface SummaryRow {
  workload: string;
  metric: string;
  label: string;
  unit: MetricSpec['unit'];
  better: MetricSpec['better'];
  /** Median over the rounds, per target label. */
  medians: Record<string, number | undefined>;
  /** Paddock/ZooKeeper, when comparing. */
  ratio?: number;
  target?: string;
  pass?: boolean;
}

export function summarize(
  workloads: readonly Workload[],
  runs: readonly RunRecord[],
  targets: readonly string[],
  compare: boolean,
): SummaryRow[] {
  const rows: SummaryRow[] = [];
  for (const workload of workloads) {
    for (const spec of workload.metrics) {
      const medians: Record<string, number | undefined> = {};
      for (const target of targets) {
        const values = runs
          .filter((r) => r.workload === workload.id && r.target === target && r.error === undefined)
          .map((r) => r.metrics[spec.key])
          .filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
        medians[target] = median(values);
      }
      const row: SummaryRow = { workload: workload.id, metric: spec.key, label: spec.label, unit: spec.unit, better: spec.better, medians };
      if (compare) {
        const p = medians.paddock;
        const z = medians.zookeeper;
        if (p !== undefined && z !== undefined && z > 0 && (p > 0 || spec.better === 'lower')) {
          row.ratio = p / z;
          if (spec.target) {
            row.target = `${spec.target.cmp}${spec.target.ratio}x`;
            const { cmp, ratio } = spec.target;
            row.pass = cmp === '>=' ? row.ratio >= ratio : cmp === '<=' ? row.ratio <= ratio : row.ratio < ratio;
          }
        } else if (spec.target) {
          row.target = `${spec.target.cmp}${spec.target.ratio}x`;
        }
      }
      rows.push(row);
    }
  }
  return rows;
}

export function formatValue(value: number | undefined, unit: MetricSpec['unit']): string {
  if (value === undefined) return '-';
  if (unit === 'ops/s' || unit === 'B') return Math.round(value).toLocaleString('en-US');
  if (unit === 'MB') return value.toFixed(1);
  if (Math.abs(value) >= 100) return value.toFixed(0);
  if (Math.abs(value) >= 10) return value.toFixed(1);
  return value.toFixed(value < 0.1 ? 3 : 2);
}

function pad(text: string, width: number, right = false): string {
  return right ? text.padStart(width) : text.padEnd(width);
}

export function renderTable(rows: readonly SummaryRow[], targets: readonly string[], compare: boolean): string {
  const header = ['workload', 'metric', ...targets, ...(compare ? ['P/ZK', 'target', ''] : [])];
  const body = rows.map((row) => [
    row.workload,
    `${row.label} (${row.unit})`,
    ...targets.map((t) => formatValue(row.medians[t], row.unit)),
    ...(compare
      ? [row.ratio === undefined ? '-' : `${row.ratio.toFixed(2)}x`, row.target ?? '', row.pass === undefined ? '' : row.pass ? 'PASS' : 'FAIL']
      : []),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((cells) => (cells[i] ?? '').length)));
  const numeric = (i: number) => i >= 2 && i < header.length - (compare ? 2 : 0);
  const line = (cells: string[]) => cells.map((c, i) => pad(c, widths[i] ?? 0, numeric(i))).join('  ').trimEnd();
  const out = [line(header), widths.map((w) => '-'.repeat(w)).join('  ')];
  let previous = '';
  for (const cells of body) {
    const shown = [...cells];
    if (shown[0] === previous) shown[0] = '';
    else previous = shown[0] ?? '';
    out.push(line(shown));
  }
  return `${out.join('\n')}\n`;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * Horizontal bars of Paddock/ZooKeeper per metric on a log2 axis centred on 1x, oriented so that
 * right is always better for Paddock (ratios of lower-is-better metrics are inverted for the bar and
 * labelled as such); green when the target is met, red when not, grey without a target.
 */
export function renderSvg(rows: readonly SummaryRow[], title: string): string {
  const shown = rows.filter((r) => r.ratio !== undefined && r.ratio > 0);
  const rowHeight = 22;
  const labelWidth = 330;
  const chartWidth = 520;
  const top = 60;
  const width = labelWidth + chartWidth + 150;
  const height = top + shown.length * rowHeight + 50;
  const maxLog = 4; // 16x either way
  const centre = labelWidth + chartWidth / 2;
  const x = (advantage: number) => centre + (Math.max(-maxLog, Math.min(maxLog, Math.log2(advantage))) / maxLog) * (chartWidth / 2);
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`);
  parts.push(`<rect width="100%" height="100%" fill="#ffffff"/>`);
  parts.push(`<text x="${width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(title)}</text>`);
  parts.push(`<text x="${width / 2}" y="40" text-anchor="middle" fill="#555">Paddock vs ZooKeeper, log scale; right of 1x = Paddock better. Green: target met, red: missed, grey: no target.</text>`);
  for (const tick of [-4, -3, -2, -1, 0, 1, 2, 3, 4]) {
    const tx = centre + (tick / maxLog) * (chartWidth / 2);
    const label = tick >= 0 ? `${2 ** tick}x` : `1/${2 ** -tick}x`;
    parts.push(`<line x1="${tx}" y1="${top - 6}" x2="${tx}" y2="${top + shown.length * rowHeight}" stroke="${tick === 0 ? '#000' : '#ddd'}"/>`);
    parts.push(`<text x="${tx}" y="${top + shown.length * rowHeight + 16}" text-anchor="middle" fill="#555">${label}</text>`);
  }
  shown.forEach((row, i) => {
    const y = top + i * rowHeight;
    const ratio = row.ratio ?? 1;
    const advantage = row.better === 'higher' ? ratio : 1 / ratio;
    const colour = row.pass === undefined ? '#9e9e9e' : row.pass ? '#2e7d32' : '#c62828';
    const bx = x(advantage);
    parts.push(`<text x="${labelWidth - 8}" y="${y + 15}" text-anchor="end">${escapeXml(`${row.workload}: ${row.label}`)}</text>`);
    parts.push(`<rect x="${Math.min(bx, centre)}" y="${y + 4}" width="${Math.max(Math.abs(bx - centre), 1)}" height="${rowHeight - 8}" fill="${colour}"/>`);
    const targetText = row.target ? ` (target ${row.target})` : '';
    parts.push(`<text x="${labelWidth + chartWidth + 8}" y="${y + 15}">${escapeXml(`${ratio.toFixed(2)}x${targetText}`)}</text>`);
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

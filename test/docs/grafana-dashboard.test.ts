// docs/grafana-dashboard.json stays true: every metric its queries name is in a live /metrics page, with every
// label its matchers use (issue 11).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { madeUpToken, startService, type TestService } from '../service/helpers.js';
import { type Exposition, parseExposition } from '../service/prom-text.js';

interface Panel {
  readonly id: number;
  readonly type: string;
  readonly title: string;
  readonly datasource?: { uid?: string };
  readonly targets?: ReadonlyArray<{ expr: string; datasource?: { uid?: string } }>;
}

const dashboard = JSON.parse(
  readFileSync(new URL('../../docs/grafana-dashboard.json', import.meta.url), 'utf8'),
) as { panels: Panel[]; uid: string; title: string };
const queryPanels = dashboard.panels.filter((panel) => panel.type !== 'row');
const exprs = queryPanels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr));
/** Grafana's reference to the dashboard's data-source variable. */
const DATASOURCE_VARIABLE = ['$', '{datasource}'].join('');
/** Labels Prometheus adds when it scrapes, not the service. */
const SCRAPE_LABELS = new Set(['job', 'instance']);

describe('docs/grafana-dashboard.json', () => {
  let api: TestService;
  let exposition: Exposition;

  before(async () => {
    api = await startService();
    // Enough traffic for every series the dashboard reads: a login, a validation, a refusal, store calls.
    const created = await api.call('POST', '/v1/sessions', { subject: 'dashboard' });
    await api.call('POST', '/v1/sessions/validate', { token: created.body.token });
    await api.call('POST', '/v1/sessions/validate', { token: madeUpToken() });
    const response = await api.call('GET', '/metrics');
    exposition = parseExposition(response.text);
  });
  after(() => api.close());

  it('is a dashboard of query panels, each with a title, a query and the data-source variable', () => {
    assert.equal(dashboard.uid, 'tessera-sessions');
    assert.ok(queryPanels.length >= 10);
    assert.equal(
      new Set(dashboard.panels.map((panel) => panel.id)).size,
      dashboard.panels.length,
      'unique ids',
    );
    for (const panel of queryPanels) {
      assert.ok(panel.title !== '', `panel ${panel.id} has a title`);
      assert.ok((panel.targets ?? []).length > 0, `${panel.title} has a query`);
      assert.equal(
        panel.datasource?.uid,
        DATASOURCE_VARIABLE,
        `${panel.title} uses the data-source variable`,
      );
    }
    const titles = queryPanels.map((panel) => panel.title.toLowerCase()).join('\n');
    for (const topic of [
      'request rate',
      'latency',
      'store-call latency',
      'logins',
      'refusals',
      'security events',
      'store health',
    ]) {
      assert.ok(titles.includes(topic), `a panel for ${topic}`);
    }
  });

  it('every metric a query names is in a live /metrics page', () => {
    const live = new Set(exposition.samples.map((sample) => sample.name));
    const named = new Set(exprs.flatMap((expr) => expr.match(/\btessera_[a-z0-9_]+/g) ?? []));
    assert.ok(named.size >= 10, 'the queries name the metrics');
    const missing = [...named].filter((name) => !live.has(name));
    assert.deepEqual(missing, [], 'metrics the dashboard reads that /metrics does not serve');
  });

  it('every label a query matches on or groups by is one the metric has', () => {
    const labelsOf = new Map<string, Set<string>>();
    for (const sample of exposition.samples) {
      const set = labelsOf.get(sample.name) ?? new Set<string>();
      for (const label of Object.keys(sample.labels)) set.add(label);
      labelsOf.set(sample.name, set);
    }
    const wrong: string[] = [];
    for (const expr of exprs) {
      const metrics = expr.match(/\btessera_[a-z0-9_]+/g) ?? [];
      for (const match of expr.matchAll(/\b(tessera_[a-z0-9_]+)\{([^}]*)\}/g)) {
        for (const [, label] of (match[2] as string).matchAll(/([a-z_]+)\s*(?:=~|!~|!=|=)/g)) {
          if (!SCRAPE_LABELS.has(label as string) && !labelsOf.get(match[1] as string)?.has(label as string))
            wrong.push(`${match[1]}{${label}}`);
        }
      }
      for (const group of expr.matchAll(/\bby \(([^)]*)\)/g)) {
        for (const label of (group[1] as string).split(',').map((part) => part.trim())) {
          if (!metrics.some((name) => labelsOf.get(name)?.has(label))) wrong.push(`by (${label}) in ${expr}`);
        }
      }
    }
    assert.deepEqual(wrong, []);
  });
});

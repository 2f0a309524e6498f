/**
 * The console's overview: GET /v1/admin/overview (API key).
 *   -> {now, version, store: {kind, ok, latencyMs}, sessions: {live, countable}, rates, totals, refusalsByCode, eventsByType,
 *       audit: {source}}
 * Activity comes from the service's prom-client registry (counts since start, and per minute against earlier
 * reads: console/rates.ts). A store that does not answer is reported here, not thrown: the overview is where an
 * operator looks when the store is down.
 */
import { performance } from 'node:perf_hooks';
import type { RequestContext, Route } from '../context.js';
import { recentEvents } from '../console/events.js';
import { readActivity, samplerFor } from '../console/rates.js';
import { allowParams } from '../console/query.js';
import { isBrowsable } from '../console/search.js';
import { serviceVersion } from '../console/version.js';

interface StoreHealth {
  kind: string;
  ok: boolean;
  /** Time the ping took, in milliseconds (two decimals), whether it succeeded or not. */
  latencyMs: number;
}

async function storeHealth(context: RequestContext): Promise<StoreHealth> {
  const { store } = context.service;
  const started = performance.now();
  let ok = true;
  try {
    await store.ping();
  } catch {
    // The cause may name a host or a user: it goes to no one here (GET /healthz and the logs have the code).
    ok = false;
  }
  return { kind: store.kind, ok, latencyMs: Math.round((performance.now() - started) * 100) / 100 };
}

async function liveSessions(context: RequestContext, healthy: boolean): Promise<number | null> {
  const { store, manager } = context.service;
  if (!healthy || !isBrowsable(store)) return null;
  try {
    return await store.countSessions(manager.options.clock());
  } catch {
    return null;
  }
}

export const adminOverviewRoutes: readonly Route[] = [
  {
    method: 'GET',
    path: '/v1/admin/overview',
    auth: 'api-key',
    async handle(context) {
      allowParams(context.query, []);
      const { service } = context;
      const clock = service.manager.options.clock;
      // Without a trail file, start keeping recent events now, so the feed has them when it is opened.
      if (service.config.auditFile === null) recentEvents(service);
      const store = await storeHealth(context);
      const live = await liveSessions(context, store.ok);
      const activity = await readActivity(service.metrics);
      const rates = samplerFor(service.metrics, clock).rates(activity.totals);
      return {
        status: 200,
        body: {
          now: new Date(clock()).toISOString(),
          version: serviceVersion(),
          store,
          sessions: { live, countable: isBrowsable(service.store) },
          rates,
          totals: activity.totals,
          refusalsByCode: activity.refusalsByCode,
          eventsByType: activity.eventsByType,
          audit: { source: service.config.auditFile === null ? 'memory' : 'file' },
        },
      };
    },
  },
];

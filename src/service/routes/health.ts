import type { Route } from '../context.js';

/** Liveness and readiness in one: 200 when the store answers, 503 (fail closed) when it does not. */
export const healthRoutes: readonly Route[] = [
  {
    method: 'GET',
    path: '/healthz',
    auth: 'public',
    async handle({ service }) {
      // A fault is thrown and answered 503 store_unavailable by the app's error handling.
      await service.manager.store.ping();
      return { status: 200, body: { status: 'ok', store: service.store.kind } };
    },
  },
  {
    method: 'GET',
    path: '/metrics',
    auth: 'api-key',
    async handle({ service }) {
      return {
        status: 200,
        headers: [['content-type', 'text/plain; version=0.0.4; charset=utf-8']],
        raw: service.metrics.render(),
      };
    },
  },
];

import { isTesseraError, StoreUnavailableError } from '../../core/errors.js';
import type { Route } from '../context.js';

/** Liveness and readiness in one: 200 when the store answers, 503 (fail closed) when it does not. */
export const healthRoutes: readonly Route[] = [
  {
    method: 'GET',
    path: '/healthz',
    auth: 'public',
    async handle({ service }) {
      try {
        await service.store.ping();
      } catch (error) {
        // Answered 503 store_unavailable with Retry-After, like any store fault.
        if (isTesseraError(error)) throw error;
        throw new StoreUnavailableError(`${service.store.kind} store failed its ping`, { cause: error });
      }
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
        headers: [['content-type', service.metrics.contentType]],
        raw: await service.metrics.render(),
      };
    },
  },
];

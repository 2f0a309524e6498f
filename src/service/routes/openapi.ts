import type { Route } from '../context.js';
import { openApiDocument } from '../openapi.js';

/**
 * The OpenAPI 3.1 document of the service (`docs/openapi.json`), public like the JWKS: it describes the API and
 * holds no data. Cacheable for a short time, since it changes only with a deployment.
 */
export const openApiRoutes: readonly Route[] = [
  {
    method: 'GET',
    path: '/openapi.json',
    auth: 'public',
    async handle() {
      return {
        status: 200,
        headers: [
          ['content-type', 'application/json; charset=utf-8'],
          ['cache-control', 'public, max-age=300'],
        ],
        raw: await openApiDocument(),
      };
    },
  },
];

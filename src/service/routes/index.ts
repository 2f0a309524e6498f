import type { Route } from '../context.js';
import { adminRoutes } from './admin.js';
import { adminEventRoutes } from './admin-events.js';
import { adminOverviewRoutes } from './admin-overview.js';
import { adminSessionRoutes } from './admin-sessions.js';
import { authzRoutes } from './authz.js';
import { dbscRoutes } from './dbsc.js';
import { endAllRoutes } from './end-all.js';
import { healthRoutes } from './health.js';
import { openApiRoutes } from './openapi.js';
import { sessionRoutes } from './sessions.js';
import { subjectRoutes } from './subjects.js';
import { tokenRoutes } from './tokens.js';

/** Every route of the service. Adding a route file: import it and add one line here. */
export const routes: readonly Route[] = [
  ...healthRoutes,
  ...sessionRoutes,
  ...endAllRoutes,
  ...subjectRoutes,
  ...adminRoutes,
  ...adminOverviewRoutes,
  ...adminEventRoutes,
  ...adminSessionRoutes,
  ...tokenRoutes,
  ...authzRoutes,
  ...dbscRoutes,
  ...openApiRoutes,
];

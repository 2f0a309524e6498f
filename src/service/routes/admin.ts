import { ADMIN_CSP, ADMIN_HTML } from '../admin-page.js';
import type { Route } from '../context.js';

/** The console shell is public: it holds no data, and every call it makes needs the API key. */
export const adminRoutes: readonly Route[] = [
  {
    method: 'GET',
    path: '/admin',
    auth: 'public',
    async handle() {
      return {
        status: 200,
        headers: [
          ['content-type', 'text/html; charset=utf-8'],
          ['content-security-policy', ADMIN_CSP],
          ['referrer-policy', 'no-referrer'],
          ['x-frame-options', 'DENY'],
        ],
        raw: ADMIN_HTML,
      };
    },
  },
];

import type { Router } from 'express';
import type { AppContext } from '../context.js';

/**
 * A JSON endpoint guarded by the adapter's own `requireSession()`: refusals are the DESIGN outcome table as is
 * (401 `token_missing` / `token_invalid`, 440 `session_expired`). The browser tests read exact codes here.
 */
export function apiRoutes(router: Router, context: AppContext): void {
  const { auth } = context;
  router.get('/api/me', auth.requireSession(), (req, res) => {
    const session = auth.session(req);
    if (session === null) return;
    res.set('cache-control', 'no-store');
    res.json({
      subject: session.subject,
      username: session.data.username,
      sessionId: session.id,
      level: session.level,
    });
  });
}

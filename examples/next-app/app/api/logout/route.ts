import { auth } from '../../../lib/auth.js';

/**
 * Logout as a route handler, for clients without JavaScript or Server Actions: `POST /api/logout` with the
 * `_csrf` field. A cross-site POST is refused 403 before this runs; the response clears the cookie.
 */
export const POST = auth.route(async (request) => {
  await auth.logout();
  return Response.redirect(new URL('/login', request.url), 303);
});

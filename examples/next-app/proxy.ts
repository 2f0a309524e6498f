import { auth } from './lib/auth.js';

/** Validates and renews the session cookie on every page, clears a dead one, sends signed-out visitors to /login. */
export const proxy = auth.proxy({ protect: ['/account', '/sudo'] });

export const config = {
  matcher: ['/((?!_next/static|_next/image|favicon.ico).*)'],
};

/**
 * The operator console's page and its Content-Security-Policy, served at GET /admin (routes/admin.ts). The page
 * is built in console/ (markup, style, and the client script in four parts); this module keeps the names the
 * route uses.
 */
export { CONSOLE_CSP as ADMIN_CSP, CONSOLE_HTML as ADMIN_HTML } from './console/page.js';

import { createHash } from 'node:crypto';
import { CLIENT_ACTIONS } from './client-actions.js';
import { CLIENT_CORE } from './client-core.js';
import { CLIENT_OVERVIEW } from './client-overview.js';
import { CLIENT_SESSIONS } from './client-sessions.js';
import { BODY } from './markup.js';
import { STYLE } from './style.js';

/**
 * The operator console: one static page, no external assets. Its script and style are inline but allowed by
 * hash in a strict Content-Security-Policy (no 'unsafe-inline', no inline handlers: the policy of 0.1, unchanged),
 * and every value from the API is written with `textContent`, never as HTML. The page holds
 * no data: everything comes from the API with the key the operator enters (client-core.ts).
 */
const SCRIPT = `(() => {
'use strict';
${CLIENT_CORE}
${CLIENT_OVERVIEW}
${CLIENT_SESSIONS}
${CLIENT_ACTIONS}
})();
`;

function hash(text: string): string {
  return `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
}

export const CONSOLE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Tessera console</title>
<style>${STYLE}</style>
</head>
<body>
${BODY}
<script>${SCRIPT}</script>
</body>
</html>
`;

/** CSP for the page: nothing but its own hashed script and style, and fetches to this origin. */
export const CONSOLE_CSP = [
  "default-src 'none'",
  `script-src ${hash(SCRIPT)}`,
  `style-src ${hash(STYLE)}`,
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

import { html, type SafeHtml } from '../html.js';

/** The CSRF field every form carries: the adapter's session-bound token (OWASP CSRF cheat sheet, synchronizer token). */
export interface FormToken {
  readonly field: string;
  readonly value: string;
}

export interface LayoutOptions {
  title: string;
  /** Signed-in user's name, shown with the logout button. */
  user?: { username: string; csrf: FormToken } | null;
  body: SafeHtml;
}

export function hiddenToken(token: FormToken): SafeHtml {
  return html`<input type="hidden" name="${token.field}" value="${token.value}">`;
}

/** The page shell. No inline script or style anywhere: the CSP forbids both. */
export function layout(options: LayoutOptions): string {
  const user = options.user ?? null;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title} · Tessera example</title>
<link rel="stylesheet" href="/static/app.css">
</head>
<body>
<header>
<a class="brand" href="/">Tessera example</a>
${
  user === null
    ? html`<nav><a href="/login">Sign in</a> <a href="/signup">Sign up</a></nav>`
    : html`<nav><span class="who">Signed in as <strong id="username">${user.username}</strong></span>
<a href="/sessions">Active sessions</a> <a href="/account/password">Change password</a>
<form method="post" action="/logout" class="inline">${hiddenToken(user.csrf)}<button type="submit" id="logout">Sign out</button></form></nav>`
}
</header>
<main>
<h1>${options.title}</h1>
${options.body}
</main>
</body>
</html>
`.value;
}

export function notice(kind: 'info' | 'error', text: string | null | undefined): SafeHtml {
  if (text === null || text === undefined || text === '') return html``;
  return html`<p class="notice ${kind}" role="${kind === 'error' ? 'alert' : 'status'}" id="notice">${text}</p>`;
}

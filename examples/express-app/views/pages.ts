import type { Session } from '../../../src/core/session.js';
import { describeDevice } from '../device.js';
import { html } from '../html.js';
import { type FormToken, hiddenToken, layout, notice } from './layout.js';

export interface SignedIn {
  username: string;
  csrf: FormToken;
}

export function loginPage(options: {
  csrf: FormToken | null;
  message?: string;
  error?: string;
  /** Why the browser will refuse the session cookie here (plain HTTP on a name that is not loopback). */
  warning?: string | null;
}): string {
  const warning = options.warning ?? null;
  return layout({
    title: 'Sign in',
    body: html`${
      warning === null ? '' : html`<p class="notice error" role="alert" id="cookie-warning">${warning}</p>`
    }${notice('info', options.message)}${notice('error', options.error)}
<form method="post" action="/login" class="stack" id="login-form">
${options.csrf === null ? '' : hiddenToken(options.csrf)}
<label>User name <input name="username" autocomplete="username" required maxlength="64"></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required maxlength="1024"></label>
<button type="submit">Sign in</button>
</form>
<p>No account? <a href="/signup">Sign up</a>.</p>`,
  });
}

export function signupPage(options: { csrf: FormToken | null; error?: string }): string {
  return layout({
    title: 'Sign up',
    body: html`${notice('error', options.error)}
<form method="post" action="/signup" class="stack" id="signup-form">
${options.csrf === null ? '' : hiddenToken(options.csrf)}
<label>User name <input name="username" autocomplete="username" required maxlength="64"></label>
<label>Password <input name="password" type="password" autocomplete="new-password" required minlength="8" maxlength="1024"></label>
<button type="submit">Create account</button>
</form>`,
  });
}

export function homePage(user: SignedIn, message?: string): string {
  return layout({
    title: `Welcome, ${user.username}`,
    user,
    body: html`${notice('info', message)}
<p>You are signed in. See <a href="/sessions">your active sessions</a>, or
<a href="/account/password">change your password</a> (asks for your password again first).</p>`,
  });
}

export function sessionsPage(options: {
  user: SignedIn;
  sessions: readonly Session[];
  currentId: string;
  message?: string;
}): string {
  const { user, sessions, currentId } = options;
  const rows = sessions.map((session) => {
    const current = session.id === currentId;
    return html`<tr data-session-id="${session.id}" class="${current ? 'current-row' : ''}">
<td>${describeDevice(session.userAgent)}${current ? html` <span class="current">(this device)</span>` : ''}
<div class="muted">${session.userAgent ?? ''}</div></td>
<td>${session.ip ?? 'unknown'}</td>
<td><time datetime="${iso(session.createdAt)}">${readable(session.createdAt)}</time></td>
<td><time datetime="${iso(session.lastSeenAt)}">${readable(session.lastSeenAt)}</time></td>
<td><form method="post" action="/sessions/revoke" class="inline">${hiddenToken(user.csrf)}
<input type="hidden" name="id" value="${session.id}">
<button type="submit">Sign out ${current ? 'this device' : 'this one'}</button></form></td>
</tr>`;
  });
  return layout({
    title: 'Your active sessions',
    user,
    body: html`${notice('info', options.message)}
<table id="sessions">
<thead><tr><th>Device</th><th>IP address</th><th>Signed in</th><th>Last seen</th><th></th></tr></thead>
<tbody>${rows}</tbody>
</table>
<p class="muted">"Last seen" is updated at most once every few minutes.</p>
<form method="post" action="/sessions/revoke-others" id="revoke-others">${hiddenToken(user.csrf)}
<button type="submit">Sign out all other sessions</button></form>`,
  });
}

export function sudoPage(options: { user: SignedIn; next: string; error?: string }): string {
  return layout({
    title: 'Confirm your password',
    user: options.user,
    body: html`${notice('error', options.error)}
<p>This action is sensitive. Enter your password again to continue.</p>
<form method="post" action="/sudo" class="stack" id="sudo-form">${hiddenToken(options.user.csrf)}
<input type="hidden" name="next" value="${options.next}">
<label>Password <input name="password" type="password" autocomplete="current-password" required maxlength="1024"></label>
<button type="submit">Confirm</button>
</form>`,
  });
}

export function changePasswordPage(options: { user: SignedIn; error?: string }): string {
  return layout({
    title: 'Change password',
    user: options.user,
    body: html`${notice('error', options.error)}
<form method="post" action="/account/password" class="stack" id="password-form">${hiddenToken(options.user.csrf)}
<label>New password <input name="password" type="password" autocomplete="new-password" required minlength="8" maxlength="1024"></label>
<button type="submit">Change password</button>
</form>
<p class="muted">Changing your password signs out every other session.</p>`,
  });
}

export function errorPage(title: string, text: string, user: SignedIn | null = null): string {
  return layout({ title, user, body: html`<p>${text}</p>` });
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function readable(ms: number): string {
  return `${iso(ms).slice(0, 16).replace('T', ' ')} UTC`;
}

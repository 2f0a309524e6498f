import { html } from '../html.js';
import { layout, notice } from './layout.js';

/** The page for a request the Tessera middleware refused (a stale or cross-site form, a store fault). */
export function refusedPage(options: { title: string; text: string; warning: string | null }): string {
  return layout({
    title: options.title,
    body: html`${notice('error', options.warning)}
<p id="refused">${options.text}</p>
<p><a href="/">Home</a> · <a href="/login">Sign in</a></p>`,
  });
}

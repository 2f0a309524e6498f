import { AssertionError } from 'node:assert';
import { appendFileSync } from 'node:fs';
import { type ObservedResponse, ResponseContract } from './openapi-contract.js';

/**
 * Every response a service test receives is checked against docs/openapi.json, always: `fetch` is wrapped once
 * per process (by importing test/service/helpers.ts), and so is `httpRequest` (test/support/http-request.ts,
 * raw requests shaped like a proxy's). A response from a watched origin (a service that `startService` started,
 * or any base `call` was given) that the document does not describe rejects the request, so the test that made
 * it fails, naming the operation and what differs.
 *
 * `TESSERA_OPENAPI_TALLY=<file>` appends one JSON line per test process at exit (`{file, checked, failed}`),
 * to count how many responses a run checked.
 */

const watched = new Set<string>();
let contract: ResponseContract | null = null;
let installed = false;

export const contractTally = { checked: 0, failed: 0 };

/** Checks responses from `base`'s origin from now on. */
export function watchService(base: string): void {
  watched.add(new URL(base).origin);
}

/** Throws an AssertionError listing every way `observed` departs from the document. */
export function assertDocumented(observed: ObservedResponse): void {
  contract ??= new ResponseContract();
  const problems = contract.check(observed);
  contractTally.checked += 1;
  if (problems.length === 0) return;
  contractTally.failed += 1;
  throw new AssertionError({
    message: `response not in docs/openapi.json: ${observed.method} ${observed.path} -> ${observed.status}\n  ${problems.join('\n  ')}`,
  });
}

/**
 * Checks a response received some other way than `fetch` (a raw `node:http` request) when its URL is on a
 * watched origin; throws as `assertDocumented` does.
 */
export function checkIfWatched(
  url: string,
  method: string,
  status: number,
  headers: Headers,
  text: string,
): void {
  const target = new URL(url);
  if (!watched.has(target.origin)) return;
  assertDocumented({
    method: method.toUpperCase(),
    path: `${target.pathname}${target.search}`,
    status,
    headers,
    text,
  });
}

/** Wraps `globalThis.fetch` so responses from watched origins are checked. Idempotent. */
export function installContractCheck(): void {
  if (installed) return;
  installed = true;
  const original = globalThis.fetch;
  globalThis.fetch = async function checkedFetch(
    input: string | URL | Request,
    init?: RequestInit,
  ): Promise<Response> {
    const response = await original(input, init);
    const url = input instanceof Request ? input.url : String(input);
    if (!watched.has(new URL(url).origin)) return response;
    const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
    checkIfWatched(url, method, response.status, response.headers, await response.clone().text());
    return response;
  };
  const tally = process.env.TESSERA_OPENAPI_TALLY;
  if (tally !== undefined && tally !== '') {
    process.on('exit', () => {
      if (contractTally.checked === 0) return;
      appendFileSync(tally, `${JSON.stringify({ file: process.argv[1], ...contractTally })}\n`);
    });
  }
}

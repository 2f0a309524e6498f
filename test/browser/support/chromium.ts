import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** Debian's chromium (installed by .ci/run). Tests never download a browser. */
export const CHROMIUM_PATH = process.env.TESSERA_CHROMIUM ?? '/usr/bin/chromium';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Whether browser tests can run. In CI (`process.env.CI`) a missing Chromium is a failure, so the suite can
 * never pass by skipping; elsewhere the tests skip with a loud message.
 * Returns the skip reason, or false when Chromium is present.
 */
export function chromiumSkip(): string | false {
  if (existsSync(CHROMIUM_PATH)) return false;
  const message = `Chromium not found at ${CHROMIUM_PATH} (apt-get install chromium, or set TESSERA_CHROMIUM)`;
  if (process.env.CI) throw new Error(`browser tests need Chromium in CI: ${message}`);
  console.warn(`\n!!! SKIPPING browser tests: ${message}\n`);
  return message;
}

/** Debian's Chromium, headless; `extraArgs` adds switches (e.g. `--host-resolver-rules` for a test host name). */
export function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [...ARGS, ...extraArgs],
    headless: true,
    timeout: 30_000,
  });
}

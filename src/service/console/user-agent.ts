/** What the console shows for a `User-Agent` header: families and major versions, never the whole string parsed. */
export interface ParsedAgent {
  /** Browser or client family with its major version (`Firefox 128`, `curl 8`), or null when unknown. */
  readonly browser: string | null;
  /** Operating system family (`Windows 10/11`, `iOS 17`, `Android 14`, `macOS`, `Linux`), or null. */
  readonly os: string | null;
  readonly device: 'desktop' | 'mobile' | 'tablet' | 'bot' | 'tool' | 'unknown';
  /** One line for a table cell: `Firefox 128 on Windows 10/11`. */
  readonly label: string;
}

/** Longest header read: a user agent is short; anything past this is not looked at. */
const MAX_READ = 512;

/** Crawlers first: they often claim to be a browser too. */
const BOT = /([A-Za-z][\w-]*(?:bot|crawler|spider))\b|\b(Slurp|facebookexternalhit|Bytespider)\b/i;

/** Command-line tools and HTTP libraries: name and version as they send them. */
const TOOLS: readonly (readonly [RegExp, string])[] = [
  [/^curl\/(\d+)/i, 'curl'],
  [/^Wget\/(\d+)/i, 'Wget'],
  [/^python-requests\/(\d+)/i, 'Python requests'],
  [/^python-httpx\/(\d+)/i, 'Python httpx'],
  [/^Python-urllib\/(\d+)/i, 'Python urllib'],
  [/^Go-http-client\/(\d+)/i, 'Go net/http'],
  [/^okhttp\/(\d+)/i, 'OkHttp'],
  [/^PostmanRuntime\/(\d+)/i, 'Postman'],
  [/^HTTPie\/(\d+)/i, 'HTTPie'],
  [/^axios\/(\d+)/i, 'axios'],
  [/^node(?:-fetch)?(?:\/(\d+))?$/i, 'Node.js'],
  [/^undici/i, 'Node.js'],
];

/** Browsers, most specific first: Edge, Opera and Samsung Internet also say "Chrome", Chrome also says "Safari". */
const BROWSERS: readonly (readonly [RegExp, string])[] = [
  [/\bEdg(?:e|A|iOS)?\/(\d+)/, 'Edge'],
  [/\b(?:OPR|Opera)\/(\d+)/, 'Opera'],
  [/\bSamsungBrowser\/(\d+)/, 'Samsung Internet'],
  [/\bVivaldi\/(\d+)/, 'Vivaldi'],
  [/\b(?:Firefox|FxiOS)\/(\d+)/, 'Firefox'],
  [/\b(?:Chrome|CriOS|Chromium)\/(\d+)/, 'Chrome'],
  [/\bVersion\/(\d+)[\d.]*(?: Mobile\/\w+)? Safari\//, 'Safari'],
];

const WINDOWS: Readonly<Record<string, string>> = {
  '10.0': 'Windows 10/11',
  '6.3': 'Windows 8.1',
  '6.2': 'Windows 8',
  '6.1': 'Windows 7',
};

/**
 * A small hand-written parser for the families operators recognise (no database of devices: a wrong guess in a
 * label costs less than a dependency). Unknown strings give nulls and `unknown`; nothing here throws.
 */
export function parseUserAgent(header: string | null): ParsedAgent {
  const text = (header ?? '').slice(0, MAX_READ).trim();
  if (text === '') return { browser: null, os: null, device: 'unknown', label: 'No user agent' };
  const bot = BOT.exec(text);
  if (bot !== null) {
    const name = bot[1] ?? bot[2] ?? 'Bot';
    return { browser: name, os: null, device: 'bot', label: `${name} (crawler)` };
  }
  for (const [pattern, name] of TOOLS) {
    const match = pattern.exec(text);
    if (match !== null) {
      const browser = match[1] === undefined ? name : `${name} ${match[1]}`;
      return { browser, os: null, device: 'tool', label: browser };
    }
  }
  const browser = browserOf(text);
  const os = osOf(text);
  const device = deviceOf(text, browser !== null || os !== null);
  const label =
    browser !== null && os !== null
      ? `${browser} on ${os}`
      : (browser ?? (os === null ? 'Unknown client' : `Unknown browser on ${os}`));
  return { browser, os, device, label };
}

function browserOf(text: string): string | null {
  for (const [pattern, name] of BROWSERS) {
    const match = pattern.exec(text);
    if (match !== null) return `${name} ${match[1]}`;
  }
  return null;
}

function osOf(text: string): string | null {
  const windows = /Windows NT (\d+\.\d+)/.exec(text);
  if (windows !== null) return WINDOWS[windows[1] as string] ?? 'Windows';
  const ios = /\b(?:iPhone|iPad|iPod)\b.*? OS (\d+)_/.exec(text);
  if (ios !== null) return `iOS ${ios[1]}`;
  if (/\b(?:iPhone|iPad|iPod)\b/.test(text)) return 'iOS';
  const android = /\bAndroid (\d+)/.exec(text);
  if (android !== null) return `Android ${android[1]}`;
  if (/\bAndroid\b/.test(text)) return 'Android';
  if (/\bCrOS\b/.test(text)) return 'ChromeOS';
  if (/\bMac OS X\b|\bMacintosh\b/.test(text)) return 'macOS';
  if (/\bLinux\b|\bX11\b/.test(text)) return 'Linux';
  return null;
}

function deviceOf(text: string, known: boolean): ParsedAgent['device'] {
  if (/\biPad\b|\bTablet\b/.test(text)) return 'tablet';
  if (/\bAndroid\b/.test(text)) return /\bMobile\b/.test(text) ? 'mobile' : 'tablet';
  if (/\biPhone\b|\biPod\b|\bMobile\b/.test(text)) return 'mobile';
  return known ? 'desktop' : 'unknown';
}

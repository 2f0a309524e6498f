/**
 * A short human description of a User-Agent header ("Firefox on Windows") for the sessions page.
 * Deliberately rough: it only helps a person recognise their own devices, and is never a security check.
 */
export function describeDevice(userAgent: string | null): string {
  if (userAgent === null || userAgent.trim() === '') return 'Unknown device';
  return `${browserOf(userAgent)} on ${systemOf(userAgent)}`;
}

function browserOf(ua: string): string {
  // Order matters: Edge and Opera also say "Chrome", Chrome also says "Safari".
  if (/\bEdg(e|A|iOS)?\//.test(ua)) return 'Edge';
  if (/\bOPR\//.test(ua)) return 'Opera';
  if (/\bFirefox\//.test(ua) || /\bFxiOS\//.test(ua)) return 'Firefox';
  if (/\bHeadlessChrome\//.test(ua)) return 'Headless Chrome';
  if (/\bChromium\//.test(ua)) return 'Chromium';
  if (/\bChrome\//.test(ua) || /\bCriOS\//.test(ua)) return 'Chrome';
  if (/\bSafari\//.test(ua) && /\bVersion\//.test(ua)) return 'Safari';
  if (/^curl\//.test(ua)) return 'curl';
  return 'Unknown browser';
}

function systemOf(ua: string): string {
  if (/\b(iPhone|iPad|iPod)\b/.test(ua)) return 'iOS';
  if (/\bAndroid\b/.test(ua)) return 'Android';
  if (/\bWindows\b/.test(ua)) return 'Windows';
  if (/\bMac OS X\b|\bMacintosh\b/.test(ua)) return 'macOS';
  if (/\bCrOS\b/.test(ua)) return 'ChromeOS';
  if (/\bLinux\b/.test(ua)) return 'Linux';
  return 'unknown system';
}

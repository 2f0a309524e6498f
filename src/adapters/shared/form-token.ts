/** Reads a form token field from an already-parsed body (frameworks parse bodies; adapters only look). */
export function fieldOf(body: unknown, field: string): string | null {
  if (typeof body !== 'object' || body === null) return null;
  const value = (body as Record<string, unknown>)[field];
  if (typeof value === 'string') return value;
  // `a=1&a=2` parses to an array in some parsers: ambiguous, so no token.
  return null;
}

/** Whether a content type carries an HTML form body (urlencoded or multipart). */
export function isFormContentType(contentType: string | null | undefined): boolean {
  if (contentType === null || contentType === undefined) return false;
  const type = contentType.split(';')[0]?.trim().toLowerCase();
  return type === 'application/x-www-form-urlencoded' || type === 'multipart/form-data';
}

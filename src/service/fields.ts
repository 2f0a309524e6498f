import { isJsonValue, isPlainObject, type JsonObject } from '../core/json.js';
import { containsTokenShape } from '../core/token.js';
import { invalidField } from './http-errors.js';

/**
 * Small typed readers for JSON request fields. Each refuses with 400 `invalid_request` naming the field and
 * the rule it broke, so a client never has to guess (and a bad value never reaches the engine as a 500).
 */
export type Body = Record<string, unknown>;

/** Refuses fields the endpoint does not take (a typo such as `subjet` would otherwise pass silently). */
export function allowOnly(body: Body, allowed: readonly string[]): void {
  for (const key of Object.keys(body)) {
    if (!allowed.includes(key))
      invalidFieldThrow(shownName(key), `is not a known field (expected ${allowed.join(', ')})`);
  }
}

/** A client's field name as an error may show it: at most 64 characters, never anything token-shaped. */
function shownName(key: string): string {
  if (containsTokenShape(key)) return '(a token-shaped name)';
  return key.length > 64 ? `${key.slice(0, 64)}…` : key;
}

function hasNonFinite(value: unknown, depth = 0): boolean {
  if (depth > 64) return false;
  if (typeof value === 'number') return !Number.isFinite(value);
  if (Array.isArray(value)) return value.some((item) => hasNonFinite(item, depth + 1));
  if (typeof value === 'object' && value !== null)
    return Object.values(value).some((item) => hasNonFinite(item, depth + 1));
  return false;
}

function invalidFieldThrow(field: string, why: string): never {
  throw invalidField(field, why);
}

export function requiredString(body: Body, field: string, max: number): string {
  const value = body[field];
  if (value === undefined || value === null) invalidFieldThrow(field, 'is required');
  return checkString(field, value, max, 1);
}

export function optionalString(body: Body, field: string, max: number): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  return checkString(field, value, max, 0);
}

function checkString(field: string, value: unknown, max: number, min: number): string {
  if (typeof value !== 'string') invalidFieldThrow(field, `must be a string, not ${kindOf(value)}`);
  if (value.length < min) invalidFieldThrow(field, 'must not be empty');
  if (value.length > max) invalidFieldThrow(field, `must be at most ${max} characters`);
  return value;
}

export function optionalInteger(body: Body, field: string, min: number, max: number): number | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  return checkInteger(field, value, min, max);
}

export function requiredInteger(body: Body, field: string, min: number, max: number): number {
  const value = body[field];
  if (value === undefined || value === null) invalidFieldThrow(field, 'is required');
  return checkInteger(field, value, min, max);
}

function checkInteger(field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    invalidFieldThrow(field, `must be an integer, not ${kindOf(value)}`);
  }
  if (value < min || value > max) invalidFieldThrow(field, `must be from ${min} to ${max}`);
  return value;
}

export function optionalJsonObject(body: Body, field: string): JsonObject | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (!isPlainObject(value)) invalidFieldThrow(field, `must be a JSON object, not ${kindOf(value)}`);
  if (!isJsonValue(value)) {
    // JSON.parse turns 1e400 into Infinity: say so, rather than blaming the nesting.
    invalidFieldThrow(
      field,
      hasNonFinite(value) ? 'has a number out of range (not finite)' : 'is nested too deeply',
    );
  }
  return value as JsonObject;
}

export function optionalStringArray(body: Body, field: string, maxItems: number): string[] | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) invalidFieldThrow(field, `must be an array of strings, not ${kindOf(value)}`);
  if (value.length > maxItems) invalidFieldThrow(field, `must have at most ${maxItems} items`);
  value.forEach((item, index) => {
    if (typeof item !== 'string') invalidFieldThrow(`${field}[${index}]`, 'must be a string');
  });
  return value as string[];
}

/**
 * The token field of validate/rotate/elevate/revoke. Absent or empty is the outcome `token_missing` (401),
 * as in the outcome table (docs/ARCHITECTURE.md), so `null` is returned; a non-string is a malformed request (400).
 */
export function tokenField(body: Body): string | null {
  const value = body.token;
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string') invalidFieldThrow('token', `must be a string, not ${kindOf(value)}`);
  return value;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  const type = typeof value;
  return type === 'object' ? 'an object' : `a ${type}`;
}

/** The client facts a backend forwards for binding checks: `ip` and `userAgent`, both optional. */
export function clientFields(body: Body): { ip?: string; userAgent?: string } {
  const ip = optionalString(body, 'ip', 64);
  const userAgent = optionalString(body, 'userAgent', 1024);
  return { ...(ip === undefined ? {} : { ip }), ...(userAgent === undefined ? {} : { userAgent }) };
}

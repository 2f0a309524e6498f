// The service's logger is pino (issue 11): the JSON lines it always wrote, TESSERA_LOG_LEVEL, and a second line
// of defence that censors credential-named fields and token-shaped values.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger } from '../../src/service/log.js';
import { madeUpToken, startService } from './helpers.js';

function collect(level: 'info' | 'warn' | 'error' | 'silent'): {
  lines: string[];
  logger: ReturnType<typeof createLogger>;
} {
  const lines: string[] = [];
  return { lines, logger: createLogger(level, (line) => lines.push(line)) };
}

describe('service logger (pino)', () => {
  it('writes one JSON object per line: level by name, ISO time, msg, then the fields', () => {
    const { lines, logger } = collect('info');
    logger.info('request', { route: '/v1/sessions', status: 201, sessionId: undefined, cause: null });
    assert.equal(lines.length, 1);
    assert.ok(lines[0]?.endsWith('\n'));
    const line = JSON.parse(lines[0] as string) as Record<string, unknown>;
    assert.deepEqual(Object.keys(line).sort(), ['cause', 'level', 'msg', 'route', 'status', 'time']);
    assert.equal(line.level, 'info');
    assert.equal(line.msg, 'request');
    assert.equal(line.status, 201);
    assert.match(line.time as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    // As before pino: the message before the fields (child-process tests match `"msg":"listening"…"port"`).
    assert.match(lines[0] as string, /^\{"level":"info","time":"[^"]+","msg":"request","route":/);
  });

  it('keeps the levels: warn drops info, error keeps only errors, silent writes nothing', () => {
    for (const [level, expected] of [
      ['info', ['info', 'warn', 'error']],
      ['warn', ['warn', 'error']],
      ['error', ['error']],
      ['silent', []],
    ] as const) {
      const { lines, logger } = collect(level);
      logger.info('a');
      logger.warn('b');
      logger.error('c');
      assert.deepEqual(
        lines.map((line) => (JSON.parse(line) as { level: string }).level),
        expected,
        level,
      );
    }
  });

  it('censors credential-named fields and any token-shaped value, whatever its field', () => {
    const { lines, logger } = collect('info');
    const token = madeUpToken();
    const refresh = `rt1.${'C'.repeat(22)}.${'D'.repeat(43)}`;
    const jwt = `eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJhbGljZSJ9.${'E'.repeat(43)}`;
    logger.error('oops', {
      token,
      authorization: 'Bearer test-key',
      apiKey: 'k'.repeat(40),
      error: `store failed for ${token}`,
      note: refresh,
      other: jwt,
      route: '/v1/sessions',
    });
    const line = JSON.parse(lines[0] as string) as Record<string, unknown>;
    for (const field of ['token', 'authorization', 'apiKey', 'error', 'note', 'other']) {
      assert.equal(line[field], '[redacted]', field);
    }
    assert.equal(line.route, '/v1/sessions');
    for (const secret of [token, refresh, jwt, 'test-key', 'k'.repeat(40)]) {
      assert.ok(!(lines[0] as string).includes(secret));
    }
  });

  it('the service logs through it, at TESSERA_LOG_LEVEL', async () => {
    const api = await startService({ TESSERA_LOG_LEVEL: 'warn' });
    try {
      await api.call('POST', '/v1/sessions', { subject: 'quiet' });
      assert.deepEqual(api.logs, [], 'no info request lines at warn');
    } finally {
      await api.close();
    }
    const loud = await startService();
    try {
      await loud.call('GET', '/healthz', undefined, { key: null });
      const entry = JSON.parse(loud.logs.at(-1) as string) as Record<string, unknown>;
      assert.equal(entry.level, 'info');
      assert.equal(entry.msg, 'request');
      assert.equal(entry.route, '/healthz');
    } finally {
      await loud.close();
    }
  });
});

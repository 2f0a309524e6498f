/**
 * The session data of every session the scale bench creates: 188 bytes of JSON, the payload issue 13 compares
 * footprints at (bench/servers/payload.ts is the ~320-byte one of the HTTP store benches).
 */
export const SCALE_PAYLOAD = {
  user: { id: 48213, name: 'Ada Lovelace', email: 'ada@example.com', locale: 'en-GB' },
  roles: ['reader', 'editor'],
  cart: { items: 3, total: 129.95 },
  flags: { beta: true },
  seed: 'q3Z8vR1x',
};

/** UTF-8 bytes of the payload's JSON (188). */
export const SCALE_PAYLOAD_BYTES = Buffer.byteLength(JSON.stringify(SCALE_PAYLOAD));

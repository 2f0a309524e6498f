/** The session data every store bench logs in with: a ~300-byte JSON payload, the size issue 13 compares at. */
export const PAYLOAD = {
  user: { id: 48213, name: 'Ada Lovelace', email: 'ada@example.com', locale: 'en-GB' },
  roles: ['reader', 'editor'],
  cart: { items: 3, total: 129.95, currency: 'EUR' },
  flags: { beta: true, newsletter: false },
  csrfSeed: 'q3Z8vR1xY5bN0mK7tL2wE9sD4fG6hJ',
  note: 'x'.repeat(60),
};

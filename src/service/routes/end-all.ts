import type { Route } from '../context.js';
import { allowOnly, optionalString } from '../fields.js';
import { invalidField } from '../http-errors.js';

/** The phrase a caller must send to end every session: no client reaches this route by accident. */
export const END_ALL_CONFIRMATION = 'end every session';

/**
 * "End every session of every user" (ASVS 5.0 7.4.5): an operator action after a breach or a leaked key.
 * The store-wide cut-off and the removal are the manager's (`endEverySession`); the audit trail records one
 * `revoked-everyone` event with the count.
 */
export const endAllRoutes: readonly Route[] = [
  {
    method: 'POST',
    path: '/v1/sessions/end-all',
    auth: 'api-key',
    async handle(context) {
      const body = await context.body();
      allowOnly(body, ['confirm', 'reason']);
      if (body.confirm !== END_ALL_CONFIRMATION) {
        throw invalidField('confirm', `must be exactly "${END_ALL_CONFIRMATION}"`);
      }
      const reason = optionalString(body, 'reason', 64);
      const ended = await context.service.manager.endEverySession(reason === undefined ? {} : { reason });
      return { status: 200, body: { ended } };
    },
  },
];

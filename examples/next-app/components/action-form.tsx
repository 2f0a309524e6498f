'use client';
import { type ReactNode, useActionState } from 'react';

/** What the wrapped actions return when they do not redirect: a refusal or a wrong password. */
interface Refusal {
  ok: false;
  code: string;
  reason?: string;
}

function isRefusal(state: unknown): state is Refusal {
  return typeof state === 'object' && state !== null && (state as Refusal).ok === false;
}

/**
 * A form posting to a Server Action with `useActionState`, so a refusal (a CSRF failure, a wrong password)
 * is shown as text rather than lost. The session's CSRF token goes in the hidden `_csrf` field.
 */
export function ActionForm(props: {
  action: (state: unknown, form: FormData) => Promise<unknown>;
  csrf: string | null;
  label: string;
  children?: ReactNode;
}): ReactNode {
  const [state, action, pending] = useActionState<unknown, FormData>(props.action, undefined);
  return (
    <form action={action}>
      {props.csrf === null ? null : <input type="hidden" name="_csrf" value={props.csrf} />}
      {props.children}
      <button type="submit" disabled={pending}>
        {props.label}
      </button>
      {isRefusal(state) ? (
        <p role="alert">
          Refused: {state.code}
          {state.reason === undefined ? '' : ` (${state.reason})`}
        </p>
      ) : null}
    </form>
  );
}

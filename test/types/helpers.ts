/**
 * Type-level assertions for the `*.types.ts` files beside this one. They are never run: `types.test.ts`
 * typechecks them (and `npm run typecheck` does too), so a regression in the public types is a compile error.
 *
 * - `Expect<Equal<A, B>>`: A and B are the same type (not merely assignable either way; `any` is equal to nothing
 *   but `any`).
 * - `// @ts-expect-error`: the next line must not compile; when it starts compiling, the directive is unused and
 *   that is an error too.
 */
import type { HttpSessions } from '../../src/transport/http-sessions.js';

/** True only when A and B are identical (the checker's own identity test, which `any` does not pass). */
export type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

/** Compiles only for `true`. */
export type Expect<T extends true> = T;

/** True when T is `any`: an `any` leaking through a generic would pass every other check. */
export type IsAny<T> = 0 extends 1 & T ? true : false;

export type Not<T extends boolean> = T extends true ? false : true;

/** True when A is assignable to B. */
export type Extends<A, B> = [A] extends [B] ? true : false;

/** The session data of the tests: a type alias (an interface has no index signature, so it is no `JsonObject`). */
export type AppData = { role: 'admin' | 'user'; theme: string; tags?: string[] };

/** Other data, to prove two `Data` types are not mixed up. */
export type OtherData = { tenant: number };

/** A valid `AppData` value. */
export const appData: AppData = { role: 'user', theme: 'dark' };

/** Marks a value as used (the files are typechecked, never run). */
export function use(..._values: unknown[]): void {}

/** A server-side mode typed with `AppData`, as `new HttpSessions(createTessera<AppData>(…))` gives it. */
export declare const sessions: HttpSessions<AppData>;

/** `check<Equal<typeof x, T>>()` inside a function: compiles only for `true` (a local `Expect` alias would be unused). */
export function check<_T extends true>(): void {}

/**
 * Live state the campaign mixes into its requests: real sessions (token, id, subject) and real access and
 * refresh tokens, issued by the service under test. The valid class adds and replaces entries as the service
 * answers; the hostile classes mutate them. Picks are by index (a number from the seeded generator), so the
 * same seed makes the same choices in the same situation.
 */
export interface LiveSession {
  token: string;
  readonly id: string;
  readonly subject: string;
  version: number;
}

export interface LivePair {
  refreshToken: string;
  accessToken: string;
  readonly sessionId: string;
}

/** Subjects the valid class signs in; a small set, so listing and subject-wide logout find real sessions. */
export const SUBJECTS = Array.from({ length: 40 }, (_, index) => `fuzz-user-${index}`);

const MAX_SESSIONS = 400;
const MAX_PAIRS = 200;

/** Stand-ins when nothing live is there yet: right shape, never issued. */
export const MADE_UP = {
  token: `ts1.${'A'.repeat(26)}.${'B'.repeat(43)}`,
  id: 'A'.repeat(26),
  refreshToken: `rt1.${'A'.repeat(22)}.0.${'B'.repeat(43)}.${'C'.repeat(22)}`,
  accessToken: 'eyJhbGciOiJFZERTQSIsInR5cCI6ImF0K2p3dCIsImtpZCI6IngifQ.eyJzdWIiOiJhIn0.c2ln',
};

export class LiveState {
  readonly sessions: LiveSession[] = [];
  readonly pairs: LivePair[] = [];
  /** Tokens that a rotation, elevation or logout ended: they must never be accepted again. */
  readonly dead: Array<{ readonly token: string; readonly why: string }> = [];

  session(pick: number): LiveSession | null {
    if (this.sessions.length === 0) return null;
    return this.sessions[pick % this.sessions.length] as LiveSession;
  }

  pair(pick: number): LivePair | null {
    if (this.pairs.length === 0) return null;
    return this.pairs[pick % this.pairs.length] as LivePair;
  }

  token(pick: number): string {
    return this.session(pick)?.token ?? MADE_UP.token;
  }

  sessionId(pick: number): string {
    return this.session(pick)?.id ?? MADE_UP.id;
  }

  subject(pick: number): string {
    return this.session(pick)?.subject ?? (SUBJECTS[pick % SUBJECTS.length] as string);
  }

  refreshToken(pick: number): string {
    return this.pair(pick)?.refreshToken ?? MADE_UP.refreshToken;
  }

  accessToken(pick: number): string {
    return this.pair(pick)?.accessToken ?? MADE_UP.accessToken;
  }

  /** Whether the pool could use more sessions (the valid class then creates rather than uses). */
  wantsSessions(): boolean {
    return this.sessions.length < 24;
  }

  addSession(entry: LiveSession): void {
    this.sessions.push(entry);
    if (this.sessions.length > MAX_SESSIONS) this.sessions.splice(0, this.sessions.length - MAX_SESSIONS);
  }

  replaceToken(oldToken: string, token: string): void {
    const entry = this.sessions.find((session) => session.token === oldToken);
    if (entry !== undefined) entry.token = token;
    this.kill(oldToken, 'rotated away');
  }

  removeSession(id: string, why: string): void {
    const at = this.sessions.findIndex((session) => session.id === id);
    if (at !== -1) this.kill((this.sessions.splice(at, 1)[0] as LiveSession).token, why);
    for (let index = this.pairs.length - 1; index >= 0; index -= 1)
      if ((this.pairs[index] as LivePair).sessionId === id) this.pairs.splice(index, 1);
  }

  removeSubject(subject: string, except: string | null): void {
    for (const session of [...this.sessions])
      if (session.subject === subject && session.id !== except)
        this.removeSession(session.id, 'subject logged out');
  }

  addPair(pair: LivePair): void {
    this.pairs.push(pair);
    if (this.pairs.length > MAX_PAIRS) this.pairs.splice(0, this.pairs.length - MAX_PAIRS);
  }

  replacePair(oldRefresh: string, refreshToken: string, accessToken: string): void {
    const entry = this.pairs.find((pair) => pair.refreshToken === oldRefresh);
    if (entry === undefined) return;
    entry.refreshToken = refreshToken;
    entry.accessToken = accessToken;
  }

  private kill(token: string, why: string): void {
    this.dead.push({ token, why });
    if (this.dead.length > 200) this.dead.shift();
  }
}

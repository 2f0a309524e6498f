import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';

/** What a DBSC endpoint answered: status, headers (lower-case names) and body text. */
export interface DbscReply {
  readonly status: number;
  header(name: string): string | null;
  readonly body: string;
}

/** Sends a POST to a DBSC endpoint with these extra headers (the caller adds the cookies it holds). */
export type DbscSend = (path: string, headers: Record<string, string>) => Promise<DbscReply>;

/**
 * A DBSC client written from the W3C specification, behaving as Chrome does: reads `Secure-Session-Registration`,
 * makes an ES256 key, registers with a `dbsc+jwt` proof carrying its public key, and on refresh first asks
 * without a proof, takes the `Secure-Session-Challenge`, then proves the key (no `jwk` in refresh proofs).
 */
export class DbscTestClient {
  sessionId: string | null = null;
  refreshUrl: string | null = null;
  boundCookie: string | null = null;
  #challenge: string | null = null;
  readonly #privateKey: CryptoKey;
  readonly #publicJwk: JWK;

  private constructor(privateKey: CryptoKey, publicJwk: JWK) {
    this.#privateKey = privateKey;
    this.#publicJwk = publicJwk;
  }

  static async create(): Promise<DbscTestClient> {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    return new DbscTestClient(privateKey, await exportJWK(publicKey));
  }

  /** Registers from a `Secure-Session-Registration` value; returns the registration reply. */
  async register(header: string, send: DbscSend): Promise<DbscReply> {
    const match = /^\(ES256\);path="([^"]+)";challenge="([^"]+)"/.exec(header);
    if (match === null) throw new Error(`not a registration header Tessera sends: ${header}`);
    const proof = await this.#sign(match[2] as string, true);
    const reply = await send(match[1] as string, { 'secure-session-response': `"${proof}"` });
    if (reply.status === 200) this.#adopt(reply);
    return reply;
  }

  /** Refreshes the bound cookie as Chrome does (challenge round trip when it has none cached). */
  async refresh(send: DbscSend): Promise<DbscReply> {
    if (this.sessionId === null || this.refreshUrl === null) throw new Error('not registered');
    const id = `"${this.sessionId}"`;
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const headers: Record<string, string> = { 'sec-secure-session-id': id };
      if (this.#challenge !== null)
        headers['secure-session-response'] = `"${await this.#sign(this.#challenge, false)}"`;
      const reply = await send(this.refreshUrl, headers);
      if (reply.status === 403) {
        const challenge = /^"([^"]+)";id="([^"]+)"$/.exec(reply.header('secure-session-challenge') ?? '');
        if (challenge === null || challenge[2] !== this.sessionId) return reply;
        this.#challenge = challenge[1] as string;
        continue;
      }
      this.#challenge = null;
      if (reply.status === 200) this.#adopt(reply);
      return reply;
    }
    throw new Error('the refresh endpoint asked for a challenge twice');
  }

  /** Signs a proof for `challenge` with this client's key (for thief tests: any challenge). */
  #sign(challenge: string, withKey: boolean): Promise<string> {
    const header = { alg: 'ES256', typ: 'dbsc+jwt', ...(withKey ? { jwk: this.#publicJwk } : {}) };
    return new SignJWT({ jti: challenge }).setProtectedHeader(header).sign(this.#privateKey);
  }

  #adopt(reply: DbscReply): void {
    const instructions = JSON.parse(reply.body) as { session_identifier: string; refresh_url: string };
    this.sessionId = instructions.session_identifier;
    this.refreshUrl = instructions.refresh_url;
    const cookie = /^([^=]+=[^;]*)/.exec(reply.header('set-cookie') ?? '');
    if (cookie !== null) this.boundCookie = cookie[1] as string;
  }
}

/** A `DbscSend` that POSTs to `origin()` + path over real HTTP, with the cookies `cookies()` gives at the time. */
export function dbscSender(origin: () => string, cookies: () => string): DbscSend {
  return async (path, headers) => {
    const response = await fetch(origin() + path, {
      method: 'POST',
      headers: { cookie: cookies(), ...headers },
    });
    return {
      status: response.status,
      body: await response.text(),
      header: (name) => response.headers.get(name),
    };
  };
}

import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import {
  hashPassword,
  MAX_PASSWORD_LENGTH,
  OWASP_SCRYPT,
  type ScryptCost,
  verifyPassword,
} from './passwords.js';

export interface User {
  readonly id: string;
  readonly username: string;
  readonly createdAt: number;
}

interface UserRow {
  id: string;
  username: string;
  password_hash: string;
  created_at: number;
}

export type SignUpResult = { ok: true; user: User } | { ok: false; message: string };

const USERNAME = /^[a-z0-9][a-z0-9._-]{2,63}$/;
/** NIST SP 800-63B 5.1.1.2: at least 8 characters; long passphrases allowed. */
const MIN_PASSWORD_LENGTH = 8;

/** The example's accounts, in their own SQLite file next to the session store. */
export class UserStore {
  readonly #db: Database.Database;
  readonly #cost: ScryptCost;
  readonly #clock: () => number;
  /** Hashed once so that a login for an unknown name costs as much as a real one (no user enumeration by timing). */
  readonly #dummyHash: Promise<string>;

  constructor(path: string, options: { cost?: ScryptCost; clock?: () => number } = {}) {
    mkdirSync(dirname(path), { recursive: true });
    this.#db = new Database(path);
    this.#db.pragma('journal_mode = WAL');
    this.#db.exec(`CREATE TABLE IF NOT EXISTS users (
      id TEXT PRIMARY KEY,
      username TEXT NOT NULL UNIQUE,
      password_hash TEXT NOT NULL,
      created_at INTEGER NOT NULL
    ) STRICT`);
    this.#cost = options.cost ?? OWASP_SCRYPT;
    this.#clock = options.clock ?? Date.now;
    this.#dummyHash = hashPassword(randomBytes(16).toString('hex'), this.#cost);
  }

  async signUp(rawUsername: string, password: string): Promise<SignUpResult> {
    const username = normalizeUsername(rawUsername);
    if (!USERNAME.test(username)) {
      return {
        ok: false,
        message: 'Choose a user name of 3 to 64 letters, digits, dots, dashes or underscores.',
      };
    }
    const problem = passwordProblem(password);
    if (problem !== null) return { ok: false, message: problem };
    const hash = await hashPassword(password, this.#cost);
    const user: User = { id: randomBytes(12).toString('base64url'), username, createdAt: this.#clock() };
    const inserted = this.#db
      .prepare(
        'INSERT INTO users (id, username, password_hash, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
      )
      .run(user.id, user.username, hash, user.createdAt);
    if (inserted.changes === 0) return { ok: false, message: 'That user name is taken.' };
    return { ok: true, user };
  }

  /** The user when the password matches, else null. Unknown names take as long as wrong passwords. */
  async authenticate(rawUsername: string, password: string): Promise<User | null> {
    if (password.length > MAX_PASSWORD_LENGTH) return null;
    const row = this.#row(normalizeUsername(rawUsername));
    if (row === undefined) {
      await verifyPassword(password, await this.#dummyHash);
      return null;
    }
    return (await verifyPassword(password, row.password_hash)) ? toUser(row) : null;
  }

  /** Re-checks the password of a signed-in user (the "sudo" step). */
  async checkPassword(userId: string, password: string): Promise<boolean> {
    if (password.length > MAX_PASSWORD_LENGTH) return false;
    const row = this.#db.prepare('SELECT * FROM users WHERE id = ?').get(userId) as UserRow | undefined;
    return row !== undefined && (await verifyPassword(password, row.password_hash));
  }

  async changePassword(userId: string, password: string): Promise<string | null> {
    const problem = passwordProblem(password);
    if (problem !== null) return problem;
    const hash = await hashPassword(password, this.#cost);
    this.#db.prepare('UPDATE users SET password_hash = ? WHERE id = ?').run(hash, userId);
    return null;
  }

  byId(userId: string): User | null {
    const row = this.#db.prepare('SELECT * FROM users WHERE id = ?').get(userId) as UserRow | undefined;
    return row === undefined ? null : toUser(row);
  }

  close(): void {
    this.#db.close();
  }

  #row(username: string): UserRow | undefined {
    return this.#db.prepare('SELECT * FROM users WHERE username = ?').get(username) as UserRow | undefined;
  }
}

function normalizeUsername(name: string): string {
  return name.trim().toLowerCase();
}

function passwordProblem(password: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return `Use at least ${MIN_PASSWORD_LENGTH} characters.`;
  if (password.length > MAX_PASSWORD_LENGTH) return `Use at most ${MAX_PASSWORD_LENGTH} characters.`;
  return null;
}

function toUser(row: UserRow): User {
  return { id: row.id, username: row.username, createdAt: row.created_at };
}

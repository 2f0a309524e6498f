import { createHash, createHmac } from 'node:crypto';
import { SHARD_LENGTH } from '../../core/token.js';

/**
 * Key layout. `{…}` is a Redis Cluster hash tag: only the part inside the first braces picks the slot.
 * - `<prefix>{<shard>}:s:<id>`       one session (a string: fixed fields + data JSON); the id starts with its shard, so a token alone names the key
 * - `<prefix>{<shard>}:u:<subject>`  the subject's sessions (sorted set, id scored by expiry)
 * - `<prefix>{<shard>}:n:<subject>`  the subject's not-before time (hash)
 * - `<prefix>{f:<family>}`           one refresh family (hash)
 * - `<prefix>o:<key>`                one used one-time key (a string that expires by itself)
 * - `<prefix>{sweep:<k>}`            sweep hint buckets of hint shard k (sorted set: bucket start times)
 * - `<prefix>{sweep:<k>}:<start>`    one bucket (a list): the subjects / families / not-before entries with
 *                                    something expiring in the minute from `<start>`
 * where `<shard>` = shardFor(subject) for every key of that subject, and k = hintShard(entry).
 */
export class KeyLayout {
  readonly prefix: string;
  readonly #shardKey: string | null;

  constructor(prefix: string, shardKey: string | null) {
    if (prefix.includes('{') || prefix.includes('}')) {
      throw new TypeError(
        'tessera: a Redis key prefix must not contain "{" or "}" (they pick the cluster slot)',
      );
    }
    this.prefix = prefix;
    this.#shardKey = shardKey;
  }

  /** 4 base64url characters (24 bits) of a hash of the subject; keyed when a shard key is set. */
  shardFor(subject: string): string {
    const digest =
      this.#shardKey === null
        ? createHash('sha256').update(subject).digest()
        : createHmac('sha256', this.#shardKey).update(subject).digest();
    return digest.subarray(0, 3).toString('base64url').slice(0, SHARD_LENGTH);
  }

  /** `<prefix>{<shard>}`: every key of one subject starts with it. */
  tag(shard: string): string {
    return `${this.prefix}{${shard}}`;
  }

  tagOfId(id: string): string {
    return this.tag(id.slice(0, SHARD_LENGTH));
  }

  session(id: string): string {
    return `${this.tagOfId(id)}:s:${id}`;
  }

  index(subject: string): string {
    return `${this.tag(this.shardFor(subject))}:u:${subject}`;
  }

  notBefore(subject: string): string {
    return `${this.tag(this.shardFor(subject))}:n:${subject}`;
  }

  family(familyId: string): string {
    return `${this.prefix}{f:${familyId}}`;
  }

  /** A one-time key (a DPoP proof id): its own slot, outside the `<prefix>{…}` keys. */
  once(key: string): string {
    return `${this.prefix}o:${key}`;
  }

  /** The sorted set of hint shard `k`'s buckets, scored by their start time. */
  hintBuckets(k: number): string {
    return `${this.prefix}{sweep:${k}}`;
  }

  /** One bucket of hint shard `k`: a list of entries, in the same slot as its sorted set. */
  hintBucket(k: number, start: number): string {
    return `${this.prefix}{sweep:${k}}:${start}`;
  }
}

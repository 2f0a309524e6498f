import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createTessera } from '../../src/core/manager.js';
import type { LevelRequirement } from '../../src/core/session-rules.js';
import { MemoryStore } from '../../src/stores/memory/memory-store.js';

describe('manager options: endOthersRequires', () => {
  it('is copied and frozen at construction, and absent by default', () => {
    const requirement: LevelRequirement = { level: 2, maxAge: 300 };
    const manager = createTessera({ store: new MemoryStore(), endOthersRequires: requirement });
    assert.deepEqual(manager.options.endOthersRequires, { level: 2, maxAge: 300 });
    assert.ok(Object.isFrozen(manager.options.endOthersRequires));
    requirement.maxAge = 1e9;
    assert.equal(manager.options.endOthersRequires?.maxAge, 300, "the caller's object is not kept");
    assert.equal(createTessera({ store: new MemoryStore() }).options.endOthersRequires, null);
  });

  const refused: [string, unknown, RegExp][] = [
    ['a number', 2, /endOthersRequires must be \{ level, maxAge\? \}/],
    ['null', null, /endOthersRequires must be/],
    ['a negative level', { level: -1 }, /endOthersRequires\.level must be a non-negative integer/],
    ['a fractional level', { level: 1.5 }, /endOthersRequires\.level/],
    ['a missing level', { maxAge: 300 }, /endOthersRequires\.level/],
    ['a zero maxAge', { level: 2, maxAge: 0 }, /endOthersRequires\.maxAge must be a positive number/],
    ['a NaN maxAge', { level: 2, maxAge: Number.NaN }, /endOthersRequires\.maxAge/],
  ];
  for (const [label, value, message] of refused) {
    it(`refuses ${label} with a TypeError`, () => {
      assert.throws(
        () => createTessera({ store: new MemoryStore(), endOthersRequires: value as LevelRequirement }),
        (error: unknown) => error instanceof TypeError && message.test(error.message),
      );
    });
  }
});

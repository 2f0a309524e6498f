import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { manualClock } from '../../src/core/clock.js';
import { createTessera } from '../../src/core/manager.js';
import { type PresetName, presets } from '../../src/core/presets.js';
import { MemoryStore } from '../../src/stores/memory/memory-store.js';

const MINUTE = 60;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * NIST SP 800-63B-4 reauthentication limits per authentication assurance level, in seconds: the overall limit
 * (whatever the activity) and the inactivity limit (null: AAL1 requires none). Written out here, not imported,
 * so a change to a preset cannot move the limit it is checked against.
 */
const AAL_LIMITS: Readonly<Record<1 | 2 | 3, { overall: number; inactivity: number | null }>> = {
  1: { overall: 30 * DAY, inactivity: null },
  2: { overall: 24 * HOUR, inactivity: HOUR },
  3: { overall: 12 * HOUR, inactivity: 15 * MINUTE },
};

/** The level each preset claims in its JSDoc and in docs/web.md "Timeouts and assurance levels". */
const CLAIMS: Readonly<Record<PresetName, 1 | 2 | 3>> = {
  standard: 2,
  strict: 3,
  rememberMe: 1,
  aal1: 1,
  aal2: 2,
  aal3: 3,
};

describe('presets meet the NIST SP 800-63B-4 assurance level they claim (ASVS 5.0 7.1.1)', () => {
  it('every preset has a claimed level, and every claim names a preset', () => {
    assert.deepEqual(Object.keys(presets).sort(), Object.keys(CLAIMS).sort());
  });

  for (const [name, level] of Object.entries(CLAIMS) as [PresetName, 1 | 2 | 3][]) {
    it(`${name} stays within the AAL${level} limits, in the options and in the sessions it issues`, async () => {
      const preset = presets[name];
      const limits = AAL_LIMITS[level];
      assert.ok(Object.isFrozen(preset), 'frozen');
      const { idleTimeout, absoluteTimeout } = preset;
      assert.ok(idleTimeout !== undefined && absoluteTimeout !== undefined, 'both timeouts are set');
      assert.ok(absoluteTimeout <= limits.overall, `absolute ${absoluteTimeout} s > ${limits.overall} s`);
      if (limits.inactivity !== null) {
        assert.ok(idleTimeout <= limits.inactivity, `idle ${idleTimeout} s > ${limits.inactivity} s`);
      }
      // What a manager built from it grants, at login and after re-authentication.
      const clock = manualClock();
      const manager = createTessera({ ...preset, store: new MemoryStore(), clock });
      const issued = await manager.create({ subject: 'alice', userAgent: 'ua' });
      const { session } = issued;
      assert.ok(session.absoluteExpiresAt - session.createdAt <= limits.overall * 1000);
      if (limits.inactivity !== null) {
        assert.ok(session.idleExpiresAt - session.createdAt <= limits.inactivity * 1000);
      }
      clock.advance(idleTimeout * 500);
      const elevated = await manager.elevate(issued.token, 2, { userAgent: 'ua' });
      assert.ok(elevated.ok, 'elevated');
      assert.ok(elevated.session.absoluteExpiresAt - clock() <= limits.overall * 1000);
      if (limits.inactivity !== null) {
        assert.ok(elevated.session.idleExpiresAt - clock() <= limits.inactivity * 1000);
      }
    });
  }

  it('the aal aliases are the exact limits of their level', () => {
    assert.deepEqual(
      [presets.aal1.absoluteTimeout, presets.aal2.idleTimeout, presets.aal2.absoluteTimeout],
      [30 * DAY, HOUR, 24 * HOUR],
    );
    assert.deepEqual([presets.aal3.idleTimeout, presets.aal3.absoluteTimeout], [15 * MINUTE, 12 * HOUR]);
  });

  it('standard is the default lifetime (30 min idle, 12 h absolute)', () => {
    const defaults = createTessera({ store: new MemoryStore() }).options;
    const standard = createTessera({ ...presets.standard, store: new MemoryStore() }).options;
    assert.deepEqual(
      [standard.idleMs, standard.absoluteMs, standard.renewAfterMs],
      [defaults.idleMs, defaults.absoluteMs, defaults.renewAfterMs],
    );
    assert.deepEqual([defaults.idleMs, defaults.absoluteMs], [30 * MINUTE * 1000, 12 * HOUR * 1000]);
  });
});

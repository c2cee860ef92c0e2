import { describe, expect, it } from 'vitest';
import { parseEnv } from '@/lib/env';

describe('HTTP_COMPRESSION (next.config.mjs reads it at start-up)', () => {
  it('takes on, off or nothing', () => {
    for (const value of ['on', 'off', undefined, '']) {
      expect(() => parseEnv({ HTTP_COMPRESSION: value })).not.toThrow();
    }
  });

  it('refuses anything else, naming the variable', () => {
    expect(() => parseEnv({ HTTP_COMPRESSION: 'false' })).toThrow(/HTTP_COMPRESSION/);
  });
});

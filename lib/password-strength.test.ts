import { describe, expect, it } from 'vitest';
import { loadStrengthMeter } from './password-strength';

describe('loadStrengthMeter', () => {
  it('loads once: every caller shares the same meter', async () => {
    const [a, b] = await Promise.all([loadStrengthMeter(), loadStrengthMeter()]);
    expect(a).toBe(b);
    expect(await loadStrengthMeter()).toBe(a);
  });

  it('scores common passwords low, with a catalogue key explaining why', async () => {
    const meter = await loadStrengthMeter();
    expect(meter('password', [])).toEqual({ score: 0, feedbackKey: 'passwordStrength.warning.topTen' });
    expect(meter('Password123!', []).score).toBeLessThanOrEqual(1);
    expect(meter('qwertyuiop', []).score).toBeLessThanOrEqual(1);
  });

  it('scores a long random passphrase high, with no warning', async () => {
    const meter = await loadStrengthMeter();
    expect(meter('vivid otter plumb kettle sauna ledger', [])).toEqual({ score: 4 });
  });

  it('counts what the user told us (name, email) as guessable', async () => {
    const meter = await loadStrengthMeter();
    const withoutInputs = meter('marguerite', []);
    const withInputs = meter('marguerite', ['marguerite', 'marguerite@example.com']);
    expect(withInputs.score).toBeLessThanOrEqual(withoutInputs.score);
    expect(withInputs.feedbackKey).toBe('passwordStrength.warning.userInputs');
  });
});

/**
 * The one kind of timed assertion we allow (S22, S28): two code paths measured in the same run,
 * interleaved in a random order so drift in machine load falls on both alike, compared by median.
 */
export interface TimingComparison {
  medianA: number;
  medianB: number;
  /** |a - b| / max(a, b): 0 when equal, near 1 when one side does almost nothing. */
  relativeDifference: number;
}

export async function compareTimings(
  a: (i: number) => Promise<unknown>,
  b: (i: number) => Promise<unknown>,
  { samples = 41, warmup = 3 }: { samples?: number; warmup?: number } = {},
): Promise<TimingComparison> {
  const time = async (fn: (i: number) => Promise<unknown>, i: number) => {
    const started = process.hrtime.bigint();
    await fn(i);
    return Number(process.hrtime.bigint() - started) / 1e6;
  };
  for (let i = 0; i < warmup; i += 1) {
    await a(-1 - i);
    await b(-1 - i);
  }
  const as: number[] = [];
  const bs: number[] = [];
  for (let i = 0; i < samples; i += 1) {
    if (Math.random() < 0.5) {
      as.push(await time(a, i));
      bs.push(await time(b, i));
    } else {
      bs.push(await time(b, i));
      as.push(await time(a, i));
    }
  }
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
  const [medianA, medianB] = [median(as), median(bs)];
  return { medianA, medianB, relativeDifference: Math.abs(medianA - medianB) / Math.max(medianA, medianB) };
}

/**
 * Generous on purpose: CI shares two cores with other test files. The leaks these checks exist to
 * catch (a skipped argon2 verify, a lookup or a mail rendered before answering) differ by far more:
 * 35% of the slower side, or, for answers that take a few milliseconds in all (where scheduling
 * noise alone is that large), half of `leakMs`, the measured cost of the work that must not be
 * waited for (2 ms when not given).
 */
export function similarTimes(
  { medianA, medianB, relativeDifference }: TimingComparison,
  { leakMs = 4 }: { leakMs?: number } = {},
): boolean {
  return relativeDifference < 0.35 || Math.abs(medianA - medianB) < leakMs / 2;
}

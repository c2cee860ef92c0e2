/**
 * The strength meter shown while a user types a new password. It is a hint only: whether a password
 * is accepted is decided on the server by checkPasswordPolicy(). Client components import this file,
 * so it must stay free of node: modules, and the zxcvbn dictionaries (~1.5 MB) are fetched with a
 * dynamic import the first time the meter is needed rather than with the page.
 */

export type StrengthScore = 0 | 1 | 2 | 3 | 4;

export interface StrengthEstimate {
  score: StrengthScore;
  /** A catalogue key (`passwordStrength.warning.*`) explaining a low score, when zxcvbn has one. */
  feedbackKey?: string;
}

export type StrengthMeter = (password: string, userInputs: string[]) => StrengthEstimate;

// zxcvbn-ts warning ids we have catalogue entries for. Listed rather than passed through so that a
// new id in a future zxcvbn-ts release shows no hint instead of a missing-message error.
const WARNING_KEYS = new Set([
  'straightRow',
  'keyPattern',
  'simpleRepeat',
  'extendedRepeat',
  'sequences',
  'recentYears',
  'dates',
  'topTen',
  'topHundred',
  'common',
  'similarToCommon',
  'wordByItself',
  'namesByThemselves',
  'commonNames',
  'userInputs',
]);

let meter: Promise<StrengthMeter> | undefined;

async function createMeter(): Promise<StrengthMeter> {
  const [{ ZxcvbnFactory }, common, en] = await Promise.all([
    import('@zxcvbn-ts/core'),
    import('@zxcvbn-ts/language-common'),
    import('@zxcvbn-ts/language-en'),
  ]);
  // No `translations`: without them zxcvbn-ts reports feedback as ids, which we map to our own
  // catalogue so the hint follows the user's language like the rest of the UI.
  const zxcvbn = new ZxcvbnFactory({
    dictionary: { ...common.dictionary, ...en.dictionary },
    graphs: common.adjacencyGraphs,
  });
  return (password, userInputs) => {
    // Normalised as it will be hashed, so the meter judges the password that is actually stored.
    const result = zxcvbn.check(password.normalize('NFKC'), userInputs);
    const warning = result.feedback.warning;
    return warning && WARNING_KEYS.has(warning)
      ? { score: result.score, feedbackKey: `passwordStrength.warning.${warning}` }
      : { score: result.score };
  };
}

/** Resolves to the meter; every call shares one load, and a failed load (offline) can be retried. */
export function loadStrengthMeter(): Promise<StrengthMeter> {
  meter ??= createMeter().catch((error: unknown) => {
    meter = undefined;
    throw error;
  });
  return meter;
}

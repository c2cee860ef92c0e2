import { createHash } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { normalizePassword } from './password';
import {
  checkBreached,
  checkPasswordPolicy,
  commonPasswordCount,
  PASSWORD_ABSOLUTE_MIN,
  PASSWORD_DEFAULT_MIN,
  PASSWORD_MAX_LENGTH,
  PWNED_PASSWORDS_RANGE_URL,
  type PasswordPolicyContext,
} from './password-policy';
import {
  checkPasswordLength,
  decodeFieldMessage,
  effectiveMinLength,
  encodeFieldMessage,
  newPasswordSchema,
  passwordLength,
  passwordProblemFieldMessage,
  passwordProblemMessage,
} from './validation/password';

const context: PasswordPolicyContext = { minLength: PASSWORD_DEFAULT_MIN };

// Letters that form no dictionary word and no personal data, to isolate the length rules.
function filler(length: number): string {
  const alphabet = 'qzxjvkwyfb';
  let out = '';
  for (let i = 0; i < length; i += 1) out += alphabet[(i * 7 + Math.floor(i / 10)) % alphabet.length];
  return out;
}

describe('checkPasswordPolicy', () => {
  it('S1: 14 characters refused with minimum 15; 15 accepted; minimum never below 8 even if asked for 4', () => {
    expect(PASSWORD_DEFAULT_MIN).toBe(15);
    expect(checkPasswordPolicy(filler(14), { minLength: 15 })).toEqual({
      ok: false,
      problem: { code: 'too_short', min: 15 },
    });
    expect(checkPasswordPolicy(filler(15), { minLength: 15 })).toEqual({ ok: true });

    expect(PASSWORD_ABSOLUTE_MIN).toBe(8);
    expect(checkPasswordPolicy(filler(7), { minLength: 4 })).toEqual({
      ok: false,
      problem: { code: 'too_short', min: 8 },
    });
    expect(checkPasswordPolicy(filler(8), { minLength: 4 })).toEqual({ ok: true });
    expect(effectiveMinLength(4)).toBe(8);
    expect(effectiveMinLength(Number.NaN)).toBe(15);
    // A setting above the cap would make every password impossible.
    expect(effectiveMinLength(500)).toBe(PASSWORD_MAX_LENGTH);
    expect(checkPasswordPolicy('', context)).toEqual({ ok: false, problem: { code: 'too_short', min: 15 } });
  });

  it('S2: 64 and 128 characters accepted, 129 refused with too_long', () => {
    expect(PASSWORD_MAX_LENGTH).toBeGreaterThanOrEqual(128);
    expect(checkPasswordPolicy(filler(64), context)).toEqual({ ok: true });
    expect(checkPasswordPolicy(filler(128), context)).toEqual({ ok: true });
    expect(checkPasswordPolicy(filler(129), context)).toEqual({
      ok: false,
      problem: { code: 'too_long', max: 128 },
    });
  });

  it('S2: a multi-megabyte password is a typed refusal, not a crash or a long stall', () => {
    const started = performance.now();
    expect(checkPasswordPolicy('x'.repeat(5_000_000), context)).toEqual({
      ok: false,
      problem: { code: 'too_long', max: 128 },
    });
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('S4: all-lowercase passphrase with spaces accepted', () => {
    expect(checkPasswordPolicy('purple tulips dance quietly at noon', context)).toEqual({ ok: true });
    // No digit, no capital, no symbol, and still fine.
    expect(checkPasswordPolicy('granite otter velvet lantern', context)).toEqual({ ok: true });
  });

  it('S5: length counts code points after NFKC (emoji and combining marks)', () => {
    // Each emoji is two UTF-16 units but one code point.
    const emoji = '🦊';
    expect(checkPasswordPolicy(emoji.repeat(14), context)).toMatchObject({ problem: { code: 'too_short' } });
    expect(checkPasswordPolicy(emoji.repeat(15), context)).toEqual({ ok: true });
    expect(checkPasswordPolicy(emoji.repeat(128), context)).toEqual({ ok: true });
    expect(checkPasswordPolicy(emoji.repeat(129), context)).toMatchObject({ problem: { code: 'too_long' } });

    // 'e' + combining acute is two code points typed, one after NFKC composes it to 'é'.
    const decomposedE = 'e\u0301';
    expect(passwordLength(decomposedE)).toBe(1);
    expect(checkPasswordPolicy(decomposedE.repeat(14), context)).toMatchObject({
      problem: { code: 'too_short' },
    });
    expect(checkPasswordPolicy(decomposedE.repeat(15), context)).toEqual({ ok: true });
    // 256 typed code points that compose to 128 are within the cap.
    expect(checkPasswordPolicy(decomposedE.repeat(128), context)).toEqual({ ok: true });

    // A combining mark with no precomposed form stays a separate code point.
    expect(passwordLength('q\u0301')).toBe(2);
    // Compatibility forms expand: the 'ﬁ' ligature is 'fi'.
    expect(passwordLength('ﬁ')).toBe(2);
    // A ZWJ family is several code points, not one grapheme.
    expect(passwordLength('👨‍👩‍👧')).toBe(5);

    // Spaces and non-Latin scripts are ordinary characters.
    expect(checkPasswordPolicy('東京の 夜は とても 静かです ね', context)).toEqual({ ok: true });
  });

  it('S5: the policy measures the same normalisation the hash uses', () => {
    for (const sample of ['ﬁ', 'e\u0301', 'Ａ', '①', '😀', 'ß']) {
      expect(passwordLength(sample)).toBe([...normalizePassword(sample)].length);
    }
  });

  it('S6: common passwords refused (several from the list, case variations, with digits appended)', () => {
    const atEight = { minLength: 8 };
    for (const password of ['password', 'baseball', 'football', 'sunshine', 'iloveyou', 'princess']) {
      expect(checkPasswordPolicy(password, atEight), password).toEqual({
        ok: false,
        problem: { code: 'common' },
      });
    }
    for (const password of ['PASSWORD', 'PassWord', 'Sunshine', 'FOOTBALL']) {
      expect(checkPasswordPolicy(password, atEight), password).toEqual({
        ok: false,
        problem: { code: 'common' },
      });
    }
    for (const password of [
      'password123!',
      'Password2024',
      'dragon1234',
      'monkey!!!!',
      'letmein 2024',
      'shadow_99',
    ]) {
      expect(checkPasswordPolicy(password, atEight), password).toEqual({
        ok: false,
        problem: { code: 'common' },
      });
    }
    // Common passwords long enough for the default minimum of 15.
    for (const password of ['passwordpassword', 'qwertyuiop12345', '123456789qwerty', 'Sunshine1234567']) {
      expect(checkPasswordPolicy(password, context), password).toEqual({
        ok: false,
        problem: { code: 'common' },
      });
    }
    // Only appended digits/punctuation are stripped: words around a common one are a passphrase.
    expect(checkPasswordPolicy('password of the purple otter', context)).toEqual({ ok: true });
    expect(checkPasswordPolicy('2024 blue kettles sing', context)).toEqual({ ok: true });
  });

  it('S6: the shipped common list has at least 10,000 entries', () => {
    expect(commonPasswordCount()).toBeGreaterThanOrEqual(10_000);
  });

  it('S8: contains username / email local part / app name refused', () => {
    const who = { ...context, username: 'Marguerite', email: 'bob.smith@example.com' };
    expect(checkPasswordPolicy('my name is MARGUERITE ok', who)).toEqual({
      ok: false,
      problem: { code: 'contains_personal', what: 'username' },
    });
    expect(checkPasswordPolicy('write to Bob.Smith anytime', who)).toEqual({
      ok: false,
      problem: { code: 'contains_personal', what: 'email' },
    });
    // The domain is not personal: only the local part is checked.
    expect(checkPasswordPolicy('example.com velvet lantern', who)).toEqual({ ok: true });
    expect(checkPasswordPolicy('i log in to gatehouse daily', who)).toEqual({
      ok: false,
      problem: { code: 'contains_personal', what: 'app_name' },
    });
    expect(checkPasswordPolicy('acme portal velvet lantern', { ...who, appName: 'Acme Portal' })).toEqual({
      ok: false,
      problem: { code: 'contains_personal', what: 'app_name', appName: 'Acme Portal' },
    });
    // The refusal names the operator's product, not Gatehouse.
    expect(
      passwordProblemMessage({ code: 'contains_personal', what: 'app_name', appName: 'Acme Portal' }).params,
    ).toEqual({ appName: 'Acme Portal' });
    // Usernames and local parts under three characters would match inside ordinary words.
    expect(
      checkPasswordPolicy('always quiet velvet lantern', { ...context, username: 'al', email: 'qu@x.io' }),
    ).toEqual({
      ok: true,
    });
  });
});

describe('field messages', () => {
  it('round-trip a key with parameters; numbers come back as numbers', () => {
    expect(encodeFieldMessage('password.mismatch')).toBe('password.mismatch');
    expect(decodeFieldMessage('password.mismatch')).toEqual({ key: 'password.mismatch', params: {} });
    const message = encodeFieldMessage('password.containsAppName', { appName: 'A & B?', n: 3 });
    expect(decodeFieldMessage(message)).toEqual({
      key: 'password.containsAppName',
      params: { appName: 'A & B?', n: 3 },
    });
  });

  it('map every policy problem to a catalogue key', () => {
    expect(passwordProblemMessage({ code: 'too_short', min: 15 })).toEqual({
      key: 'password.tooShort',
      params: { min: 15 },
    });
    expect(passwordProblemMessage({ code: 'too_long', max: 128 })).toEqual({
      key: 'password.tooLong',
      params: { max: 128 },
    });
    expect(passwordProblemMessage({ code: 'common' }).key).toBe('password.common');
    expect(passwordProblemMessage({ code: 'contains_personal', what: 'username' }).key).toBe(
      'password.containsUsername',
    );
    expect(passwordProblemMessage({ code: 'contains_personal', what: 'email' }).key).toBe(
      'password.containsEmail',
    );
    expect(passwordProblemMessage({ code: 'contains_personal', what: 'app_name' })).toEqual({
      key: 'password.containsAppName',
      params: { appName: 'Gatehouse' },
    });
    expect(passwordProblemFieldMessage({ code: 'breached', count: 1234 })).toBe(
      'password.breached?count=1234',
    );
  });
});

describe('newPasswordSchema', () => {
  const issuesOf = (input: unknown, min = 15) => {
    const result = newPasswordSchema(min).safeParse(input);
    return result.success ? [] : result.error.issues.map((i) => ({ path: i.path, message: i.message }));
  };

  it('accepts a matching pair within the bounds', () => {
    const pass = 'granite otter velvet lantern';
    expect(newPasswordSchema(15).safeParse({ password: pass, confirmPassword: pass })).toMatchObject({
      success: true,
      data: { password: pass, confirmPassword: pass },
    });
  });

  it('S36: a mismatch gives an error at path confirmPassword', () => {
    expect(
      issuesOf({ password: 'granite otter velvet lantern', confirmPassword: 'granite otter velvet lanterm' }),
    ).toEqual([{ path: ['confirmPassword'], message: 'password.mismatch' }]);
  });

  it('S5: composed and decomposed spellings of the same password match', () => {
    expect(
      issuesOf({
        password: 'café au lait, s’il vous plaît',
        confirmPassword: 'cafe\u0301 au lait, s’il vous plaît',
      }),
    ).toEqual([]);
  });

  it('S1: too short, with the minimum as a parameter, clamped to 8', () => {
    const [issue] = issuesOf({ password: 'short', confirmPassword: 'short' });
    expect(issue?.path).toEqual(['password']);
    expect(decodeFieldMessage(issue?.message ?? '')).toEqual({
      key: 'password.tooShort',
      params: { min: 15 },
    });

    const [clamped] = issuesOf({ password: 'short', confirmPassword: 'short' }, 4);
    expect(decodeFieldMessage(clamped?.message ?? '')).toEqual({
      key: 'password.tooShort',
      params: { min: 8 },
    });
  });

  it('S2: too long counts code points, and huge input is refused without a crash', () => {
    const long = filler(129);
    expect(issuesOf({ password: long, confirmPassword: long })).toEqual([
      { path: ['password'], message: 'password.tooLong?max=128' },
    ]);
    const huge = 'x'.repeat(2_000_000);
    expect(issuesOf({ password: huge, confirmPassword: huge })).toEqual([
      { path: ['password'], message: 'password.tooLong?max=128' },
    ]);
    expect(issuesOf({ password: huge, confirmPassword: `${huge}y` })).toHaveLength(2);
  });

  it('S52: wrong types get a field error, not an exception', () => {
    expect(issuesOf({ password: 42, confirmPassword: null })).toEqual([
      { path: ['password'], message: 'password.invalid' },
      { path: ['confirmPassword'], message: 'password.invalid' },
    ]);
    expect(issuesOf(undefined).length).toBeGreaterThan(0);
  });

  it('does not consult the common-password list (that runs on the server)', () => {
    const common = 'passwordpassword';
    expect(issuesOf({ password: common, confirmPassword: common })).toEqual([]);
    expect(checkPasswordLength(common, 15)).toBeUndefined();
  });
});

describe('checkBreached', () => {
  const password = 'granite otter velvet lantern';
  const sha1 = createHash('sha1').update(password, 'utf8').digest('hex').toUpperCase();
  const prefix = sha1.slice(0, 5);
  const suffix = sha1.slice(5);
  // What the range API answers: one SUFFIX:COUNT per line, CRLF, padded with zero-count entries.
  const rangeBody = (entries: [string, number][]) => entries.map(([s, c]) => `${s}:${c}`).join('\r\n');
  const otherSuffix = (n: number) => n.toString(16).toUpperCase().padStart(35, '0');

  function fakeFetch(respond: (url: string, init: RequestInit | undefined) => Promise<Response> | Response) {
    return vi.fn<typeof fetch>(async (input, init) => respond(String(input), init));
  }

  it('S7: found → breached with count; only the 5-char prefix is sent; padding asked for', async () => {
    const fetch = fakeFetch(
      () =>
        new Response(
          rangeBody([
            [otherSuffix(1), 0],
            [suffix, 4321],
            [otherSuffix(2), 7],
          ]),
        ),
    );
    const log = vi.fn();
    await expect(checkBreached(password, { enabled: true, fetch, log })).resolves.toEqual({
      breached: true,
      count: 4321,
    });
    expect(fetch).toHaveBeenCalledTimes(1);
    const [url, init] = fetch.mock.calls[0] ?? [];
    expect(url).toBe(`${PWNED_PASSWORDS_RANGE_URL}${prefix}`);
    expect(String(url)).not.toContain(suffix.slice(0, 10));
    expect(JSON.stringify(init)).not.toContain(suffix.slice(0, 10));
    expect(new Headers(init?.headers).get('Add-Padding')).toBe('true');
    expect(log).not.toHaveBeenCalled();
  });

  it('S7: hashes the NFKC form and matches suffixes case-insensitively', async () => {
    const decomposed = 'cafe\u0301 lantern otter';
    const digest = createHash('sha1').update('café lantern otter', 'utf8').digest('hex').toUpperCase();
    const fetch = fakeFetch((url) =>
      url.endsWith(digest.slice(0, 5))
        ? new Response(`${digest.slice(5).toLowerCase()}:3\n`)
        : new Response('', { status: 404 }),
    );
    await expect(
      checkBreached(decomposed, { enabled: true, fetch, endpoint: 'http://hibp.test/range' }),
    ).resolves.toEqual({
      breached: true,
      count: 3,
    });
    expect(fetch.mock.calls[0]?.[0]).toBe(`http://hibp.test/range/${digest.slice(0, 5)}`);
  });

  it('S7: absent, or present only as padding (count 0) → not breached', async () => {
    const log = vi.fn();
    const absent = fakeFetch(
      () =>
        new Response(
          rangeBody([
            [otherSuffix(1), 2],
            [otherSuffix(2), 0],
          ]),
        ),
    );
    await expect(checkBreached(password, { enabled: true, fetch: absent, log })).resolves.toEqual({
      breached: false,
    });
    const padding = fakeFetch(() => new Response(rangeBody([[suffix, 0]])));
    await expect(checkBreached(password, { enabled: true, fetch: padding, log })).resolves.toEqual({
      breached: false,
    });
    expect(log).not.toHaveBeenCalled();
  });

  it('S7: off by default: disabled sends nothing', async () => {
    const fetch = fakeFetch(() => new Response(rangeBody([[suffix, 9]])));
    await expect(checkBreached(password, { enabled: false, fetch })).resolves.toEqual({ breached: false });
    expect(fetch).not.toHaveBeenCalled();
  });

  it('S7: network error / timeout / 500 → fails open and logs', async () => {
    const cases: [string, typeof fetch, object][] = [
      ['network', fakeFetch(() => Promise.reject(new TypeError('fetch failed'))), { reason: 'network' }],
      ['500', fakeFetch(() => new Response('oops', { status: 500 })), { reason: 'http_status', status: 500 }],
      [
        'timeout honouring the abort signal',
        fakeFetch(
          (_url, init) =>
            new Promise<Response>((_resolve, reject) => {
              init?.signal?.addEventListener('abort', () =>
                reject(new DOMException('aborted', 'AbortError')),
              );
            }),
        ),
        { reason: 'timeout' },
      ],
      [
        'timeout ignoring the abort signal',
        fakeFetch(() => new Promise<Response>(() => {})),
        { reason: 'timeout' },
      ],
      [
        'not a range response',
        fakeFetch(() => new Response('<html>maintenance</html>')),
        { reason: 'bad_response' },
      ],
    ];
    for (const [name, fetch, fields] of cases) {
      const log = vi.fn();
      const started = performance.now();
      await expect(
        checkBreached(password, { enabled: true, fetch, log, timeoutMs: 50 }),
        name,
      ).resolves.toEqual({
        breached: false,
      });
      expect(performance.now() - started, name).toBeLessThan(1000);
      expect(log, name).toHaveBeenCalledTimes(1);
      expect(log, name).toHaveBeenCalledWith('password.breach_check_unavailable', fields);
      expect(JSON.stringify(log.mock.calls), name).not.toContain(prefix);
    }
  });

  it('S7: without a log option, failures are a warning on the app log (not an error)', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const fetch = fakeFetch(() => new Response('', { status: 503 }));
    await expect(checkBreached(password, { enabled: true, fetch })).resolves.toEqual({ breached: false });
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toContain('password.breach_check_unavailable');
  });
});

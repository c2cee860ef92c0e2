import { describe, expect, it } from 'vitest';
import {
  assertValidMessage,
  isMailError,
  isValidAddress,
  MAX_BODY_BYTES,
  MailError,
  validateMessage,
  type MailMessage,
} from './message';

function mail(overrides: Partial<MailMessage> = {}): MailMessage {
  return {
    from: { name: 'Gatehouse', address: 'accounts@example.test' },
    to: 'ada@example.test',
    subject: 'Verify your email address',
    html: '<p>Hi</p>',
    text: 'Hi',
    ...overrides,
  };
}

describe('validateMessage', () => {
  it('accepts an ordinary message', () => {
    expect(validateMessage(mail())).toEqual({ ok: true });
    expect(
      validateMessage(
        mail({ subject: 'Tab\tis fine', headers: { 'List-Unsubscribe': '<mailto:u@example.test>' } }),
      ),
    ).toEqual({ ok: true });
  });

  it('refuses a Bcc smuggled in through the subject', () => {
    expect(validateMessage(mail({ subject: 'Hello\r\nBcc: evil@example.com' }))).toMatchObject({
      ok: false,
      code: 'invalid_subject',
    });
    expect(validateMessage(mail({ subject: 'Hello\nBcc: evil@example.com' }))).toMatchObject({
      code: 'invalid_subject',
    });
    expect(validateMessage(mail({ subject: 'Hello\u2028Bcc: evil@example.com' }))).toMatchObject({
      code: 'invalid_subject',
    });
  });

  it.each([
    ['CR/LF', 'ada@example.test\r\nBcc: evil@example.com'],
    ['a bare LF', 'ada@example.test\n'],
    ['NUL', 'ada\u0000@example.test'],
    ['two recipients', 'ada@example.test, evil@example.com'],
    ['two recipients without a space', 'ada@example.test,evil@example.com'],
    ['a display name', 'Ada <ada@example.test>'],
    ['no @', 'ada.example.test'],
    ['no domain', 'ada@'],
    ['a dotless domain', 'ada@localhost'],
    ['a space', 'ada lovelace@example.test'],
    ['a quoted local part', '"ada"@example.test'],
    ['a leading dot', '.ada@example.test'],
    ['two dots', 'ada..l@example.test'],
    ['an empty string', ''],
  ])('refuses a recipient with %s', (_, to) => {
    expect(validateMessage(mail({ to }))).toMatchObject({ ok: false, code: 'invalid_recipient' });
  });

  it('refuses an address over 254 characters and accepts one of exactly 254', () => {
    const domain = `${'d'.repeat(63)}.${'e'.repeat(63)}.${'f'.repeat(63)}.test`;
    const at254 = `${'a'.repeat(254 - domain.length - 1)}@${domain}`;
    expect(at254).toHaveLength(254);
    expect(validateMessage(mail({ to: at254 }))).toEqual({ ok: true });
    const at255 = `b${at254}`;
    expect(at255).toHaveLength(255);
    expect(validateMessage(mail({ to: at255 }))).toMatchObject({ ok: false, code: 'invalid_recipient' });
    expect(validateMessage(mail({ from: { name: 'G', address: at255 } }))).toMatchObject({
      code: 'invalid_sender',
    });
  });

  it('refuses a local part over 64 bytes', () => {
    expect(isValidAddress(`${'a'.repeat(64)}@example.test`)).toBe(true);
    expect(isValidAddress(`${'a'.repeat(65)}@example.test`)).toBe(false);
  });

  it('accepts the addresses people really have', () => {
    for (const address of [
      'ada@example.test',
      'ada.lovelace+gatehouse@mail.example.co.uk',
      "o'brien@example.ie",
      'ADA_L-1@EXAMPLE.TEST',
      'ada@xn--bcher-kva.example',
      'ada@bücher.example',
      'josé@example.test',
    ]) {
      expect(isValidAddress(address), address).toBe(true);
    }
  });

  it('refuses a bad sender address or a sender name with a line break', () => {
    expect(validateMessage(mail({ from: { name: 'Gatehouse', address: 'nope' } }))).toMatchObject({
      code: 'invalid_sender',
    });
    expect(
      validateMessage(
        mail({ from: { name: 'Gatehouse\r\nBcc: evil@example.com', address: 'accounts@example.test' } }),
      ),
    ).toMatchObject({ code: 'invalid_sender' });
  });

  it('refuses header names and values that could inject or override headers', () => {
    expect(validateMessage(mail({ headers: { 'X-Ok': 'a\r\nBcc: evil@example.com' } }))).toMatchObject({
      code: 'invalid_header',
    });
    expect(validateMessage(mail({ headers: { 'X-Bad: y\r\nBcc': 'evil@example.com' } }))).toMatchObject({
      code: 'invalid_header',
    });
    expect(validateMessage(mail({ headers: { bcc: 'evil@example.com' } }))).toMatchObject({
      code: 'invalid_header',
    });
    expect(validateMessage(mail({ headers: { 'Content-Type': 'text/plain' } }))).toMatchObject({
      code: 'invalid_header',
    });
  });

  it('refuses a body part over 1 MB, counting bytes rather than characters', () => {
    const fiveMb = 'x'.repeat(5 * 1024 * 1024);
    expect(validateMessage(mail({ html: fiveMb }))).toMatchObject({ ok: false, code: 'body_too_large' });
    expect(validateMessage(mail({ text: fiveMb }))).toMatchObject({ ok: false, code: 'body_too_large' });
    expect(
      validateMessage(mail({ html: 'x'.repeat(MAX_BODY_BYTES), text: 'x'.repeat(MAX_BODY_BYTES) })),
    ).toEqual({
      ok: true,
    });
    // 2 bytes each in UTF-8: within the limit in characters, over it in bytes.
    expect(validateMessage(mail({ text: 'é'.repeat(MAX_BODY_BYTES / 2 + 1) }))).toMatchObject({
      code: 'body_too_large',
    });
  });
});

describe('assertValidMessage', () => {
  it('throws a permanent MailError with the refusal code', () => {
    expect(() => assertValidMessage(mail({ subject: 'a\r\nb' }))).toThrow(MailError);
    try {
      assertValidMessage(mail({ to: 'x' }));
    } catch (error) {
      expect(error).toMatchObject({ name: 'MailError', code: 'invalid_recipient', permanent: true });
    }
  });
});

describe('isMailError', () => {
  it('knows a MailError made by another copy of this module (another chunk of the build)', () => {
    const fromOtherCopy = Object.assign(new Error('535 5.7.8 Authentication credentials invalid'), {
      name: 'MailError',
      code: 'auth_failed',
    });
    expect(fromOtherCopy instanceof MailError).toBe(false);
    expect(isMailError(fromOtherCopy)).toBe(true);
    expect(isMailError(new MailError('auth_failed', 'x', { permanent: false }))).toBe(true);
    expect(isMailError(new Error('MailError'))).toBe(false);
    expect(isMailError(Object.assign(new Error('x'), { name: 'MailError' }))).toBe(false);
  });
});

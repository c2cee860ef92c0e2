import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { eq, sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { auditEvents, settings, users } from '@/db/schema';
import { ManualClock } from '@/lib/clock';
import { registerUser } from '@/lib/registration';
import { getSetting, setSetting } from '@/lib/settings';
import { domainCovers, emailDomain, isDomainAccepted } from '@/lib/signup-policy';
import { registrationSchema, type RegistrationInput } from '@/lib/validation/registration';
import { setUpMailbox } from '@/tests/helpers/mail';
import { setUpTestDatabase } from '@/tests/helpers/test-db';
import { createTestUser, freshContext, TEST_PASSWORD } from '@/tests/helpers/users';

const t = setUpTestDatabase();
const mailbox = setUpMailbox();
const clock = new ManualClock(new Date());

function input(username: string, email: string): RegistrationInput {
  return registrationSchema(15).parse({
    username,
    email,
    password: TEST_PASSWORD,
    confirmPassword: TEST_PASSWORD,
    fullName: 'Someone',
  });
}

const userByEmail = async (email: string) =>
  (await t.db.select().from(users).where(eq(users.email, email)))[0];

afterEach(async () => {
  await t.db.delete(settings);
});

describe('domain rules', () => {
  it('an entry covers the domain and its subdomains, never a longer name that merely ends alike', () => {
    expect(domainCovers('example.com', 'example.com')).toBe(true);
    expect(domainCovers('example.com', 'mail.example.com')).toBe(true);
    expect(domainCovers('example.com', 'badexample.com')).toBe(false);
    expect(domainCovers('mail.example.com', 'example.com')).toBe(false);
  });

  it('reads the domain after the last @, lower-cased, without a trailing dot', () => {
    expect(emailDomain('"a@b"@Mail.Example.COM.')).toBe('mail.example.com');
  });

  it('block wins over allow; an empty allow-list allows every other domain', () => {
    const rules = { allowed: ['example.com'], blocked: ['guests.example.com'] };
    expect(isDomainAccepted('ada@example.com', rules)).toBe(true);
    expect(isDomainAccepted('ada@staff.example.com', rules)).toBe(true);
    expect(isDomainAccepted('ada@guests.example.com', rules)).toBe(false);
    expect(isDomainAccepted('ada@example.org', rules)).toBe(false);
    expect(isDomainAccepted('ada@example.org', { allowed: [], blocked: ['spam.test'] })).toBe(true);
    expect(isDomainAccepted('ada@x.spam.test', { allowed: [], blocked: ['spam.test'] })).toBe(false);
  });
});

describe('registration follows the sign-up mode', () => {
  it('closed: refused, nothing stored, no mail queued', async () => {
    await setSetting(t.db, 'signup_mode', 'closed');
    const result = await registerUser(t.db, input('closed1', 'closed1@example.com'), freshContext(), clock);
    expect(result).toEqual({ ok: false, code: 'signup_closed' });
    expect(await userByEmail('closed1@example.com')).toBeUndefined();
  });

  it('invite only: refused without an invite, and with a token that is no invite', async () => {
    await setSetting(t.db, 'signup_mode', 'invite');
    expect(await registerUser(t.db, input('inv1', 'inv1@example.com'), freshContext(), clock)).toEqual({
      ok: false,
      code: 'invite_required',
    });
    expect(
      await registerUser(
        t.db,
        { ...input('inv1', 'inv1@example.com'), inviteToken: 'A'.repeat(43) },
        freshContext(),
        clock,
      ),
    ).toEqual({ ok: false, code: 'invite_invalid' });
    expect(await userByEmail('inv1@example.com')).toBeUndefined();
  });

  it('open: a new account, unconfirmed until its link is followed', async () => {
    await setSetting(t.db, 'signup_mode', 'open');
    expect(await registerUser(t.db, input('open1', 'open1@example.com'), freshContext(), clock)).toEqual({
      ok: true,
    });
    const user = await userByEmail('open1@example.com');
    expect(user?.emailVerifiedAt).toBeNull();
  });

  it('a blocked domain is refused with the same answer whether or not the address has an account', async () => {
    await createTestUser(t.db, clock, 'taken', { email: 'taken@blocked.example' });
    await setSetting(t.db, 'signup_blocked_domains', ['blocked.example']);
    const known = await registerUser(t.db, input('xone', 'taken@blocked.example'), freshContext(), clock);
    const unknown = await registerUser(
      t.db,
      input('xtwo', 'nobody@sub.blocked.example'),
      freshContext(),
      clock,
    );
    expect(known).toEqual({ ok: false, code: 'domain_not_allowed' });
    expect(unknown).toEqual(known);
    expect(await userByEmail('nobody@sub.blocked.example')).toBeUndefined();
    // The owner of the existing account is not mailed either: nothing depends on the account.
    await mailbox.deliver(t.db, clock);
    expect(mailbox.catcher.messages.filter((m) => m.envelope.to.includes('taken@blocked.example'))).toEqual(
      [],
    );
  });

  it('with an allow-list, only its domains and their subdomains may sign up', async () => {
    await setSetting(t.db, 'signup_allowed_domains', ['corp.example']);
    expect(await registerUser(t.db, input('out1', 'out1@example.com'), freshContext(), clock)).toEqual({
      ok: false,
      code: 'domain_not_allowed',
    });
    expect(await registerUser(t.db, input('in1', 'in1@eu.corp.example'), freshContext(), clock)).toEqual({
      ok: true,
    });
    const registered = await t.db.select().from(auditEvents).where(eq(auditEvents.action, 'user.registered'));
    expect(registered.map((event) => event.userId)).toContain((await userByEmail('in1@eu.corp.example'))?.id);
  });
});

describe('upgrade from require_approval', () => {
  /** The data statements of this feature's migration, run again on rows an older install would hold. */
  async function rerunSettingsMigration() {
    const dir = fileURLToPath(new URL('../drizzle/', import.meta.url));
    const file = readdirSync(dir).find((name) => name.endsWith('_signup_policy.sql'))!;
    const statements = readFileSync(`${dir}${file}`, 'utf8')
      .split('--> statement-breakpoint')
      .filter((statement) => !statement.includes('ALTER TYPE'));
    for (const statement of statements) await t.db.execute(sql.raw(statement));
  }

  it.each([
    [false, 'open'],
    [true, 'approval'],
  ])('require_approval %s becomes signup_mode %s, and the old key goes', async (old, mode) => {
    await t.db.insert(settings).values({ key: 'require_approval', value: old });
    await rerunSettingsMigration();
    expect(await getSetting(t.db, 'signup_mode')).toBe(mode);
    expect(await t.db.select().from(settings).where(eq(settings.key, 'require_approval'))).toEqual([]);
  });
});

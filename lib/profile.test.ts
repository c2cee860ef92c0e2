import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { auditEvents, users } from '@/db/schema';
import { ManualClock } from '@/lib/clock';
import { updateProfile } from '@/lib/profile';
import { updateSettings } from '@/lib/user-settings';
import { profileSchema, settingsSchema } from '@/lib/validation/profile';
import { validateFormData } from '@/lib/web/form-validation';
import { formData } from '@/tests/helpers/forms';
import { setUpTestDatabase } from '@/tests/helpers/test-db';

const t = setUpTestDatabase();
const clock = new ManualClock(new Date());
const ctx = { ip: '192.0.2.10', userAgent: 'vitest' };

async function makeUser(username: string) {
  const [user] = await t.db
    .insert(users)
    .values({
      username,
      email: `${username.toLowerCase()}@example.com`,
      fullName: username,
      passwordHash: 'not-a-real-hash',
    })
    .returning();
  return user!;
}

async function userRow(id: string) {
  const [row] = await t.db.select().from(users).where(eq(users.id, id));
  return row!;
}

async function settingsEvents(userId: string) {
  return t.db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.userId, userId), eq(auditEvents.action, 'settings.changed')));
}

const profileBase = {
  username: 'someone',
  fullName: 'Some One',
  phone: '',
  address: '',
  city: '',
  country: '',
};

describe('updateProfile', () => {
  it('changes the username, keeps usernames unique whatever their case, and audits field names only', async () => {
    const ada = await makeUser('Ada');
    const grace = await makeUser('Grace');

    const renamed = await updateProfile(
      t.db,
      { userId: ada.id, ...profileBase, username: 'Lovelace', fullName: 'Ada' },
      ctx,
      clock,
    );
    expect(renamed).toEqual({ ok: true });
    expect((await userRow(ada.id)).username).toBe('Lovelace');
    const events = await settingsEvents(ada.id);
    expect(events).toHaveLength(1);
    expect(events[0]!.actorId).toBe(ada.id);
    expect(events[0]!.meta).toEqual({ area: 'profile', fields: ['username'] });
    expect(JSON.stringify(events[0]!.meta)).not.toContain('Lovelace');

    // Grace cannot take Ada's new name in any case.
    for (const username of ['lovelace', 'LOVELACE', 'Lovelace']) {
      const taken = await updateProfile(
        t.db,
        { userId: grace.id, ...profileBase, username, fullName: 'Grace' },
        ctx,
        clock,
      );
      expect(taken).toEqual({ ok: false, code: 'username_taken' });
    }
    expect((await userRow(grace.id)).username).toBe('Grace');
    expect(await settingsEvents(grace.id)).toHaveLength(0);

    // Ada may change the case of her own name.
    const recased = await updateProfile(
      t.db,
      { userId: ada.id, ...profileBase, username: 'LOVELACE', fullName: 'Ada' },
      ctx,
      clock,
    );
    expect(recased).toEqual({ ok: true });
    expect((await userRow(ada.id)).username).toBe('LOVELACE');

    // Saving without a change records nothing.
    await updateProfile(
      t.db,
      { userId: ada.id, ...profileBase, username: 'LOVELACE', fullName: 'Ada' },
      ctx,
      clock,
    );
    expect(await settingsEvents(ada.id)).toHaveLength(2);
  });

  it('answers username_taken when the unique index catches a race', async () => {
    const a = await makeUser('racer-a');
    const b = await makeUser('racer-b');
    const results = await Promise.all([
      updateProfile(t.db, { userId: a.id, ...profileBase, username: 'winner', fullName: 'A' }, ctx, clock),
      updateProfile(t.db, { userId: b.id, ...profileBase, username: 'Winner', fullName: 'B' }, ctx, clock),
    ]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok)).toEqual([{ ok: false, code: 'username_taken' }]);
  });

  it('stores the fields trimmed, through the schema as the action does', async () => {
    const user = await makeUser('trimmer');
    const parsed = await validateFormData(
      profileSchema,
      formData({
        username: '  trimmed.name ',
        fullName: '  Tim Rimmer  ',
        phone: ' +44 20 7946 0000 ',
        address: ' 1 High Street ',
        city: '  London ',
        country: ' United Kingdom  ',
      }),
    );
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(await updateProfile(t.db, { userId: user.id, ...parsed.data }, ctx, clock)).toEqual({ ok: true });
    const row = await userRow(user.id);
    expect(row).toMatchObject({
      username: 'trimmed.name',
      fullName: 'Tim Rimmer',
      phone: '+44 20 7946 0000',
      address: '1 High Street',
      city: 'London',
      country: 'United Kingdom',
    });
    const [event] = await settingsEvents(user.id);
    expect(event!.meta).toEqual({
      area: 'profile',
      fields: ['username', 'fullName', 'phone', 'address', 'city', 'country'],
    });

    // Trimming happens in lib too, for callers that skip the schema.
    await updateProfile(
      t.db,
      { userId: user.id, ...profileBase, username: ' trimmed.name ', fullName: ' Tim ', city: ' Paris ' },
      ctx,
      clock,
    );
    expect(await userRow(user.id)).toMatchObject({
      username: 'trimmed.name',
      fullName: 'Tim',
      city: 'Paris',
    });
  });

  it('refuses a 10,000-character city and a phone with letters with field errors', async () => {
    const parsed = await validateFormData(
      profileSchema,
      formData({ username: 'valid', fullName: 'Valid', phone: '+1 555 CALL NOW', city: 'x'.repeat(10_000) }),
    );
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(Object.keys(parsed.fieldErrors).sort()).toEqual(['city', 'phone']);
    expect(parsed.fieldErrors.city).toEqual({ key: 'form.errors.tooLong', params: { max: 100 } });
    expect(parsed.fieldErrors.phone?.key).toBe('register.errors.phone');
  });
});

describe('updateSettings', () => {
  it('saves the preferences and audits the changed field names', async () => {
    const user = await makeUser('prefs');
    const parsed = await validateFormData(
      settingsSchema,
      // An unticked checkbox is not sent.
      formData({ theme: 'dark', locale: 'fr', timezone: 'Europe/Paris' }),
    );
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.data).toEqual({
      emailNotifications: false,
      theme: 'dark',
      locale: 'fr',
      timezone: 'Europe/Paris',
    });
    expect(await updateSettings(t.db, { userId: user.id, ...parsed.data }, ctx, clock)).toEqual({ ok: true });
    expect(await userRow(user.id)).toMatchObject({
      emailNotifications: false,
      theme: 'dark',
      locale: 'fr',
      timezone: 'Europe/Paris',
    });
    const events = await settingsEvents(user.id);
    expect(events.map((e) => e.meta)).toEqual([
      { area: 'preferences', fields: ['emailNotifications', 'theme', 'locale', 'timezone'] },
    ]);

    const ticked = await validateFormData(
      settingsSchema,
      formData({ emailNotifications: 'on', theme: 'dark', locale: 'fr', timezone: 'utc' }),
    );
    expect(ticked.ok && ticked.data).toEqual({
      emailNotifications: true,
      theme: 'dark',
      locale: 'fr',
      timezone: 'UTC',
    });
  });

  it('refuses an unknown language, theme, time zone or checkbox value with field errors, storing nothing', async () => {
    const user = await makeUser('crafty');
    const before = await userRow(user.id);
    const parsed = await validateFormData(
      settingsSchema,
      formData({ emailNotifications: 'yes', theme: 'neon', locale: 'xx', timezone: 'Mars/Olympus_Mons' }),
    );
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.fieldErrors).toEqual({
      emailNotifications: { key: 'form.errors.invalidChoice' },
      theme: { key: 'form.errors.invalidChoice' },
      locale: { key: 'form.errors.invalidChoice' },
      timezone: { key: 'settingsPage.errors.timezone' },
    });
    const long = await validateFormData(
      settingsSchema,
      formData({ theme: 'light', locale: 'en', timezone: 'Europe/'.padEnd(10_000, 'x') }),
    );
    expect(long.ok).toBe(false);
    if (!long.ok) expect(Object.keys(long.fieldErrors)).toEqual(['timezone']);
    // Nothing reached the database: the action only calls updateSettings with accepted data.
    expect(await userRow(user.id)).toEqual(before);
    expect(await settingsEvents(user.id)).toHaveLength(0);
  });
});

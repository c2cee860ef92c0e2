import { and, eq, ne, sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { users } from '@/db/schema';
import { recordAudit } from './audit';
import { MINUTE, type Clock } from './clock';
import { isLocale } from './i18n/config';
import { spendMailBudget } from './mail-budget';
import { enqueueMail } from './mail/outbox';
import { hashPassword } from './password';
import { checkNewPassword } from './password-policy';
import { hitAll, limits } from './rate-limit';
import type { RequestContext } from './request-context';
import { getSetting } from './settings';
import { issueToken } from './tokens';
import { appUrl } from './urls';
import type { RegistrationInput } from './validation/registration';
import type { PasswordProblem } from './validation/password';

export type RegistrationResult =
  | { ok: true }
  | { ok: false; code: 'rate_limited' | 'busy'; retryAfterSeconds: number }
  | { ok: false; code: 'password_policy'; problem: PasswordProblem };

/**
 * Creates an unverified account and mails its confirmation link. A taken email or username gets the
 * very same answer (S13): the owner of the address is mailed instead, so only someone who reads that
 * inbox learns anything. An address whose earlier sign-up was never confirmed is not taken: the new
 * sign-up replaces that row, its profile and its password (decision 016).
 */
export async function registerUser(
  db: Db,
  input: RegistrationInput,
  context: RequestContext,
  clock: Clock,
): Promise<RegistrationResult> {
  const limited = await hitAll(
    db,
    [
      [limits.registerPerIp, context.ip],
      [limits.registerPerEmail, input.email],
    ],
    clock,
  );
  if (!limited.ok) return { ok: false, code: 'rate_limited', retryAfterSeconds: limited.retryAfterSeconds };

  const minLength = await getSetting(db, 'password_min_length');
  const policy = await checkNewPassword(input.password, {
    minLength,
    username: input.username,
    email: input.email,
  });
  if (!policy.ok) return { ok: false, code: 'password_policy', problem: policy.problem };

  // Hashed whether or not the account will be created, so both answers take the same time.
  const hashed = await hashPassword(input.password);
  if (!hashed.ok) return { ok: false, code: 'busy', retryAfterSeconds: hashed.retryAfterSeconds };

  const ttlMinutes = await getSetting(db, 'verify_email_ttl_minutes');
  const audit = { ip: context.ip, userAgent: context.userAgent };
  // Every branch below sends exactly one mail; over the hourly budget none is sent, same answer.
  const mayMail = await spendMailBudget(db, clock);
  try {
    await db.transaction(async (tx) => {
      // Locked: of two sign-ups replacing one unconfirmed row, the second waits and then finds it gone.
      const [byEmail] = await tx
        .select()
        .from(users)
        .where(eq(users.email, input.email))
        .limit(1)
        .for('update');
      if (byEmail?.emailVerifiedAt) {
        if (mayMail)
          await enqueueMail(tx, {
            to: byEmail.email,
            template: 'account-exists',
            locale: isLocale(byEmail.locale) ? byEmail.locale : 'en',
            props: {
              username: byEmail.username,
              loginUrl: appUrl('/login'),
              forgotPasswordUrl: appUrl('/forgot-password'),
            },
            clock,
          });
        await recordAudit(
          tx,
          { action: 'registration.duplicate', userId: byEmail.id, meta: { field: 'email' }, ...audit },
          clock,
        );
        return;
      }
      // The unconfirmed row this sign-up replaces does not hold its username against it.
      const [byUsername] = await tx
        .select({ id: users.id })
        .from(users)
        .where(
          and(
            eq(sql`lower(${users.username})`, input.username.toLowerCase()),
            byEmail ? ne(users.id, byEmail.id) : undefined,
          ),
        )
        .limit(1);
      if (byUsername) {
        if (mayMail)
          await enqueueMail(tx, {
            to: input.email,
            template: 'username-taken',
            locale: input.locale,
            props: { username: input.username, loginUrl: appUrl('/login'), registerUrl: appUrl('/register') },
            clock,
          });
        await recordAudit(
          tx,
          { action: 'registration.duplicate', userId: byUsername.id, meta: { field: 'username' }, ...audit },
          clock,
        );
        return;
      }
      if (byEmail) {
        // Nobody has proven this address yet, so the earlier sign-up (perhaps a stranger's, with a
        // password the owner never chose: S56) is not an account to protect but a registration to
        // replace. Its tokens go with it, so its link dies; the new one gets its own link.
        await tx.delete(users).where(eq(users.id, byEmail.id));
        await recordAudit(
          tx,
          { action: 'registration.replaced_unconfirmed', userId: byEmail.id, ...audit },
          clock,
        );
      }
      const now = clock.now();
      const [user] = await tx
        .insert(users)
        .values({
          email: input.email,
          username: input.username,
          passwordHash: hashed.hash,
          fullName: input.fullName,
          phone: input.phone,
          address: input.address,
          city: input.city,
          country: input.country,
          locale: input.locale,
          timezone: input.timezone,
          signupComment: input.comment,
          createdAt: now,
          updatedAt: now,
        })
        .returning();
      const token = await issueToken(tx, {
        userId: user!.id,
        purpose: 'verify_email',
        ttlMs: ttlMinutes * MINUTE,
        clock,
      });
      if (mayMail)
        await enqueueMail(tx, {
          to: user!.email,
          template: 'verify-email',
          locale: input.locale,
          props: {
            username: user!.username,
            verifyUrl: appUrl('/verify-email', { token: token.token }),
            expiresInMinutes: ttlMinutes,
          },
          clock,
        });
      await recordAudit(
        tx,
        { action: 'user.registered', userId: user!.id, actorId: user!.id, ...audit },
        clock,
      );
    });
  } catch (error) {
    // Two sign-ups for one address at the same moment: the loser gets the same answer as any duplicate.
    if (isUniqueViolation(error)) return { ok: true };
    throw error;
  }
  return { ok: true };
}

export function isUniqueViolation(error: unknown): boolean {
  for (let e: unknown = error; e && typeof e === 'object'; e = (e as { cause?: unknown }).cause) {
    if ((e as { code?: unknown }).code === '23505') return true;
  }
  return false;
}

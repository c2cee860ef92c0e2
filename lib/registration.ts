import { and, eq, ne, sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { users } from '@/db/schema';
import { recordAudit } from './audit';
import { MINUTE, type Clock } from './clock';
import { isLocale } from './i18n/config';
import { spendMailBudget } from './mail-budget';
import { enqueueMail } from './mail/outbox';
import { hashPassword } from './password';
import { checkNewPassword, platformPasswordContext } from './password-policy';
import { hitAll, limits } from './rate-limit';
import type { RequestContext } from './request-context';
import { getSetting } from './settings';
import { signupDomainAccepted } from './signup-policy';
import { consumeToken, findLiveToken, issueToken } from './tokens';
import { appUrl } from './urls';
import type { RegistrationInput } from './validation/registration';
import type { PasswordProblem } from './validation/password';

export type RegistrationResult =
  | { ok: true }
  | { ok: false; code: 'signup_closed' | 'invite_required' | 'invite_invalid' | 'domain_not_allowed' }
  | { ok: false; code: 'rate_limited' | 'busy'; retryAfterSeconds: number }
  | { ok: false; code: 'password_policy'; problem: PasswordProblem };

/** The form's fields, and the clear token of the invite link the person followed, if any. */
export type RegisterUserInput = RegistrationInput & { inviteToken?: string };

/**
 * Creates an unverified account and mails its confirmation link. A taken email or username gets the
 * very same answer (S13): the owner of the address is mailed instead, so only someone who reads that
 * inbox learns anything. An address whose earlier sign-up was never confirmed is not taken: the new
 * sign-up replaces that row, its profile and its password (decision 016).
 *
 * The sign-up policy is enforced here, so every door (form, JSON API) follows it (decision 030):
 * closed refuses all; invite-only needs a live invite; an invite binds the address, and since its
 * link reached that mailbox the account is confirmed and active at once, with a welcome mail instead
 * of a confirmation link. The domain rules answer by domain alone, never by whether an account exists.
 */
export async function registerUser(
  db: Db,
  input: RegisterUserInput,
  context: RequestContext,
  clock: Clock,
): Promise<RegistrationResult> {
  const mode = await getSetting(db, 'signup_mode');
  if (mode === 'closed') return { ok: false, code: 'signup_closed' };
  let invite: { id: string; email: string } | undefined;
  if (input.inviteToken !== undefined) {
    const live = await findLiveToken(db, { token: input.inviteToken, purpose: 'invite', clock });
    if (live.ok && live.token.newEmail) invite = { id: live.token.id, email: live.token.newEmail };
    // A spent invite where anyone may sign up is just an ordinary sign-up with the typed address.
    else if (mode === 'invite') return { ok: false, code: 'invite_invalid' };
  } else if (mode === 'invite') {
    return { ok: false, code: 'invite_required' };
  }
  if (invite) input = { ...input, email: invite.email };
  if (!(await signupDomainAccepted(db, input.email))) return { ok: false, code: 'domain_not_allowed' };

  const limited = await hitAll(
    db,
    [
      [limits.registerPerIp, context.ip],
      [limits.registerPerEmail, input.email],
    ],
    clock,
  );
  if (!limited.ok) return { ok: false, code: 'rate_limited', retryAfterSeconds: limited.retryAfterSeconds };

  const platform = await platformPasswordContext(db);
  const policy = await checkNewPassword(input.password, {
    ...platform,
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
    return await db.transaction(async (tx): Promise<RegistrationResult> => {
      // Locked: of two sign-ups replacing one unconfirmed row, the second waits and then finds it gone.
      const [byEmail] = await tx
        .select()
        .from(users)
        .where(eq(users.email, input.email))
        .limit(1)
        .for('update');
      if (byEmail?.emailVerifiedAt) {
        // The invite is spent like any other: its link led to an address that already has an account.
        if (invite) await consumeToken(tx, { token: input.inviteToken, purpose: 'invite', clock });
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
        return { ok: true };
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
        // An invite stays live: its mail still holds the link to try again with another username.
        return { ok: true };
      }
      // Taken inside the transaction: of two sign-ups with one invite, only one gets the account.
      if (invite && !(await consumeToken(tx, { token: input.inviteToken, purpose: 'invite', clock })).ok) {
        return { ok: false, code: 'invite_invalid' };
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
          ...(invite ? { emailVerifiedAt: now, approvedAt: now } : {}),
          createdAt: now,
          updatedAt: now,
        })
        .returning();
      await recordAudit(
        tx,
        {
          action: 'user.registered',
          userId: user!.id,
          actorId: user!.id,
          ...(invite ? { meta: { inviteId: invite.id } } : {}),
          ...audit,
        },
        clock,
      );
      if (invite) {
        if (mayMail)
          await enqueueMail(tx, {
            to: user!.email,
            template: 'welcome',
            locale: input.locale,
            props: { username: user!.username, loginUrl: appUrl('/login') },
            clock,
          });
        await recordAudit(
          tx,
          {
            action: 'invite.accepted',
            userId: user!.id,
            actorId: user!.id,
            meta: { inviteId: invite.id },
            ...audit,
          },
          clock,
        );
        return { ok: true };
      }
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
      return { ok: true };
    });
  } catch (error) {
    // Two sign-ups for one address at the same moment: the loser gets the same answer as any duplicate.
    if (isUniqueViolation(error)) return { ok: true };
    throw error;
  }
}

export function isUniqueViolation(error: unknown): boolean {
  for (let e: unknown = error; e && typeof e === 'object'; e = (e as { cause?: unknown }).cause) {
    if ((e as { code?: unknown }).code === '23505') return true;
  }
  return false;
}

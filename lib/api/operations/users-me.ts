import 'server-only';
import { deleteAccount } from '@/lib/account-deletion';
import { systemClock } from '@/lib/clock';
import { requestEmailChange } from '@/lib/email-change';
import { changePassword } from '@/lib/password-change';
import { updateProfile } from '@/lib/profile';
import { confirmRecoveryPhrase, createRecoveryPhrase } from '@/lib/recovery-phrase';
import { listSessionsForUser, revokeOtherSession } from '@/lib/session-management';
import { updateSettings } from '@/lib/user-settings';
import {
  acceptedSchema,
  deleteOwnAccountSchema,
  meResponseSchema,
  recoveryPhraseConfirmSchema,
  recoveryPhraseCreatedSchema,
  recoveryPhraseCreateSchema,
  sessionListSchema,
  sessionPathSchema,
  settingsPatchSchema,
  settingsResponseSchema,
} from '@/lib/validation/api';
import { emailChangeSchema } from '@/lib/validation/email-change';
import { changePasswordSchema } from '@/lib/validation/password-change';
import { profileSchema } from '@/lib/validation/profile';
import { clearSessionCookie, setSessionCookie } from '@/lib/web/auth';
import { deliverMailAfterResponse } from '@/lib/web/mail';
import { defineEndpoint, flowProblem, json, noContent, problem, type Caller } from '../endpoint';
import { findUser, meBody, sessionBody, settingsBody } from '../representations';

const read = { scope: 'profile:read' } as const;
const write = { scope: 'profile:write' } as const;

/** The caller's own row; gone only when the account was deleted during this request. */
async function me(db: Parameters<typeof findUser>[0], caller: Caller) {
  return findUser(db, caller.userId);
}

const WRONG_PASSWORD = { statuses: { wrong_password: 422 }, fields: { wrong_password: 'currentPassword' } };

export const getMe = defineEndpoint({
  method: 'GET',
  path: '/users/me',
  operationId: 'getMe',
  summary: 'The signed-in account',
  tag: 'users-me',
  access: read,
  responses: { 200: { description: 'The account.', schema: meResponseSchema } },
  problems: [401, 403],
  async handler({ caller, db }) {
    const user = await me(db, caller);
    return user ? json(meBody(user)) : problem(404, 'not_found');
  },
});

export const patchMe = defineEndpoint({
  method: 'PATCH',
  path: '/users/me',
  operationId: 'updateMe',
  summary: 'Change the profile',
  description: 'Send the whole profile, as the profile form does; fields left out are emptied.',
  tag: 'users-me',
  access: write,
  body: profileSchema,
  responses: { 200: { description: 'The account as saved.', schema: meResponseSchema } },
  problems: [401, 403, 409, 422],
  async handler({ caller, body, db, context }) {
    const result = await updateProfile(db, { userId: caller.userId, ...body }, context, systemClock);
    if (!result.ok) return flowProblem(result, { username_taken: 409 }, { username_taken: 'username' });
    const user = await me(db, caller);
    return user ? json(meBody(user)) : problem(404, 'not_found');
  },
});

export const deleteMe = defineEndpoint({
  method: 'DELETE',
  path: '/users/me',
  operationId: 'deleteMe',
  summary: 'Delete the account',
  description: 'Needs the current password. Every session and token ends with the account.',
  tag: 'users-me',
  access: write,
  body: deleteOwnAccountSchema,
  responses: { 204: { description: 'Deleted.' } },
  problems: [401, 403, 409, 422, 503],
  async handler({ caller, body, db, context }) {
    const result = await deleteAccount(
      db,
      { userId: caller.userId, currentPassword: body.currentPassword },
      context,
      systemClock,
    );
    if (!result.ok)
      return flowProblem(result, { ...WRONG_PASSWORD.statuses, last_admin: 409 }, WRONG_PASSWORD.fields);
    deliverMailAfterResponse();
    if (caller.via === 'session') await clearSessionCookie();
    return noContent();
  },
});

export const getSettings = defineEndpoint({
  method: 'GET',
  path: '/users/me/settings',
  operationId: 'getSettings',
  summary: 'Language, time zone, theme and notifications',
  tag: 'users-me',
  access: read,
  responses: { 200: { description: 'The settings.', schema: settingsResponseSchema } },
  problems: [401, 403],
  async handler({ caller, db }) {
    const user = await me(db, caller);
    return user ? json(settingsBody(user)) : problem(404, 'not_found');
  },
});

export const patchSettings = defineEndpoint({
  method: 'PATCH',
  path: '/users/me/settings',
  operationId: 'updateSettings',
  summary: 'Change some settings',
  description: 'Fields left out keep their value.',
  tag: 'users-me',
  access: write,
  body: settingsPatchSchema,
  responses: { 200: { description: 'The settings as saved.', schema: settingsResponseSchema } },
  problems: [401, 403, 422],
  async handler({ caller, body, db, context }) {
    await updateSettings(db, { userId: caller.userId, ...body }, context, systemClock);
    const user = await me(db, caller);
    return user ? json(settingsBody(user)) : problem(404, 'not_found');
  },
});

export const changeMyPassword = defineEndpoint({
  method: 'POST',
  path: '/users/me/password',
  operationId: 'changePassword',
  summary: 'Change the password',
  description:
    'Needs the current password. Every other session ends; a session caller keeps its own under a new cookie, a token caller keeps none.',
  tag: 'users-me',
  access: write,
  body: changePasswordSchema,
  responses: { 204: { description: 'Changed.' } },
  problems: [401, 403, 422, 503],
  async handler({ caller, body, db, context }) {
    const result = await changePassword(
      db,
      {
        userId: caller.userId,
        sessionId: caller.via === 'session' ? caller.sessionId : null,
        currentPassword: body.currentPassword,
        newPassword: body.password,
      },
      context,
      systemClock,
    );
    if (!result.ok) {
      return flowProblem(
        result,
        { ...WRONG_PASSWORD.statuses, same_password: 422, session_ended: 401 },
        { ...WRONG_PASSWORD.fields, same_password: 'password' },
      );
    }
    if (result.sessionId) await setSessionCookie(result.sessionId);
    deliverMailAfterResponse();
    return noContent();
  },
});

export const changeMyEmail = defineEndpoint({
  method: 'POST',
  path: '/users/me/email',
  operationId: 'changeEmail',
  summary: 'Ask to change the email address',
  description:
    'Needs the current password. The new address gets a link to confirm; the answer is the same whether or not the address is free.',
  tag: 'users-me',
  access: write,
  body: emailChangeSchema,
  responses: { 202: { description: 'Accepted: confirm from the mail.', schema: acceptedSchema } },
  problems: [401, 403, 422, 429, 503],
  async handler({ caller, body, db, context }) {
    const result = await requestEmailChange(db, { userId: caller.userId, ...body }, context, systemClock);
    if (!result.ok) {
      return flowProblem(
        result,
        { ...WRONG_PASSWORD.statuses, same_email: 422 },
        { ...WRONG_PASSWORD.fields, same_email: 'newEmail' },
      );
    }
    deliverMailAfterResponse();
    return json({ status: 'accepted' }, 202);
  },
});

export const createMyRecoveryPhrase = defineEndpoint({
  method: 'POST',
  path: '/users/me/recovery-phrase',
  operationId: 'createRecoveryPhrase',
  summary: 'Make a recovery phrase (step one of two)',
  description:
    'Needs the current password. The twelve words are shown this once and kept only when typed back to /users/me/recovery-phrase/confirm with `confirmation` before `expiresAt`; a confirmed phrase replaces the one before.',
  tag: 'users-me',
  access: write,
  body: recoveryPhraseCreateSchema,
  responses: { 200: { description: 'The phrase to write down.', schema: recoveryPhraseCreatedSchema } },
  problems: [401, 403, 422, 429, 503],
  async handler({ caller, body, db, context }) {
    const result = await createRecoveryPhrase(db, { userId: caller.userId, ...body }, context, systemClock);
    if (!result.ok) return flowProblem(result, WRONG_PASSWORD.statuses, WRONG_PASSWORD.fields);
    return json({
      phrase: result.phrase,
      confirmation: result.confirmation,
      expiresAt: result.expiresAt.toISOString(),
    });
  },
});

export const confirmMyRecoveryPhrase = defineEndpoint({
  method: 'POST',
  path: '/users/me/recovery-phrase/confirm',
  operationId: 'confirmRecoveryPhrase',
  summary: 'Keep the recovery phrase by typing it back (step two)',
  description: 'The owner is mailed that a phrase was saved (never the phrase itself).',
  tag: 'users-me',
  access: write,
  body: recoveryPhraseConfirmSchema,
  responses: { 204: { description: 'The phrase is saved.' } },
  problems: [401, 403, 422, 429, 503],
  async handler({ caller, body, db, context }) {
    const result = await confirmRecoveryPhrase(db, { userId: caller.userId, ...body }, context, systemClock);
    if (!result.ok) {
      return flowProblem(
        result,
        { mismatch: 422, expired: 422 },
        { mismatch: 'phrase', expired: 'confirmation' },
      );
    }
    deliverMailAfterResponse();
    return noContent();
  },
});

export const listMySessions = defineEndpoint({
  method: 'GET',
  path: '/users/me/sessions',
  operationId: 'listSessions',
  summary: 'The signed-in devices',
  description: 'All of them on one page (`next` is always null): the current one first.',
  tag: 'users-me',
  access: read,
  responses: { 200: { description: 'The sessions.', schema: sessionListSchema } },
  problems: [401, 403],
  async handler({ caller, db }) {
    const current = caller.via === 'session' ? caller.sessionId : '';
    const entries = await listSessionsForUser(db, caller.userId, current, systemClock);
    return json({ items: entries.map(sessionBody), next: null });
  },
});

export const revokeMySession = defineEndpoint({
  method: 'DELETE',
  path: '/users/me/sessions/{id}',
  operationId: 'revokeSession',
  summary: 'Sign out another device',
  description: 'The current session is refused: sign out with /auth/logout.',
  tag: 'users-me',
  access: write,
  params: sessionPathSchema,
  responses: { 204: { description: 'Signed out.' } },
  problems: [401, 403, 404, 409],
  async handler({ caller, params, db, context }) {
    const result = await revokeOtherSession(
      db,
      {
        userId: caller.userId,
        currentSessionId: caller.via === 'session' ? caller.sessionId : '',
        handle: params.id,
      },
      context,
      systemClock,
    );
    if (!result.ok) return flowProblem(result, { not_found: 404, current_session: 409 });
    return noContent();
  },
});

import 'server-only';
import { unlockUser } from '@/lib/account-lock';
import { accountState } from '@/lib/account-state';
import { searchAudit } from '@/lib/admin-audit';
import {
  adminCreateUser,
  adminDeleteUser,
  adminEditProfile,
  adminLockUser,
  adminRevokeSessions,
  adminSendPasswordReset,
  adminUserOverview,
  changeRole,
} from '@/lib/admin-user-actions';
import { searchUsers } from '@/lib/admin-users';
import { approveUser, rejectUser } from '@/lib/approval';
import { systemClock } from '@/lib/clock';
import {
  adminUserDetailSchema,
  adminUserListSchema,
  auditListSchema,
  auditQuerySchema,
  createdSchema,
  lockBodySchema,
  roleBodySchema,
  userListQuerySchema,
  userPathSchema,
} from '@/lib/validation/api';
import { createUserSchema } from '@/lib/validation/admin-user-new';
import { profileSchema } from '@/lib/validation/profile';
import { deliverMailAfterResponse } from '@/lib/web/mail';
import { defineEndpoint, flowProblem, json, noContent, problem, type ApiAnswer } from '../endpoint';
import { findUser, meBody, sessionBody } from '../representations';

const read = { scope: 'admin:read' } as const;
const write = { scope: 'admin:write' } as const;

/** The console's refusals: no such account is 404, a state that does not allow the action is 409. */
const REFUSALS = {
  not_found: 404,
  not_pending: 409,
  already_locked: 409,
  not_locked: 409,
  last_admin: 409,
  unchanged: 409,
  not_active: 409,
  unverified: 409,
  rejected: 409,
  already_verified: 409,
  self: 409,
  email_taken: 409,
  username_taken: 409,
  reason_required: 422,
  reason_too_long: 422,
};
const FIELDS = {
  email_taken: 'email',
  username_taken: 'username',
  reason_required: 'reason',
  reason_too_long: 'reason',
};

/** A console action on one account: 204, with the mail it queued delivered after the answer. */
function done(result: { ok: true } | { ok: false; code: string }, mail = false): ApiAnswer {
  if (!result.ok) return flowProblem(result, REFUSALS, FIELDS);
  if (mail) deliverMailAfterResponse();
  return noContent();
}

export const listUsers = defineEndpoint({
  method: 'GET',
  path: '/admin/users',
  operationId: 'adminListUsers',
  summary: "Search accounts: the console's search, state filter and sort",
  description: 'Pages of up to `limit` accounts; pass `next` back as `cursor` for the following page.',
  tag: 'admin',
  access: read,
  query: userListQuerySchema,
  responses: { 200: { description: 'A page of accounts.', schema: adminUserListSchema } },
  problems: [401, 403, 422],
  async handler({ query, db }) {
    const page = Number(query.cursor ?? 1);
    const result = await searchUsers(
      db,
      { q: (query.q ?? '').trim(), state: query.state, sort: query.sort ?? 'newest', page },
      query.limit,
    );
    // Past the last page the search shows the last one again; a cursor there means "nothing more".
    const rows = result.page === page ? result.rows : [];
    return json({
      items: rows.map((row) => ({
        id: row.id,
        email: row.email,
        username: row.username,
        fullName: row.fullName,
        role: row.role,
        state: accountState(row),
        createdAt: row.createdAt.toISOString(),
        lastLoginAt: row.lastLoginAt?.toISOString() ?? null,
      })),
      next: page < result.pageCount ? String(page + 1) : null,
    });
  },
});

export const createUser = defineEndpoint({
  method: 'POST',
  path: '/admin/users',
  operationId: 'adminCreateUser',
  summary: 'Create an account; its owner is mailed a link to choose a password',
  tag: 'admin',
  access: write,
  body: createUserSchema,
  responses: { 201: { description: 'Created.', schema: createdSchema } },
  problems: [401, 403, 409, 422],
  async handler({ caller, body, db, context }) {
    const result = await adminCreateUser(db, { adminId: caller.userId, ...body }, context, systemClock);
    if (!result.ok) return flowProblem(result, REFUSALS, FIELDS);
    deliverMailAfterResponse();
    return {
      status: 201,
      body: { id: result.userId },
      headers: { Location: `/api/v1/admin/users/${result.userId}` },
    };
  },
});

export const getUser = defineEndpoint({
  method: 'GET',
  path: '/admin/users/{id}',
  operationId: 'adminGetUser',
  summary: 'One account and its live sessions',
  tag: 'admin',
  access: read,
  params: userPathSchema,
  responses: { 200: { description: 'The account.', schema: adminUserDetailSchema } },
  problems: [401, 403, 404],
  async handler({ params, db }) {
    const overview = await adminUserOverview(db, params.id, systemClock);
    if (!overview) return problem(404, 'not_found');
    const { user } = overview;
    // The console's view: the owner's own preferences are theirs alone.
    const {
      locale: _locale,
      theme: _theme,
      emailNotifications: _notifications,
      timezone: _timezone,
      ...profile
    } = meBody(user);
    return json({
      user: { ...profile, lockReason: user.lockReason, signupComment: user.signupComment },
      sessions: overview.sessions.map(sessionBody),
    });
  },
});

export const editUser = defineEndpoint({
  method: 'PATCH',
  path: '/admin/users/{id}',
  operationId: 'adminEditUser',
  summary: "Change an account's profile (not its email)",
  description: 'Send the whole profile; fields left out are emptied.',
  tag: 'admin',
  access: write,
  params: userPathSchema,
  body: profileSchema,
  responses: { 204: { description: 'Saved.' } },
  problems: [401, 403, 404, 409, 422],
  async handler({ caller, params, body, db, context }) {
    return done(
      await adminEditProfile(
        db,
        { adminId: caller.userId, userId: params.id, ...body },
        context,
        systemClock,
      ),
    );
  },
});

export const deleteUser = defineEndpoint({
  method: 'DELETE',
  path: '/admin/users/{id}',
  operationId: 'adminDeleteUser',
  summary: 'Delete an account',
  tag: 'admin',
  access: write,
  params: userPathSchema,
  responses: { 204: { description: 'Deleted.' } },
  problems: [401, 403, 404, 409],
  async handler({ caller, params, db, context }) {
    return done(
      await adminDeleteUser(db, { adminId: caller.userId, userId: params.id }, context, systemClock),
      true,
    );
  },
});

type Db = Parameters<typeof approveUser>[0];
type Context = Parameters<typeof approveUser>[2];
type Target = { adminId: string; userId: string };

/** The console's one-click actions on an account, each a POST of its own. */
function accountAction(
  name: string,
  spec: { operationId: string; summary: string; mail: boolean },
  run: (db: Db, target: Target, context: Context) => Promise<{ ok: true } | { ok: false; code: string }>,
) {
  return defineEndpoint({
    method: 'POST',
    path: `/admin/users/{id}/${name}`,
    operationId: spec.operationId,
    summary: spec.summary,
    tag: 'admin',
    access: write,
    params: userPathSchema,
    responses: { 204: { description: 'Done.' } },
    problems: [401, 403, 404, 409, 429],
    async handler({ caller, params, db, context }) {
      return done(await run(db, { adminId: caller.userId, userId: params.id }, context), spec.mail);
    },
  });
}

export const approve = accountAction(
  'approve',
  { operationId: 'adminApproveUser', summary: 'Approve a pending account', mail: true },
  (db, target, context) => approveUser(db, target, context, systemClock),
);

export const reject = accountAction(
  'reject',
  { operationId: 'adminRejectUser', summary: 'Reject a pending account', mail: true },
  (db, target, context) => rejectUser(db, target, context, systemClock),
);

export const unlock = accountAction(
  'unlock',
  { operationId: 'adminUnlockUser', summary: 'Lift a lock', mail: false },
  (db, target, context) => unlockUser(db, target, context, systemClock),
);

export const revokeSessions = accountAction(
  'revoke-sessions',
  { operationId: 'adminRevokeSessions', summary: 'Sign an account out everywhere', mail: false },
  (db, target, context) => adminRevokeSessions(db, target, context, systemClock),
);

export const sendReset = accountAction(
  'send-reset',
  {
    operationId: 'adminSendPasswordReset',
    summary: 'Mail the owner a link to choose a new password',
    mail: true,
  },
  (db, target, context) => adminSendPasswordReset(db, target, context, systemClock),
);

export const lock = defineEndpoint({
  method: 'POST',
  path: '/admin/users/{id}/lock',
  operationId: 'adminLockUser',
  summary: 'Lock an account, with a reason mailed to its owner',
  tag: 'admin',
  access: write,
  params: userPathSchema,
  body: lockBodySchema,
  responses: { 204: { description: 'Locked: its sessions and tokens stop at once.' } },
  problems: [401, 403, 404, 409, 422],
  async handler({ caller, params, body, db, context }) {
    const target = { adminId: caller.userId, userId: params.id, reason: body.reason };
    return done(await adminLockUser(db, target, context, systemClock), true);
  },
});

export const role = defineEndpoint({
  method: 'POST',
  path: '/admin/users/{id}/role',
  operationId: 'adminChangeRole',
  summary: 'Promote to administrator or demote',
  tag: 'admin',
  access: write,
  params: userPathSchema,
  body: roleBodySchema,
  responses: { 204: { description: 'Changed.' } },
  problems: [401, 403, 404, 409, 422],
  async handler({ caller, params, body, db, context }) {
    const target = { adminId: caller.userId, userId: params.id, role: body.role };
    return done(await changeRole(db, target, context, systemClock));
  },
});

export const audit = defineEndpoint({
  method: 'GET',
  path: '/admin/audit',
  operationId: 'adminAudit',
  summary: 'The audit log, newest first',
  description:
    "Filter by actor or account (id, email or username), action, and days (`from`, `to`: dates in the caller's time zone).",
  tag: 'admin',
  access: read,
  query: auditQuerySchema,
  responses: { 200: { description: 'A page of events.', schema: auditListSchema } },
  problems: [401, 403, 422],
  async handler({ caller, query, db }) {
    const admin = await findUser(db, caller.userId);
    const { limit, cursor, ...filters } = query;
    const search = await searchAudit(db, { ...filters, before: cursor }, admin?.timezone ?? 'UTC', limit);
    const errors = Object.entries(search.problems).map(([field, code]) => ({
      pointer: `/query/${field}`,
      code,
    }));
    if (errors.length > 0) return problem(422, 'invalid_request', { errors });
    return json({
      items: search.events.map((event) => ({
        id: event.id,
        at: event.at.toISOString(),
        action: event.action,
        actorId: event.actorId,
        userId: event.userId,
        ip: event.ip,
        meta: event.meta,
      })),
      next: search.nextBefore === null ? null : String(search.nextBefore),
    });
  },
});

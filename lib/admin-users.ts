import { and, asc, desc, eq, inArray, isNotNull, isNull, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { users } from '@/db/schema';
import { approveUser, rejectUser } from './approval';
import type { Clock } from './clock';
import type { RequestContext } from './request-context';

/**
 * The admin's user list: server-side search, state filters, sorts and numbered pages, built to stay
 * fast at 100,000 accounts (every predicate and order below has an index in db/schema.ts; see
 * `npm run bench:admin`). Search is by prefix: of the email (or its end, for "@domain"), of the
 * username, and of any word of the full name.
 */

export const USER_FILTERS = ['unverified', 'pending', 'active', 'locked', 'rejected', 'admin'] as const;
export type UserFilter = (typeof USER_FILTERS)[number];
export const USER_SORTS = ['newest', 'oldest', 'username', 'email', 'last_login'] as const;
export type UserSort = (typeof USER_SORTS)[number];

export const USERS_PAGE_SIZE = 50;
/**
 * Matches are counted up to this many and paged through up to this many: past it the page says
 * "more than 1,000" and asks for a narrower search or another sort. An exact count or a deep OFFSET
 * reads every matching row, which is what makes admin lists slow at 100,000 accounts
 * (docs/decisions/010-admin-user-search.md has the figures).
 */
export const MATCH_CAP = 1_000;
/** Longer searches cannot match anything (an email has at most 254 characters): they are cut. */
export const MAX_SEARCH_LENGTH = 254;
/** Words of a name search that are used; more say nothing a person would type. */
const MAX_NAME_WORDS = 8;
/** Most ids one bulk decision takes (one page of the queue, with room). */
export const MAX_BULK = 100;

export interface UserQuery {
  q: string;
  state?: UserFilter;
  sort: UserSort;
  page: number;
}

type Params = Record<string, string | string[] | undefined>;

function first(value: string | string[] | undefined): string {
  return (Array.isArray(value) ? value[0] : value) ?? '';
}

/**
 * Reads a query string the way a browser sends it, forgiving anything odd: an unknown state or sort
 * falls back to the default, a page that is not a positive whole number is page 1, a search longer
 * than any email is cut. Nothing here can throw.
 */
export function parseUserQuery(params: Params): UserQuery & { truncated: boolean } {
  const raw = first(params.q).trim();
  const state = first(params.state);
  const sort = first(params.sort);
  const page = /^\d{1,9}$/.test(first(params.page)) ? Number(first(params.page)) : 1;
  return {
    q: raw.slice(0, MAX_SEARCH_LENGTH),
    truncated: raw.length > MAX_SEARCH_LENGTH,
    state: (USER_FILTERS as readonly string[]).includes(state) ? (state as UserFilter) : undefined,
    sort: (USER_SORTS as readonly string[]).includes(sort) ? (sort as UserSort) : 'newest',
    page: Math.max(1, page),
  };
}

/**
 * The state predicates, in the same order of precedence as lib/account-state.ts (rejected, then
 * locked, then unverified, pending, active), so a filter shows exactly the accounts whose badge
 * says that state. The partial indexes in db/schema.ts repeat these conditions word for word.
 */
export function stateWhere(state: UserFilter): SQL {
  const open = and(isNull(users.rejectedAt), isNull(users.lockedAt))!;
  switch (state) {
    case 'rejected':
      return isNotNull(users.rejectedAt);
    case 'locked':
      return and(isNull(users.rejectedAt), isNotNull(users.lockedAt))!;
    case 'unverified':
      return and(open, isNull(users.emailVerifiedAt))!;
    case 'pending':
      return and(open, isNotNull(users.emailVerifiedAt), isNull(users.approvedAt))!;
    case 'active':
      return and(open, isNotNull(users.emailVerifiedAt), isNotNull(users.approvedAt))!;
    case 'admin':
      return eq(users.role, 'admin');
  }
}

/** `%`, `_` and `\` typed by the admin are matched literally (backslash is LIKE's default escape). */
export function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function searchWhere(q: string): SQL | undefined {
  const text = q.trim().toLowerCase();
  if (text === '') return undefined;
  const prefix = `${escapeLike(text)}%`;
  const conditions: SQL[] = [sql`lower(${users.username}) like ${prefix}`];
  conditions.push(
    text.startsWith('@')
      ? sql`reverse(${users.email}) like ${`${escapeLike([...text].reverse().join(''))}%`}`
      : sql`${users.email} like ${prefix}`,
  );
  // Only letters and digits reach to_tsquery, each as a prefix term: nothing typed can break its syntax.
  // A search with an @ is an address, never a name: its words would only make the index work harder.
  const words = text.includes('@') ? undefined : text.match(/[\p{L}\p{N}]+/gu)?.slice(0, MAX_NAME_WORDS);
  if (words?.length) {
    const query = words.map((word) => `${word}:*`).join(' & ');
    conditions.push(sql`${users.nameWords} @@ to_tsquery('simple', ${query})`);
  }
  if (UUID.test(text)) conditions.push(eq(users.id, text));
  return or(...conditions);
}

function orderBy(sort: UserSort): SQL[] {
  switch (sort) {
    case 'oldest':
      return [asc(users.createdAt), asc(users.id)];
    case 'username':
      return [sql`lower(${users.username})`];
    case 'email':
      return [asc(users.email)];
    case 'last_login':
      return [sql`${users.lastLoginAt} desc nulls last`, asc(users.id)];
    case 'newest':
      return [desc(users.createdAt), desc(users.id)];
  }
}

const listColumns = {
  id: users.id,
  username: users.username,
  email: users.email,
  fullName: users.fullName,
  role: users.role,
  emailVerifiedAt: users.emailVerifiedAt,
  approvedAt: users.approvedAt,
  lockedAt: users.lockedAt,
  rejectedAt: users.rejectedAt,
  createdAt: users.createdAt,
  lastLoginAt: users.lastLoginAt,
};

export type UserListRow = { [K in keyof typeof listColumns]: (typeof listColumns)[K]['_']['data'] } & {
  role: 'user' | 'admin';
};

export interface UserPage {
  rows: UserListRow[];
  /** How many accounts match, all pages together, counted up to MATCH_CAP. */
  total: number;
  /** True when more than MATCH_CAP accounts match: `total` is then MATCH_CAP. */
  capped: boolean;
  /** The page shown: the one asked for, or the last one when that was past the end. */
  page: number;
  pageCount: number;
  pageSize: number;
}

export async function searchUsers(db: Db, query: UserQuery, pageSize = USERS_PAGE_SIZE): Promise<UserPage> {
  const where = and(query.state ? stateWhere(query.state) : undefined, searchWhere(query.q));
  const total = await countUpTo(db, where, MATCH_CAP + 1);
  const capped = total > MATCH_CAP;
  const reachable = Math.min(total, MATCH_CAP);
  const pageCount = Math.max(1, Math.ceil(reachable / pageSize));
  const page = Math.min(query.page, pageCount);
  const rows = await db
    .select(listColumns)
    .from(users)
    .where(where)
    .orderBy(...orderBy(query.sort))
    .limit(pageSize)
    .offset((page - 1) * pageSize);
  return { rows: rows as UserListRow[], total: reachable, capped, page, pageCount, pageSize };
}

/** count(*) that stops at `limit` rows: the cost is bounded whatever the filter matches. */
async function countUpTo(db: Db, where: SQL | undefined, limit: number): Promise<number> {
  const matching = db
    .select({ one: sql`1`.as('one') })
    .from(users)
    .where(where)
    .limit(limit)
    .as('matching');
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(matching);
  return row?.n ?? 0;
}

/** Accounts whose address is confirmed and that wait for an admin, oldest first, with their comment. */
export async function listPendingUsers(db: Db, limit = MAX_BULK) {
  const where = stateWhere('pending');
  const [rows, total] = await Promise.all([
    db
      .select({ ...listColumns, signupComment: users.signupComment })
      .from(users)
      .where(where)
      .orderBy(asc(users.createdAt))
      .limit(limit),
    countUpTo(db, where, MATCH_CAP + 1),
  ]);
  return { rows, total };
}

export type BulkDecisionResult = { done: number; skipped: number };

/**
 * Approves or rejects several pending accounts, each in its own transaction (one that changed state
 * in the meantime is skipped, not an error), each with its own mail and audit event.
 */
export async function decideMany(
  db: Db,
  input: { adminId: string; userIds: string[]; decision: 'approve' | 'reject' },
  context: RequestContext,
  clock: Clock,
): Promise<BulkDecisionResult> {
  const ids = [...new Set(input.userIds)].filter((id) => UUID.test(id)).slice(0, MAX_BULK);
  const existing = ids.length
    ? await db.select({ id: users.id }).from(users).where(inArray(users.id, ids))
    : [];
  let done = 0;
  for (const { id } of existing) {
    const decide = input.decision === 'approve' ? approveUser : rejectUser;
    const result = await decide(db, { adminId: input.adminId, userId: id }, context, clock);
    if (result.ok) done += 1;
  }
  return { done, skipped: new Set(input.userIds).size - done };
}

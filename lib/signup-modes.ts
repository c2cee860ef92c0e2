/**
 * Who may create an account from /register (decision 030): anyone (open), anyone with an admin's
 * approval after confirming (approval, the default), only someone holding an invite (invite), nobody
 * (closed). Its own module so the browser's settings form can list them without the settings store.
 */
export const SIGNUP_MODES = ['open', 'approval', 'invite', 'closed'] as const;
export type SignupMode = (typeof SIGNUP_MODES)[number];

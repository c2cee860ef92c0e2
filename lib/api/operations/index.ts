import 'server-only';
import * as admin from './admin';
import * as auth from './auth';
import * as emailChange from './email-change';
import * as passwordReset from './password-reset';
import * as usersMe from './users-me';

/** Every operation of /api/v1, in the order the reference lists them. */
export const operations = [
  ...Object.values(auth),
  ...Object.values(passwordReset),
  ...Object.values(usersMe),
  ...Object.values(emailChange),
  ...Object.values(admin),
];

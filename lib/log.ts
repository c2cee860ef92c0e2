/**
 * One line per event on stderr. Warnings are for conditions the app handles (a mail provider down,
 * a retry); errors are for bugs and outages someone must look at. Never log a token or a password.
 */
type Fields = Record<string, unknown>;

function line(level: 'info' | 'warn' | 'error', event: string, fields: Fields): string {
  return JSON.stringify({ at: new Date().toISOString(), level, event, ...fields });
}

export const log = {
  info(event: string, fields: Fields = {}) {
    console.info(line('info', event, fields));
  },
  warn(event: string, fields: Fields = {}) {
    console.warn(line('warn', event, fields));
  },
  error(event: string, fields: Fields = {}) {
    console.error(line('error', event, fields));
  },
};

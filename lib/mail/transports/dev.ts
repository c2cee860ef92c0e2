import type { Db } from '@/db/client';
import { devMailbox } from '@/db/schema';
import { assertValidMessage, type MailMessage } from '../message';
import type { MailTransport } from '../transport';

/**
 * The development mailbox: "delivers" into a table shown at /dev/mailbox, so a newcomer can follow
 * every link without an SMTP server. Refused in production by configuration (lib/mail/config.ts).
 */
export function createDevTransport(db: Db): MailTransport {
  return {
    name: 'dev',
    async send(message: MailMessage) {
      assertValidMessage(message);
      const [row] = await db
        .insert(devMailbox)
        .values({
          from: `${message.from.name} <${message.from.address}>`,
          to: message.to,
          subject: message.subject,
          html: message.html,
          text: message.text,
        })
        .returning({ id: devMailbox.id });
      return { messageId: `dev-${row!.id}` };
    },
  };
}

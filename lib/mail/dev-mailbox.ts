import { desc, eq } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { devMailbox } from '@/db/schema';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function listDevMail(db: Db, limit = 100) {
  return db
    .select({
      id: devMailbox.id,
      to: devMailbox.to,
      subject: devMailbox.subject,
      createdAt: devMailbox.createdAt,
    })
    .from(devMailbox)
    .orderBy(desc(devMailbox.createdAt))
    .limit(limit);
}

export async function getDevMail(db: Db, id: string) {
  if (!UUID.test(id)) return undefined;
  const [row] = await db.select().from(devMailbox).where(eq(devMailbox.id, id)).limit(1);
  return row;
}

export async function clearDevMailbox(db: Db): Promise<void> {
  await db.delete(devMailbox);
}

/**
 * The shape check on a server action's body, run in proxy.ts before Next.js decodes it (S52).
 *
 * Next.js 16 decodes an action's body (React's reply format) in its own handler, before any of our
 * code runs, and answers 500 with an error in the log when it cannot: broken multipart or JSON, a
 * text/plain body that is not JSON, references to parts that are not there, a 5,000-deep nesting, a
 * body over the 1 MiB limit. Those are a caller's mistakes, so they get a 4xx here instead.
 *
 * What our pages send is narrow: every action takes the form's FormData, sometimes after the
 * previous state of useActionState, which is plain JSON. React encodes that as a multipart body whose
 * part "0" is the JSON root, with "$K<id>" naming the form's fields (sent as "<id>_<name>"), or as a
 * text/plain JSON body when there is no FormData. References to anything else (promises, maps, server
 * references, streams, temporary references) are refused: no action of ours takes them, and they are
 * what makes the decoder throw.
 */

/** Next's default `serverActions.bodySizeLimit` (1 MB), which next.config.mjs keeps. */
export const ACTION_BODY_LIMIT = 1024 * 1024;
/** Far deeper than any state object of ours (they are three levels at most). */
const MAX_DEPTH = 32;

export type BodyVerdict = { ok: true } | { ok: false; status: 400 | 413 | 415; reason: string };

const refuse = (status: 400 | 413 | 415, reason: string): BodyVerdict => ({ ok: false, status, reason });

/**
 * Checks a POST to a page: `action` when it carries a Next-Action header (posted by React), otherwise
 * a form posted without JavaScript, which only has to be readable multipart.
 */
export async function checkActionBody(
  contentType: string,
  contentLength: string | null,
  body: ReadableStream<Uint8Array> | null,
  action: boolean,
): Promise<BodyVerdict> {
  if (contentLength !== null && Number(contentLength) > ACTION_BODY_LIMIT) {
    return refuse(413, 'body over the action size limit');
  }
  const bytes = await readAtMost(body, ACTION_BODY_LIMIT);
  if (bytes === null) return refuse(413, 'body over the action size limit');

  const type = contentType.split(';', 1)[0]!.trim().toLowerCase();
  if (type === 'multipart/form-data') {
    let form: FormData;
    try {
      form = await new Response(bytes, { headers: { 'content-type': contentType } }).formData();
    } catch {
      return refuse(400, 'unreadable multipart body');
    }
    if (!action) return { ok: true };
    const root = form.get('0');
    if (typeof root !== 'string') return refuse(400, 'no reply root');
    return checkReply(root);
  }
  if (!action) return { ok: true };
  if (type !== 'text/plain') return refuse(415, 'an action takes multipart or text/plain');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return refuse(400, 'body is not UTF-8');
  }
  return checkReply(text);
}

/** The JSON root of a reply: parsable, not too deep, and every "$" string one we send (see above). */
export function checkReply(root: string): BodyVerdict {
  let value: unknown;
  try {
    value = JSON.parse(root);
  } catch {
    return refuse(400, 'reply root is not JSON');
  }
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (depth > MAX_DEPTH) return refuse(400, 'reply nested too deep');
    if (typeof node === 'string') {
      if (node.startsWith('$') && !knownReference(node)) return refuse(400, 'unexpected reference');
    } else if (Array.isArray(node)) {
      for (const item of node) stack.push([item, depth + 1]);
    } else if (node !== null && typeof node === 'object') {
      for (const item of Object.values(node)) stack.push([item, depth + 1]);
    }
  }
  return { ok: true };
}

function knownReference(value: string): boolean {
  if (value.startsWith('$$')) return true; // an escaped "$" at the start of a plain string
  if (['$undefined', '$NaN', '$Infinity', '$-Infinity', '$-0'].includes(value)) return true;
  if (value.startsWith('$D')) return !Number.isNaN(Date.parse(value.slice(2)));
  if (value.startsWith('$n')) return /^-?\d{1,100}$/.test(value.slice(2));
  // The form's fields, sent as "<id>_<name>" parts; with none there, React reads an empty FormData.
  return /^\$K[0-9a-f]+$/.test(value);
}

/** The whole body, or null once it passes `limit` bytes (the rest is not read). */
async function readAtMost(
  body: ReadableStream<Uint8Array> | null,
  limit: number,
): Promise<Uint8Array<ArrayBuffer> | null> {
  if (!body) return new Uint8Array(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

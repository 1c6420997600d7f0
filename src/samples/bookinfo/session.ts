import crypto from 'node:crypto';
import type http from 'node:http';

/**
 * productpage keeps the signed-in user in a signed `session` cookie (as Flask does), so every replica accepts
 * it: the key is fixed, not per process. It authenticates nothing; it only remembers a name.
 */
const KEY = 'mizzen-bookinfo-productpage-session';
export const SESSION_COOKIE = 'session';

function sign(payload: string): string {
  return crypto.createHmac('sha256', KEY).update(payload).digest('base64url');
}

export function encodeSession(user: string): string {
  const payload = Buffer.from(JSON.stringify({ user })).toString('base64url');
  return `${payload}.${sign(payload)}`;
}

export function cookies(req: http.IncomingMessage): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) out.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return out;
}

export function sessionUser(req: http.IncomingMessage): string | undefined {
  const raw = cookies(req).get(SESSION_COOKIE);
  if (!raw) return undefined;
  const [payload, sig] = raw.split('.');
  if (!payload || !sig) return undefined;
  const expected = Buffer.from(sign(payload));
  const given = Buffer.from(sig);
  if (expected.length !== given.length || !crypto.timingSafeEqual(expected, given)) return undefined;
  try {
    const user = (JSON.parse(Buffer.from(payload, 'base64url').toString()) as { user?: unknown }).user;
    return typeof user === 'string' && user !== '' ? user : undefined;
  } catch {
    return undefined;
  }
}

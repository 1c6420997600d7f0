import type http from 'node:http';
import type { Program, RunContext } from '../program.js';
import { combinedLog, readBody, sendJson, serve } from '../serve.js';
import { parseId } from './propagation.js';

/**
 * ratings-v1 keeps ratings in memory (POST replaces a product's ratings). SERVICE_VERSION selects the upstream
 * failure-demo variants: v-faulty (half the requests 503), v-delayed (half delayed 7 s), v-unavailable (flips
 * every minute), v-unhealthy (flips every 15 minutes, /health too). v2 reads a database the catalogue does not
 * provide, so it answers as upstream does when the database is down.
 */
export function ratingsHandler(ctx: RunContext, timers: Set<NodeJS.Timeout>) {
  const version = ctx.env.SERVICE_VERSION ?? 'v1';
  const userRatings = new Map<number, unknown>();
  let unavailable = false;
  let healthy = true;
  const flip = (ms: number, both: boolean) => {
    const t = setInterval(() => {
      unavailable = !unavailable;
      if (both) healthy = !healthy;
    }, ms);
    t.unref();
    timers.add(t);
  };
  if (version === 'v-unavailable') flip(60_000, false);
  if (version === 'v-unhealthy') flip(900_000, true);

  const ratingsOf = (id: number) => userRatings.get(id) ?? { id, ratings: { Reviewer1: 5, Reviewer2: 4 } };
  const ok = (res: http.ServerResponse, id: number) => sendJson(res, 200, ratingsOf(id));
  const down = (res: http.ServerResponse) => sendJson(res, 503, { error: 'Service unavailable' });

  return async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/health') {
      return healthy
        ? sendJson(res, 200, { status: 'Ratings is healthy' })
        : sendJson(res, 500, { status: 'Ratings is not healthy' });
    }
    if (!path.startsWith('/ratings/')) return sendJson(res, 404, { error: 'not found' });
    const id = parseId(path.split('/').pop());
    if (id === undefined) return sendJson(res, 400, { error: 'please provide numeric product ID' });

    if (req.method === 'POST') {
      let body: unknown;
      try {
        body = JSON.parse((await readBody(req)).toString());
      } catch {
        return sendJson(res, 400, { error: 'please provide valid ratings JSON' });
      }
      if (version === 'v2')
        return sendJson(res, 501, { error: 'Post not implemented for database backed ratings' });
      userRatings.set(id, { id, ratings: body });
      return ok(res, id);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return sendJson(res, 405, { error: 'method not allowed' });

    switch (version) {
      case 'v2':
        return sendJson(res, 500, { error: 'could not connect to ratings database' });
      case 'v-faulty':
        return Math.random() <= 0.5 ? down(res) : ok(res, id);
      case 'v-delayed':
        if (Math.random() <= 0.5) await new Promise((r) => setTimeout(r, 7000));
        return ok(res, id);
      case 'v-unavailable':
      case 'v-unhealthy':
        return unavailable ? down(res) : ok(res, id);
      default:
        return ok(res, id);
    }
  };
}

export function runRatings(port: number, ctx: RunContext): Promise<Program> {
  const timers = new Set<NodeJS.Timeout>();
  return serve(ratingsHandler(ctx, timers), {
    port,
    ctx,
    banner: (p) => `Server listening on: http://0.0.0.0:${p}`,
    accessLog: combinedLog,
    onExit: () => timers.forEach(clearInterval),
  });
}

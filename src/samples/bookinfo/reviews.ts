import os from 'node:os';
import type http from 'node:http';
import { HttpClient } from '../client.js';
import type { Program, RunContext } from '../program.js';
import { combinedLog, sendJson, serve } from '../serve.js';
import { TRACE_HEADERS, parseId, pickHeaders, serviceUrl } from './propagation.js';

const FORWARDED = [...TRACE_HEADERS, 'end-user', 'user-agent'];

export const RATINGS_UNAVAILABLE = 'Ratings service is currently unavailable';

// The review texts are the sample's own; upstream ships two short reviews of the play by Reviewer1/Reviewer2.
const REVIEWS = [
  {
    reviewer: 'Reviewer1',
    text: 'A lively, very funny play by Shakespeare. The physical comedy still works today!',
  },
  {
    reviewer: 'Reviewer2',
    text: 'Great fun to watch, though it is lighter in theme than the later plays by Shakespeare.',
  },
];

interface Rating {
  stars?: number;
  color?: string;
  error?: string;
}

/**
 * reviews-v1/v2/v3 differ only in env baked into their images: ENABLE_RATINGS (v2, v3) and STAR_COLOR (black for
 * v2, red for v3). With ratings enabled each review gets the ratings service's stars, or an error rating when
 * ratings cannot be reached. The ratings call times out after 10 s for black stars and 2.5 s otherwise, the
 * asymmetry the fault-injection task relies on.
 */
export function reviewsHandler(ctx: RunContext, client: HttpClient) {
  const env = ctx.env;
  const ratingsEnabled = (env.ENABLE_RATINGS ?? '').toLowerCase() === 'true';
  const starColor = env.STAR_COLOR ?? 'black';
  const ratingsBase = `${serviceUrl(env, 'RATINGS_HOSTNAME', 'ratings')}/ratings`;
  const timeoutMs = starColor === 'black' ? 10_000 : 2_500;
  const podname = env.HOSTNAME ?? os.hostname();
  const clustername = env.CLUSTER_NAME ?? 'null';

  async function fetchStars(id: number, req: http.IncomingMessage): Promise<Map<string, number> | undefined> {
    try {
      const r = await client.get(`${ratingsBase}/${id}`, pickHeaders(req, FORWARDED), timeoutMs);
      if (r.status !== 200) {
        ctx.stdout.write(`Error: unable to contact ${ratingsBase} got status of ${r.status}\n`);
        return undefined;
      }
      const body = JSON.parse(r.body) as { ratings?: Record<string, unknown> };
      const stars = new Map<string, number>();
      for (const [k, v] of Object.entries(body.ratings ?? {})) if (typeof v === 'number') stars.set(k, v);
      return stars;
    } catch (err) {
      ctx.stderr.write(`Error: unable to contact ${ratingsBase} got exception ${String(err)}\n`);
      return undefined;
    }
  }

  return async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/health') return sendJson(res, 200, { status: 'Reviews is healthy' });
    const m = /^\/reviews\/([^/]+)$/.exec(path);
    const id = parseId(m?.[1]);
    if (id === undefined) return sendJson(res, 404, { error: 'not found' });

    const stars = ratingsEnabled ? await fetchStars(id, req) : undefined;
    const reviews = REVIEWS.map((r) => {
      if (!ratingsEnabled) return { ...r };
      const n = stars?.get(r.reviewer);
      const rating: Rating =
        n === undefined ? { error: RATINGS_UNAVAILABLE } : { stars: n, color: starColor };
      return { ...r, rating };
    });
    sendJson(res, 200, { id: String(id), podname, clustername, reviews });
  };
}

export function runReviews(port: number, ctx: RunContext): Promise<Program> {
  const client = new HttpClient(ctx.env);
  return serve(reviewsHandler(ctx, client), {
    port,
    ctx,
    banner: (p) => `[AUDIT   ] CWWKF0011I: The defaultServer server is ready; HTTP port ${p}.`,
    accessLog: combinedLog,
    onExit: () => client.close(),
  });
}

import type http from 'node:http';
import { HttpClient } from '../client.js';
import type { Program, RunContext } from '../program.js';
import { combinedLog, readBody, sendJson, sendText, serve } from '../serve.js';
import { type PageData, type Product, renderIndex, renderProductPage } from './productpage-html.js';
import { TRACE_HEADERS, pickHeaders, serviceUrl } from './propagation.js';
import { SESSION_COOKIE, encodeSession, sessionUser } from './session.js';

export const DETAILS_UNAVAILABLE = 'Sorry, product details are currently unavailable for this book.';
export const REVIEWS_UNAVAILABLE = 'Sorry, product reviews are currently unavailable for this book.';
export const RATINGS_UNAVAILABLE_FOR_BOOK = 'Sorry, product ratings are currently unavailable for this book.';

// productpage forwards session-ish headers too, so a JWT or cookie reaches the services behind it.
const FORWARDED = [...TRACE_HEADERS, 'user-agent', 'cookie', 'authorization', 'jwt'];
const BACKEND_TIMEOUT_MS = 3000;

export const PRODUCTS: Product[] = [
  {
    id: 0,
    title: 'The Comedy of Errors',
    descriptionHtml:
      '<a href="https://en.wikipedia.org/wiki/The_Comedy_of_Errors">Wikipedia Summary</a>: an early comedy by ' +
      '<b>William Shakespeare</b>, his shortest play, in which two pairs of identical twins separated at birth ' +
      'cause a day of mistaken identities, slapstick and word play.',
  },
];

type Json = Record<string, any>;

/**
 * Bookinfo's front end. It calls details once and reviews up to twice (3 s timeout each: the retry is the
 * upstream "bug" the fault-injection task demonstrates), forwards trace headers, and sends the signed-in
 * user as `end-user`. Backend names follow DETAILS_HOSTNAME / REVIEWS_HOSTNAME / RATINGS_HOSTNAME and
 * SERVICES_DOMAIN; FLOOD_FACTOR adds that many ignored reviews calls per page (the rate-limiting demo).
 */
export function productpageHandler(ctx: RunContext, client: HttpClient) {
  const env = ctx.env;
  const details = serviceUrl(env, 'DETAILS_HOSTNAME', 'details');
  const reviews = serviceUrl(env, 'REVIEWS_HOSTNAME', 'reviews');
  const ratings = serviceUrl(env, 'RATINGS_HOSTNAME', 'ratings');
  const flood = Number(env.FLOOD_FACTOR ?? 0) || 0;
  const counters = new Map<string, number>();
  const count = (key: string) => counters.set(key, (counters.get(key) ?? 0) + 1);

  function forwardHeaders(req: http.IncomingMessage): Record<string, string> {
    const h = pickHeaders(req, FORWARDED);
    const user = sessionUser(req);
    if (user) h['end-user'] = user;
    return h;
  }

  async function call(url: string, headers: Record<string, string>, attempts: number, fallback: string) {
    let status = 500;
    for (let i = 0; i < attempts; i++) {
      try {
        const r = await client.get(url, headers, BACKEND_TIMEOUT_MS);
        status = r.status || 500;
        if (r.status === 200) return { status: 200, body: JSON.parse(r.body) as Json };
      } catch (err) {
        status = 500;
        ctx.stderr.write(`ERROR:root:request to ${url} failed: ${String(err)}\n`);
      }
    }
    return { status, body: { error: fallback } as Json };
  }

  const getDetails = (id: string, h: Record<string, string>) =>
    call(`${details}/details/${id}`, h, 1, DETAILS_UNAVAILABLE);
  const getReviews = (id: string, h: Record<string, string>) =>
    call(`${reviews}/reviews/${id}`, h, 2, REVIEWS_UNAVAILABLE);
  const getRatings = (id: string, h: Record<string, string>) =>
    call(`${ratings}/ratings/${id}`, h, 1, RATINGS_UNAVAILABLE_FOR_BOOK);

  function redirectBack(req: http.IncomingMessage, res: http.ServerResponse, cookie: string): void {
    const to = req.headers.referer || 'productpage';
    res.writeHead(302, { location: to, 'set-cookie': cookie, 'content-type': 'text/html; charset=utf-8' });
    res.end(
      `<p>Redirecting to <a href="${to.replace(/"/g, '&quot;')}">${to.replace(/</g, '&lt;')}</a>.</p>\n`,
    );
  }

  async function login(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const raw = (await readBody(req, 64 * 1024)).toString();
    const type = req.headers['content-type'] ?? '';
    let fields: URLSearchParams;
    if (type.includes('application/json')) {
      const body = JSON.parse(raw || '{}') as Record<string, unknown>;
      fields = new URLSearchParams(Object.entries(body).map(([k, v]): [string, string] => [k, String(v)]));
    } else {
      fields = new URLSearchParams(raw);
    }
    const query = new URL(req.url ?? '/', 'http://x').searchParams;
    const user = fields.get('username') ?? fields.get('user') ?? query.get('username') ?? '';
    redirectBack(req, res, `${SESSION_COOKIE}=${encodeSession(user)}; HttpOnly; Path=/`);
  }

  function metrics(res: http.ServerResponse): void {
    const lines = [
      '# HELP productpage_requests_total Requests served by productpage.',
      '# TYPE productpage_requests_total counter',
    ];
    for (const [key, n] of counters) lines.push(`productpage_requests_total{path="${key}"} ${n}`);
    sendText(res, 200, lines.join('\n') + '\n', 'text/plain; version=0.0.4; charset=utf-8');
  }

  return async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const method = req.method ?? 'GET';
    count(path.startsWith('/api/') ? '/api' : path);

    if (path === '/health') return sendText(res, 200, 'Product page is healthy', 'text/html; charset=utf-8');
    if (path === '/metrics') return metrics(res);
    if (path === '/' || path === '/index.html') {
      const html = renderIndex([
        { name: 'productpage', url: details, children: ['details', 'reviews'] },
        { name: 'details', url: details, children: [] },
        { name: 'reviews', url: reviews, children: ['ratings'] },
        { name: 'ratings', url: ratings, children: [] },
      ]);
      return sendText(res, 200, html, 'text/html; charset=utf-8');
    }
    if (path === '/login') {
      if (method !== 'POST') return sendText(res, 405, 'Method Not Allowed\n', 'text/plain; charset=utf-8');
      return login(req, res);
    }
    if (path === '/logout') {
      return redirectBack(
        req,
        res,
        `${SESSION_COOKIE}=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; HttpOnly; Path=/`,
      );
    }
    if (path === '/productpage') {
      const headers = forwardHeaders(req);
      const product = PRODUCTS[0]!;
      const d = await getDetails(String(product.id), headers);
      for (let i = 0; i < flood; i++) void getReviews(String(product.id), headers);
      const r = await getReviews(String(product.id), headers);
      const data: PageData = {
        product,
        user: sessionUser(req),
        detailsStatus: d.status,
        details: d.body,
        reviewsStatus: r.status,
        reviews: r.body,
      };
      return sendText(res, 200, renderProductPage(data), 'text/html; charset=utf-8');
    }
    if (path === '/api/v1/products') return sendJson(res, 200, PRODUCTS);
    const api = /^\/api\/v1\/products\/([^/]+)(?:\/(reviews|ratings))?$/.exec(path);
    if (api) {
      const id = api[1]!;
      const h = forwardHeaders(req);
      const r =
        api[2] === 'reviews'
          ? await getReviews(id, h)
          : api[2] === 'ratings'
            ? await getRatings(id, h)
            : await getDetails(id, h);
      return sendJson(res, r.status, r.body);
    }
    sendText(res, 404, '<h1>Not Found</h1>\n', 'text/html; charset=utf-8');
  };
}

export function runProductpage(port: number, ctx: RunContext): Promise<Program> {
  const client = new HttpClient(ctx.env);
  return serve(productpageHandler(ctx, client), {
    port,
    ctx,
    banner: (p) => `INFO:root:start at port ${p}`,
    accessLog: combinedLog,
    onExit: () => client.close(),
  });
}

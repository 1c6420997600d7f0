import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Started, closedPort, request, spy, start, stopAll } from '../testkit.js';

const IMG = 'registry.istio.io/release/examples-bookinfo-';
const json = (s: string) => JSON.parse(s) as any;
const fullStars = (html: string) => (html.match(/glyphicon-star"/g) ?? []).length;
const emptyStars = (html: string) => (html.match(/glyphicon-star-empty"/g) ?? []).length;

describe('details and ratings', () => {
  let details: Started;
  let ratings: Started;
  before(async () => {
    details = await start(IMG + 'details-v1:1.20.3');
    ratings = await start(IMG + 'ratings-v1:1.20.3');
  });
  after(() => stopAll(details, ratings));

  it('details returns the book', async () => {
    const r = await request(`${details.url}/details/3`);
    assert.equal(r.status, 200);
    assert.match(r.headers['content-type'] ?? '', /application\/json/);
    assert.deepEqual(json(r.body), {
      id: 3,
      author: 'William Shakespeare',
      year: 1595,
      type: 'paperback',
      pages: 200,
      publisher: 'PublisherA',
      language: 'English',
      'ISBN-10': '1234567890',
      'ISBN-13': '123-1234567890',
    });
    assert.equal((await request(`${details.url}/details/abc`)).status, 400);
    assert.deepEqual(json((await request(`${details.url}/health`)).body), { status: 'Details is healthy' });
    assert.match(details.out.text, /"GET \/details\/3 HTTP\/1\.1" 200 \d+/);
  });

  it('ratings returns stars and keeps posted ones in memory', async () => {
    assert.deepEqual(json((await request(`${ratings.url}/ratings/0`)).body), {
      id: 0,
      ratings: { Reviewer1: 5, Reviewer2: 4 },
    });
    const post = await request(`${ratings.url}/ratings/5`, {
      method: 'POST',
      body: '{"Reviewer1":1,"Reviewer2":2}',
    });
    assert.equal(post.status, 200);
    assert.deepEqual(json((await request(`${ratings.url}/ratings/5`)).body), {
      id: 5,
      ratings: { Reviewer1: 1, Reviewer2: 2 },
    });
    assert.equal((await request(`${ratings.url}/ratings/x`)).status, 400);
    assert.equal((await request(`${ratings.url}/health`)).status, 200);
  });

  it('ratings v-faulty fails some requests with 503', async () => {
    const faulty = await start(IMG + 'ratings-v-faulty:1.20.3');
    try {
      const codes = new Set<number>();
      for (let i = 0; i < 40; i++) codes.add((await request(`${faulty.url}/ratings/0`)).status);
      assert.deepEqual([...codes].sort(), [200, 503]);
    } finally {
      await stopAll(faulty);
    }
  });
});

describe('reviews', () => {
  let ratingsSpy: Awaited<ReturnType<typeof spy>>;
  let v1: Started;
  let v2: Started;
  let v3: Started;
  let v3down: Started;
  before(async () => {
    ratingsSpy = await spy((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"id":0,"ratings":{"Reviewer1":5,"Reviewer2":4}}');
    });
    const env = (pod: string) => ({
      HOSTNAME: pod,
      MIZZEN_SAMPLES_HOSTS: `ratings=127.0.0.1:${ratingsSpy.port}`,
    });
    v1 = await start(IMG + 'reviews-v1:1.20.3', { env: env('reviews-v1-aaa') });
    v2 = await start(IMG + 'reviews-v2:1.20.3', { env: { ...env('reviews-v2-bbb'), CLUSTER_NAME: 'east' } });
    v3 = await start(IMG + 'reviews-v3:1.20.3', { env: env('reviews-v3-ccc') });
    v3down = await start(IMG + 'reviews-v3:1.20.3', {
      env: { HOSTNAME: 'r', MIZZEN_SAMPLES_HOSTS: `ratings=127.0.0.1:${await closedPort()}` },
    });
  });
  after(async () => {
    await stopAll(v1, v2, v3, v3down);
    await ratingsSpy.close();
  });

  it('v1 does not call ratings and has no ratings', async () => {
    const before = ratingsSpy.requests.length;
    const body = json((await request(`${v1.url}/reviews/0`)).body);
    assert.equal(body.id, '0');
    assert.equal(body.podname, 'reviews-v1-aaa');
    assert.equal(body.clustername, 'null');
    assert.equal(body.reviews.length, 2);
    assert.deepEqual(
      body.reviews.map((r: any) => r.reviewer),
      ['Reviewer1', 'Reviewer2'],
    );
    assert.ok(body.reviews.every((r: any) => typeof r.text === 'string' && !('rating' in r)));
    assert.equal(ratingsSpy.requests.length, before);
  });

  it('v2 adds black stars, v3 red stars, from the ratings service', async () => {
    const b2 = json((await request(`${v2.url}/reviews/0`)).body);
    assert.deepEqual(
      b2.reviews.map((r: any) => r.rating),
      [
        { stars: 5, color: 'black' },
        { stars: 4, color: 'black' },
      ],
    );
    assert.equal(b2.clustername, 'east');
    const b3 = json((await request(`${v3.url}/reviews/0`)).body);
    assert.deepEqual(
      b3.reviews.map((r: any) => r.rating),
      [
        { stars: 5, color: 'red' },
        { stars: 4, color: 'red' },
      ],
    );
    assert.equal(b3.podname, 'reviews-v3-ccc');
    assert.equal(ratingsSpy.requests.at(-1)?.url, '/ratings/0');
    assert.equal(ratingsSpy.requests.at(-1)?.headers.host, 'ratings:9080');
  });

  it('propagates trace headers, end-user and user-agent to ratings', async () => {
    await request(`${v2.url}/reviews/0`, {
      headers: {
        'x-request-id': 'rid-1',
        'x-b3-traceid': 'tid',
        'x-b3-spanid': 'sid',
        b3: 'tid-sid-1',
        traceparent: '00-abc-def-01',
        'end-user': 'jason',
        'user-agent': 'ua/1',
        'x-unrelated': 'no',
      },
    });
    const h = ratingsSpy.requests.at(-1)!.headers;
    assert.equal(h['x-request-id'], 'rid-1');
    assert.equal(h['x-b3-traceid'], 'tid');
    assert.equal(h['x-b3-spanid'], 'sid');
    assert.equal(h.b3, 'tid-sid-1');
    assert.equal(h.traceparent, '00-abc-def-01');
    assert.equal(h['end-user'], 'jason');
    assert.equal(h['user-agent'], 'ua/1');
    assert.equal(h['x-unrelated'], undefined);
  });

  it('reports an error rating when ratings is unreachable', async () => {
    const body = json((await request(`${v3down.url}/reviews/0`)).body);
    assert.deepEqual(
      body.reviews.map((r: any) => r.rating),
      [
        { error: 'Ratings service is currently unavailable' },
        { error: 'Ratings service is currently unavailable' },
      ],
    );
  });
});

describe('productpage', () => {
  let details: Started;
  let ratings: Started;
  const reviews: Record<string, Started> = {};
  const pages: Record<string, Started> = {};
  let reviewsSpy: Awaited<ReturnType<typeof spy>>;
  let spyStatus = 200;

  before(async () => {
    details = await start(IMG + 'details-v1:1.20.3');
    ratings = await start(IMG + 'ratings-v1:1.20.3');
    for (const v of ['v1', 'v2', 'v3']) {
      reviews[v] = await start(`${IMG}reviews-${v}:1.20.3`, {
        env: { HOSTNAME: `reviews-${v}-pod`, MIZZEN_SAMPLES_HOSTS: `ratings=127.0.0.1:${ratings.port}` },
      });
      pages[v] = await start(IMG + 'productpage-v1:1.20.3', {
        env: {
          MIZZEN_SAMPLES_HOSTS: `details=127.0.0.1:${details.port},reviews=127.0.0.1:${reviews[v]!.port},ratings=127.0.0.1:${ratings.port}`,
        },
      });
    }
    reviewsSpy = await spy((_req, res) => {
      res.writeHead(spyStatus, { 'content-type': 'application/json' });
      res.end(spyStatus === 200 ? '{"id":"0","podname":"spy","clustername":"null","reviews":[]}' : '{}');
    });
    pages.spy = await start(IMG + 'productpage-v1:1.20.3', {
      env: {
        SERVICES_DOMAIN: 'bookinfo.svc.cluster.local',
        MIZZEN_SAMPLES_HOSTS:
          `details.bookinfo.svc.cluster.local=127.0.0.1:${details.port},` +
          `reviews.bookinfo.svc.cluster.local=127.0.0.1:${reviewsSpy.port}`,
      },
    });
    const dead = await closedPort();
    pages.down = await start(IMG + 'productpage-v1:1.20.3', {
      env: {
        DETAILS_HOSTNAME: 'gone',
        REVIEWS_HOSTNAME: 'gone',
        RATINGS_HOSTNAME: 'gone',
        MIZZEN_SAMPLES_HOSTS: `gone=127.0.0.1:${dead}`,
      },
    });
  });
  after(async () => {
    await stopAll(details, ratings, ...Object.values(reviews), ...Object.values(pages));
    await reviewsSpy.close();
  });

  it('renders the book, its details and reviews without stars from v1', async () => {
    const r = await request(`${pages.v1!.url}/productpage`);
    assert.equal(r.status, 200);
    assert.match(r.body, /<title>Simple Bookstore App<\/title>/);
    assert.match(r.body, /The Comedy of Errors/);
    assert.match(r.body, /Book Details/);
    assert.match(r.body, /paperback/);
    assert.match(r.body, /123-1234567890/);
    assert.match(r.body, /Reviewer1[\s\S]*Reviewer2/);
    assert.match(r.body, /Reviews served by:<\/dt>\s*<u>reviews-v1-pod<\/u>/);
    assert.equal(fullStars(r.body) + emptyStars(r.body), 0);
  });

  it('shows black stars through v2 and red stars through v3', async () => {
    const b2 = (await request(`${pages.v2!.url}/productpage`)).body;
    assert.equal(fullStars(b2), 9);
    assert.equal(emptyStars(b2), 1);
    assert.match(b2, /<font color="black">/);
    assert.doesNotMatch(b2, /color="red"/);
    assert.match(b2, /<u>reviews-v2-pod<\/u>/);
    const b3 = (await request(`${pages.v3!.url}/productpage`)).body;
    assert.equal(fullStars(b3), 9);
    assert.match(b3, /<font color="red">/);
    assert.doesNotMatch(b3, /color="black"/);
  });

  it('logs in with a session cookie, sends end-user, and logs out', async () => {
    const login = await request(`${pages.spy!.url}/login`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        referer: 'http://bookinfo/productpage',
      },
      body: 'username=jason&passwd=x',
    });
    assert.equal(login.status, 302);
    assert.equal(login.headers.location, 'http://bookinfo/productpage');
    const cookie = String(login.headers['set-cookie']?.[0]).split(';')[0]!;
    assert.match(cookie, /^session=/);

    const page = await request(`${pages.spy!.url}/productpage`, {
      headers: {
        cookie,
        'x-request-id': 'req-7',
        b3: 'a-b-1',
        traceparent: '00-t-s-01',
        'user-agent': 'test-agent',
      },
    });
    assert.match(page.body, /jason/);
    assert.match(page.body, /sign out/);
    const sent = reviewsSpy.requests.at(-1)!;
    assert.equal(sent.url, '/reviews/0');
    assert.equal(sent.headers.host, 'reviews.bookinfo.svc.cluster.local:9080');
    assert.equal(sent.headers['end-user'], 'jason');
    assert.equal(sent.headers['x-request-id'], 'req-7');
    assert.equal(sent.headers.b3, 'a-b-1');
    assert.equal(sent.headers.traceparent, '00-t-s-01');
    assert.equal(sent.headers['user-agent'], 'test-agent');

    // A forged cookie is no session; a client-sent end-user header is not trusted either.
    await request(`${pages.spy!.url}/productpage`, {
      headers: { cookie: cookie + 'x', 'end-user': 'mallory' },
    });
    assert.equal(reviewsSpy.requests.at(-1)!.headers['end-user'], undefined);

    const logout = await request(`${pages.spy!.url}/logout`, { headers: { cookie } });
    assert.equal(logout.status, 302);
    assert.match(String(logout.headers['set-cookie']?.[0]), /^session=;.*Max-Age=0/);
  });

  it('retries reviews once and shows the upstream errors when backends fail', async () => {
    spyStatus = 503;
    try {
      const before = reviewsSpy.requests.length;
      const body = (await request(`${pages.spy!.url}/productpage`)).body;
      assert.equal(reviewsSpy.requests.length - before, 2);
      assert.match(body, /Error fetching product reviews!/);
      assert.match(body, /Sorry, product reviews are currently unavailable for this book\./);
      assert.match(body, /Book Details/);
      const api = await request(`${pages.spy!.url}/api/v1/products/0/reviews`);
      assert.equal(api.status, 503);
      assert.deepEqual(json(api.body), {
        error: 'Sorry, product reviews are currently unavailable for this book.',
      });
    } finally {
      spyStatus = 200;
    }
    const down = (await request(`${pages.down!.url}/productpage`)).body;
    assert.match(down, /Error fetching product details!/);
    assert.match(down, /Sorry, product details are currently unavailable for this book\./);
    assert.match(down, /Sorry, product reviews are currently unavailable for this book\./);
  });

  it('serves the JSON API, the index and health', async () => {
    const url = pages.v3!.url;
    const products = json((await request(`${url}/api/v1/products`)).body);
    assert.equal(products[0].title, 'The Comedy of Errors');
    assert.equal(json((await request(`${url}/api/v1/products/0`)).body).publisher, 'PublisherA');
    assert.equal(
      json((await request(`${url}/api/v1/products/0/reviews`)).body).reviews[0].rating.color,
      'red',
    );
    assert.deepEqual(json((await request(`${url}/api/v1/products/0/ratings`)).body).ratings, {
      Reviewer1: 5,
      Reviewer2: 4,
    });
    const ratingsDown = await request(`${pages.down!.url}/api/v1/products/0/ratings`);
    assert.equal(ratingsDown.status, 500);
    assert.match(ratingsDown.body, /Sorry, product ratings are currently unavailable for this book\./);
    const index = await request(`${url}/`);
    assert.match(index.body, /<title>Simple Bookstore App<\/title>/);
    assert.match(index.body, /href="productpage\?u=normal"/);
    assert.equal((await request(`${url}/health`)).body, 'Product page is healthy');
  });
});

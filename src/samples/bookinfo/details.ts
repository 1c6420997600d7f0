import type http from 'node:http';
import type { Program, RunContext } from '../program.js';
import { combinedLog, sendJson, serve } from '../serve.js';
import { parseId } from './propagation.js';

/** The one book the sample knows; every id gets the same record, as upstream. */
export function bookDetails(id: number): Record<string, unknown> {
  return {
    id,
    author: 'William Shakespeare',
    year: 1595,
    type: 'paperback',
    pages: 200,
    publisher: 'PublisherA',
    language: 'English',
    'ISBN-10': '1234567890',
    'ISBN-13': '123-1234567890',
  };
}

export function detailsHandler(ctx: RunContext) {
  return (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/health') return sendJson(res, 200, { status: 'Details is healthy' });
    if (path === '/details' || path.startsWith('/details/')) {
      const id = parseId(path.split('/').pop());
      if (id === undefined) return sendJson(res, 400, { error: 'please provide numeric product id' });
      // details-v2 would look the book up on an external API; the embedded cluster has no route out.
      if (ctx.env.ENABLE_EXTERNAL_BOOK_SERVICE === 'true') {
        return sendJson(res, 400, { error: 'external book service www.googleapis.com is unreachable' });
      }
      return sendJson(res, 200, bookDetails(id));
    }
    sendJson(res, 404, { error: 'not found' });
  };
}

export function runDetails(port: number, ctx: RunContext): Promise<Program> {
  return serve(detailsHandler(ctx), {
    port,
    ctx,
    banner: (p) =>
      `[${new Date().toISOString()}] INFO  WEBrick::HTTPServer#start: pid=${process.pid} port=${p}`,
    accessLog: combinedLog,
  });
}

import os from 'node:os';
import type http from 'node:http';
import { portFromArgv } from './args.js';
import type { Program, RunContext } from './program.js';
import { combinedLog, sendText, serve } from './serve.js';

/** helloworld v1/v2: one image per version, told apart only by SERVICE_VERSION baked into the image. */
export function helloworldHandler(ctx: RunContext) {
  const version = ctx.env.SERVICE_VERSION ?? 'None';
  const instance = ctx.env.HOSTNAME ?? os.hostname();
  return (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/hello') {
      return sendText(
        res,
        200,
        `Hello version: ${version}, instance: ${instance}\n`,
        'text/html; charset=utf-8',
      );
    }
    if (path === '/health') return sendText(res, 200, 'Helloworld is healthy', 'text/html; charset=utf-8');
    sendText(res, 404, '<h1>Not Found</h1>\n', 'text/html; charset=utf-8');
  };
}

/** argv is the image's gunicorn line (`-b [::]:5000`) or anything naming a port; Flask's default is 5000. */
export function runHelloworld(argv: readonly string[], ctx: RunContext): Promise<Program> {
  return serve(helloworldHandler(ctx), {
    port: portFromArgv(argv, 5000),
    ctx,
    banner: (p, h) => `[${new Date().toISOString()}] [INFO] Listening at: http://${h}:${p} (${process.pid})`,
    accessLog: combinedLog,
  });
}

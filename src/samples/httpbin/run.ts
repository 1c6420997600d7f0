import { portFromArgv } from '../args.js';
import type { Program, RunContext } from '../program.js';
import { serve } from '../serve.js';
import { ConfigError, type HttpbinConfig, parseHttpbinArgs } from './config.js';
import { type Flavour, Httpbin } from './handlers.js';

/**
 * Runs httpbin from the container's argv. `go` flavour: argv[0] is the go-httpbin binary and the rest are its
 * flags (PORT/HOST/... env as fallbacks). `python` flavour: gunicorn's `-b host:port`, default port 80.
 */
export async function runHttpbin(
  argv: readonly string[],
  ctx: RunContext,
  flavour: Flavour,
): Promise<Program> {
  let cfg: HttpbinConfig;
  try {
    cfg =
      flavour === 'go'
        ? parseHttpbinArgs(argv.slice(1), ctx.env)
        : { ...parseHttpbinArgs([], {}), port: portFromArgv(argv, 80) };
  } catch (err) {
    if (err instanceof ConfigError) {
      ctx.stderr.write(
        `error: ${err.message}\n\nUsage of go-httpbin: -host -port -max-duration -max-body-size -prefix -use-real-hostname -exclude-headers\n`,
      );
      return { ports: [], exited: Promise.resolve(2), stop() {} };
    }
    throw err;
  }
  const app = new Httpbin(cfg, flavour);
  const log = (line: string) => ctx.stdout.write(line + '\n');
  return serve(app.handle, {
    port: cfg.port,
    host: cfg.host,
    ctx,
    drainMs: cfg.maxDurationMs + 1000,
    banner: (p, h) =>
      flavour === 'go'
        ? `time="${new Date().toISOString()}" msg="go-httpbin listening on http://${h}:${p}"`
        : `[${new Date().toISOString()}] [INFO] Listening at: http://${h}:${p}`,
    onStop: () => flavour === 'go' && log(`time="${new Date().toISOString()}" msg="shutting down ..."`),
    accessLog: (r) =>
      `time="${r.time.toISOString()}" status=${r.status} method="${r.method}" uri="${r.url}" ` +
      `size_bytes=${r.bytes ?? 0} duration_ms=${r.durationMs.toFixed(2)} user_agent="${r.userAgent}" client_ip=${r.remote}`,
  });
}

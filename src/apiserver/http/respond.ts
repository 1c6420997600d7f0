// Writing responses: objects, lists and Status errors, as JSON (or YAML when a client asks for it).
import type { ServerResponse } from 'node:http';
import { stringify } from 'yaml';
import { StatusError, internalError } from '../errors.js';

export function sendJson(res: ServerResponse, code: number, body: unknown, warnings: string[] = []): void {
  sendText(res, code, typeof body === 'string' ? body : JSON.stringify(body), 'application/json', warnings);
}

/** Sends an already-serialised JSON document (the store keeps objects serialised). */
export function sendText(
  res: ServerResponse,
  code: number,
  text: string,
  contentType: string,
  warnings: string[] = [],
): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const headers: Record<string, string | string[]> = {
    'Content-Type': contentType,
    'Content-Length': String(Buffer.byteLength(text)),
    'Cache-Control': 'no-cache, private',
  };
  if (warnings.length > 0) headers['Warning'] = warnings.map(warningHeader);
  res.writeHead(code, headers);
  res.end(text);
}

export function sendYaml(res: ServerResponse, code: number, body: unknown): void {
  sendText(res, code, stringify(body), 'application/yaml');
}

export const warningHeader = (w: string): string => `299 - ${JSON.stringify(w)}`;

export function sendError(res: ServerResponse, err: unknown): void {
  const se = err instanceof StatusError ? err : internalError(describe(err));
  if (!(err instanceof StatusError)) console.error('internal error:', err);
  sendJson(res, se.code, se.toStatus());
}

const describe = (err: unknown): string => (err instanceof Error ? err.message : String(err));

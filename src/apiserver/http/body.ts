// Reading and decoding request bodies: JSON, YAML and the Kubernetes protobuf envelope.
import type { IncomingMessage } from 'node:http';
import { parseDocument } from 'yaml';
import { decodeProtobufObject, isProtobufContentType } from '../codec/index.js';
import { badRequest, tooLarge, unsupportedMediaType } from '../errors.js';

/** The apiserver's limit on a request body (MaxRequestBodyBytes). */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export async function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > limit) {
    req.resume();
    throw tooLarge(limit);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      req.resume();
      throw tooLarge(limit);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export const mediaType = (ct: string | undefined): string => (ct ?? '').split(';')[0].trim().toLowerCase();

/**
 * Decodes an object body (create, update, apply, subresource writes). `kind` names the expected kind
 * in decode errors, as the apiserver's "the object provided is unrecognized" message does.
 */
export function decodeObject(body: Buffer, contentType: string | undefined, kind?: string): any {
  const mt = mediaType(contentType);
  const unrecognized = kind ? `the object provided is unrecognized (must be of type ${kind}): ` : '';
  if (isProtobufContentType(mt)) return decodeProtobufObject(body);
  if (mt === 'application/yaml' || mt === 'application/apply-patch+yaml' || mt === 'text/yaml')
    return parseYaml(body, unrecognized);
  if (mt === '' || mt === 'application/json' || mt === '*/*' || mt.endsWith('+json'))
    return parseJson(body, unrecognized);
  throw unsupportedMediaType(mt, [
    'application/json',
    'application/yaml',
    'application/vnd.kubernetes.protobuf',
  ]);
}

export function parseJson(body: Buffer, prefix = ''): any {
  const text = body.toString('utf8');
  if (text.trim() === '')
    throw badRequest(`${prefix}couldn't get version/kind; json parse error: unexpected end of JSON input`);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw badRequest(
      `${prefix}couldn't get version/kind; json parse error: ${goJsonError(text, (err as Error).message)} (${dataSummary(body)})`,
    );
  }
}

/** Rewords a JSON.parse failure the way Go's encoding/json reports it, which is what clients show. */
function goJsonError(text: string, message: string): string {
  const pos = /position (\d+)/.exec(message);
  const at = pos ? Number(pos[1]) : -1;
  const ch = at >= 0 && at < text.length ? text[at] : /Unexpected token '?(.)/.exec(message)?.[1];
  const quoted = (c: string) => (c === '\n' ? "'\\n'" : c === "'" ? "'\\''" : `'${c}'`);
  if (/end of JSON input|Unterminated string/.test(message) || ch === undefined)
    return 'unexpected end of JSON input';
  if (/after property value/.test(message))
    return `invalid character ${quoted(ch)} after object key:value pair`;
  if (/after array element/.test(message)) return `invalid character ${quoted(ch)} after array element`;
  if (/after property name/.test(message)) return `invalid character ${quoted(ch)} after object key`;
  if (/property name/.test(message))
    return `invalid character ${quoted(ch)} looking for beginning of object key string`;
  if (/control character/.test(message)) return `invalid character ${quoted(ch)} in string literal`;
  if (/non-whitespace/.test(message)) return `invalid character ${quoted(ch)} after top-level value`;
  return `invalid character ${quoted(ch)} looking for beginning of value`;
}

/** The short summary of the offending data upstream appends: readable JSON text, or hex. */
function dataSummary(body: Buffer): string {
  const head = body.subarray(0, 30);
  const text = head.toString('utf8');
  if (text.trimStart().startsWith('{') && /^[\x20-\x7e\s]*$/.test(text))
    return body.length > 30 ? `${text} ...` : text;
  return head.toString('hex') + (body.length > 30 ? ' ...' : '');
}

function parseYaml(body: Buffer, prefix = ''): any {
  const text = body.toString('utf8');
  // JSON is YAML; parse JSON directly when it looks like JSON for exact number handling.
  if (/^\s*[{[]/.test(text)) {
    try {
      return JSON.parse(text);
    } catch {
      /* fall through to YAML */
    }
  }
  if (text.trim() === '') throw badRequest(`${prefix}the request body is empty; an object was expected`);
  const doc = parseDocument(text, { uniqueKeys: true, version: '1.2' });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    throw badRequest(
      `${prefix}error converting YAML to JSON: yaml: line ${e.linePos?.[0].line ?? '?'}: ${e.message.split('\n')[0]}`,
    );
  }
  const value = doc.toJS({ maxAliasCount: 100 });
  if (value === null || typeof value !== 'object')
    throw badRequest(
      `${prefix}couldn't get version/kind; json parse error: json: cannot unmarshal ${typeof value === 'string' ? 'string' : typeof value} into Go value of type struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }`,
    );
  return value;
}

// Kubernetes Status errors. Every failure the server returns is one of these, so clients (kubectl,
// client-go, client-node) print the same text they print against a real cluster.

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export class StatusError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
  }

  toStatus(): Record<string, unknown> {
    const status: Record<string, unknown> = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
    };
    if (this.reason) status.reason = this.reason;
    if (this.details) status.details = this.details;
    status.code = this.code;
    return status;
  }
}

/** `resource` is the plural resource name with its group, e.g. "deployments.apps" or "pods". */
export const notFound = (resource: string, name: string): StatusError =>
  new StatusError(404, 'NotFound', `${resource} "${name}" not found`, detailsFor(resource, name));

export const alreadyExists = (resource: string, name: string): StatusError =>
  new StatusError(409, 'AlreadyExists', `${resource} "${name}" already exists`, detailsFor(resource, name));

export const conflict = (resource: string, name: string, why?: string): StatusError =>
  new StatusError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${resource} "${name}": ${
      why ?? 'the object has been modified; please apply your changes to the latest version and try again'
    }`,
    detailsFor(resource, name),
  );

export const badRequest = (message: string, causes?: StatusCause[]): StatusError =>
  new StatusError(400, 'BadRequest', message, causes ? { causes } : undefined);

export const forbidden = (message: string, details?: StatusDetails): StatusError =>
  new StatusError(403, 'Forbidden', message, details);

export const unauthorized = (): StatusError => new StatusError(401, 'Unauthorized', 'Unauthorized');

export const methodNotAllowed = (message: string): StatusError =>
  new StatusError(405, 'MethodNotAllowed', message);

export const gone = (message: string): StatusError => new StatusError(410, 'Expired', message);

export const unsupportedMediaType = (_contentType: string, accepted: string[]): StatusError =>
  new StatusError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
  );

export const tooLarge = (limit: number): StatusError =>
  new StatusError(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${limit}`);

export const internalError = (message: string): StatusError =>
  new StatusError(500, 'InternalError', `Internal error occurred: ${message}`, {
    causes: [{ message }],
  });

export const timeout = (message: string, retryAfterSeconds?: number): StatusError =>
  new StatusError(504, 'Timeout', message, retryAfterSeconds ? { retryAfterSeconds } : undefined);

/** A field-level validation failure, the unit of a 422 Invalid response. */
export interface FieldError {
  type: FieldErrorType;
  field: string;
  value?: unknown;
  /** The value already rendered as Go would print it (e.g. a map), printed verbatim. */
  valueText?: string;
  detail?: string;
}

export type FieldErrorType =
  | 'FieldValueRequired'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueDuplicate'
  | 'FieldValueForbidden'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'FieldValueNotFound'
  | 'FieldValueTypeInvalid';

const typeText: Record<FieldErrorType, string> = {
  FieldValueRequired: 'Required value',
  FieldValueInvalid: 'Invalid value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueForbidden: 'Forbidden',
  FieldValueTooLong: 'Too long',
  FieldValueTooMany: 'Too many',
  FieldValueNotFound: 'Not found',
  FieldValueTypeInvalid: 'Invalid value',
};

/** Renders one field error the way apimachinery's field.Error does. */
export function fieldErrorMessage(e: FieldError, withField = true): string {
  let text = typeText[e.type];
  const showsValue = [
    'FieldValueInvalid',
    'FieldValueNotSupported',
    'FieldValueDuplicate',
    'FieldValueTypeInvalid',
    'FieldValueTooMany',
  ].includes(e.type);
  if (showsValue && e.valueText !== undefined) text += `: ${e.valueText}`;
  else if (showsValue && e.value !== undefined) text += `: ${formatValue(e.value)}`;
  if (e.detail) text += `: ${e.detail}`;
  return withField ? `${e.field}: ${text}` : text;
}

function formatValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null) return 'null';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** 422 Invalid: `<Kind>[.group] "<name>" is invalid: <field errors>`. */
export function invalid(kind: string, group: string, name: string, errors: FieldError[]): StatusError {
  const qualified = group ? `${kind}.${group}` : kind;
  const parts = errors.map((e) => fieldErrorMessage(e));
  const summary = parts.length === 1 ? parts[0] : `[${parts.join(', ')}]`;
  return new StatusError(422, 'Invalid', `${qualified} "${name}" is invalid: ${summary}`, {
    name,
    group: group || undefined,
    kind,
    causes: errors.map((e) => ({ reason: e.type, message: fieldErrorMessage(e, false), field: e.field })),
  });
}

function detailsFor(resource: string, name: string): StatusDetails {
  const dot = resource.indexOf('.');
  return dot < 0
    ? { name, kind: resource }
    : { name, group: resource.slice(dot + 1), kind: resource.slice(0, dot) };
}

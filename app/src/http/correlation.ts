import { randomUUID } from 'node:crypto';
import { type IncomingHttpHeaders } from 'node:http';

/** The response header that carries the correlation id, and the one outbound calls send. */
export const CORRELATION_HEADER = 'x-request-id';

// Ids end up in every log line: accept only short, plain tokens, never whatever a client sends.
const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The request's correlation id: the X-Ray trace id the load balancer adds (`Root=` of
 * X-Amzn-Trace-Id, https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-request-tracing.html),
 * else the caller's X-Request-Id, else a new UUID.
 */
export function correlationId(headers: IncomingHttpHeaders): string {
  const trace = first(headers['x-amzn-trace-id']);
  const root = trace
    ?.split(';')
    .map((field) => field.trim())
    .find((field) => field.startsWith('Root='))
    ?.slice('Root='.length);
  if (root && SAFE_ID.test(root)) return root;
  const requestId = first(headers[CORRELATION_HEADER]);
  if (requestId && SAFE_ID.test(requestId)) return requestId;
  return randomUUID();
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

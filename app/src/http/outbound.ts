import { CORRELATION_HEADER } from './correlation';

export interface OutboundOptions extends Omit<RequestInit, 'signal'> {
  /** The correlation id of the request that makes this call; sent as X-Request-Id. */
  readonly correlationId: string;
  /** How long the whole call (connect, headers and body) may take. */
  readonly timeoutMs: number;
}

/**
 * fetch() for calls to other services: always bounded by a timeout, always carrying the
 * caller's correlation id, so one id follows a request across services in the logs.
 */
export async function outboundFetch(url: string | URL, options: OutboundOptions): Promise<Response> {
  const { correlationId, timeoutMs, headers, ...init } = options;
  const merged = new Headers(headers);
  merged.set(CORRELATION_HEADER, correlationId);
  return fetch(url, { ...init, headers: merged, signal: AbortSignal.timeout(timeoutMs) });
}

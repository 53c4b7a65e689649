import { STATUS_CODES } from 'node:http';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** A field that failed validation, as in RFC 9457's `invalid-params` example. */
export interface InvalidParam {
  readonly name: string;
  readonly reason: string;
}

/** An RFC 9457 problem details body (https://www.rfc-editor.org/rfc/rfc9457), plus the correlation id. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly instance: string;
  readonly correlationId: string;
  readonly 'invalid-params'?: readonly InvalidParam[];
}

export function problem(status: number, detail: string, request: { readonly url: string; readonly id: string }, invalidParams?: readonly InvalidParam[]): Problem {
  return {
    type: 'about:blank',
    title: STATUS_CODES[status] ?? 'Error',
    status,
    detail,
    // The path only: a query string may carry data that does not belong in an error body.
    instance: request.url.split('?')[0],
    correlationId: request.id,
    ...(invalidParams ? { 'invalid-params': invalidParams } : {}),
  };
}

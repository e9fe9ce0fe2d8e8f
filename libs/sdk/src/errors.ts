/** One field's violation in a problem document: where (`url`, `events[2].topic`) and why. */
export interface ProblemFieldError {
  readonly path: string;
  readonly message: string;
  readonly code?: string;
}

/**
 * The native API's error body (RFC 7807 `application/problem+json`, see docs/adr/0004): `code` is
 * the stable value to switch on (`UNAUTHENTICATED`, `URL_MUST_BE_HTTPS`, …), `errors` holds every
 * field violation, `requestId` is the `X-Request-ID` to quote to an operator.
 */
export interface ProblemDocument {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly code: string;
  readonly errors: readonly ProblemFieldError[];
  readonly requestId?: string;
  /**
   * With `PORTAL_SESSION_EXPIRED`: where the SaaS that opened the portal session hands out a new one
   * (null when it named none).
   */
  readonly refreshUrl?: string | null;
}

/**
 * Every answer of the API that is not a success, as one class, so a caller catches one thing and
 * branches on `status` or `code`. An answer that is not a problem document (a proxy's 502 page) still
 * gets a status, with the code `HTTP_<status>` and the body text as its detail.
 */
export class HookyardError extends Error {
  readonly status: number;
  readonly code: string;
  readonly errors: readonly ProblemFieldError[];
  readonly requestId: string | undefined;
  /** The problem document as the server sent it (`null` when the body was not one). */
  readonly problem: ProblemDocument | null;

  constructor(
    status: number,
    problem: ProblemDocument | null,
    fallback: { detail: string; requestId?: string },
  ) {
    super(problem?.detail ?? fallback.detail);
    this.name = 'HookyardError';
    this.status = status;
    this.problem = problem;
    this.code = problem?.code ?? `HTTP_${status}`;
    this.errors = problem?.errors ?? [];
    this.requestId = problem?.requestId ?? fallback.requestId;
  }

  /** The error for a failed response whose body has been read (parsed JSON, or text when it was not). */
  static fromResponse(response: Response, body: unknown): HookyardError {
    const requestId = response.headers.get('x-request-id') ?? undefined;
    const detail =
      typeof body === 'string' && body.length > 0
        ? body
        : `${response.status} ${response.statusText}`;
    return new HookyardError(response.status, isProblem(body) ? body : null, { detail, requestId });
  }
}

/** Whether a parsed body has the problem document's shape (the fields a caller relies on). */
export function isProblem(body: unknown): body is ProblemDocument {
  if (typeof body !== 'object' || body === null) return false;
  const candidate = body as Record<string, unknown>;
  return (
    typeof candidate['status'] === 'number' &&
    typeof candidate['code'] === 'string' &&
    typeof candidate['detail'] === 'string' &&
    Array.isArray(candidate['errors'])
  );
}

/** An RFC 9457 problem document as the API and the presign function send it. */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  traceId?: string;
  errors?: Record<string, string[]>;
}

/** A failed request: an answer from the server (status > 0) or no answer at all (status 0, offline). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
    /** Seconds from Retry-After on a 429 or a 409 of an image still processing. */
    readonly retryAfter: number | null = null,
  ) {
    super(describeProblem(status, problem, retryAfter));
    this.name = 'ApiError';
  }

  get offline(): boolean {
    return this.status === 0;
  }

  /** Messages for one field of a validation problem, if any. */
  fieldErrors(field: string): string[] {
    const errors = this.problem.errors ?? {};
    const key = Object.keys(errors).find((k) => k.toLowerCase() === field.toLowerCase());
    return key ? errors[key] : [];
  }
}

/** Retry-After is whole seconds or an HTTP date; anything else is ignored. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - now) / 1000));
}

export function formatWait(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}

/** The words a person reads for a failure: the server's own detail where it gave one. */
export function describeProblem(status: number, problem: Problem, retryAfter: number | null): string {
  if (status === 0) return 'You seem to be offline. Check the connection and try again.';
  if (status === 429) {
    const wait = retryAfter === null ? 'a little while' : formatWait(retryAfter);
    return `Too many attempts. Try again in ${wait}.`;
  }
  const fieldMessages = Object.values(problem.errors ?? {}).flat();
  if (fieldMessages.length > 0) return fieldMessages.join(' ');
  if (problem.detail) return problem.detail;
  switch (status) {
    case 401: return 'Please sign in again.';
    case 403: return 'You are not allowed to do that.';
    case 404: return 'This no longer exists.';
    case 413: return 'That is too large.';
    case 503: return 'The service is briefly unavailable. Try again in a moment.';
    default:
      if (status >= 500) return 'Something went wrong on our side. Try again in a moment.';
      return problem.title ?? `The request failed (${status}).`;
  }
}

/** Reads a failed response into an ApiError; bodies that are not problem documents still give words. */
export async function errorFromResponse(response: Response): Promise<ApiError> {
  let problem: Problem = {};
  try {
    const text = await response.text();
    if (text) {
      const parsed: unknown = JSON.parse(text);
      if (parsed && typeof parsed === 'object') problem = parsed as Problem;
    }
  } catch {
    // Not JSON (a proxy's HTML page): the status alone speaks.
  }
  return new ApiError(response.status, problem, parseRetryAfter(response.headers.get('Retry-After')));
}

import { ApiError, errorFromResponse } from './problem';
import type { Session } from './session';

/** none: never send a token; optional: send one when signed in (likedByMe, followedByMe); required: fail without. */
export type AuthMode = 'none' | 'optional' | 'required';

export interface RequestOptions {
  body?: unknown;
  auth?: AuthMode;
  headers?: Record<string, string>;
  query?: Record<string, string | number | null | undefined>;
  signal?: AbortSignal;
}

/**
 * The API over fetch: JSON in and out, the bearer token attached and refreshed on expiry
 * (one retry after a 401), failures as ApiError with the problem document's words.
 */
export class Http {
  constructor(
    private readonly baseUrl: string,
    private readonly session: Session,
    private readonly fetchImpl: typeof fetch = (...args) => fetch(...args),
  ) {}

  get<T>(path: string, options: RequestOptions = {}): Promise<T> {
    return this.request<T>('GET', path, options);
  }

  post<T>(path: string, body?: unknown, options: RequestOptions = {}): Promise<T> {
    return this.request<T>('POST', path, { ...options, body });
  }

  put<T>(path: string, body?: unknown, options: RequestOptions = {}): Promise<T> {
    return this.request<T>('PUT', path, { ...options, body });
  }

  patch<T>(path: string, body?: unknown, options: RequestOptions = {}): Promise<T> {
    return this.request<T>('PATCH', path, { ...options, body });
  }

  delete<T>(path: string, body?: unknown, options: RequestOptions = {}): Promise<T> {
    return this.request<T>('DELETE', path, { ...options, body });
  }

  url(path: string, query?: RequestOptions['query']): string {
    const base = /^https?:\/\//.test(path) ? path : this.baseUrl + path;
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(query ?? {})) {
      if (value !== null && value !== undefined && value !== '') params.set(name, String(value));
    }
    const search = params.toString();
    return search ? `${base}${base.includes('?') ? '&' : '?'}${search}` : base;
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const auth = options.auth ?? 'required';
    let token: string | null = null;
    if (auth !== 'none') {
      token = await this.session.accessToken();
      if (token === null && auth === 'required') {
        throw new ApiError(401, { title: 'Unauthorized', detail: 'Please sign in first.' });
      }
    }
    let response = await this.send(method, path, options, token);
    if (response.status === 401 && token !== null) {
      // The token expired early or was refused: refresh once (shared with any concurrent caller), then retry.
      const fresh = await this.session.refresh(token);
      if (fresh !== null) response = await this.send(method, path, options, fresh);
      else if (auth === 'optional') response = await this.send(method, path, options, null);
    }
    if (!response.ok) throw await errorFromResponse(response);
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  private async send(method: string, path: string, options: RequestOptions, token: string | null): Promise<Response> {
    const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
    if (token !== null) headers.Authorization = `Bearer ${token}`;
    let body: string | undefined;
    if (options.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(options.body);
    }
    try {
      return await this.fetchImpl(this.url(path, options.query), { method, headers, body, signal: options.signal });
    } catch (error) {
      if (error instanceof DOMException && error.name === 'AbortError') throw error;
      throw new ApiError(0, { title: 'Offline' });
    }
  }
}

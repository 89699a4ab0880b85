import { ApiError } from './problem';
import { MODERATE_SCOPE, tokenScopes } from '../token';
import type { Profile } from './types';

export interface TokenResponse {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  refreshToken: string;
  user: Profile;
}

/** Where the refresh token outlives a page load. The access token is never stored (memory only). */
export interface TokenStorage {
  get(): string | null;
  set(token: string | null): void;
  /** Calls back when another tab changes the token (null: it signed out). */
  watch?(onChange: (token: string | null) => void): void;
}

export function localTokenStorage(key = 'foodcommunity.refreshToken'): TokenStorage {
  return {
    get: () => {
      try { return localStorage.getItem(key); } catch { return null; }
    },
    set: (token) => {
      try {
        if (token === null) localStorage.removeItem(key);
        else localStorage.setItem(key, token);
      } catch {
        // Storage disabled (private mode): the session lasts as long as the page.
      }
    },
    watch: (onChange) => window.addEventListener('storage', (e) => {
      if (e.key === key) onChange(e.newValue);
    }),
  };
}

export function memoryTokenStorage(initial: string | null = null): TokenStorage {
  let token = initial;
  return { get: () => token, set: (t) => { token = t; } };
}

/** Runs fn while no other tab refreshes (Web Locks), so two tabs never spend the same token. */
export type RefreshLock = <T>(fn: () => Promise<T>) => Promise<T>;

export const webLock: RefreshLock = (fn) =>
  typeof navigator !== 'undefined' && navigator.locks
    ? (navigator.locks.request('foodcommunity.refresh', fn) as Promise<Awaited<ReturnType<typeof fn>>>)
    : fn();

export type SignOutReason = 'signed-out' | 'expired';

export interface SessionOptions {
  refresh: (refreshToken: string) => Promise<TokenResponse>;
  storage: TokenStorage;
  lock?: RefreshLock;
  now?: () => number;
}

/** An access token this close to its expiry is refreshed before use rather than sent to fail. */
const EXPIRY_MARGIN_MS = 30_000;

/**
 * The signed-in state: the access token in memory, the refresh token in storage, and one refresh
 * at a time however many requests find the access token expired.
 */
export class Session {
  private access: { token: string; expiresAt: number } | null = null;
  private inFlight: Promise<string | null> | null = null;
  private listeners = new Set<(reason?: SignOutReason) => void>();
  user: Profile | null = null;

  constructor(private readonly options: SessionOptions) {
    options.storage.watch?.((token) => {
      if (token === null && this.access !== null) this.clear('signed-out');
    });
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  /** The scopes of the current access token (read, not verified: the API decides). */
  get scopes(): string[] {
    return tokenScopes(this.access?.token);
  }

  /** A moderator's token carries the "moderate" scope: the client shows the moderation queue. */
  get isModerator(): boolean {
    return this.scopes.includes(MODERATE_SCOPE);
  }

  /** True while a refresh token is kept: the access token can be had, even after a reload. */
  get signedIn(): boolean {
    return this.options.storage.get() !== null;
  }

  onChange(listener: (reason?: SignOutReason) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(reason?: SignOutReason): void {
    for (const listener of this.listeners) listener(reason);
  }

  /** Takes the tokens of a sign-in, sign-up or refresh. */
  start(tokens: TokenResponse): void {
    this.access = { token: tokens.accessToken, expiresAt: this.now() + tokens.expiresIn * 1000 };
    this.options.storage.set(tokens.refreshToken);
    const changedUser = this.user?.id !== tokens.user.id;
    this.user = tokens.user;
    if (changedUser) this.emit();
  }

  /** The refresh token to end the session with on the server, and the local state dropped. */
  takeRefreshTokenForSignOut(): string | null {
    const token = this.options.storage.get();
    this.clear('signed-out');
    return token;
  }

  clear(reason: SignOutReason): void {
    const wasSignedIn = this.access !== null || this.options.storage.get() !== null;
    this.access = null;
    this.user = null;
    this.options.storage.set(null);
    if (wasSignedIn) this.emit(reason);
  }

  /** A usable access token, refreshed first if it is (nearly) expired; null when signed out. */
  async accessToken(): Promise<string | null> {
    if (this.access && this.access.expiresAt - EXPIRY_MARGIN_MS > this.now()) return this.access.token;
    if (!this.signedIn) return null;
    return this.refresh();
  }

  /**
   * Spends the refresh token once for all callers. With `rejected` (an access token the API just
   * answered 401 to), a caller whose token was already replaced gets the new one without a second refresh.
   */
  refresh(rejected?: string): Promise<string | null> {
    if (rejected !== undefined && this.access && this.access.token !== rejected) {
      return Promise.resolve(this.access.token);
    }
    this.inFlight ??= this.refreshOnce().finally(() => { this.inFlight = null; });
    return this.inFlight;
  }

  private async refreshOnce(): Promise<string | null> {
    const lock = this.options.lock ?? ((fn) => fn());
    return lock(async () => {
      // Read inside the lock: another tab may have rotated it while this one waited.
      const token = this.options.storage.get();
      if (token === null) {
        this.clear('expired');
        return null;
      }
      try {
        const tokens = await this.options.refresh(token);
        this.start(tokens);
        return tokens.accessToken;
      } catch (error) {
        // 401: unknown, expired, or reused (the API ended the whole session). Anything else
        // (offline, 429, 503) leaves the session for a later try.
        if (error instanceof ApiError && error.status === 401) {
          this.clear('expired');
          return null;
        }
        throw error;
      }
    });
  }
}

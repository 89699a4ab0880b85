import { describe, expect, it, vi } from 'vitest';
import { Http } from '../src/api/http';
import { ApiError } from '../src/api/problem';
import { Session, memoryTokenStorage, type TokenResponse } from '../src/api/session';
import { deferred, json, tokens } from './helpers';

function setup(options: { expiresIn?: number; refresh?: (token: string) => Promise<TokenResponse> } = {}) {
  let now = 1_000_000;
  const storage = memoryTokenStorage();
  const refresh = vi.fn(options.refresh ?? (async () => tokens()));
  const session = new Session({ refresh, storage, now: () => now });
  session.start(tokens(options.expiresIn ?? 900));
  return { session, storage, refresh, advance: (ms: number) => { now += ms; } };
}

describe('Session', () => {
  it('uses the access token until shortly before it expires, then refreshes', async () => {
    const { session, refresh, advance } = setup();
    const first = await session.accessToken();
    expect(await session.accessToken()).toBe(first);
    expect(refresh).not.toHaveBeenCalled();
    advance(900_000 - 29_000);
    const second = await session.accessToken();
    expect(second).not.toBe(first);
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  it('spends the stored refresh token and keeps its successor (rotation)', async () => {
    const { session, storage, refresh, advance } = setup();
    const spent = storage.get();
    advance(1_000_000);
    await session.accessToken();
    expect(refresh).toHaveBeenCalledWith(spent);
    expect(storage.get()).not.toBe(spent);
    advance(1_000_000);
    await session.accessToken();
    expect(refresh).toHaveBeenLastCalledWith(expect.not.stringMatching(spent!));
  });

  it('shares one refresh between concurrent callers (single flight)', async () => {
    const pending = deferred<TokenResponse>();
    const { session, refresh, advance } = setup({ refresh: () => pending.promise });
    advance(1_000_000);
    const callers = [session.accessToken(), session.accessToken(), session.refresh(), session.accessToken()];
    const next = tokens();
    pending.resolve(next);
    expect(await Promise.all(callers)).toEqual([next.accessToken, next.accessToken, next.accessToken, next.accessToken]);
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  it('does not refresh again for a caller whose rejected token was already replaced', async () => {
    const { session, refresh } = setup();
    const old = await session.accessToken();
    const fresh = await session.refresh(old!);
    expect(await session.refresh(old!)).toBe(fresh);
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  it('signs out when the API refuses the refresh token (reuse detected or expired)', async () => {
    const { session, storage, advance } = setup({
      refresh: async () => { throw new ApiError(401, { detail: 'This refresh token was already used; the session has been ended.' }); },
    });
    const ended = vi.fn();
    session.onChange(ended);
    advance(1_000_000);
    expect(await session.accessToken()).toBeNull();
    expect(storage.get()).toBeNull();
    expect(session.signedIn).toBe(false);
    expect(ended).toHaveBeenCalledWith('expired');
  });

  it('keeps the session when the refresh fails for want of a network', async () => {
    let offline = true;
    const { session, storage, advance } = setup({
      refresh: async () => { if (offline) throw new ApiError(0, {}); return tokens(); },
    });
    advance(1_000_000);
    await expect(session.accessToken()).rejects.toMatchObject({ offline: true });
    expect(storage.get()).not.toBeNull();
    offline = false;
    expect(await session.accessToken()).toMatch(/^access-/);
  });

  it('reads the refresh token inside the lock, so a token another tab rotated is the one spent', async () => {
    const storage = memoryTokenStorage();
    const refresh = vi.fn(async () => tokens());
    let now = 0;
    const session = new Session({
      refresh, storage, now: () => now,
      // Another tab rotates while this one waits for the lock.
      lock: async (fn) => { storage.set('rotated-by-other-tab'); return fn(); },
    });
    session.start(tokens());
    now = 10_000_000;
    await session.accessToken();
    expect(refresh).toHaveBeenCalledWith('rotated-by-other-tab');
  });
});

describe('Http with a session', () => {
  it('refreshes once after a 401 and retries each request with the new token', async () => {
    const { session, refresh } = setup();
    const stale = await session.accessToken();
    const seen: string[] = [];
    const fetchImpl = vi.fn(async (_url: RequestInfo | URL, init?: RequestInit) => {
      const auth = (init?.headers as Record<string, string>).Authorization;
      seen.push(auth);
      return auth === `Bearer ${stale}` ? json(401, { title: 'Unauthorized' }) : json(200, { ok: true });
    });
    const http = new Http('', session, fetchImpl as typeof fetch);
    const results = await Promise.all([http.get('/a'), http.get('/b'), http.get('/c')]);
    expect(results).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(seen.filter((a) => a !== `Bearer ${stale}`)).toHaveLength(3);
  });

  it('answers a 401 with the problem once the refresh is refused, and is signed out', async () => {
    const { session } = setup({ refresh: async () => { throw new ApiError(401, {}); } });
    const http = new Http('', session, (async () => json(401, { title: 'Unauthorized', detail: 'expired' })) as typeof fetch);
    await expect(http.get('/api/v1/feed/home')).rejects.toMatchObject({ status: 401 });
    expect(session.signedIn).toBe(false);
  });

  it('asks again without a token when an optional one is refused', async () => {
    const { session } = setup({ refresh: async () => { throw new ApiError(401, {}); } });
    const fetchImpl = vi.fn(async (_url: RequestInfo | URL, init?: RequestInit) =>
      (init?.headers as Record<string, string>).Authorization ? json(401, {}) : json(200, { items: [], nextCursor: null }));
    const http = new Http('', session, fetchImpl as typeof fetch);
    expect(await http.get('/api/v1/feed/latest', { auth: 'optional' })).toEqual({ items: [], nextCursor: null });
  });

  it('turns problems, rate limits and a lost network into words', async () => {
    const { session } = setup();
    const respond = vi.fn();
    const http = new Http('', session, respond as unknown as typeof fetch);
    respond.mockResolvedValueOnce(json(400, { title: 'Bad', errors: { text: ['Write 1 to 1000 characters.'] } }));
    await expect(http.post('/x', {})).rejects.toThrow('Write 1 to 1000 characters.');
    respond.mockResolvedValueOnce(json(429, { title: 'Too many requests' }, { 'Retry-After': '120' }));
    await expect(http.post('/x', {})).rejects.toThrow('Try again in 2 minutes.');
    respond.mockRejectedValueOnce(new TypeError('Failed to fetch'));
    await expect(http.post('/x', {})).rejects.toThrow(/offline/);
  });
});

import type { TokenResponse } from '../src/api/session';
import type { Profile } from '../src/api/types';

export const profile = (id = 'u1'): Profile => ({
  id, username: `user_${id}`, displayName: `User ${id}`, bio: '', avatarUrl: null,
  postCount: 0, followerCount: 0, followingCount: 0, followedByMe: false,
});

let serial = 0;
export const tokens = (expiresIn = 900, userId = 'u1'): TokenResponse => {
  serial++;
  return { accessToken: `access-${serial}`, tokenType: 'Bearer', expiresIn, refreshToken: `refresh-${serial}`, user: profile(userId) };
};

export const json = (status: number, body?: unknown, headers: Record<string, string> = {}) =>
  new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': status >= 400 ? 'application/problem+json' : 'application/json', ...headers },
  });

/** A promise whose resolution the test decides. */
export function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((ok, fail) => { resolve = ok; reject = fail; });
  return { promise, resolve, reject };
}

import { describe, expect, it } from 'vitest';
import { Session, memoryTokenStorage } from '../src/api/session';
import { tokenClaims, tokenScopes } from '../src/token';
import { tokens } from './helpers';

/** base64url without padding, of UTF-8 JSON: how a JWT carries its header and payload. */
const part = (value: unknown) => btoa(String.fromCharCode(...new TextEncoder().encode(JSON.stringify(value))))
  .replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const jwt = (claims: unknown) => `${part({ alg: 'ES256', typ: 'JWT' })}.${part(claims)}.c2lnbmF0dXJl`;

describe('tokenClaims', () => {
  it('reads the payload of a JWT (base64url, no padding, UTF-8)', () => {
    // "니" and "?>" make the characters that differ in base64url ('-' and '_') likely; the length varies the padding.
    for (const name of ['a', 'ab', 'abc', '김치?>>', '비빔밥 Lover ~~~']) {
      expect(tokenClaims(jwt({ sub: 'u1', name }))).toEqual({ sub: 'u1', name });
    }
  });

  it('is null for anything that is not a token with a JSON object payload', () => {
    expect(tokenClaims(null)).toBeNull();
    expect(tokenClaims('')).toBeNull();
    expect(tokenClaims('opaque-access-token')).toBeNull();
    expect(tokenClaims('a.!!!.c')).toBeNull();
    expect(tokenClaims(`x.${part([1, 2])}.y`)).toBeNull();
    expect(tokenClaims(`x.${part('scope')}.y`)).toBeNull();
  });
});

describe('tokenScopes', () => {
  it('splits the space-separated scope claim', () => {
    expect(tokenScopes(jwt({ scope: 'api moderate' }))).toEqual(['api', 'moderate']);
    expect(tokenScopes(jwt({ scope: 'api' }))).toEqual(['api']);
  });

  it('takes a list too, and nothing from a token without the claim', () => {
    expect(tokenScopes(jwt({ scope: ['api', 'moderate', 3] }))).toEqual(['api', 'moderate']);
    expect(tokenScopes(jwt({ sub: 'u1' }))).toEqual([]);
    expect(tokenScopes('garbage')).toEqual([]);
  });
});

describe('Session.isModerator', () => {
  const session = () => new Session({ refresh: async () => tokens(), storage: memoryTokenStorage() });

  it('is true only while the access token carries the moderate scope', () => {
    const s = session();
    expect(s.isModerator).toBe(false);
    s.start({ ...tokens(), accessToken: jwt({ sub: 'u1', scope: 'api moderate' }) });
    expect(s.isModerator).toBe(true);
    expect(s.scopes).toEqual(['api', 'moderate']);
    // The role taken away reaches the next token; signing out forgets it at once.
    s.start({ ...tokens(), accessToken: jwt({ sub: 'u1', scope: 'api' }) });
    expect(s.isModerator).toBe(false);
    s.start({ ...tokens(), accessToken: jwt({ sub: 'u1', scope: 'moderate api' }) });
    s.clear('signed-out');
    expect(s.isModerator).toBe(false);
  });

  it('is false for a scope that merely contains the word', () => {
    const s = session();
    s.start({ ...tokens(), accessToken: jwt({ scope: 'api moderated' }) });
    expect(s.isModerator).toBe(false);
  });
});

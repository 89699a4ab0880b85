/**
 * What the client reads from its own access token: the claims of the JWT's payload (base64url
 * JSON). Nothing is verified here: the API checks every token; the client only decides what to
 * show (a moderator's screens), and a forged claim gets nothing but 403s.
 */
export function tokenClaims(token: string | null | undefined): Record<string, unknown> | null {
  const payload = token?.split('.')[1];
  if (!payload) return null;
  try {
    const base64 = payload.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(payload.length / 4) * 4, '=');
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const claims: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return claims !== null && typeof claims === 'object' && !Array.isArray(claims) ? (claims as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** The token's scopes: the `scope` claim, space separated (RFC 8693), or a list. */
export function tokenScopes(token: string | null | undefined): string[] {
  const scope = tokenClaims(token)?.scope;
  if (typeof scope === 'string') return scope.split(' ').filter(Boolean);
  if (Array.isArray(scope)) return scope.filter((s): s is string => typeof s === 'string');
  return [];
}

export const MODERATE_SCOPE = 'moderate';

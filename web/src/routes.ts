/**
 * The password-reset mail links to a path (Mail:PasswordResetUrl, `/reset-password?token=...`),
 * while the client's routes are in the hash. This turns such an address into the hash route
 * `#/reset-password?token=...` on the client's own root; null for every other address.
 */
export function resetLinkToHashRoute(url: string): string | null {
  const parsed = new URL(url);
  if (!/\/reset-password\/?$/.test(parsed.pathname)) return null;
  const token = parsed.searchParams.get('token') ?? '';
  const root = new URL('./', new URL(parsed.pathname.replace(/\/$/, ''), parsed.origin));
  return `${root.pathname}#/reset-password?${new URLSearchParams({ token })}`;
}

/** A suspension's length from its form field: blank is "without end", otherwise 1 to 3650 whole days. */
export function parseSuspensionDays(text: string): { days: number | undefined } | { error: string } {
  const trimmed = text.trim();
  if (trimmed === '') return { days: undefined };
  if (!/^\d+$/.test(trimmed)) return { error: 'Whole days, or leave it empty for no end.' };
  const days = Number(trimmed);
  if (days < 1 || days > 3650) return { error: 'From 1 to 3650 days, or leave it empty for no end.' };
  return { days };
}

/**
 * Runtime settings from /config.json beside index.html, so one build serves every environment:
 * the deployment (or scripts/dev.sh, or the end-to-end test) writes it.
 */
export interface ClientConfig {
  /** The API's origin; "" is the page's own (the API serves the client in Development; CloudFront routes /api in production). */
  apiBaseUrl: string;
  /** The presign function's POST /uploads, absolute or relative. */
  uploadsUrl: string;
  /** Items per page of every list (the API's limit, 1..50). */
  pageSize: number;
}

export const defaults: ClientConfig = { apiBaseUrl: '', uploadsUrl: '/uploads', pageSize: 20 };

export async function loadConfig(fetchImpl: typeof fetch = fetch): Promise<ClientConfig> {
  try {
    const response = await fetchImpl('config.json', { cache: 'no-store' });
    if (!response.ok) return defaults;
    const raw = (await response.json()) as Partial<ClientConfig>;
    const pageSize = Number(raw.pageSize ?? defaults.pageSize);
    return {
      apiBaseUrl: typeof raw.apiBaseUrl === 'string' ? raw.apiBaseUrl.replace(/\/$/, '') : defaults.apiBaseUrl,
      uploadsUrl: typeof raw.uploadsUrl === 'string' ? raw.uploadsUrl : defaults.uploadsUrl,
      pageSize: Number.isInteger(pageSize) && pageSize >= 1 && pageSize <= 50 ? pageSize : defaults.pageSize,
    };
  } catch {
    return defaults;
  }
}

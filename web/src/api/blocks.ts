import type { Http } from './http';
import type { PageFetcher } from './feeds';
import type { Profile } from './types';

export const blocksApi = (http: Http, pageSize: number) => ({
  block: (userId: string, block: boolean) =>
    block
      ? http.put<void>(`/api/v1/users/${encodeURIComponent(userId)}/block`)
      : http.delete<void>(`/api/v1/users/${encodeURIComponent(userId)}/block`),
  mine: (): PageFetcher<Profile> => (cursor) => http.get('/api/v1/me/blocks', { query: { limit: pageSize, cursor } }),
});

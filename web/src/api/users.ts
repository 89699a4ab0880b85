import type { Http } from './http';
import type { PageFetcher } from './feeds';
import type { Profile } from './types';

export const usersApi = (http: Http, pageSize: number) => ({
  me: () => http.get<Profile>('/api/v1/me'),
  updateMe: (changes: { displayName?: string; bio?: string; avatarKey?: string }) => http.patch<Profile>('/api/v1/me', changes),
  byUsername: (username: string) => http.get<Profile>(`/api/v1/users/${encodeURIComponent(username)}`, { auth: 'optional' }),
  follow: (userId: string, follow: boolean) =>
    follow
      ? http.put<void>(`/api/v1/users/${encodeURIComponent(userId)}/follow`)
      : http.delete<void>(`/api/v1/users/${encodeURIComponent(userId)}/follow`),
  followers: (userId: string): PageFetcher<Profile> => (cursor) =>
    http.get(`/api/v1/users/${encodeURIComponent(userId)}/followers`, { auth: 'optional', query: { limit: pageSize, cursor } }),
  following: (userId: string): PageFetcher<Profile> => (cursor) =>
    http.get(`/api/v1/users/${encodeURIComponent(userId)}/following`, { auth: 'optional', query: { limit: pageSize, cursor } }),
  search: (query: string): PageFetcher<Profile> => (cursor) =>
    http.get('/api/v1/users', { auth: 'optional', query: { query, limit: pageSize, cursor } }),
});

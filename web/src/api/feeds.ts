import type { Http } from './http';
import type { Page, Post } from './types';

export type FeedKind = 'latest' | 'home' | 'popular';

/** One page of a feed; cursor null is the first page. */
export type PageFetcher<T> = (cursor: string | null) => Promise<Page<T>>;

export const feedsApi = (http: Http, pageSize: number) => ({
  feed: (kind: FeedKind): PageFetcher<Post> => (cursor) =>
    http.get(`/api/v1/feed/${kind}`, { auth: kind === 'home' ? 'required' : 'optional', query: { limit: pageSize, cursor } }),
  tag: (tag: string): PageFetcher<Post> => (cursor) =>
    http.get(`/api/v1/tags/${encodeURIComponent(tag)}/posts`, { auth: 'optional', query: { limit: pageSize, cursor } }),
  userPosts: (userId: string): PageFetcher<Post> => (cursor) =>
    http.get(`/api/v1/users/${encodeURIComponent(userId)}/posts`, { auth: 'optional', query: { limit: pageSize, cursor } }),
});

import type { Http } from './http';
import type { PageFetcher } from './feeds';
import type { Post } from './types';

export interface ReportedPost {
  post: Post;
  reportCount: number;
  reasons: string[];
  firstReportedAt: string;
}

export const moderationApi = (http: Http, pageSize: number) => ({
  reports: (): PageFetcher<ReportedPost> => (cursor) => http.get('/api/v1/moderation/reports', { query: { limit: pageSize, cursor } }),
  hide: (postId: string, reason: string) => http.post<void>(`/api/v1/moderation/posts/${encodeURIComponent(postId)}/hide`, { reason }),
  dismiss: (postId: string) => http.post<void>(`/api/v1/moderation/posts/${encodeURIComponent(postId)}/dismiss`),
  suspend: (userId: string, reason: string, days?: number) =>
    http.post<void>(`/api/v1/moderation/users/${encodeURIComponent(userId)}/suspend`, { reason, days }),
});

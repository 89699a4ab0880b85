import type { Http } from './http';
import type { PageFetcher } from './feeds';
import type { Comment } from './types';

export const commentsApi = (http: Http, pageSize: number) => ({
  list: (postId: string): PageFetcher<Comment> => (cursor) =>
    http.get(`/api/v1/posts/${encodeURIComponent(postId)}/comments`, { auth: 'optional', query: { limit: pageSize, cursor } }),
  create: (postId: string, text: string) => http.post<Comment>(`/api/v1/posts/${encodeURIComponent(postId)}/comments`, { text }),
  remove: (commentId: string) => http.delete<void>(`/api/v1/comments/${encodeURIComponent(commentId)}`),
});

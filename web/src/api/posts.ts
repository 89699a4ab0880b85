import type { Http } from './http';
import type { Post } from './types';

export interface CreatePostRequest {
  imageKeys: string[];
  caption?: string;
  tags?: string[];
}

export const postsApi = (http: Http) => ({
  get: (postId: string) => http.get<Post>(`/api/v1/posts/${encodeURIComponent(postId)}`, { auth: 'optional' }),
  create: (request: CreatePostRequest, idempotencyKey: string) =>
    http.post<Post>('/api/v1/posts', request, { headers: { 'Idempotency-Key': idempotencyKey } }),
  /** PATCH is in the contract but not in the API yet (a 404/405 until it lands). */
  edit: (postId: string, changes: { caption?: string; tags?: string[] }) =>
    http.patch<Post>(`/api/v1/posts/${encodeURIComponent(postId)}`, changes),
  remove: (postId: string) => http.delete<void>(`/api/v1/posts/${encodeURIComponent(postId)}`),
  report: (postId: string, reason: string) => http.post<void>(`/api/v1/posts/${encodeURIComponent(postId)}/reports`, { reason }),
});

import type { Http } from './http';
import type { LikeResponse } from './types';

export const likesApi = (http: Http) => ({
  set: (postId: string, liked: boolean) =>
    liked
      ? http.put<LikeResponse>(`/api/v1/posts/${encodeURIComponent(postId)}/like`)
      : http.delete<LikeResponse>(`/api/v1/posts/${encodeURIComponent(postId)}/like`),
});

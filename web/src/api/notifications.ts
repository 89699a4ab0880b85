import type { Http } from './http';
import type { PageFetcher } from './feeds';
import type { Profile } from './types';

export interface Notification {
  id: string;
  type: 'like' | 'comment' | 'follow' | 'mention';
  actors: Profile[];
  actorCount: number;
  post: { id: string; imageUrl: string } | null;
  comment: { id: string; text: string } | null;
  createdAt: string;
  read: boolean;
}

export const notificationsApi = (http: Http, pageSize: number) => ({
  list: (): PageFetcher<Notification> => (cursor) => http.get('/api/v1/notifications', { query: { limit: pageSize, cursor } }),
  unreadCount: () => http.get<{ count: number }>('/api/v1/notifications/unread-count'),
  markRead: (upTo: string) => http.post<void>('/api/v1/notifications/read', { upTo }),
});

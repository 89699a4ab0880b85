import { accountApi } from './api/account';
import { authApi } from './api/auth';
import { blocksApi } from './api/blocks';
import { commentsApi } from './api/comments';
import { feedsApi } from './api/feeds';
import { Http } from './api/http';
import { likesApi } from './api/likes';
import { moderationApi } from './api/moderation';
import { notificationsApi } from './api/notifications';
import { postsApi } from './api/posts';
import { Session, localTokenStorage, webLock } from './api/session';
import { uploadsApi } from './api/uploads';
import { usersApi } from './api/users';
import { UnreadCounter } from './notifications';
import type { ClientConfig } from './config';

/** Everything a screen needs, built once from the config: the session and one module per API feature. */
export function createApp(config: ClientConfig) {
  let auth!: ReturnType<typeof authApi>;
  const session = new Session({ refresh: (token) => auth.refresh(token), storage: localTokenStorage(), lock: webLock });
  const http = new Http(config.apiBaseUrl, session);
  auth = authApi(http);
  const size = config.pageSize;
  const notifications = notificationsApi(http, size);
  return {
    config,
    session,
    http,
    auth,
    feeds: feedsApi(http, size),
    posts: postsApi(http),
    likes: likesApi(http),
    comments: commentsApi(http, size),
    users: usersApi(http, size),
    uploads: uploadsApi(http, config.uploadsUrl),
    blocks: blocksApi(http, size),
    moderation: moderationApi(http, size),
    account: accountApi(http),
    notifications,
    /** The navigation's badge: started on sign-in, reset on sign-out and when the list is read. */
    unread: new UnreadCounter({ fetchCount: notifications.unreadCount }),
  };
}

export type App = ReturnType<typeof createApp>;

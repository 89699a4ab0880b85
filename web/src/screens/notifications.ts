import type { App } from '../app';
import type { Notification } from '../api/notifications';
import { h, relativeTime } from '../ui/dom';
import { infiniteList } from '../ui/list';
import { describeNotification, markingFirstPageRead, notificationHref } from '../notifications';

/** #/notifications: newest first; opening it marks everything up to the newest shown read. */
export function notificationsScreen(app: App): HTMLElement {
  const fetchPage = markingFirstPageRead(app.notifications.list(), app.notifications.markRead, (ok) => {
    if (ok) app.unread.reset();
  });
  return h('div', { class: 'notifications' },
    h('h1', { tabIndex: -1 }, 'Notifications'),
    infiniteList(fetchPage, {
      label: 'Notifications',
      empty: 'Nothing yet. Likes, comments, follows and mentions of you show here.',
      render: (n) => notificationRow(n),
      className: 'notification-list',
    }));
}

function notificationRow(n: Notification): HTMLElement {
  const actor = n.actors[0];
  return h('a', { class: n.read ? 'notification' : 'notification unread', href: notificationHref(n) },
    actor?.avatarUrl ? h('img', { class: 'avatar', src: actor.avatarUrl, alt: '' }) : h('span', { class: 'avatar', 'aria-hidden': 'true' }, (actor?.displayName ?? '?').slice(0, 1)),
    h('span', { class: 'notification-text' },
      n.read ? null : h('span', { class: 'visually-hidden' }, 'New: '),
      h('span', { class: 'what' }, describeNotification(n)),
      h('time', { class: 'muted small', dateTime: n.createdAt, title: new Date(n.createdAt).toLocaleString() }, relativeTime(n.createdAt))),
    n.post?.imageUrl ? h('img', { class: 'thumb', src: n.post.imageUrl, alt: '', width: 48, height: 48, loading: 'lazy' }) : null);
}

import type { App } from '../app';
import type { FeedKind } from '../api/feeds';
import { h } from '../ui/dom';
import { infiniteList } from '../ui/list';
import { postCard } from '../ui/post';

const titles: Record<FeedKind, string> = { home: 'Home', latest: 'Latest', popular: 'Popular' };
const empties: Record<FeedKind, string> = {
  home: 'Nothing here yet. Follow people (try Latest) and their posts appear here.',
  latest: 'No posts yet. Be the first!',
  popular: 'Nothing has been liked in the last day yet.',
};

export function feedScreen(app: App, kind: FeedKind): HTMLElement {
  const tabs = (['home', 'latest', 'popular'] as FeedKind[])
    .filter((k) => k !== 'home' || app.session.signedIn)
    .map((k) => h('a', { href: `#/${k}`, 'aria-current': k === kind ? 'page' : undefined }, titles[k]));
  return h('div', { class: 'feed' },
    h('h1', { tabIndex: -1, class: 'visually-hidden' }, `${titles[kind]} feed`),
    h('nav', { class: 'tabs', 'aria-label': 'Feeds' }, tabs),
    infiniteList(app.feeds.feed(kind), { label: `${titles[kind]} posts`, empty: empties[kind], render: (post) => postCard(app, post), className: 'posts' }));
}

export function tagScreen(app: App, tag: string): HTMLElement {
  return h('div', { class: 'feed' },
    h('h1', { tabIndex: -1 }, `#${tag}`),
    infiniteList(app.feeds.tag(tag), { label: `Posts tagged ${tag}`, empty: `No posts with #${tag} yet.`, render: (post) => postCard(app, post), className: 'posts' }));
}

import { Pager } from '../paging';
import type { PageFetcher } from '../api/feeds';
import { h } from './dom';
import { errorBox } from './notice';

export interface ListOptions<T> {
  empty: string;
  label: string;
  /** Renders one item; the list appends it. */
  render: (item: T) => Node;
  className?: string;
}

/**
 * A list that loads the next page when its end scrolls into view (IntersectionObserver), with a
 * "Load more" button for keyboards and for browsers without the observer. A failed page shows
 * its error and a retry, and retries by itself when the browser comes back online.
 */
export function infiniteList<T extends { id: string }>(fetchPage: PageFetcher<T>, options: ListOptions<T>): HTMLElement {
  const pager = new Pager(fetchPage);
  const list = h('ul', { class: options.className ?? 'list', 'aria-label': options.label });
  const status = h('div', { class: 'list-status', 'aria-live': 'polite' });
  const more = h('button', { type: 'button', class: 'more', hidden: true }, 'Load more');
  const root = h('section', { class: 'infinite', 'aria-busy': 'false' }, list, status, more);

  const load = async () => {
    if (pager.done || pager.loading) return;
    root.setAttribute('aria-busy', 'true');
    status.replaceChildren(h('p', { class: 'loading' }, 'Loading…'));
    more.hidden = true;
    try {
      const fresh = await pager.next();
      for (const item of fresh) list.append(h('li', null, options.render(item)));
      status.replaceChildren();
      if (pager.done && pager.items.length === 0) status.append(h('p', { class: 'empty' }, options.empty));
      more.hidden = pager.done;
      // A short first page may not reach the bottom of a tall screen, and a page whose posts were all
      // left out (blocked authors) adds nothing the observer could see move: keep filling.
      if (!pager.done && (fresh.length === 0 || sentinelVisible())) queueMicrotask(load);
    } catch (error) {
      status.replaceChildren(errorBox(error, load));
    } finally {
      root.setAttribute('aria-busy', 'false');
    }
  };

  const sentinelVisible = () => {
    const rect = status.getBoundingClientRect();
    return rect.top < window.innerHeight + 400 && root.isConnected;
  };

  more.addEventListener('click', load);
  if ('IntersectionObserver' in window) {
    const observer = new IntersectionObserver((entries) => {
      if (!root.isConnected) return observer.disconnect();
      if (entries.some((e) => e.isIntersecting)) void load();
    }, { rootMargin: '400px' });
    observer.observe(status);
  }
  window.addEventListener('online', () => {
    if (root.isConnected && status.querySelector('.error')) void load();
  });
  void load();
  return root;
}

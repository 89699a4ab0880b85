import { describe, expect, it, vi } from 'vitest';
import type { Notification } from '../src/api/notifications';
import type { Page } from '../src/api/types';
import { UnreadCounter, badgeText, describeNotification, markingFirstPageRead, notificationHref } from '../src/notifications';
import { deferred, profile } from './helpers';

const note = (over: Partial<Notification> = {}): Notification => ({
  id: 'n1', type: 'like', actors: [{ ...profile('a'), displayName: '김치', username: 'kimchi' }], actorCount: 1,
  post: { id: 'p1', imageUrl: 'https://img/p1.webp' }, comment: null, createdAt: '2026-12-01T10:00:00Z', read: false, ...over,
});

describe('describeNotification', () => {
  it('groups likers: one, two, many', () => {
    expect(describeNotification(note())).toBe('김치 liked your post');
    expect(describeNotification(note({ actorCount: 2 }))).toBe('김치 and 1 other liked your post');
    expect(describeNotification(note({ actorCount: 13 }))).toBe('김치 and 12 others liked your post');
  });

  it('quotes a comment and names follows and mentions', () => {
    expect(describeNotification(note({ type: 'comment', comment: { id: 'c1', text: '맛있겠다!' } }))).toBe('김치 commented: 맛있겠다!');
    expect(describeNotification(note({ type: 'follow', post: null }))).toBe('김치 started following you');
    expect(describeNotification(note({ type: 'mention', comment: { id: 'c1', text: 'hi @me' } }))).toBe('김치 mentioned you: hi @me');
    expect(describeNotification(note({ type: 'mention' }))).toBe('김치 mentioned you in a post');
  });

  it('leads to the post, or to the follower without one', () => {
    expect(notificationHref(note())).toBe('#/posts/p1');
    expect(notificationHref(note({ type: 'follow', post: null }))).toBe('#/u/kimchi');
  });
});

describe('badgeText', () => {
  it('is empty at zero and caps at 99+', () => {
    expect(badgeText(0)).toBe('');
    expect(badgeText(7)).toBe('7');
    expect(badgeText(99)).toBe('99');
    expect(badgeText(100)).toBe('99+');
  });
});

describe('markingFirstPageRead', () => {
  const page = (items: Notification[], nextCursor: string | null = 'c1'): Page<Notification> => ({ items, nextCursor });

  it('marks up to the newest of the first page once, and not for later pages', async () => {
    const fetchPage = vi.fn(async (cursor: string | null) => cursor === null
      ? page([note({ id: 'n3' }), note({ id: 'n2', read: true })])
      : page([note({ id: 'n1' })], null));
    const markRead = vi.fn(async () => undefined);
    const onMarked = vi.fn();
    const wrapped = markingFirstPageRead(fetchPage, markRead, onMarked);
    await wrapped(null);
    await wrapped('c1');
    await vi.waitFor(() => expect(onMarked).toHaveBeenCalledWith(true));
    expect(markRead.mock.calls).toEqual([['n3']]);
    expect(onMarked).toHaveBeenCalledTimes(1);
  });

  it('sends nothing when everything shown is already read, or nothing is there', async () => {
    const markRead = vi.fn(async () => undefined);
    const onMarked = vi.fn();
    await markingFirstPageRead(async () => page([note({ read: true })]), markRead, onMarked)(null);
    await markingFirstPageRead(async () => page([], null), markRead, onMarked)(null);
    expect(markRead).not.toHaveBeenCalled();
    expect(onMarked.mock.calls).toEqual([[true], [true]]);
  });

  it('still shows the page when marking fails, and says so', async () => {
    const onMarked = vi.fn();
    const result = await markingFirstPageRead(async () => page([note()]), () => Promise.reject(new Error('offline')), onMarked)(null);
    expect(result.items).toHaveLength(1);
    await vi.waitFor(() => expect(onMarked).toHaveBeenCalledWith(false));
  });

  it('marks nothing when the first page fails, and marks on the retry', async () => {
    let fail = true;
    const markRead = vi.fn(async () => undefined);
    const wrapped = markingFirstPageRead(async () => {
      if (fail) throw new Error('offline');
      return page([note({ id: 'n9' })]);
    }, markRead, () => undefined);
    await expect(wrapped(null)).rejects.toThrow('offline');
    fail = false;
    await wrapped(null);
    expect(markRead.mock.calls).toEqual([['n9']]);
  });
});

describe('UnreadCounter', () => {
  it('tells listeners about a change only', async () => {
    const counts = [3, 3, 5];
    const counter = new UnreadCounter({ fetchCount: async () => ({ count: counts.shift()! }) });
    const seen: number[] = [];
    counter.onChange((c) => seen.push(c));
    await counter.refresh();
    await counter.refresh();
    await counter.refresh();
    expect(seen).toEqual([3, 5]);
    expect(counter.count).toBe(5);
  });

  it('shares one request between concurrent refreshes', async () => {
    const answer = deferred<{ count: number }>();
    const fetchCount = vi.fn(() => answer.promise);
    const counter = new UnreadCounter({ fetchCount });
    const both = Promise.all([counter.refresh(), counter.refresh()]);
    answer.resolve({ count: 2 });
    await both;
    expect(fetchCount).toHaveBeenCalledTimes(1);
    expect(counter.count).toBe(2);
  });

  it('keeps the last count when the API cannot be reached', async () => {
    let offline = false;
    const counter = new UnreadCounter({ fetchCount: async () => { if (offline) throw new TypeError('Failed to fetch'); return { count: 4 }; } });
    await counter.refresh();
    offline = true;
    await counter.refresh();
    expect(counter.count).toBe(4);
  });

  it('ignores an answer that was on its way when reset (read, or signed out)', async () => {
    const answer = deferred<{ count: number }>();
    const counter = new UnreadCounter({ fetchCount: () => answer.promise });
    const refresh = counter.refresh();
    counter.reset();
    answer.resolve({ count: 9 });
    await refresh;
    expect(counter.count).toBe(0);
  });

  it('polls on its timer until stopped', async () => {
    const timers: Array<() => void> = [];
    const cleared: unknown[] = [];
    let n = 0;
    let handles = 0;
    const counter = new UnreadCounter({
      fetchCount: async () => ({ count: ++n }),
      intervalMs: 30_000,
      setTimer: (fn, ms) => { expect(ms).toBe(30_000); timers.push(fn); return ++handles; },
      clearTimer: (handle) => cleared.push(handle),
    });
    counter.start();
    await vi.waitFor(() => expect(counter.count).toBe(1));
    timers.shift()!();
    await vi.waitFor(() => expect(counter.count).toBe(2));
    await vi.waitFor(() => expect(timers).toHaveLength(1));
    counter.stop();
    expect(cleared).toEqual([2]);
  });
});

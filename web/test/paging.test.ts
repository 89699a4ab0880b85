import { describe, expect, it, vi } from 'vitest';
import { Pager } from '../src/paging';
import { ApiError } from '../src/api/problem';
import { deferred } from './helpers';
import type { Page } from '../src/api/types';

const item = (id: string) => ({ id });

describe('Pager', () => {
  it('follows nextCursor until it is null', async () => {
    const pages: Record<string, Page<{ id: string }>> = {
      first: { items: [item('5'), item('4')], nextCursor: 'c1' },
      c1: { items: [item('3'), item('2')], nextCursor: 'c2' },
      c2: { items: [item('1')], nextCursor: null },
    };
    const fetchPage = vi.fn(async (cursor: string | null) => pages[cursor ?? 'first']);
    const pager = new Pager(fetchPage);
    await pager.next();
    await pager.next();
    expect(pager.done).toBe(false);
    await pager.next();
    expect(pager.done).toBe(true);
    expect(await pager.next()).toEqual([]);
    expect(fetchPage.mock.calls.map((c) => c[0])).toEqual([null, 'c1', 'c2']);
    expect(pager.items.map((i) => i.id)).toEqual(['5', '4', '3', '2', '1']);
  });

  it('makes one request for concurrent calls (a scroll event and a button)', async () => {
    const pending = deferred<Page<{ id: string }>>();
    const fetchPage = vi.fn(() => pending.promise);
    const pager = new Pager(fetchPage);
    const both = Promise.all([pager.next(), pager.next()]);
    pending.resolve({ items: [item('1')], nextCursor: 'c' });
    await both;
    expect(fetchPage).toHaveBeenCalledTimes(1);
    expect(pager.items).toHaveLength(1);
  });

  it('never shows an item twice', async () => {
    const fetchPage = vi.fn()
      .mockResolvedValueOnce({ items: [item('3'), item('2')], nextCursor: 'c' })
      .mockResolvedValueOnce({ items: [item('2'), item('1')], nextCursor: null });
    const pager = new Pager(fetchPage);
    await pager.next();
    expect(await pager.next()).toEqual([item('1')]);
    expect(pager.items.map((i) => i.id)).toEqual(['3', '2', '1']);
  });

  it('resumes from the last good cursor after a failed page', async () => {
    const fetchPage = vi.fn()
      .mockResolvedValueOnce({ items: [item('2')], nextCursor: 'c1' })
      .mockRejectedValueOnce(new ApiError(0, {}))
      .mockResolvedValueOnce({ items: [item('1')], nextCursor: null });
    const pager = new Pager(fetchPage);
    await pager.next();
    await expect(pager.next()).rejects.toBeInstanceOf(ApiError);
    expect(pager.loading).toBe(false);
    await pager.next();
    expect(fetchPage.mock.calls.map((c) => c[0])).toEqual([null, 'c1', 'c1']);
    expect(pager.done).toBe(true);
  });
});

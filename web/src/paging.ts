import type { PageFetcher } from './api/feeds';

/**
 * Walks a cursor-paginated list: one request at a time, items never repeated (by id), the cursor
 * kept on failure so that the next call resumes where the last good page ended.
 */
export class Pager<T extends { id: string }> {
  readonly items: T[] = [];
  private readonly seen = new Set<string>();
  private cursor: string | null = null;
  private started = false;
  private pending: Promise<T[]> | null = null;
  done = false;

  constructor(private readonly fetchPage: PageFetcher<T>) {}

  get loading(): boolean {
    return this.pending !== null;
  }

  /** The next page's new items ([] at the end); concurrent calls share one request. */
  next(): Promise<T[]> {
    if (this.done) return Promise.resolve([]);
    this.pending ??= this.load().finally(() => { this.pending = null; });
    return this.pending;
  }

  private async load(): Promise<T[]> {
    const page = await this.fetchPage(this.started ? this.cursor : null);
    this.started = true;
    this.cursor = page.nextCursor;
    // A null cursor ends the list; so does a cursor that would ask for the same page again.
    this.done = page.nextCursor === null;
    const fresh = page.items.filter((item) => !this.seen.has(item.id));
    for (const item of fresh) {
      this.seen.add(item.id);
      this.items.push(item);
    }
    return fresh;
  }
}

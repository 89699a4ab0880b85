import type { PageFetcher } from './api/feeds';
import type { Notification } from './api/notifications';

/** What a notification says, in words: "kim and 12 others liked your post". */
export function describeNotification(n: Notification): string {
  const first = n.actors[0]?.displayName ?? 'Someone';
  const others = Math.max(0, n.actorCount - 1);
  const who = others === 0 ? first : `${first} and ${others.toLocaleString()} ${others === 1 ? 'other' : 'others'}`;
  switch (n.type) {
    case 'like': return `${who} liked your post`;
    case 'comment': return `${who} commented: ${n.comment?.text ?? ''}`.trimEnd();
    case 'follow': return `${who} started following you`;
    case 'mention': return n.comment ? `${who} mentioned you: ${n.comment.text}` : `${who} mentioned you in a post`;
    default: return `${who} did something`;
  }
}

/** Where a notification leads: the post it is about, else the actor's profile. */
export function notificationHref(n: Notification): string {
  if (n.post) return `#/posts/${encodeURIComponent(n.post.id)}`;
  const actor = n.actors[0];
  return actor ? `#/u/${encodeURIComponent(actor.username)}` : '#/notifications';
}

/** The badge's text: nothing at 0, "99+" above 99. */
export function badgeText(count: number): string {
  if (count <= 0) return '';
  return count > 99 ? '99+' : String(count);
}

/**
 * Wraps the notifications' fetcher so that the first page, once shown, marks everything up to its
 * newest notification read (`POST /notifications/read {upTo}`), and only when something on it is
 * unread. The API's mark only moves forwards, so a later page never needs marking. A failed mark
 * is reported to `onMarked(false)` and the list still shows.
 */
export function markingFirstPageRead(
  fetchPage: PageFetcher<Notification>,
  markRead: (upTo: string) => Promise<void>,
  onMarked: (ok: boolean) => void,
): PageFetcher<Notification> {
  let marked = false;
  return async (cursor) => {
    const page = await fetchPage(cursor);
    if (!marked && cursor === null) {
      marked = true;
      const newest = page.items[0];
      if (newest && page.items.some((n) => !n.read)) {
        markRead(newest.id).then(() => onMarked(true), () => onMarked(false));
      } else {
        onMarked(true);
      }
    }
    return page;
  };
}

export interface UnreadCounterOptions {
  fetchCount: () => Promise<{ count: number }>;
  /** Polling interval while the page is visible. */
  intervalMs?: number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

/**
 * The unread count behind the navigation's badge: one request at a time, refreshed on demand (a
 * route change, the page becoming visible) and by a timer; a failed request keeps the last count
 * (offline is not "no notifications"); `reset()` on sign-out and after marking read.
 */
export class UnreadCounter {
  private value = 0;
  private pending: Promise<void> | null = null;
  private timer: unknown = null;
  private generation = 0;
  private readonly listeners = new Set<(count: number) => void>();
  private readonly intervalMs: number;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (handle: unknown) => void;

  constructor(private readonly options: UnreadCounterOptions) {
    this.intervalMs = options.intervalMs ?? 60_000;
    this.setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = options.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
  }

  get count(): number {
    return this.value;
  }

  onChange(listener: (count: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Asks the API now; concurrent calls share one request. */
  refresh(): Promise<void> {
    this.pending ??= this.load().finally(() => { this.pending = null; });
    return this.pending;
  }

  /** Refreshes now and then every interval until stop(). */
  start(): void {
    this.stop();
    const tick = () => {
      this.timer = this.setTimer(() => { void this.refresh().finally(tick); }, this.intervalMs);
    };
    void this.refresh();
    tick();
  }

  stop(): void {
    if (this.timer !== null) this.clearTimer(this.timer);
    this.timer = null;
  }

  /** Everything read (or signed out): 0 at once, and an answer already on its way is ignored. */
  reset(): void {
    this.generation++;
    this.pending = null;
    this.set(0);
  }

  private async load(): Promise<void> {
    const generation = this.generation;
    try {
      const { count } = await this.options.fetchCount();
      if (generation === this.generation) this.set(count);
    } catch {
      // Keep the last count: no network or a 503 says nothing about notifications.
    }
  }

  private set(count: number): void {
    if (count === this.value) return;
    this.value = count;
    for (const listener of this.listeners) listener(count);
  }
}

/**
 * As-you-type search input logic, independent of the DOM so it can be unit tested.
 *
 * - Debounces: the query is emitted `delayMs` after the last change.
 * - Korean (and other) input methods: while a composition is in progress
 *   (compositionstart .. compositionend) partial syllables are not emitted on their own;
 *   the value is emitted (debounced) once the composition ends.
 *   Chromium fires `input` after `compositionend`, others before: both are handled.
 * - Trims, ignores an unchanged query, and emits '' (clear) at once.
 * - Queries longer than `maxLength` (the API's 50) are cut to it.
 */
export interface SearchInputOptions {
  delayMs?: number;
  maxLength?: number;
  onQuery: (query: string) => void;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

export class SearchInput {
  private composing = false;
  private timer: unknown = null;
  private last: string | null = null;
  private pending = '';
  private readonly delayMs: number;
  private readonly maxLength: number;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (handle: unknown) => void;

  constructor(private readonly options: SearchInputOptions) {
    this.delayMs = options.delayMs ?? 250;
    this.maxLength = options.maxLength ?? 50;
    this.setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = options.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
  }

  get isComposing(): boolean {
    return this.composing;
  }

  compositionStart(): void {
    this.composing = true;
    this.cancel();
  }

  compositionEnd(value: string): void {
    this.composing = false;
    this.input(value);
  }

  /** The field's value changed (`input` event). `isComposing` is the event's flag, if any. */
  input(value: string, isComposing = false): void {
    this.pending = normalize(value, this.maxLength);
    if (this.composing || isComposing) return;
    this.cancel();
    if (this.pending === '') {
      this.emit();
      return;
    }
    this.timer = this.setTimer(() => {
      this.timer = null;
      this.emit();
    }, this.delayMs);
  }

  /** Emits the pending query now (Enter). */
  flush(): void {
    if (this.composing) return;
    this.cancel();
    this.emit();
  }

  cancel(): void {
    if (this.timer !== null) this.clearTimer(this.timer);
    this.timer = null;
  }

  private emit(): void {
    if (this.pending === this.last) return;
    this.last = this.pending;
    this.options.onQuery(this.pending);
  }
}

export function normalize(value: string, maxLength = 50): string {
  return Array.from(value.trim()).slice(0, maxLength).join('');
}

import { ApiError } from '../api/problem';
import { h } from './dom';

/** Words for any failure a screen catches. */
export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof DOMException && error.name === 'AbortError') return 'Cancelled.';
  return 'Something went wrong. Try again.';
}

/** A transient message for everyone, read out by screen readers (role=status). */
export function toast(text: string): void {
  const region = document.getElementById('toasts');
  if (!region) return;
  const item = h('p', { class: 'toast' }, text);
  region.append(item);
  setTimeout(() => item.remove(), 6000);
}

/** An inline error box with an optional retry button. */
export function errorBox(error: unknown, retry?: () => void): HTMLElement {
  return h('div', { class: 'error', role: 'alert' },
    h('p', null, messageOf(error)),
    retry ? h('button', { type: 'button', onclick: retry }, 'Try again') : null);
}

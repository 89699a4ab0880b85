import { ApiError } from './api/problem';
import type { UploadForm } from './api/uploads';
import type { CreatePostRequest } from './api/posts';
import type { Post } from './api/types';

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface CreateRetryOptions {
  sleep?: (ms: number) => Promise<void>;
  /** Gives up after this many attempts. */
  maxAttempts?: number;
  /** Waits at most this long between attempts, whatever Retry-After says. */
  maxDelayMs?: number;
  onWait?: (seconds: number, reason: 'processing' | 'offline' | 'unavailable') => void;
}

/**
 * Creates the post (or saves a profile with a new photo), retrying with the same Idempotency-Key
 * while the API says the images are still being processed (409 with Retry-After), or while there is
 * no answer or a 503: a retry can never create a second post (a profile update is idempotent). A 409 without Retry-After (the key's post was deleted), a 400 or a 429 is final.
 */
export async function createWithRetry<T = Post>(send: () => Promise<T>, options: CreateRetryOptions = {}): Promise<T> {
  const wait = options.sleep ?? sleep;
  const maxAttempts = options.maxAttempts ?? 10;
  const maxDelayMs = options.maxDelayMs ?? 10_000;
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (error) {
      if (!(error instanceof ApiError) || attempt >= maxAttempts) throw error;
      let reason: 'processing' | 'offline' | 'unavailable';
      let seconds: number;
      if (error.status === 409 && error.retryAfter !== null) {
        reason = 'processing';
        seconds = Math.max(error.retryAfter, 0.5);
      } else if (error.status === 0 || error.status === 503 || error.status === 502 || error.status === 504) {
        reason = error.status === 0 ? 'offline' : 'unavailable';
        seconds = error.retryAfter ?? Math.min(2 ** (attempt - 1), 8);
      } else {
        throw error;
      }
      options.onWait?.(seconds, reason);
      await wait(Math.min(seconds * 1000, maxDelayMs));
    }
  }
}

export interface PhotoDraft {
  file: File;
  /** Set once uploaded: publishing again after a failure does not upload it twice. */
  key?: string;
  progress: number;
}

export interface PublishDeps {
  requestForm: (file: File) => Promise<UploadForm>;
  upload: (form: UploadForm, file: File, onProgress: (fraction: number) => void) => Promise<void>;
  create: (request: CreatePostRequest, idempotencyKey: string) => Promise<Post>;
  retry?: CreateRetryOptions;
}

/**
 * The composer's work: a form and an upload per photo not yet uploaded (two at a time), then the
 * post. The caller keeps `photos` and `idempotencyKey` across attempts, so "Publish" after a failure
 * resumes instead of starting over.
 */
export async function publish(
  photos: PhotoDraft[],
  caption: string,
  idempotencyKey: string,
  deps: PublishDeps,
  onProgress: (index: number, fraction: number) => void,
): Promise<Post> {
  let next = 0;
  const worker = async () => {
    while (next < photos.length) {
      const index = next++;
      const photo = photos[index];
      if (photo.key) continue;
      const form = await deps.requestForm(photo.file);
      await deps.upload(form, photo.file, (fraction) => {
        photo.progress = fraction;
        onProgress(index, fraction);
      });
      photo.key = form.key;
    }
  };
  // Both workers finish before a failure is reported, so a retry never races an upload still running.
  const outcomes = await Promise.allSettled([worker(), worker()]);
  const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failed) throw failed.reason;
  const request: CreatePostRequest = { imageKeys: photos.map((p) => p.key!) };
  if (caption.trim()) request.caption = caption.trim();
  return createWithRetry(() => deps.create(request, idempotencyKey), deps.retry);
}

export function newIdempotencyKey(): string {
  return crypto.randomUUID();
}

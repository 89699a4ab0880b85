import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../src/api/problem';
import { describeFileProblem, s3Problem, uploadToBucket, type UploadForm, type XhrFactory } from '../src/api/uploads';
import { createWithRetry, publish, type PhotoDraft, type PublishDeps } from '../src/publish';
import type { Post } from '../src/api/types';
import { profile } from './helpers';

const post: Post = {
  id: 'p1', author: profile(), images: [], caption: '', tags: [], likeCount: 0, commentCount: 0, likedByMe: false, createdAt: '2026-12-01T00:00:00Z',
};
const processing = () => new ApiError(409, { title: 'Conflict', detail: 'still processing' }, 1);

describe('createWithRetry', () => {
  it('retries while the images are being processed (409 with Retry-After), waiting as told', async () => {
    const send = vi.fn().mockRejectedValueOnce(processing()).mockRejectedValueOnce(processing()).mockResolvedValueOnce(post);
    const sleep = vi.fn(async (_ms: number) => undefined);
    const onWait = vi.fn();
    expect(await createWithRetry(send, { sleep, onWait })).toBe(post);
    expect(send).toHaveBeenCalledTimes(3);
    expect(sleep).toHaveBeenCalledWith(1000);
    expect(onWait).toHaveBeenCalledWith(1, 'processing');
  });

  it('retries a lost network and a 503 with backoff', async () => {
    const send = vi.fn().mockRejectedValueOnce(new ApiError(0, {})).mockRejectedValueOnce(new ApiError(503, {})).mockResolvedValueOnce(post);
    const sleep = vi.fn(async (_ms: number) => undefined);
    expect(await createWithRetry(send, { sleep })).toBe(post);
    expect(sleep.mock.calls.map((c) => c[0])).toEqual([1000, 2000]);
  });

  it.each([
    ['a 409 without Retry-After (the key\u2019s post was deleted)', new ApiError(409, { detail: 'deleted' })],
    ['a refused image key', new ApiError(400, { errors: { imageKeys: ['uploads/x.jpg: not found'] } })],
    ['a rate limit', new ApiError(429, {}, 3600)],
  ])('gives up at once on %s', async (_name, error) => {
    const send = vi.fn().mockRejectedValue(error);
    await expect(createWithRetry(send, { sleep: async () => undefined })).rejects.toBe(error);
    expect(send).toHaveBeenCalledTimes(1);
  });

  it('gives up after maxAttempts and caps a long Retry-After', async () => {
    const send = vi.fn().mockRejectedValue(new ApiError(409, {}, 600));
    const sleep = vi.fn(async (_ms: number) => undefined);
    await expect(createWithRetry(send, { sleep, maxAttempts: 3, maxDelayMs: 5000 })).rejects.toMatchObject({ status: 409 });
    expect(send).toHaveBeenCalledTimes(3);
    expect(sleep.mock.calls.map((c) => c[0])).toEqual([5000, 5000]);
  });
});

describe('publish', () => {
  const file = (name: string) => new File([new Uint8Array([0xff, 0xd8, 0xff])], name, { type: 'image/jpeg' });
  const deps = (overrides: Partial<PublishDeps> = {}): PublishDeps => {
    let n = 0;
    return {
      requestForm: vi.fn(async () => ({ key: `uploads/u1/2026/12/k${++n}.jpg`, url: 'http://s3/bucket', method: 'POST' as const, fields: {}, expiresAt: '', maxBytes: 1 })),
      upload: vi.fn(async (_form, _file, onProgress: (f: number) => void) => { onProgress(0.5); onProgress(1); }),
      create: vi.fn(async () => post),
      retry: { sleep: async () => undefined },
      ...overrides,
    };
  };

  it('uploads every photo, then creates the post with the keys in order and the Idempotency-Key', async () => {
    const photos: PhotoDraft[] = ['a.jpg', 'b.jpg', 'c.jpg'].map((n) => ({ file: file(n), progress: 0 }));
    const d = deps();
    const progress = vi.fn();
    await publish(photos, '  Lunch #bibimbap ', 'key-1', d, progress);
    expect(d.requestForm).toHaveBeenCalledTimes(3);
    expect(d.create).toHaveBeenCalledWith({ imageKeys: photos.map((p) => p.key), caption: 'Lunch #bibimbap' }, 'key-1');
    expect(progress).toHaveBeenCalledWith(2, 1);
  });

  it('reports a failed upload only once the other uploads have ended', async () => {
    const photos: PhotoDraft[] = ['a.jpg', 'b.jpg', 'c.jpg'].map((n) => ({ file: file(n), progress: 0 }));
    const d = deps({
      upload: vi.fn(async (_form, f: File) => {
        if (f.name === 'a.jpg') throw new ApiError(400, { detail: 'refused' });
        await new Promise((r) => setTimeout(r, 20));
      }),
    });
    await expect(publish(photos, '', 'key-1', d, () => undefined)).rejects.toMatchObject({ status: 400 });
    // The second worker went on to finish b and c before the failure surfaced.
    expect(photos.filter((p) => p.key).map((p) => p.file.name)).toEqual(['b.jpg', 'c.jpg']);
  });

  it('after a failure, publishing again uploads only what is missing and keeps the key', async () => {
    const photos: PhotoDraft[] = ['a.jpg', 'b.jpg'].map((n) => ({ file: file(n), progress: 0 }));
    let failB = true;
    const d = deps({
      upload: vi.fn(async (_form, f: File) => { if (f.name === 'b.jpg' && failB) throw new ApiError(0, {}); }),
    });
    await expect(publish(photos, '', 'key-1', d, () => undefined)).rejects.toMatchObject({ offline: true });
    expect(d.create).not.toHaveBeenCalled();
    expect(photos[0].key).toBeDefined();
    expect(photos[1].key).toBeUndefined();
    failB = false;
    await publish(photos, '', 'key-1', d, () => undefined);
    expect(d.requestForm).toHaveBeenCalledTimes(3);
    expect(d.create).toHaveBeenCalledWith({ imageKeys: [photos[0].key, photos[1].key] }, 'key-1');
  });
});

describe('uploadToBucket', () => {
  const form: UploadForm = {
    key: 'uploads/u1/2026/12/k.jpg', url: 'http://127.0.0.1:14568/bucket', method: 'POST', expiresAt: '', maxBytes: 15 << 20,
    fields: { key: 'uploads/u1/2026/12/k.jpg', 'Content-Type': 'image/jpeg', Policy: 'p', 'X-Amz-Signature': 's' },
  };

  function fakeXhr(status: number, responseText = '') {
    const xhr = {
      upload: {} as XMLHttpRequestUpload, status, responseText, sent: null as FormData | null, opened: [] as string[],
      onload: null as (() => void) | null, onerror: null as (() => void) | null, onabort: null as (() => void) | null,
      open(method: string, url: string) { this.opened = [method, url]; },
      send(body: FormData) {
        this.sent = body;
        (this.upload.onprogress as ((e: Partial<ProgressEvent>) => void) | null)?.({ lengthComputable: true, loaded: 50, total: 100 });
        queueMicrotask(() => this.onload?.());
      },
      abort() { this.onabort?.(); },
      getResponseHeader: () => null,
    };
    return xhr;
  }

  it('posts every field, then the file last, and reports progress', async () => {
    const xhr = fakeXhr(204);
    const progress: number[] = [];
    await uploadToBucket(form, new Blob(['x'], { type: 'image/jpeg' }), (f) => progress.push(f), (() => xhr) as unknown as XhrFactory);
    expect(xhr.opened).toEqual(['POST', form.url]);
    expect([...xhr.sent!.keys()]).toEqual(['key', 'Content-Type', 'Policy', 'X-Amz-Signature', 'file']);
    expect(progress).toEqual([0.5, 1]);
  });

  it("turns S3's XML error into words", async () => {
    const xhr = fakeXhr(400, '<Error><Code>EntityTooLarge</Code><Message>Your proposed upload exceeds the maximum allowed size</Message></Error>');
    await expect(uploadToBucket(form, new Blob(['x']), () => undefined, (() => xhr) as unknown as XhrFactory))
      .rejects.toThrow('The photo is larger than the upload allows.');
    expect(s3Problem(403, '<Error><Code>Other</Code><Message>Nope</Message></Error>').detail).toBe('Nope');
  });
});

describe('describeFileProblem', () => {
  it('refuses what the upload policy refuses, before asking anyone', () => {
    expect(describeFileProblem({ name: 'a.jpg', type: 'image/jpeg', size: 1000 })).toBeNull();
    expect(describeFileProblem({ name: 'a.gif', type: 'image/gif', size: 1000 })).toMatch(/only JPEG/);
    expect(describeFileProblem({ name: 'a.png', type: 'image/png', size: 16 * 1024 * 1024 })).toMatch(/15 MB/);
    expect(describeFileProblem({ name: 'a.png', type: 'image/png', size: 0 })).toMatch(/empty/);
  });
});

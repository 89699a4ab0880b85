import { ApiError, type Problem } from './problem';
import type { Http } from './http';

export interface UploadForm {
  key: string;
  url: string;
  method: 'POST';
  fields: Record<string, string>;
  expiresAt: string;
  maxBytes: number;
}

export const ALLOWED_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/heic'] as const;
export const MAX_BYTES = 15 * 1024 * 1024;
export const MAX_IMAGES = 10;

/** Why a file cannot be posted, before asking anyone; null when it can. */
export function describeFileProblem(file: { name: string; type: string; size: number }): string | null {
  if (!(ALLOWED_TYPES as readonly string[]).includes(file.type)) {
    return `${file.name}: only JPEG, PNG, WebP and HEIC photos can be posted.`;
  }
  if (file.size === 0) return `${file.name} is empty.`;
  if (file.size > MAX_BYTES) return `${file.name} is larger than 15 MB.`;
  return null;
}

export const uploadsApi = (http: Http, uploadsUrl: string) => ({
  /** The presign function (behind the API Gateway JWT authorizer): one form for one new object. */
  requestForm: (file: { type: string; size: number }) =>
    http.post<UploadForm>(uploadsUrl, { contentType: file.type, contentLength: file.size }),
});

/** What XMLHttpRequest offers that the upload needs; tests pass a fake. */
export type XhrFactory = () => Pick<XMLHttpRequest, 'open' | 'send' | 'abort' | 'status' | 'responseText' | 'upload' | 'onload' | 'onerror' | 'onabort' | 'getResponseHeader'>;

/**
 * Sends the file straight to the bucket with the presigned form: every field, then the file as
 * `file` (S3 ignores fields after it). XMLHttpRequest, not fetch, because only it reports upload progress.
 */
export function uploadToBucket(
  form: UploadForm,
  file: Blob,
  onProgress: (fraction: number) => void,
  createXhr: XhrFactory = () => new XMLHttpRequest(),
  signal?: AbortSignal,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const body = new FormData();
    for (const [name, value] of Object.entries(form.fields)) body.append(name, value);
    body.append('file', file);
    const xhr = createXhr();
    xhr.open('POST', form.url);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && e.total > 0) onProgress(Math.min(1, e.loaded / e.total));
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        resolve();
      } else {
        reject(new ApiError(xhr.status, s3Problem(xhr.status, xhr.responseText)));
      }
    };
    xhr.onerror = () => reject(new ApiError(0, { title: 'Offline' }));
    xhr.onabort = () => reject(new DOMException('The upload was cancelled.', 'AbortError'));
    signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(body);
  });
}

/** S3 answers XML: <Error><Code>EntityTooLarge</Code><Message>...</Message></Error>. */
export function s3Problem(status: number, xml: string): Problem {
  const code = /<Code>([^<]*)<\/Code>/.exec(xml)?.[1];
  const message = /<Message>([^<]*)<\/Message>/.exec(xml)?.[1];
  const words: Record<string, string> = {
    EntityTooLarge: 'The photo is larger than the upload allows.',
    AccessDenied: 'The upload form was refused (it may have expired). Try again.',
    RequestTimeTooSkewed: "Your device's clock is off; correct it and try again.",
  };
  return { status, title: 'Upload failed', detail: (code && words[code]) ?? message ?? `The photo could not be uploaded (${status}).` };
}

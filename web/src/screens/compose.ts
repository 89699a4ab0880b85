import type { App } from '../app';
import { ApiError, formatWait } from '../api/problem';
import { MAX_IMAGES, describeFileProblem, uploadToBucket } from '../api/uploads';
import { newIdempotencyKey, publish, type PhotoDraft } from '../publish';
import { field, h, nextId } from '../ui/dom';
import { messageOf, toast } from '../ui/notice';
import { postHref } from '../ui/post';

export function composeScreen(app: App): HTMLElement {
  if (!app.session.signedIn) {
    location.hash = '#/signin?next=%23%2Fnew';
    return h('p', null, 'Sign in to post.');
  }
  let photos: PhotoDraft[] = [];
  // One key per post being composed: a retried publish (same photos) cannot create a second post.
  let idempotencyKey = newIdempotencyKey();
  const previews = h('ol', { class: 'previews', 'aria-label': 'Photos to post' });
  const fileInput = h('input', { type: 'file', name: 'photos', multiple: true, accept: 'image/jpeg,image/png,image/webp,image/heic' });
  const caption = h('textarea', { name: 'caption', rows: 3, maxLength: 2200 });
  const error = h('div', { class: 'form-error', role: 'alert', tabIndex: -1 });
  const status = h('p', { class: 'muted', role: 'status' });
  const submit = h('button', { type: 'submit', class: 'primary', disabled: true }, 'Publish');
  const bars: HTMLProgressElement[] = [];

  const renderPreviews = () => {
    bars.length = 0;
    previews.replaceChildren(...photos.map((photo, i) => {
      const id = nextId('progress');
      const bar = h('progress', { id, max: 1, value: photo.progress });
      bars.push(bar);
      const url = URL.createObjectURL(photo.file);
      const img = h('img', { src: url, alt: `Photo ${i + 1}: ${photo.file.name}`, onload: () => URL.revokeObjectURL(url) });
      return h('li', null, img,
        h('label', { for: id, class: 'small' }, `Upload of ${photo.file.name}`), bar,
        h('button', { type: 'button', class: 'link small', 'aria-label': `Remove ${photo.file.name}`, onclick: () => {
          photos = photos.filter((p) => p !== photo);
          renderPreviews();
        } }, 'Remove'));
    }));
    submit.disabled = photos.length === 0;
  };

  fileInput.addEventListener('change', () => {
    error.textContent = '';
    const chosen = Array.from(fileInput.files ?? []);
    const problems = chosen.map(describeFileProblem).filter((p): p is string => p !== null);
    const usable = chosen.filter((f) => describeFileProblem(f) === null);
    const room = MAX_IMAGES - photos.length;
    if (usable.length > room) problems.push(`A post has at most ${MAX_IMAGES} photos; only the first ${room} were added.`);
    photos = [...photos, ...usable.slice(0, Math.max(room, 0)).map((file) => ({ file, progress: 0 }))];
    // A changed set of photos is a different post.
    idempotencyKey = newIdempotencyKey();
    error.textContent = problems.join(' ');
    fileInput.value = '';
    renderPreviews();
  });

  const form = h('form', { class: 'card compose' },
    h('h1', { tabIndex: -1 }, 'New post'),
    field(`Photos (1 to ${MAX_IMAGES}: JPEG, PNG, WebP or HEIC, up to 15 MB each)`, fileInput),
    previews,
    field('Caption (#tags become tags)', caption),
    error, status, submit);

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (photos.length === 0) return;
    error.textContent = '';
    submit.disabled = true;
    fileInput.disabled = true;
    status.textContent = 'Uploading…';
    try {
      const post = await publish(photos, caption.value, idempotencyKey, {
        requestForm: (file) => app.uploads.requestForm(file),
        upload: (form, file, onProgress) => uploadToBucket(form, file, onProgress),
        create: (request, key) => app.posts.create(request, key),
        retry: {
          onWait: (seconds, reason) => {
            status.textContent = reason === 'processing'
              ? 'Preparing your photos…'
              : `No connection; trying again in ${formatWait(Math.ceil(seconds))}…`;
          },
        },
      }, (index, fraction) => {
        if (bars[index]) bars[index].value = fraction;
        if (photos.every((p) => p.progress >= 1)) status.textContent = 'Publishing…';
      });
      toast('Posted!');
      location.hash = postHref(post);
    } catch (err) {
      error.textContent = messageOf(err);
      error.focus();
      status.textContent = err instanceof ApiError && (err.offline || err.status >= 500)
        ? 'Nothing is lost: press Publish again to resume.' : '';
      if (err instanceof ApiError && err.status === 400 && /upload/i.test(err.message)) {
        // A refused key will be refused again: upload everything afresh on the next try.
        photos.forEach((p) => { p.key = undefined; p.progress = 0; });
        idempotencyKey = newIdempotencyKey();
        renderPreviews();
      }
    } finally {
      submit.disabled = photos.length === 0;
      fileInput.disabled = false;
    }
  });
  return form;
}

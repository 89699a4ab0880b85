import type { App } from '../app';
import type { Image, Post } from '../api/types';
import { count, h, relativeTime } from './dom';
import { messageOf, toast } from './notice';

export const postHref = (post: Post) => `#/posts/${post.id}`;
export const userHref = (username: string) => `#/u/${encodeURIComponent(username)}`;
export const tagHref = (tag: string) => `#/tags/${encodeURIComponent(tag)}`;

/** Caption text with #tags and @mentions as links; everything else as plain text (never HTML). */
export function richText(text: string): Node[] {
  const nodes: Node[] = [];
  const pattern = /([#@])([\p{L}\p{N}_]+(?:\.[\p{L}\p{N}_]+)*)/gu;
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    const start = match.index ?? 0;
    if (start > last) nodes.push(document.createTextNode(text.slice(last, start)));
    const [whole, sigil, name] = match;
    nodes.push(h('a', { href: sigil === '#' ? tagHref(name.toLowerCase()) : userHref(name.toLowerCase()) }, whole));
    last = start + whole.length;
  }
  if (last < text.length) nodes.push(document.createTextNode(text.slice(last)));
  return nodes;
}

/** Alt text from the caption, as the author described the photo; numbered when there are several. */
export function altText(post: Post, index: number): string {
  const subject = post.caption.trim() || `A photo by ${post.author.displayName}`;
  return post.images.length > 1 ? `Photo ${index + 1} of ${post.images.length}: ${subject}` : subject;
}

function picture(post: Post, image: Image, index: number): HTMLElement {
  const img = h('img', { src: image.url, alt: altText(post, index), loading: index === 0 ? 'eager' : 'lazy', decoding: 'async' });
  // Renditions, once image processing sends them: the browser picks the size for the screen.
  if (image.variants && image.variants.length > 0) {
    img.srcset = image.variants.map((v) => `${v.url} ${v.width}w`).join(', ');
    img.sizes = '(min-width: 700px) 640px, 100vw';
  }
  if (image.width && image.height) {
    img.width = image.width;
    img.height = image.height;
  }
  return h('li', null, img);
}

export function likeButton(app: App, post: Post): HTMLElement {
  const label = () => (post.likedByMe ? 'Unlike' : 'Like');
  const text = h('span', null, count(post.likeCount, 'like', 'likes'));
  const button = h('button', { type: 'button', class: 'like', 'aria-pressed': String(post.likedByMe) }, h('span', { class: 'heart', 'aria-hidden': 'true' }, '♥'), h('span', { class: 'visually-hidden' }, label()));
  const sync = () => {
    button.setAttribute('aria-pressed', String(post.likedByMe));
    button.querySelector('.visually-hidden')!.textContent = label();
    text.textContent = count(post.likeCount, 'like', 'likes');
  };
  let pending = false;
  button.addEventListener('click', async () => {
    if (!app.session.signedIn) {
      location.hash = '#/signin';
      return;
    }
    // Busy, not disabled: a disabled button drops the keyboard focus.
    if (pending) return;
    pending = true;
    button.setAttribute('aria-busy', 'true');
    const want = !post.likedByMe;
    const before = { liked: post.likedByMe, count: post.likeCount };
    // Shown at once; the API's answer (the live count) replaces the guess.
    post.likedByMe = want;
    post.likeCount += want ? 1 : -1;
    sync();
    try {
      const result = await app.likes.set(post.id, want);
      post.likedByMe = result.liked;
      post.likeCount = result.likeCount;
    } catch (error) {
      post.likedByMe = before.liked;
      post.likeCount = before.count;
      toast(messageOf(error));
    } finally {
      pending = false;
      button.removeAttribute('aria-busy');
      sync();
    }
  });
  return h('div', { class: 'likes' }, button, text);
}

export function postCard(app: App, post: Post, options: { full?: boolean } = {}): HTMLElement {
  const time = h('time', { dateTime: post.createdAt, title: new Date(post.createdAt).toLocaleString() }, relativeTime(post.createdAt));
  return h('article', { class: 'post', 'aria-label': `Post by ${post.author.displayName}` },
    h('header', null,
      h('a', { class: 'author', href: userHref(post.author.username) },
        post.author.avatarUrl ? h('img', { class: 'avatar', src: post.author.avatarUrl, alt: '' }) : h('span', { class: 'avatar', 'aria-hidden': 'true' }, post.author.displayName.slice(0, 1)),
        h('span', null, h('strong', null, post.author.displayName), ' ', h('span', { class: 'muted' }, `@${post.author.username}`))),
      options.full ? time : h('a', { href: postHref(post), class: 'muted' }, time)),
    post.hidden ? h('p', { class: 'notice hidden-post', role: 'note' }, 'A moderator hid this post. Only you can see it.') : null,
    h('ul', { class: `images count-${Math.min(post.images.length, 2)}`, 'aria-label': `${post.images.length} photo${post.images.length === 1 ? '' : 's'}` },
      post.images.map((image, i) => picture(post, image, i))),
    h('footer', null,
      likeButton(app, post),
      options.full
        ? h('span', { class: 'muted' }, count(post.commentCount, 'comment', 'comments'))
        : h('a', { href: postHref(post) }, count(post.commentCount, 'comment', 'comments'))),
    post.caption ? h('p', { class: 'caption' }, richText(post.caption)) : null,
    post.editedAt ? h('p', { class: 'muted small edited' }, 'Edited ', h('time', { dateTime: post.editedAt }, new Date(post.editedAt).toLocaleString())) : null);
}

import type { App } from '../app';
import type { Comment, Post } from '../api/types';
import { field, h, relativeTime, setFieldError } from '../ui/dom';
import { infiniteList } from '../ui/list';
import { errorBox, messageOf, toast } from '../ui/notice';
import { postCard, richText, userHref } from '../ui/post';
import { blockButton } from './profile';

export function postScreen(app: App, postId: string): HTMLElement {
  const root = h('div', { class: 'post-screen' }, h('h1', { tabIndex: -1, class: 'visually-hidden' }, 'Post'), h('p', { class: 'loading' }, 'Loading…'));
  const load = async () => {
    try {
      render(await app.posts.get(postId));
    } catch (error) {
      root.replaceChildren(h('h1', { tabIndex: -1 }, 'Post'), errorBox(error, load));
    }
  };
  const render = (post: Post) => {
    const me = app.session.user;
    const mine = me?.id === post.author.id;
    const actions = h('div', { class: 'actions' },
      mine ? h('button', { type: 'button', onclick: () => edit(post) }, 'Edit') : null,
      mine ? h('button', { type: 'button', class: 'danger', onclick: () => remove(post) }, 'Delete post') : null,
      app.session.signedIn && !mine ? h('button', { type: 'button', onclick: () => report(post) }, 'Report') : null,
      app.session.signedIn && !mine ? blockButton(app, post.author, () => { location.hash = '#/latest'; }) : null);
    root.replaceChildren(
      h('h1', { tabIndex: -1, class: 'visually-hidden' }, `Post by ${post.author.displayName}`),
      postCard(app, post, { full: true }),
      actions,
      comments(app, post));
  };
  const edit = (post: Post) => {
    const caption = h('textarea', { id: 'edit-caption', name: 'caption', rows: 4, maxLength: 2200 }) as HTMLTextAreaElement;
    caption.value = post.caption;
    const error = h('p', { class: 'error', role: 'alert', hidden: true });
    const save = h('button', { type: 'submit' }, 'Save');
    const form = h('form', { class: 'edit-caption', onsubmit: async (e: Event) => {
      e.preventDefault();
      save.disabled = true;
      error.hidden = true;
      try {
        render(await app.posts.edit(post.id, { caption: caption.value }));
        toast('Caption saved.');
      } catch (failure) {
        error.textContent = messageOf(failure);
        error.hidden = false;
        save.disabled = false;
      }
    } },
      h('label', { for: 'edit-caption' }, 'Caption'), caption, error,
      h('div', { class: 'actions' }, save, h('button', { type: 'button', onclick: () => render(post) }, 'Cancel')));
    root.querySelector('.actions')?.replaceWith(form);
    caption.focus();
  };
  const remove = async (post: Post) => {
    if (!confirm('Delete this post? This cannot be undone.')) return;
    try {
      await app.posts.remove(post.id);
      toast('Post deleted.');
      location.hash = userHref(post.author.username);
    } catch (error) {
      toast(messageOf(error));
    }
  };
  const report = async (post: Post) => {
    const reason = prompt('Why should the moderators look at this post?');
    if (!reason?.trim()) return;
    try {
      await app.posts.report(post.id, reason.trim());
      toast('Thanks, the moderators will look at it.');
    } catch (error) {
      toast(messageOf(error));
    }
  };
  void load();
  return root;
}

function commentItem(app: App, post: Post, comment: Comment): HTMLElement {
  const me = app.session.user?.id;
  const el = h('article', { class: 'comment' },
    h('p', null, h('a', { href: userHref(comment.author.username) }, h('strong', null, comment.author.displayName)), ' ',
      h('time', { dateTime: comment.createdAt, class: 'muted' }, relativeTime(comment.createdAt))),
    h('p', { class: 'text' }, richText(comment.text)));
  if (me && (me === comment.author.id || me === post.author.id)) {
    el.append(h('button', { type: 'button', class: 'link small', onclick: async () => {
      try {
        await app.comments.remove(comment.id);
        el.closest('li')?.remove();
        toast('Comment deleted.');
      } catch (error) {
        toast(messageOf(error));
      }
    } }, 'Delete'));
  }
  return el;
}

function comments(app: App, post: Post): HTMLElement {
  const added = h('ul', { class: 'comments', 'aria-label': 'Your new comments' });
  const section = h('section', { class: 'comments-section', 'aria-labelledby': 'comments-heading' },
    h('h2', { id: 'comments-heading' }, 'Comments'),
    infiniteList(app.comments.list(post.id), { label: 'Comments', empty: 'No comments yet.', render: (c) => commentItem(app, post, c), className: 'comments' }),
    added);
  if (!app.session.signedIn) {
    section.append(h('p', null, h('a', { href: '#/signin' }, 'Sign in'), ' to comment.'));
    return section;
  }
  const text = h('textarea', { name: 'text', rows: 2, maxLength: 1000, required: true });
  const button = h('button', { type: 'submit', class: 'primary' }, 'Comment');
  const form = h('form', { class: 'comment-form' }, field('Add a comment', text), button);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!text.value.trim()) return setFieldError(text, ['Write something first.']);
    button.disabled = true;
    try {
      const comment = await app.comments.create(post.id, text.value);
      added.append(h('li', null, commentItem(app, post, comment)));
      text.value = '';
      setFieldError(text, []);
    } catch (error) {
      setFieldError(text, [messageOf(error)]);
    } finally {
      button.disabled = false;
      // Ready for the next comment (the disabled button had lost the focus).
      text.focus();
    }
  });
  section.append(form);
  return section;
}

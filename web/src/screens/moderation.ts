import type { App } from '../app';
import type { ReportedPost } from '../api/moderation';
import { parseSuspensionDays } from '../routes';
import { count, field, h, relativeTime, setFieldError } from '../ui/dom';
import { infiniteList } from '../ui/list';
import { messageOf, toast } from '../ui/notice';
import { postCard } from '../ui/post';

/** The moderation queue: reported posts, most reported first; hide, dismiss, or suspend the author. */
export function moderationScreen(app: App): HTMLElement {
  if (!app.session.isModerator) {
    return h('div', null, h('h1', { tabIndex: -1 }, 'Moderation'), h('p', null, 'Only moderators see the reports.'));
  }
  const reports = app.moderation.reports();
  return h('div', { class: 'moderation' },
    h('h1', { tabIndex: -1 }, 'Moderation'),
    h('p', { class: 'muted' }, 'Posts with open reports, most reported first.'),
    infiniteList(async (cursor) => {
      const page = await reports(cursor);
      return { ...page, items: page.items.map((item) => ({ ...item, id: item.post.id })) };
    }, { label: 'Reported posts', empty: 'No open reports. Nothing to do.', className: 'reports', render: (item) => reportItem(app, item) }));
}

function reportItem(app: App, item: ReportedPost): HTMLElement {
  const status = h('p', { role: 'status', class: 'muted' });
  const done = (text: string) => {
    status.textContent = text;
    actions.remove();
    toast(text);
  };
  const hideReason = h('input', { name: 'reason', required: true, maxLength: 500, value: item.reasons[0] ?? '' });
  const hide = reasonForm('Hide the post', [field('Reason for hiding', hideReason)], async () => {
    if (!hideReason.value.trim()) return setFieldError(hideReason, ['Give a reason.']);
    setFieldError(hideReason, []);
    await app.moderation.hide(item.post.id, hideReason.value.trim());
    done('Hidden: only its author sees it now.');
  });
  const suspendReason = h('input', { name: 'reason', required: true, maxLength: 500 });
  const days = h('input', { name: 'days', inputMode: 'numeric', placeholder: 'no end' });
  const suspend = reasonForm(`Suspend @${item.post.author.username}`,
    [field('Reason for suspending', suspendReason), field('Days (empty: until lifted)', days)], async () => {
      const length = parseSuspensionDays(days.value);
      setFieldError(suspendReason, suspendReason.value.trim() ? [] : ['Give a reason.']);
      setFieldError(days, 'error' in length ? [length.error] : []);
      if (!suspendReason.value.trim() || 'error' in length) return;
      await app.moderation.suspend(item.post.author.id, suspendReason.value.trim(), length.days);
      status.textContent = `@${item.post.author.username} is suspended${length.days ? ` for ${count(length.days, 'day', 'days')}` : ' until lifted'}.`;
      toast(status.textContent);
    });
  const dismiss = h('button', { type: 'button', onclick: async () => {
    try {
      await app.moderation.dismiss(item.post.id);
      done('Reports dismissed: the post stays.');
    } catch (error) {
      toast(messageOf(error));
    }
  } }, 'Dismiss the reports');
  const actions = h('div', { class: 'moderation-actions' }, hide, dismiss, suspend);
  return h('article', { class: 'report', 'aria-label': `Reports on a post by ${item.post.author.displayName}` },
    h('p', null, h('strong', null, count(item.reportCount, 'report', 'reports')), ' ',
      h('span', { class: 'muted' }, `since ${relativeTime(item.firstReportedAt)}`)),
    h('ul', { class: 'reasons', 'aria-label': 'Reasons given' }, item.reasons.map((reason) => h('li', null, reason))),
    postCard(app, item.post),
    actions,
    status);
}

/** A folded form: the action's name is the summary, its fields and a submit button inside. */
function reasonForm(title: string, fields: HTMLElement[], submit: () => Promise<void>): HTMLElement {
  const button = h('button', { type: 'submit', class: 'danger' }, title);
  const error = h('p', { class: 'form-error', role: 'alert' });
  const el = h('form', { noValidate: true }, fields, error, button);
  el.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.textContent = '';
    button.disabled = true;
    try {
      await submit();
    } catch (err) {
      error.textContent = messageOf(err);
    } finally {
      button.disabled = false;
    }
  });
  return h('details', null, h('summary', null, `${title}…`), el);
}

import type { App } from '../app';
import { h } from '../ui/dom';
import { toast } from '../ui/notice';
import { form, input, signOut } from './auth';

/** The caller's settings: the people they block, and deleting the account. */
export function settingsScreen(app: App): HTMLElement {
  const password = input('password', 'password', 'current-password');
  const deletion = form('Delete your account', { 'Your password': password }, 'Delete my account', async () => {
    if (!confirm('Delete your account, your posts, comments and likes? This cannot be undone.')) return;
    await app.account.deleteAccount(password.value);
    // 202: the API erases the account in the background and has ended its sessions.
    await signOut(app);
    location.hash = '#/account-deleted';
  }, h('p', { class: 'muted small' }, 'Your profile disappears at once; your posts, photos, comments and likes are erased shortly after. This cannot be undone.'));
  deletion.classList.add('danger-zone');
  deletion.querySelector('button[type=submit]')?.classList.replace('primary', 'danger');
  // The form's heading is a section of this screen.
  const heading = deletion.querySelector('h1');
  heading?.replaceWith(h('h2', null, heading.textContent));
  return h('div', { class: 'settings' },
    h('h1', { tabIndex: -1 }, 'Settings'),
    h('section', { class: 'card', 'aria-labelledby': 'blocked-heading' },
      h('h2', { id: 'blocked-heading' }, 'Blocked people'),
      h('p', null, 'People you block cannot see your profile, posts or comments, and you do not see theirs. ',
        h('a', { href: '#/blocked' }, 'See and unblock the people you block'))),
    deletion);
}

export function accountDeletedScreen(): HTMLElement {
  return h('div', { class: 'card' },
    h('h1', { tabIndex: -1 }, 'Your account is being deleted'),
    h('p', null, 'You have been signed out. Your profile is gone already; your posts, photos, comments and likes are erased in the next minutes.'),
    h('p', null, h('a', { href: '#/latest' }, 'Back to the latest posts')));
}

/** "Forgot password?": the address; the API answers the same whether or not it knows it. */
export function forgotPasswordScreen(app: App): HTMLElement {
  const email = input('email', 'email', 'email');
  const root = h('div', null);
  root.append(form('Reset your password', { 'E-mail': email }, 'Send the link', async () => {
    await app.account.requestPasswordReset(email.value.trim());
    root.replaceChildren(h('div', { class: 'card auth' },
      h('h1', { tabIndex: -1 }, 'Check your mail'),
      h('p', null, `If an account uses ${email.value.trim()}, a link to choose a new password is on its way. It works once, for 30 minutes.`),
      h('p', null, h('a', { href: '#/signin' }, 'Back to sign in'))));
    root.querySelector('h1')?.focus();
  }, h('p', null, 'We mail you a link to choose a new password. ', h('a', { href: '#/signin' }, 'Back to sign in'))));
  return root;
}

/** The page the mail's link opens (`/reset-password?token=...`, turned into `#/reset-password?token=...`). */
export function resetPasswordScreen(app: App, token: string): HTMLElement {
  if (!token) {
    return h('div', { class: 'card auth' },
      h('h1', { tabIndex: -1 }, 'Choose a new password'),
      h('p', { class: 'form-error' }, 'This link is incomplete. Open the link from the mail again, or ask for a new one.'),
      h('p', null, h('a', { href: '#/forgot-password' }, 'Ask for a new link')));
  }
  const password = input('newPassword', 'password', 'new-password', { minLength: 10, maxLength: 128 });
  const el = form('Choose a new password', { 'New password': password }, 'Set the password', async () => {
    await app.account.confirmPasswordReset(token, password.value);
    // 204: every session of the account has ended, this tab's too.
    app.session.clear('signed-out');
    toast('Your password is changed. Sign in with the new one.');
    location.hash = '#/signin';
  }, h('p', null, h('a', { href: '#/forgot-password' }, 'Ask for a new link')));
  password.after(h('small', { class: 'hint' }, 'At least 10 characters.'));
  return el;
}

import type { App } from '../app';
import { ApiError } from '../api/problem';
import { field, h, setFieldError } from '../ui/dom';
import { messageOf } from '../ui/notice';

/** A form card: labelled inputs, errors from the problem document beside their fields or above the button. */
export function form(title: string, inputs: Record<string, HTMLInputElement>, submitLabel: string, submit: () => Promise<void>, footer: Node | null): HTMLElement {
  const error = h('div', { class: 'form-error', role: 'alert', tabIndex: -1 });
  const button = h('button', { type: 'submit', class: 'primary' }, submitLabel);
  const el = h('form', { class: 'card auth', noValidate: true },
    h('h1', { tabIndex: -1 }, title),
    Object.entries(inputs).map(([label, input]) => field(label, input)),
    error, button, footer);
  el.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.textContent = '';
    for (const input of Object.values(inputs)) setFieldError(input, []);
    button.disabled = true;
    try {
      await submit();
    } catch (err) {
      let shown = false;
      if (err instanceof ApiError) {
        for (const input of Object.values(inputs)) {
          const messages = err.fieldErrors(input.name);
          if (messages.length > 0) {
            setFieldError(input, messages);
            shown = true;
          }
        }
        const first = Object.values(inputs).find((i) => i.getAttribute('aria-invalid'));
        first?.focus();
      }
      if (!shown) {
        error.textContent = messageOf(err);
        // The disabled button lost the focus; the message is where to continue from.
        error.focus();
      }
    } finally {
      button.disabled = false;
    }
  });
  return el;
}

export const input = (name: string, type: string, autocomplete: string, extra: Record<string, unknown> = {}) =>
  h('input', { name, type, autocomplete, required: true, ...extra });

export function signInScreen(app: App, next: string): HTMLElement {
  const login = input('login', 'text', 'username', { autocapitalize: 'none', spellcheck: false });
  const password = input('password', 'password', 'current-password');
  return form('Sign in', { 'Username or e-mail': login, Password: password }, 'Sign in', async () => {
    app.session.start(await app.auth.login(login.value.trim(), password.value));
    location.hash = next;
  }, h('div', null,
    h('p', null, h('a', { href: '#/forgot-password' }, 'Forgot password?')),
    h('p', null, 'New here? ', h('a', { href: '#/signup' }, 'Create an account'))));
}

export function signUpScreen(app: App): HTMLElement {
  const username = input('username', 'text', 'username', { autocapitalize: 'none', spellcheck: false, minLength: 3, maxLength: 30, pattern: '[a-z0-9_.]+' });
  const displayName = input('displayName', 'text', 'nickname', { required: false, maxLength: 50 });
  const email = input('email', 'email', 'email');
  const password = input('password', 'password', 'new-password', { minLength: 10, maxLength: 128 });
  const el = form('Create an account', { Username: username, 'Display name (optional)': displayName, 'E-mail': email, Password: password }, 'Sign up', async () => {
    app.session.start(await app.auth.register({
      username: username.value.trim().toLowerCase(),
      email: email.value.trim(),
      password: password.value,
      displayName: displayName.value.trim() || undefined,
    }));
    location.hash = '#/home';
  }, h('p', null, 'Have an account? ', h('a', { href: '#/signin' }, 'Sign in')));
  username.after(h('small', { class: 'hint' }, '3 to 30 of a–z, 0–9, _ and .'));
  password.after(h('small', { class: 'hint' }, 'At least 10 characters.'));
  return el;
}

export async function signOut(app: App): Promise<void> {
  const token = app.session.takeRefreshTokenForSignOut();
  if (token) {
    // Ends the session on the server too; if that fails (offline) the token is forgotten here anyway.
    await app.auth.logout(token).catch(() => undefined);
  }
}

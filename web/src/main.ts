import './styles.css';
import { createApp, type App } from './app';
import { loadConfig } from './config';
import { h, replace } from './ui/dom';
import { messageOf, toast } from './ui/notice';
import { userHref } from './ui/post';
import { resetLinkToHashRoute } from './routes';
import { accountDeletedScreen, forgotPasswordScreen, resetPasswordScreen, settingsScreen } from './screens/account';
import { signInScreen, signOut, signUpScreen } from './screens/auth';
import { composeScreen } from './screens/compose';
import { feedScreen, tagScreen } from './screens/feed';
import { postScreen } from './screens/post';
import { moderationScreen } from './screens/moderation';
import { notificationsScreen } from './screens/notifications';
import { badgeText } from './notifications';
import { blockedScreen, profileScreen, type ProfileTab } from './screens/profile';
import { searchScreen } from './screens/search';

/** Hash routes: static hosting (S3, the API in Development) needs no fallback for them. */
function route(app: App, hash: string): HTMLElement {
  const [path, search = ''] = hash.replace(/^#/, '').split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const query = new URLSearchParams(search);
  switch (parts[0]) {
    case undefined: return feedScreen(app, app.session.signedIn ? 'home' : 'latest');
    case 'home': return app.session.signedIn ? feedScreen(app, 'home') : signInScreen(app, '#/home');
    case 'latest': return feedScreen(app, 'latest');
    case 'popular': return feedScreen(app, 'popular');
    case 'tags': return tagScreen(app, parts[1] ?? '');
    case 'posts': return postScreen(app, parts[1] ?? '');
    case 'u': return profileScreen(app, parts[1] ?? '', (parts[2] as ProfileTab | undefined) ?? 'posts');
    case 'search': return searchScreen(app);
    case 'notifications': return app.session.signedIn ? notificationsScreen(app) : signInScreen(app, '#/notifications');
    case 'new': return composeScreen(app);
    case 'signin': return signInScreen(app, query.get('next') ?? '#/home');
    case 'signup': return signUpScreen(app);
    case 'forgot-password': return forgotPasswordScreen(app);
    case 'reset-password': return resetPasswordScreen(app, query.get('token') ?? '');
    case 'account-deleted': return accountDeletedScreen();
    case 'settings': return app.session.signedIn ? settingsScreen(app) : signInScreen(app, '#/settings');
    case 'blocked': return app.session.signedIn ? blockedScreen(app) : signInScreen(app, '#/blocked');
    case 'moderation': return app.session.signedIn ? moderationScreen(app) : signInScreen(app, '#/moderation');
    default: return h('div', null, h('h1', { tabIndex: -1 }, 'Not found'), h('p', null, h('a', { href: '#/latest' }, 'Back to the latest posts')));
  }
}

function navigation(app: App): HTMLElement {
  const user = app.session.user;
  const link = (href: string, label: string, icon: string) =>
    h('a', { href, 'aria-current': location.hash === href || (href === '#/home' && location.hash === '') ? 'page' : undefined },
      h('span', { class: 'icon', 'aria-hidden': 'true' }, icon), h('span', { class: 'label' }, label));
  return h('nav', { class: 'main-nav', 'aria-label': 'Main' },
    app.session.signedIn ? link('#/home', 'Home', '⌂') : link('#/latest', 'Latest', '⌂'),
    link('#/popular', 'Popular', '★'),
    link('#/search', 'Search', '⌕'),
    app.session.signedIn ? link('#/new', 'New post', '+') : null,
    app.session.signedIn ? notificationsLink(app, link) : null,
    user ? link(userHref(user.username), 'Profile', '☺') : null,
    app.session.isModerator ? link('#/moderation', 'Moderation', '⚑') : null,
    app.session.signedIn
      ? h('button', { type: 'button', class: 'nav-button', onclick: () => {
        // Signed out here at once; the server's end of the session follows in the background.
        void signOut(app);
        location.hash = '#/latest';
      } }, h('span', { class: 'icon', 'aria-hidden': 'true' }, '⎋'), h('span', { class: 'label' }, 'Sign out'))
      : link('#/signin', 'Sign in', '☺'));
}

/** "Activity" with the unread count as a badge; the count is in the link's name for screen readers. */
function notificationsLink(app: App, link: (href: string, label: string, icon: string) => HTMLElement): HTMLElement {
  const a = link('#/notifications', 'Activity', '♡');
  const text = badgeText(app.unread.count);
  if (text) {
    a.querySelector('.icon')!.append(h('span', { class: 'badge', 'aria-hidden': 'true' }, text));
    a.setAttribute('aria-label', `Activity, ${app.unread.count} unread`);
  }
  return a;
}

async function start(): Promise<void> {
  // The password-reset mail's link is a path (/reset-password?token=...): into the hash route, in place.
  const resetRoute = resetLinkToHashRoute(location.href);
  if (resetRoute) history.replaceState(null, '', resetRoute);
  const app = createApp(await loadConfig());
  const header = document.getElementById('nav')!;
  const main = document.getElementById('main')!;
  const offline = document.getElementById('offline')!;

  const render = (focus: boolean) => {
    replace(header, navigation(app));
    const screen = route(app, location.hash);
    replace(main, screen);
    window.scrollTo(0, 0);
    // Keyboard and screen-reader users start at the new screen's heading.
    if (focus) main.querySelector<HTMLElement>('h1')?.focus({ preventScroll: true });
  };

  const followSession = () => {
    // Fires when the user changes or signs out: the count of someone else never shows.
    app.unread.stop();
    app.unread.reset();
    if (app.session.signedIn) app.unread.start();
  };
  app.unread.onChange(() => replace(header, navigation(app)));
  app.session.onChange((reason) => {
    followSession();
    if (reason === 'expired') {
      toast('Your session has ended. Please sign in again.');
      location.hash = '#/signin';
    }
    replace(header, navigation(app));
  });
  window.addEventListener('hashchange', () => {
    render(true);
    // A new screen is a good moment to look: likes and follows arrive while one browses.
    if (app.session.signedIn) void app.unread.refresh();
  });
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && app.session.signedIn) void app.unread.refresh();
  });
  const showOnline = () => { offline.hidden = navigator.onLine; };
  window.addEventListener('online', showOnline);
  window.addEventListener('offline', showOnline);
  showOnline();

  if (app.session.signedIn) {
    // A reload: the refresh token in storage gets a new access token and the profile.
    try {
      app.session.user = await app.users.me();
    } catch (error) {
      if (app.session.signedIn) toast(messageOf(error));
    }
  }
  render(false);
  followSession();
}

void start();

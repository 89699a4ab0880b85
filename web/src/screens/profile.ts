import { createWithRetry } from '../publish';
import type { App } from '../app';
import { ApiError } from '../api/problem';
import { describeFileProblem, uploadToBucket } from '../api/uploads';
import type { Profile } from '../api/types';
import { count, field, h } from '../ui/dom';
import { infiniteList } from '../ui/list';
import { errorBox, messageOf, toast } from '../ui/notice';
import { postCard, userHref } from '../ui/post';

export type ProfileTab = 'posts' | 'followers' | 'following';

export function profileScreen(app: App, username: string, tab: ProfileTab): HTMLElement {
  const root = h('div', { class: 'profile' }, h('h1', { tabIndex: -1 }, `@${username}`), h('p', { class: 'loading' }, 'Loading…'));
  const load = async () => {
    try {
      render(await app.users.byUsername(username));
    } catch (error) {
      root.replaceChildren(h('h1', { tabIndex: -1 }, `@${username}`), errorBox(error, load));
    }
  };
  const render = (profile: Profile) => {
    const mine = app.session.user?.id === profile.id;
    const followers = h('a', { href: `${userHref(profile.username)}/followers`, 'aria-current': tab === 'followers' ? 'page' : undefined }, count(profile.followerCount, 'follower', 'followers'));
    const header = h('header', { class: 'profile-header' },
      profile.avatarUrl ? h('img', { class: 'avatar large', src: profile.avatarUrl, alt: '' }) : h('span', { class: 'avatar large', 'aria-hidden': 'true' }, profile.displayName.slice(0, 1)),
      h('div', null,
        h('h1', { tabIndex: -1 }, profile.displayName),
        h('p', { class: 'muted' }, `@${profile.username}`),
        profile.bio ? h('p', { class: 'bio' }, profile.bio) : null,
        h('nav', { class: 'stats', 'aria-label': 'Profile' },
          h('a', { href: userHref(profile.username), 'aria-current': tab === 'posts' ? 'page' : undefined }, count(profile.postCount, 'post', 'posts')),
          followers,
          h('a', { href: `${userHref(profile.username)}/following`, 'aria-current': tab === 'following' ? 'page' : undefined }, `${profile.followingCount.toLocaleString()} following`)),
        mine
          ? [editProfile(app, profile), h('p', null, h('a', { href: '#/settings' }, 'Settings and blocked people'))]
          : h('div', { class: 'actions' },
            followButton(app, profile, () => { followers.textContent = count(profile.followerCount, 'follower', 'followers'); }),
            app.session.signedIn ? blockButton(app, profile, () => root.replaceChildren(blockedNotice(app, profile, load))) : null)));
    const body = tab === 'posts'
      ? infiniteList(app.feeds.userPosts(profile.id), { label: `Posts by ${profile.displayName}`, empty: 'No posts yet.', render: (post) => postCard(app, post), className: 'posts' })
      : infiniteList(tab === 'followers' ? app.users.followers(profile.id) : app.users.following(profile.id), {
        label: tab === 'followers' ? `Followers of ${profile.displayName}` : `Followed by ${profile.displayName}`,
        empty: tab === 'followers' ? 'No followers yet.' : 'Not following anyone yet.',
        render: (p) => personRow(app, p),
        className: 'people',
      });
    root.replaceChildren(header, body);
  };
  void load();
  return root;
}

export function followButton(app: App, profile: Profile, onChange: () => void = () => undefined): HTMLElement {
  const button = h('button', { type: 'button', class: profile.followedByMe ? '' : 'primary', 'aria-pressed': String(profile.followedByMe) });
  const sync = () => {
    button.textContent = profile.followedByMe ? 'Following' : 'Follow';
    button.setAttribute('aria-label', `${profile.followedByMe ? 'Unfollow' : 'Follow'} ${profile.displayName}`);
    button.setAttribute('aria-pressed', String(profile.followedByMe));
    button.className = profile.followedByMe ? '' : 'primary';
  };
  sync();
  button.addEventListener('click', async () => {
    if (!app.session.signedIn) {
      location.hash = '#/signin';
      return;
    }
    // Busy, not disabled: a disabled button drops the keyboard focus.
    if (button.getAttribute('aria-busy') === 'true') return;
    button.setAttribute('aria-busy', 'true');
    const want = !profile.followedByMe;
    try {
      await app.users.follow(profile.id, want);
      profile.followedByMe = want;
      profile.followerCount += want ? 1 : -1;
      onChange();
    } catch (error) {
      toast(messageOf(error));
    } finally {
      button.removeAttribute('aria-busy');
      sync();
    }
  });
  return button;
}

/** Blocks after a confirmation; onBlocked replaces whatever showed the person (they are hidden from now on). */
export function blockButton(app: App, profile: Profile, onBlocked: () => void): HTMLElement {
  const button = h('button', { type: 'button', class: 'danger', 'aria-label': `Block ${profile.displayName}` }, 'Block');
  button.addEventListener('click', async () => {
    if (button.getAttribute('aria-busy') === 'true') return;
    if (!confirm(`Block ${profile.displayName} (@${profile.username})? Neither of you will see the other's profile, posts or comments, and follows between you end.`)) return;
    button.setAttribute('aria-busy', 'true');
    try {
      await app.blocks.block(profile.id, true);
      toast(`You blocked ${profile.displayName}.`);
      onBlocked();
    } catch (error) {
      toast(messageOf(error));
    } finally {
      button.removeAttribute('aria-busy');
    }
  });
  return button;
}

/** What a profile shows right after its person was blocked: the way back, at once. */
function blockedNotice(app: App, profile: Profile, reload: () => void): HTMLElement {
  const heading = h('h1', { tabIndex: -1 }, `You blocked ${profile.displayName}`);
  const el = h('div', { class: 'card' },
    heading,
    h('p', null, `You no longer see @${profile.username}'s profile, posts or comments, and they do not see yours.`),
    h('div', { class: 'actions' },
      unblockButton(app, profile, (blocked) => { if (!blocked) reload(); }),
      h('a', { href: '#/blocked', class: 'button-link' }, 'Blocked people')));
  queueMicrotask(() => heading.focus());
  return el;
}

/** A toggle on the blocked list: Unblock, then Block again in case of a slip. */
export function unblockButton(app: App, profile: Profile, onChange: (blocked: boolean) => void = () => undefined): HTMLElement {
  let blocked = true;
  const button = h('button', { type: 'button' });
  const sync = () => {
    button.textContent = blocked ? 'Unblock' : 'Block again';
    button.setAttribute('aria-label', `${blocked ? 'Unblock' : 'Block'} ${profile.displayName}`);
  };
  sync();
  button.addEventListener('click', async () => {
    if (button.getAttribute('aria-busy') === 'true') return;
    button.setAttribute('aria-busy', 'true');
    try {
      await app.blocks.block(profile.id, !blocked);
      blocked = !blocked;
      toast(blocked ? `You blocked ${profile.displayName}.` : `You unblocked ${profile.displayName}.`);
      onChange(blocked);
    } catch (error) {
      toast(messageOf(error));
    } finally {
      button.removeAttribute('aria-busy');
      sync();
    }
  });
  return button;
}

/** GET /me/blocks: the one place blocked people are shown. */
export function blockedScreen(app: App): HTMLElement {
  return h('div', { class: 'blocked' },
    h('h1', { tabIndex: -1 }, 'Blocked people'),
    h('p', { class: 'muted' }, 'Unblocking does not bring back follows that the block ended.'),
    infiniteList(app.blocks.mine(), {
      label: 'People you block',
      empty: 'You do not block anyone.',
      className: 'people',
      render: (p) => h('div', { class: 'person' },
        h('span', null,
          p.avatarUrl ? h('img', { class: 'avatar', src: p.avatarUrl, alt: '' }) : h('span', { class: 'avatar', 'aria-hidden': 'true' }, p.displayName.slice(0, 1)),
          h('span', null, h('strong', null, p.displayName), ' ', h('span', { class: 'muted' }, `@${p.username}`))),
        unblockButton(app, p)),
    }));
}

export function personRow(app: App, profile: Profile): HTMLElement {
  const mine = app.session.user?.id === profile.id;
  return h('div', { class: 'person' },
    h('a', { href: userHref(profile.username) },
      profile.avatarUrl ? h('img', { class: 'avatar', src: profile.avatarUrl, alt: '' }) : h('span', { class: 'avatar', 'aria-hidden': 'true' }, profile.displayName.slice(0, 1)),
      h('span', null, h('strong', null, profile.displayName), ' ', h('span', { class: 'muted' }, `@${profile.username}`))),
    mine || !app.session.signedIn ? null : followButton(app, profile));
}

function editProfile(app: App, profile: Profile): HTMLElement {
  const displayName = h('input', { name: 'displayName', value: profile.displayName, maxLength: 50, autocomplete: 'nickname' });
  const bio = h('textarea', { name: 'bio', rows: 3, maxLength: 300 }, profile.bio);
  const avatar = h('input', { type: 'file', name: 'avatar', accept: 'image/jpeg,image/png,image/webp,image/heic' });
  const progress = h('progress', { max: 1, value: 0, hidden: true, 'aria-label': 'Photo upload' });
  const status = h('p', { role: 'status' });
  const save = h('button', { type: 'submit' }, 'Save');
  const form = h('form', { class: 'edit-profile' },
    field('Display name', displayName), field('Bio', bio), field('Profile photo', avatar), progress, save, status);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    save.disabled = true;
    try {
      const changes: { displayName: string; bio: string; avatarKey?: string } = { displayName: displayName.value, bio: bio.value };
      const file = avatar.files?.[0];
      if (file) {
        const problem = describeFileProblem(file);
        if (problem) throw new Error(problem);
        // The same path as a post's photos: a presigned form, then straight to the bucket.
        const upload = await app.uploads.requestForm(file);
        progress.hidden = false;
        await uploadToBucket(upload, file, (fraction) => { progress.value = fraction; });
        changes.avatarKey = upload.key;
      }
      // A new photo is processed (resized, stripped of its metadata) first: 409 until it is.
      const updated = await createWithRetry(() => app.users.updateMe(changes));
      avatar.value = '';
      progress.hidden = true;
      if (app.session.user) app.session.user = { ...app.session.user, ...updated };
      toast('Profile saved.');
      // The route renders again with the saved profile.
      window.dispatchEvent(new HashChangeEvent('hashchange'));
    } catch (error) {
      status.textContent = error instanceof Error && !(error instanceof ApiError) ? error.message : messageOf(error);
    } finally {
      save.disabled = false;
    }
  });
  return h('details', null, h('summary', null, 'Edit profile'), form);
}

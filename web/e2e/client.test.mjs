import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { repoRoot, startStack } from './stack.mjs';

const photo = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'bibimbap.jpg');
const shots = join(repoRoot, 'artifacts', 'web');
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// Four posts a page: the five demo posts and ours make two pages of the latest feed.
const pageSize = 4;

const user = {
  username: `e2e_${Date.now().toString(36)}`,
  password: 'a long e2e password',
  newPassword: 'a new and longer e2e password',
  displayName: '비빔밥 Lover',
  caption: 'Bibimbap for lunch, 비빔밥 최고 #bibimbap #점심',
};

describe('web client', { timeout: 240_000 }, () => {
  let stack;
  let browser;
  let page;
  const uploads = [];
  const pageErrors = [];
  const feedRequests = [];

  before(async () => {
    mkdirSync(shots, { recursive: true });
    stack = await startStack({ pageSize });
    browser = await chromium.launch({
      executablePath,
      // Playwright gives every launch a fresh temporary profile (--user-data-dir).
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-US', deviceScaleFactor: 1 });
    page = await context.newPage();
    page.setDefaultTimeout(30_000);
    page.on('request', (request) => { if (request.url().includes('/api/v1/feed/')) feedRequests.push(request.url()); });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    // Chromium logs each failed request as a console error; the offline step makes some on purpose.
    page.on('console', (message) => {
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) pageErrors.push(message.text());
    });
    // The browser's own multipart POST to the bucket (CORS checked by the browser, not by this test).
    page.on('requestfinished', async (request) => {
      if (request.method() === 'POST' && request.url().startsWith(process.env.Storage__ServiceUrl ?? '\0')) {
        uploads.push((await request.response())?.status());
      }
    });
  });

  after(async () => {
    await browser?.close();
    if (stack) {
      if (process.exitCode) console.error(stack.logs());
      await stack.stop();
    }
  });

  const feedPosts = () => page.locator('ul.posts > li article.post');
  const nav = () => page.getByRole('navigation', { name: 'Main' });
  // Moves within the loaded page, as a link does. A reload or goto would refresh the tokens each
  // time, and a session may refresh only 10 times a minute (RateLimits:RefreshPerSession).
  const visit = (hash) => page.evaluate((h) => { location.hash = h; }, hash);
  const refreshToken = () => page.evaluate(() => localStorage.getItem('foodcommunity.refreshToken'));
  // Scrolls the list to its end, page by page, until the API says there is no next page.
  const loadWholeList = async () => {
    await feedPosts().first().waitFor();
    await page.waitForFunction(() => {
      window.scrollTo(0, document.body.scrollHeight);
      const list = document.querySelector('section.infinite');
      const more = list?.querySelector('button.more');
      const idle = list?.getAttribute('aria-busy') === 'false';
      // As a keyboard user would, should the observer not fire again (nothing moved).
      if (idle && more && !more.hidden) {
        more.click();
        return false;
      }
      return idle && more?.hidden === true;
    }, null, { polling: 100 });
  };
  const signIn = async (password) => {
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByLabel('Username or e-mail', { exact: true }).fill(user.username);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/#\/home$/);
  };
  const login = (password) => fetch(`${stack.baseUrl}/api/v1/auth/login`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ login: user.username, password }),
  });

  test('a visitor lands on the latest posts of the demo users', async () => {
    await page.goto(`${stack.baseUrl}/`);
    await nav().getByRole('link', { name: 'Sign in' }).waitFor();
    await feedPosts().first().waitFor();
    const firstImage = feedPosts().first().locator('img').first();
    await firstImage.waitFor();
    // The demo image loads from the bucket (s3rver).
    await firstImage.evaluate((img) => img.complete && img.naturalWidth > 0 ? true
      : new Promise((ok, fail) => { img.onload = () => ok(true); img.onerror = () => fail(new Error(`${img.src} did not load`)); }));
  });

  test('scrolling loads the next page by cursor', async () => {
    await page.mouse.wheel(0, 5000);
    await page.waitForFunction((n) => document.querySelectorAll('ul.posts > li').length > n, pageSize);
    const pages = feedRequests.filter((url) => url.includes('/api/v1/feed/latest'));
    assert.ok(pages.some((url) => url.includes('cursor=')), `a page was asked for by cursor: ${pages.join(', ')}`);
    assert.ok(pages.every((url) => url.includes(`limit=${pageSize}`)));
    await page.screenshot({ path: join(shots, 'latest-390.png'), fullPage: false });
  });

  test('sign up', async () => {
    await nav().getByRole('link', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.getByRole('heading', { name: 'Create an account' }).waitFor();
    await page.getByLabel('Username', { exact: true }).fill(user.username);
    await page.getByLabel('Display name (optional)', { exact: true }).fill(user.displayName);
    await page.getByLabel('E-mail', { exact: true }).fill(`${user.username}@example.com`);
    await page.getByLabel('Password', { exact: true }).fill(user.password);
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.waitForURL(/#\/home$/).catch(async (error) => {
      throw new Error(`${error.message}\nThe page says: ${await page.locator('main').innerText()}`);
    });
    await page.getByText('Nothing here yet').waitFor();
    assert.ok(await page.evaluate(() => localStorage.getItem('foodcommunity.refreshToken')), 'the refresh token is kept');
  });

  test('post a JPEG from disk through the presigned form', async () => {
    await nav().getByRole('link', { name: 'New post' }).click();
    await page.getByLabel(/^Photos \(/).setInputFiles(photo);
    await page.getByLabel('Caption (#tags become tags)').fill(user.caption);
    await page.screenshot({ path: join(shots, 'compose-390.png') });
    await page.getByRole('button', { name: 'Publish' }).click();
    await page.waitForURL(/#\/posts\/[0-9a-f-]{36}$/, { timeout: 30_000 });
    user.postId = page.url().split('#/posts/')[1];
    assert.deepEqual(uploads, [204], 'the browser uploaded the photo straight to the bucket');
    uploads.length = 0;
    const img = page.getByRole('img', { name: user.caption });
    await img.waitFor();
    const width = await img.evaluate((el) => el.complete && el.naturalWidth > 0 ? el.naturalWidth
      : new Promise((ok, fail) => { el.onload = () => ok(el.naturalWidth); el.onerror = () => fail(new Error(`${el.src} did not load`)); }));
    // A rendition of it (never the raw upload): at most the upload's 480 px, sized for the screen.
    assert.ok(width > 0 && width <= 480, `the uploaded photo is shown (${width} px wide)`);
    await page.screenshot({ path: join(shots, 'post-390.png') });
  });

  test("edit our post's caption", async () => {
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    const caption = page.getByLabel('Caption', { exact: true });
    await caption.fill(`${user.caption} 고추장 듬뿍`);
    const saved = page.waitForResponse((r) => r.url().endsWith(`/api/v1/posts/${user.postId}`) && r.request().method() === 'PATCH');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    assert.equal((await saved).status(), 200);
    await page.getByText('Caption saved.').waitFor();
    await page.locator('article.post').getByText('고추장 듬뿍').waitFor();
    await page.locator('article.post .edited').waitFor();
    user.caption = `${user.caption} 고추장 듬뿍`;
  });

  test('the post is in latest and in home', async () => {
    await visit('#/latest');
    await feedPosts().first().getByText('Bibimbap for lunch').waitFor();
    await nav().getByRole('link', { name: 'Home' }).click();
    await feedPosts().first().getByText('Bibimbap for lunch').waitFor();
  });

  test('a tag in a caption leads to the posts with it; popular answers', async () => {
    await feedPosts().filter({ hasText: 'Bibimbap for lunch' }).getByRole('link', { name: '#점심' }).click();
    await page.getByRole('heading', { name: '#점심' }).waitFor();
    await feedPosts().filter({ hasText: 'Bibimbap for lunch' }).waitFor();
    await nav().getByRole('link', { name: 'Popular' }).click();
    await feedPosts().first().or(page.getByText('Nothing has been liked in the last day yet.')).waitFor();
    await nav().getByRole('link', { name: 'Home' }).click();
    await feedPosts().first().waitFor();
  });

  test('like and unlike', async () => {
    const post = feedPosts().filter({ hasText: 'Bibimbap for lunch' });
    const like = post.getByRole('button', { name: 'Like', exact: true });
    const answered = page.waitForResponse((r) => r.url().endsWith('/like') && r.request().method() === 'PUT');
    await like.click();
    await post.getByRole('button', { name: 'Unlike', exact: true, pressed: true }).waitFor();
    assert.equal((await answered).status(), 200);
    await post.getByText('1 like').waitFor();
    // A reload keeps the access token nowhere: it is refreshed, and the refresh token rotates.
    const before = await refreshToken();
    await page.reload();
    const reloaded = feedPosts().filter({ hasText: 'Bibimbap for lunch' });
    await reloaded.getByText('1 like').waitFor();
    assert.notEqual(await refreshToken(), before, 'the refresh token rotated');
    const unliked = page.waitForResponse((r) => r.url().endsWith('/like') && r.request().method() === 'DELETE');
    await reloaded.getByRole('button', { name: 'Unlike', exact: true }).click();
    assert.equal((await unliked).status(), 200);
    await reloaded.getByRole('button', { name: 'Like', exact: true, pressed: false }).waitFor();
    await reloaded.getByText('0 likes').waitFor();
  });

  test('the keyboard alone can like a post', async () => {
    await feedPosts().filter({ hasText: 'Bibimbap for lunch' }).getByRole('link', { name: /ago|now/ }).focus();
    await page.keyboard.press('Tab');
    const focused = () => page.evaluate(() => document.activeElement?.getAttribute('aria-pressed'));
    assert.equal(await focused(), 'false', 'after the time link, focus moves to the like button');
    const answered = page.waitForResponse((r) => r.url().endsWith('/like') && r.request().method() === 'PUT');
    await page.keyboard.press('Space');
    assert.equal((await answered).status(), 200);
    assert.equal(await focused(), 'true');
    // The button ignores presses while busy (aria-busy) until the client has read the answer, which is
    // after the response reached the browser: press again only once it is idle, as a person would see.
    await page.waitForFunction(() => document.activeElement?.getAttribute('aria-busy') === null);
    const unliked = page.waitForResponse((r) => r.url().endsWith('/like') && r.request().method() === 'DELETE');
    await page.keyboard.press('Enter');
    assert.equal((await unliked).status(), 200);
  });

  test('comment', async () => {
    await feedPosts().filter({ hasText: 'Bibimbap for lunch' }).getByRole('link', { name: '0 comments' }).click();
    await page.getByLabel('Add a comment').fill('맛있겠다! Looks great.');
    await page.getByRole('button', { name: 'Comment', exact: true }).click();
    await page.getByText('맛있겠다! Looks great.').waitFor();
    await page.reload();
    await page.getByRole('list', { name: 'Comments', exact: true }).getByText('맛있겠다! Looks great.').waitFor();
    await page.getByText('1 comment').waitFor();
  });

  test('delete a comment of ours', async () => {
    await page.getByLabel('Add a comment').fill('Typo, delete me');
    await page.getByRole('button', { name: 'Comment', exact: true }).click();
    const mine = page.getByRole('list', { name: 'Your new comments', exact: true }).getByRole('listitem').filter({ hasText: 'Typo, delete me' });
    await mine.getByRole('button', { name: 'Delete' }).click();
    await page.getByText('Comment deleted.').waitFor();
    await page.reload();
    await page.getByRole('list', { name: 'Comments', exact: true }).getByText('맛있겠다! Looks great.').waitFor();
    assert.equal(await page.getByText('Typo, delete me').count(), 0);
  });

  test("report someone else's post", async () => {
    await visit('#/u/demo_salad');
    await feedPosts().first().getByRole('link', { name: /ago|now/ }).click();
    page.once('dialog', (dialog) => dialog.accept('Not food'));
    await page.getByRole('button', { name: 'Report' }).click();
    await page.getByText('Thanks, the moderators will look at it.').waitFor();
  });

  test("follow a demo user and see their post in home", async () => {
    await visit('#/u/demo_ramen');
    await page.getByRole('button', { name: 'Follow Ramen Ryu', exact: true }).click();
    await page.getByRole('button', { name: 'Unfollow Ramen Ryu', exact: true }).waitFor();
    await page.getByRole('link', { name: '5 followers' }).waitFor();
    await nav().getByRole('link', { name: 'Home' }).click();
    await feedPosts().filter({ hasText: 'Tonkotsu broth' }).waitFor();
    await feedPosts().filter({ hasText: 'Bibimbap for lunch' }).waitFor();
    await page.waitForFunction(() => Array.from(document.images).every((img) => img.complete));
    await page.screenshot({ path: join(shots, 'home-390.png') });
  });

  test('people search finds a demo user by name and us by our Korean name', async () => {
    await nav().getByRole('link', { name: 'Search' }).click();
    const field = page.getByLabel('Name or username', { exact: true });
    await field.fill('Ramen');
    await page.getByRole('list', { name: 'People matching Ramen' }).getByText('@demo_ramen').waitFor();
    await field.fill('비빔');
    await page.getByRole('list', { name: 'People matching 비빔' }).getByText(`@${user.username}`).waitFor();
    await page.screenshot({ path: join(shots, 'search-390.png') });
  });

  test('someone likes, comments and follows: the badge shows, the screen lists it and reads it', async () => {
    const fan = { username: `${user.username}_n`, displayName: 'Tteok 떡볶이' };
    const registered = await fetch(`${stack.baseUrl}/api/v1/auth/register`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ ...fan, email: `${fan.username}@example.com`, password: 'a fan e2e password' }),
    });
    assert.equal(registered.status, 201);
    const { accessToken } = await registered.json();
    const as = (method, path, body) => fetch(`${stack.baseUrl}/api/v1${path}`, {
      method, headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${accessToken}` },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const profile = await (await fetch(`${stack.baseUrl}/api/v1/users/${user.username}`)).json();
    for (const [method, path, body] of [
      ['PUT', `/posts/${user.postId}/like`],
      ['POST', `/posts/${user.postId}/comments`, { text: '맛있어 보여요!' }],
      ['PUT', `/users/${profile.id}/follow`],
    ]) {
      const response = await as(method, path, body);
      assert.ok(response.ok, `${method} ${path}: ${response.status}`);
    }
    // The count is asked for at each change of screen (and every minute).
    const badge = nav().getByRole('link', { name: 'Activity, 3 unread' });
    const deadline = Date.now() + 20_000;
    for (let i = 0; await badge.count() === 0; i++) {
      assert.ok(Date.now() < deadline, 'the badge shows 3 unread within 20 s');
      await visit(i % 2 ? '#/latest' : '#/popular');
      await page.waitForResponse((r) => r.url().endsWith('/api/v1/notifications/unread-count'));
    }
    assert.equal(await nav().locator('.badge').innerText(), '3');
    const marked = page.waitForResponse((r) => r.url().endsWith('/api/v1/notifications/read'));
    await badge.click();
    const list = page.getByRole('list', { name: 'Notifications' });
    await list.getByText('Tteok 떡볶이 liked your post').waitFor();
    await list.getByText('Tteok 떡볶이 commented: 맛있어 보여요!').waitFor();
    await list.getByText('Tteok 떡볶이 started following you').waitFor();
    assert.equal((await marked).status(), 204);
    await nav().getByRole('link', { name: 'Activity', exact: true }).waitFor();
    await page.screenshot({ path: join(shots, 'notifications-390.png') });
    // Read on the server too: the next count is 0.
    const counted = page.waitForResponse((r) => r.url().endsWith('/api/v1/notifications/unread-count'));
    await visit('#/latest');
    assert.deepEqual(await (await counted).json(), { count: 0 });
    assert.equal(await nav().locator('.badge').count(), 0);
    // A notification leads to what it is about.
    await visit('#/notifications');
    await page.getByRole('link', { name: /liked your post/ }).click();
    await page.waitForURL(new RegExp(`#/posts/${user.postId}$`));
  });

  test("a profile lists its followers", async () => {
    await visit('#/u/demo_ramen');
    await page.getByRole('link', { name: '5 followers' }).click();
    await page.getByRole('list', { name: 'Followers of Ramen Ryu' }).getByText(user.displayName).waitFor();
    await page.getByRole('link', { name: user.displayName }).click();
    await page.getByRole('heading', { name: user.displayName }).waitFor();
    await page.getByRole('list', { name: `Posts by ${user.displayName}` }).getByText('Bibimbap for lunch').waitFor();
  });

  test('edit the profile with a photo', async () => {
    await page.getByText('Edit profile').click();
    await page.getByLabel('Bio', { exact: true }).fill('집밥 좋아해요. Home cooking.');
    await page.getByLabel('Profile photo', { exact: true }).setInputFiles(photo);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Profile saved.').waitFor();
    await page.locator('.profile-header p.bio').getByText('집밥 좋아해요. Home cooking.').waitFor();
    const avatar = page.locator('.profile-header img.avatar');
    await avatar.waitFor();
    await avatar.evaluate((img) => img.complete && img.naturalWidth > 0 ? true
      : new Promise((ok, fail) => { img.onload = () => ok(true); img.onerror = () => fail(new Error(`${img.src} did not load`)); }));
  });

  test('block a demo user from their profile: their posts leave latest; unblock', async () => {
    const ramen = () => feedPosts().filter({ hasText: '@demo_ramen' });
    await visit('#/u/demo_ramen');
    page.once('dialog', (dialog) => dialog.accept());
    await page.getByRole('button', { name: 'Block Ramen Ryu', exact: true }).click();
    await page.getByRole('heading', { name: 'You blocked Ramen Ryu' }).waitFor();
    await visit('#/latest');
    await loadWholeList();
    assert.equal(await ramen().count(), 0, 'no post of a blocked user in latest');
    assert.ok(await feedPosts().count() >= 4, 'the other posts are still there');
    await visit(`#/u/${user.username}`);
    await page.getByRole('link', { name: 'Settings and blocked people' }).click();
    await page.getByRole('heading', { name: 'Settings' }).waitFor();
    await page.getByRole('link', { name: 'See and unblock the people you block' }).click();
    const blocked = page.getByRole('list', { name: 'People you block' });
    await blocked.getByText('@demo_ramen').waitFor();
    await page.screenshot({ path: join(shots, 'blocked-390.png') });
    await blocked.getByRole('button', { name: 'Unblock Ramen Ryu', exact: true }).click();
    await blocked.getByRole('button', { name: 'Block Ramen Ryu', exact: true }).waitFor();
    await visit('#/latest');
    await loadWholeList();
    assert.ok(await ramen().count() > 0, 'unblocked: their posts are back');
  });

  test('offline is survivable', async () => {
    await visit('#/latest');
    await feedPosts().first().waitFor();
    await page.context().setOffline(true);
    await page.getByText('You are offline').waitFor();
    await nav().getByRole('link', { name: 'Popular' }).click();
    await page.getByRole('alert').getByText('You seem to be offline').waitFor();
    // Back online, the list asks again by itself.
    await page.context().setOffline(false);
    await page.getByText('You are offline').waitFor({ state: 'hidden' });
    await page.getByRole('alert').waitFor({ state: 'detached' });
  });

  test('desktop width', async () => {
    await page.setViewportSize({ width: 1280, height: 900 });
    await visit('#/latest');
    await feedPosts().first().locator('img').first().waitFor();
    await page.waitForFunction(() => Array.from(document.images).every((img) => img.complete));
    await page.screenshot({ path: join(shots, 'latest-1280.png') });
    await page.setViewportSize({ width: 390, height: 844 });
  });

  test('sign out and back in', async () => {
    await nav().getByRole('button', { name: 'Sign out' }).click();
    await nav().getByRole('link', { name: 'Sign in' }).waitFor();
    assert.equal(await page.evaluate(() => localStorage.getItem('foodcommunity.refreshToken')), null);
    await nav().getByRole('link', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await signIn(user.password);
    await feedPosts().filter({ hasText: 'Bibimbap for lunch' }).waitFor();
    assert.deepEqual(pageErrors, [], 'no script errors on the page');
  });

  test('a moderator works the queue: suspend, dismiss, hide; the author sees the notice', async () => {
    // Someone else reports our post (through the API), beside our report of demo_salad's post.
    const registered = await fetch(`${stack.baseUrl}/api/v1/auth/register`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: `${user.username}_b`, email: `${user.username}_b@example.com`, password: 'another e2e password' }),
    });
    assert.equal(registered.status, 201);
    const { accessToken } = await registered.json();
    const reported = await fetch(`${stack.baseUrl}/api/v1/posts/${user.postId}/reports`, {
      method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${accessToken}` },
      body: JSON.stringify({ reason: 'Spam, I think' }),
    });
    assert.ok(reported.ok, `report: ${reported.status}`);
    assert.equal(await nav().getByRole('link', { name: 'Moderation' }).count(), 0, 'no queue for a non-moderator');
    stack.grantModerator(user.username);
    // The reload's refresh brings a token with the moderate scope.
    await page.reload();
    await nav().getByRole('link', { name: 'Moderation' }).click();
    const queue = page.getByRole('list', { name: 'Reported posts' });
    const ours = queue.getByRole('listitem').filter({ hasText: 'Spam, I think' });
    const salad = queue.getByRole('listitem').filter({ hasText: '@demo_salad' });
    await ours.getByText('1 report', { exact: true }).waitFor();
    await salad.getByText('Not food').waitFor();
    await page.screenshot({ path: join(shots, 'moderation-390.png') });

    await salad.getByText('Suspend @demo_salad…').click();
    await salad.getByLabel('Reason for suspending').fill('Posts that are not food');
    await salad.getByLabel('Days (empty: until lifted)').fill('0');
    await salad.getByRole('button', { name: 'Suspend @demo_salad' }).click();
    await salad.getByText('From 1 to 3650 days').waitFor();
    await salad.getByLabel('Days (empty: until lifted)').fill('1');
    await salad.getByRole('button', { name: 'Suspend @demo_salad' }).click();
    await salad.getByText('@demo_salad is suspended for 1 day.').first().waitFor();
    const suspended = await fetch(`${stack.baseUrl}/api/v1/auth/login`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ login: 'demo_salad', password: 'demo password' }),
    });
    assert.notEqual(suspended.status, 200, 'a suspended user cannot sign in');
    await salad.getByRole('button', { name: 'Dismiss the reports' }).click();
    await salad.getByText('Reports dismissed: the post stays.').first().waitFor();

    await ours.getByText('Hide the post…').click();
    await ours.getByLabel('Reason for hiding').fill('Spam');
    await ours.getByRole('button', { name: 'Hide the post', exact: true }).click();
    await ours.getByText('Hidden: only its author sees it now.').first().waitFor();

    await visit(`#/posts/${user.postId}`);
    await page.getByRole('note').getByText('A moderator hid this post. Only you can see it.').waitFor();
    await page.screenshot({ path: join(shots, 'hidden-post-390.png') });
    const anonymous = await fetch(`${stack.baseUrl}/api/v1/posts/${user.postId}`);
    assert.equal(anonymous.status, 404, 'nobody else sees the hidden post');
  });

  test('a reused refresh token ends the session, and the page signs out', async () => {
    // Someone with a copy of the refresh token spends it, then its successor...
    let copy = await refreshToken();
    for (let i = 0; i < 2; i++) {
      const response = await fetch(`${stack.baseUrl}/api/v1/auth/refresh`, {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ refreshToken: copy }),
      });
      assert.equal(response.status, 200);
      copy = (await response.json()).refreshToken;
    }
    // ...so the page's next refresh presents a spent token: the API ends the whole session.
    await page.reload();
    await page.getByText('Your session has ended. Please sign in again.').waitFor();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    assert.equal(await refreshToken(), null);
    const stolen = await fetch(`${stack.baseUrl}/api/v1/auth/refresh`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ refreshToken: copy }),
    });
    assert.equal(stolen.status, 401, "the copy's successor is dead too");
  });

  test('forgot password: the mailed link sets a new one', async () => {
    const email = `${user.username}@example.com`;
    await page.getByRole('link', { name: 'Forgot password?' }).click();
    await page.getByLabel('E-mail', { exact: true }).fill(email);
    await page.getByRole('button', { name: 'Send the link' }).click();
    await page.getByRole('heading', { name: 'Check your mail' }).waitFor();
    const link = await mailedResetLink(email);
    assert.ok(link.startsWith(`${stack.baseUrl}/reset-password?token=`), link);
    // The mail's link is a path: the API serves the client there, which moves it into its hash route.
    await page.goto(link);
    await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    assert.match(page.url(), /\/#\/reset-password\?token=/);
    await page.getByLabel('New password', { exact: true }).fill(user.newPassword);
    const confirmed = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/password-reset/confirm'));
    await page.getByRole('button', { name: 'Set the password' }).click();
    assert.equal((await confirmed).status(), 204);
    await page.getByText('Your password is changed. Sign in with the new one.').waitFor();
    // The reset revokes the account's access tokens issued at or before its second (JWT iat is whole
    // seconds): a sign-in within that same second would get a token the API refuses. A person takes
    // longer than that to type; the test waits for the next second.
    await new Promise((r) => setTimeout(r, 1050 - (Date.now() % 1000)));
    await signIn(user.newPassword);
    await nav().getByRole('button', { name: 'Sign out' }).waitFor();
    assert.equal((await login(user.password)).status, 401, 'the old password is refused');
  });

  test('delete the account (at the very end)', async () => {
    await visit('#/settings');
    await page.getByRole('heading', { name: 'Settings' }).waitFor();
    await page.getByLabel('Your password', { exact: true }).fill('not the password');
    page.once('dialog', (dialog) => dialog.accept());
    const refused = page.waitForResponse((r) => r.url().endsWith('/api/v1/me') && r.request().method() === 'DELETE');
    await page.getByRole('button', { name: 'Delete my account' }).click();
    assert.equal((await refused).status(), 403);
    await page.getByText('The password is wrong; the account was not deleted.').waitFor();
    await page.screenshot({ path: join(shots, 'settings-390.png') });
    await page.getByLabel('Your password', { exact: true }).fill(user.newPassword);
    page.once('dialog', (dialog) => dialog.accept());
    const answered = page.waitForResponse((r) => r.url().endsWith('/api/v1/me') && r.request().method() === 'DELETE');
    await page.getByRole('button', { name: 'Delete my account' }).click();
    assert.equal((await answered).status(), 202);
    await page.getByRole('heading', { name: 'Your account is being deleted' }).waitFor();
    await nav().getByRole('link', { name: 'Sign in' }).waitFor();
    assert.equal(await refreshToken(), null);
    assert.notEqual((await login(user.newPassword)).status, 200, 'a deleted account cannot sign in');
    assert.deepEqual(pageErrors, [], 'no script errors on the page');
  });
});

/** The reset link of the newest mail to this address in MailDev's inbox (FC_MAIL_INBOX_URL), waited for. */
async function mailedResetLink(address) {
  const inbox = process.env.FC_MAIL_INBOX_URL;
  if (!inbox) throw new Error('FC_MAIL_INBOX_URL is not set: eval "$(bash scripts/services.sh env)" first');
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const mails = await (await fetch(`${inbox.replace(/\/$/, '')}/api/email`)).json();
    const mine = mails.filter((m) => (m.to ?? []).some((to) => to.address?.toLowerCase() === address.toLowerCase()));
    const link = mine.at(-1)?.text?.match(/https?:\/\/\S+\/reset-password\?token=[^\s]+/)?.[0];
    if (link) return link;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`no reset mail to ${address} in ${inbox} within 15 s`);
}

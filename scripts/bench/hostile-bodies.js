// Writes the worst request bodies an attacker can fit under the API's 1 MiB limit (the same set as
// tests/FoodCommunity.Api.Tests/Infrastructure/HostileBodyTests.cs asserts a 4xx for), one file
// each, and prints a manifest line per body: name TAB method TAB path TAB auth TAB file.
// Usage: node hostile-bodies.js OUT_DIR
const fs = require("node:fs");
const path = require("node:path");
const crypto = require("node:crypto");

const out = process.argv[2];
fs.mkdirSync(out, { recursive: true });
const budget = 1024 * 1024 - 4096;
const filler = (n) => "x".repeat(n);
const uuid = () => crypto.randomUUID();
const json = (value) => JSON.stringify(value);
const distinctTags = (n) => {
  let caption = "";
  for (let i = 0; caption.length < n; i++) caption += `#t${i} `;
  return caption.slice(0, n);
};
const key = "uploads/x/2026/01/0.jpg";

const bodies = [
  ["floor: empty post (400)", "POST", "/api/v1/posts", true, "{}"],
  ["register: megabyte username", "POST", "/api/v1/auth/register", false, json({ username: filler(budget - 200), email: "a@example.com", password: "long enough password" })],
  ["register: megabyte display name of bidi overrides", "POST", "/api/v1/auth/register", false, json({ username: "hostile_display", email: "h@example.com", password: "long enough password", displayName: "\u202e".repeat(budget / 7) })],
  ["register: megabyte password", "POST", "/api/v1/auth/register", false, json({ username: "hostile_password", email: "p@example.com", password: filler(budget - 200) })],
  ["login: megabyte login", "POST", "/api/v1/auth/login", false, json({ login: filler(budget - 100), password: "long enough password" })],
  ["login: megabyte password", "POST", "/api/v1/auth/login", false, json({ login: "someone", password: filler(budget - 100) })],
  ["refresh: megabyte token", "POST", "/api/v1/auth/refresh", false, json({ refreshToken: filler(budget - 100) })],
  ["logout: megabyte token", "POST", "/api/v1/auth/logout", false, json({ refreshToken: filler(budget - 100) })],
  ["profile: megabyte bio", "PATCH", "/api/v1/me", true, json({ bio: filler(budget - 100) })],
  ["profile: megabyte avatar key of slashes", "PATCH", "/api/v1/me", true, json({ avatarKey: "/".repeat(budget - 100) })],
  ["post: caption of distinct #tags", "POST", "/api/v1/posts", true, json({ imageKeys: [key], caption: distinctTags(budget - 200) })],
  ["post: caption of decomposed Hangul", "POST", "/api/v1/posts", true, json({ imageKeys: [key], caption: "\u1100\u1161".repeat(Math.floor(budget / 13)) })],
  ["post: a hundred thousand tags", "POST", "/api/v1/posts", true, json({ imageKeys: [key], tags: Array.from({ length: 100000 }, (_, i) => `t${i}`) })],
  ["post: one megabyte tag", "POST", "/api/v1/posts", true, json({ imageKeys: [key], tags: ["#" + filler(budget - 200)] })],
  ["post: thirty-five thousand image keys", "POST", "/api/v1/posts", true, json({ imageKeys: Array.from({ length: 35000 }, (_, i) => `uploads/x/2026/01/${i}.jpg`) })],
  ["post: deeply nested arrays", "POST", "/api/v1/posts", true, '{"imageKeys":' + "[".repeat(budget / 2) + "]".repeat(budget / 2) + "}"],
  ["post: a million-digit number", "POST", "/api/v1/posts", true, '{"caption":' + "9".repeat(budget - 20) + "}"],
  ["post: wide object of unknown fields", "POST", "/api/v1/posts", true, "{" + Array.from({ length: 60000 }, (_, i) => `"f${i}":0`).join(",") + ',"imageKeys":[]}'],
  ["comment: megabyte text", "POST", `/api/v1/posts/${uuid()}/comments`, true, json({ text: filler(budget - 100) })],
  ["report: megabyte reason", "POST", `/api/v1/posts/${uuid()}/reports`, true, json({ reason: filler(budget - 100) })],
];

bodies.forEach(([name, method, urlPath, auth, body], i) => {
  const bytes = Buffer.byteLength(body);
  if (bytes > 1024 * 1024) throw new Error(`${name}: ${bytes} bytes is over the limit`);
  const file = path.join(out, `body-${String(i).padStart(2, "0")}.json`);
  fs.writeFileSync(file, body);
  console.log([name, method, urlPath, auth ? "auth" : "anonymous", file].join("\t"));
});

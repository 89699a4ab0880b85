// Writes the worst request bodies an attacker can fit under a body limit (the same set as
// tests/FoodCommunity.Api.Tests/Infrastructure/HostileBodyTests.cs asserts a 4xx for), one file
// each, plus one body of a most that the limit must refuse unread, and prints a manifest line
// per body: name TAB method TAB path TAB auth TAB file.
// Usage: node hostile-bodies.js OUT_DIR LIMIT_BYTES
const fs = require("node:fs");
const path = require("node:path");
const crypto = require("node:crypto");

const out = process.argv[2];
const limit = Number(process.argv[3]);
fs.mkdirSync(out, { recursive: true });
const budget = limit - 1024;
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
  ["over the limit: a megabyte caption (413, unread)", "POST", "/api/v1/posts", true, json({ imageKeys: [key], caption: filler(1024 * 1024 - 200) })],
  ["register: longest username", "POST", "/api/v1/auth/register", false, json({ username: filler(budget - 200), email: "a@example.com", password: "long enough password" })],
  ["register: longest display name, all bidi overrides", "POST", "/api/v1/auth/register", false, json({ username: "hostile_display", email: "h@example.com", password: "long enough password", displayName: "\u202e".repeat(budget / 7) })],
  ["register: longest password", "POST", "/api/v1/auth/register", false, json({ username: "hostile_password", email: "p@example.com", password: filler(budget - 200) })],
  ["login: longest login", "POST", "/api/v1/auth/login", false, json({ login: filler(budget - 100), password: "long enough password" })],
  ["login: longest password", "POST", "/api/v1/auth/login", false, json({ login: "someone", password: filler(budget - 100) })],
  ["refresh: longest token", "POST", "/api/v1/auth/refresh", false, json({ refreshToken: filler(budget - 100) })],
  ["logout: longest token", "POST", "/api/v1/auth/logout", false, json({ refreshToken: filler(budget - 100) })],
  ["profile: longest bio", "PATCH", "/api/v1/me", true, json({ bio: filler(budget - 100) })],
  ["profile: longest avatar key, all slashes", "PATCH", "/api/v1/me", true, json({ avatarKey: "/".repeat(budget - 100) })],
  ["post: caption of distinct #tags", "POST", "/api/v1/posts", true, json({ imageKeys: [key], caption: distinctTags(budget - 200) })],
  ["post: caption of decomposed Hangul", "POST", "/api/v1/posts", true, json({ imageKeys: [key], caption: "\u1100\u1161".repeat(Math.floor(budget / 13)) })],
  ["post: as many tags as fit", "POST", "/api/v1/posts", true, json({ imageKeys: [key], tags: Array.from({ length: Math.floor(budget / 10) }, (_, i) => `t${i}`) })],
  ["post: one longest tag", "POST", "/api/v1/posts", true, json({ imageKeys: [key], tags: ["#" + filler(budget - 200)] })],
  ["post: as many image keys as fit", "POST", "/api/v1/posts", true, json({ imageKeys: Array.from({ length: Math.floor(budget / 30) }, (_, i) => `uploads/x/2026/01/${i}.jpg`) })],
  ["post: deeply nested arrays", "POST", "/api/v1/posts", true, '{"imageKeys":' + "[".repeat(budget / 2) + "]".repeat(budget / 2) + "}"],
  ["post: the longest number", "POST", "/api/v1/posts", true, '{"caption":' + "9".repeat(budget - 20) + "}"],
  ["post: wide object of unknown fields", "POST", "/api/v1/posts", true, "{" + Array.from({ length: Math.floor(budget / 11) }, (_, i) => `"f${i}":0`).join(",") + ',"imageKeys":[]}'],
  ["comment: longest text", "POST", `/api/v1/posts/${uuid()}/comments`, true, json({ text: filler(budget - 100) })],
  ["report: longest reason", "POST", `/api/v1/posts/${uuid()}/reports`, true, json({ reason: filler(budget - 100) })],
];

bodies.forEach(([name, method, urlPath, auth, body], i) => {
  const bytes = Buffer.byteLength(body);
  if (bytes > limit && !name.startsWith("over the limit")) throw new Error(`${name}: ${bytes} bytes is over the limit`);
  const file = path.join(out, `body-${String(i).padStart(2, "0")}.json`);
  fs.writeFileSync(file, body);
  console.log([name, method, urlPath, auth ? "auth" : "anonymous", file].join("\t"));
});

-- Bulk seed of a migrated, empty FoodCommunity database, for the benchmarks. MariaDB only: it
-- counts with the Sequence engine's seq_A_to_B tables (MySQL 8 has none; a recursive CTE would do
-- there). Deterministic: pseudo-random numbers come from MD5 of a salt, so every run seeds the same
-- data set for the same parameters.
--
-- The caller sets, before sourcing this file:
--   @users, @posts, @comments, @tags                        sizes
--   @hot, @hot_likes, @hot_comments                         a few hot posts among the newest
--   @like_xm, @like_alpha                                   likes per post ~ Pareto(xm, alpha), capped at @users - 1
--   @likes                                                  optional: the total to aim at; then each post's likes
--                                                           are its Pareto(1, @like_alpha) weight's share of it
--   @follow_xm, @follow_alpha, @max_following, @follow_skew follows per user ~ Pareto, followees ~ U^skew (few celebrities)
--   @password_hash                                          one ASP.NET Identity hash shared by every seeded user
--
-- It leaves seed_users, seed_posts and seed_tags (index -> id) for the caller to export token
-- users and post ids from; the caller drops them.
--
-- Shapes, all long-tailed as a community's are:
--   users     created 90..30 days ago; user index i has UUIDv7 from its creation time
--   posts     the last 30 days, evenly; authors ~ @users * U^2 (a few users write a lot)
--   likes     Pareto per post; hot posts liked by users 0 .. @hot_likes - 1 (so a benchmark can
--             pick users who do not like them yet); each like between its post's creation and now
--   follows   Pareto per follower; followees ~ @users * U^@follow_skew, so low indexes are celebrities;
--             U is stratified (draw s of k in [s/k, (s+1)/k)), so a follower's followees come out in
--             index order and the only repeats are neighbours: dropped without sorting 8 M rows
--   tags      1-3 per post, tag index ~ @tags * U^3; comments skewed to newer posts, plus @hot_comments per hot post
-- Every counter (posts.like_count, comment_count; users.post_count, follower_count,
-- following_count) is recomputed from the rows at the end, so they are exact.

SET time_zone = '+00:00';
-- Bulk load: rows are consistent by construction, and the checks would triple the load time.
SET foreign_key_checks = 0, unique_checks = 0;

SET @now_ms := FLOOR(UNIX_TIMESTAMP(NOW(3)) * 1000);
SET @day := 86400000;

DROP FUNCTION IF EXISTS seed_rand;
DROP FUNCTION IF EXISTS seed_uuid7;
-- A uniform number in [0, 1) from a salt: 52 bits of its MD5.
CREATE FUNCTION seed_rand(salt VARCHAR(80)) RETURNS DOUBLE DETERMINISTIC
  RETURN CONV(SUBSTRING(MD5(salt), 1, 13), 16, 10) / 4503599627370496;
-- A UUIDv7 in RFC 4122 byte order, as the API stores ids: 48 bits of milliseconds, version 7,
-- variant 10, the rest from the salt's MD5.
CREATE FUNCTION seed_uuid7(ms BIGINT, salt VARCHAR(80)) RETURNS BINARY(16) DETERMINISTIC
  RETURN UNHEX(CONCAT(LPAD(HEX(ms), 12, '0'), '7', SUBSTRING(MD5(salt), 1, 3),
    ELT(1 + CONV(SUBSTRING(MD5(salt), 4, 1), 16, 10) % 4, '8', '9', 'a', 'b'), SUBSTRING(MD5(salt), 5, 15)));

-- ------------------------------------------------------------------ users

DROP TABLE IF EXISTS seed_users, seed_posts, seed_tags;
CREATE TABLE seed_users (
  idx INT PRIMARY KEY,
  id BINARY(16) NOT NULL,
  uuid CHAR(36) NOT NULL,
  created_ms BIGINT NOT NULL,
  follows INT NOT NULL
) ENGINE = InnoDB;

INSERT INTO seed_users (idx, id, uuid, created_ms, follows)
SELECT seq, x.id,
  LOWER(INSERT(INSERT(INSERT(INSERT(HEX(x.id), 9, 0, '-'), 14, 0, '-'), 19, 0, '-'), 24, 0, '-')),
  x.ms,
  LEAST(@max_following, @users - 1, FLOOR(@follow_xm * POW(1 - seed_rand(CONCAT('uf', seq)), -1 / @follow_alpha)))
FROM (
  SELECT seq, @now_ms - 90 * @day + seq * FLOOR(60 * @day / @users) AS ms,
    seed_uuid7(@now_ms - 90 * @day + seq * FLOOR(60 * @day / @users), CONCAT('u', seq)) AS id
  FROM seq_0_to_9999999 WHERE seq < @users
) x;

INSERT INTO users (id, username, email, email_normalized, password_hash, display_name, bio, avatar_key,
  post_count, follower_count, following_count, created_at, updated_at)
SELECT id, CONCAT('user', LPAD(idx, 6, '0')), CONCAT('user', LPAD(idx, 6, '0'), '@bench.example'),
  CONCAT('user', LPAD(idx, 6, '0'), '@bench.example'), @password_hash, CONCAT('Bench user ', idx),
  ELT(1 + idx % 4, '', 'Seoul eats', 'Home cook. Noodles mostly.', 'Dessert hunter'), NULL,
  0, 0, 0, FROM_UNIXTIME(created_ms / 1000), FROM_UNIXTIME(created_ms / 1000)
FROM seed_users ORDER BY idx;

-- People search: the usernames and display names, as the API indexes them (these are ASCII, so
-- lower case is their whole folding).
INSERT INTO user_search_terms (term, user_id) SELECT username, id FROM users;
INSERT IGNORE INTO user_search_terms (term, user_id) SELECT LOWER(display_name), id FROM users;

-- ------------------------------------------------------------------ posts and images

CREATE TABLE seed_posts (
  idx INT PRIMARY KEY,
  id BINARY(16) NOT NULL,
  author_idx INT NOT NULL,
  created_ms BIGINT NOT NULL,
  hot TINYINT NOT NULL DEFAULT 0,
  likes INT NOT NULL DEFAULT 0,
  like_offset INT NOT NULL DEFAULT 0,
  weight DOUBLE NOT NULL DEFAULT 0
) ENGINE = InnoDB;

SET @post_step := FLOOR(30 * @day / @posts);
INSERT INTO seed_posts (idx, id, author_idx, created_ms)
SELECT seq, seed_uuid7(@now_ms - 30 * @day + seq * @post_step, CONCAT('p', seq)),
  FLOOR(@users * POW(seed_rand(CONCAT('pa', seq)), 2)), @now_ms - 30 * @day + seq * @post_step
FROM seq_0_to_9999999 WHERE seq < @posts;

-- Hot posts: among the newest, 37 apart so that they are not all on the first page of a feed.
UPDATE seed_posts SET hot = 1 WHERE idx > @posts - 1 - @hot * 37 AND (@posts - 1 - idx) % 37 = 0;
-- With @likes: a Pareto(1, @like_alpha) weight per post, and the post's share of the likes the hot
-- posts leave, rounded up or down at random, at most @users - 1.
UPDATE seed_posts SET weight = POW(1 - seed_rand(CONCAT('pl', idx)), -1 / @like_alpha) WHERE hot = 0;
SELECT SUM(weight) INTO @weight_sum FROM seed_posts WHERE hot = 0;
SET @like_budget := GREATEST(0, @likes - @hot * LEAST(@hot_likes, @users));
UPDATE seed_posts SET
  likes = IF(hot = 1, LEAST(@hot_likes, @users),
    LEAST(@users - 1, IF(@likes IS NULL,
      FLOOR(@like_xm * POW(1 - seed_rand(CONCAT('pl', idx)), -1 / @like_alpha)),
      FLOOR(@like_budget * weight / @weight_sum + seed_rand(CONCAT('pr', idx)))))),
  like_offset = FLOOR(@users * seed_rand(CONCAT('po', idx)));
-- Pareto(1.2)'s tail is heavy: the cap takes ~7% of the total off the top posts. A second round
-- shares what the capped posts could not take among the others (only with @likes).
SELECT COALESCE(SUM(likes), 0), COALESCE(SUM(weight), 0) INTO @capped_likes, @capped_weight
FROM seed_posts WHERE hot = 0 AND likes >= @users - 1;
UPDATE seed_posts SET
  likes = LEAST(@users - 1, FLOOR((@like_budget - @capped_likes) * weight / (@weight_sum - @capped_weight) + seed_rand(CONCAT('pr', idx))))
WHERE @likes IS NOT NULL AND hot = 0 AND likes < @users - 1;

INSERT INTO posts (id, author_id, caption, like_count, comment_count, created_at)
SELECT p.id, u.id,
  ELT(1 + p.idx % 8, 'Lunch today', 'Best tteokbokki in Mapo, no contest', 'Homemade kimchi jjigae after a long week',
    'Bingsu season is never over', 'Tried the new ramen place near the station', '', 'Sunday brunch',
    'Grandma''s recipe, finally got it right'),
  0, 0, FROM_UNIXTIME(p.created_ms / 1000)
FROM seed_posts p JOIN seed_users u ON u.idx = p.author_idx
ORDER BY p.idx;

-- One image per post, with a key of the upload function's form (the objects need not exist: only
-- creating a post checks them).
INSERT INTO post_images (post_id, position, image_key)
SELECT p.id, 0, CONCAT('uploads/', u.uuid, '/', DATE_FORMAT(FROM_UNIXTIME(p.created_ms / 1000), '%Y/%m'), '/',
  MD5(CONCAT('img', p.idx)), '.jpg')
FROM seed_posts p JOIN seed_users u ON u.idx = p.author_idx
ORDER BY p.idx;

-- ------------------------------------------------------------------ tags

CREATE TABLE seed_tags (idx INT PRIMARY KEY, name VARCHAR(50) COLLATE utf8mb4_bin NOT NULL) ENGINE = InnoDB;
INSERT INTO seed_tags (idx, name)
SELECT seq, IF(seq < 30, ELT(seq + 1,
    'kimchi', '맛집', 'bibimbap', 'tteokbokki', '먹스타그램', 'ramen', 'coffee', '한식', 'dessert', 'bbq',
    'samgyeopsal', 'chicken', 'brunch', '떡볶이', 'bingsu', 'noodles', 'homecooking', 'seoul', '카페', 'bakery',
    'sushi', 'pasta', 'vegan', 'streetfood', '비빔밥', 'jjigae', 'mandu', 'soju', 'busan', 'breakfast'),
  CONCAT('food', seq))
FROM seq_0_to_99999 WHERE seq < @tags;
INSERT INTO tags (name) SELECT name FROM seed_tags ORDER BY idx;

-- DISTINCT rather than INSERT IGNORE: MariaDB 10.11 loads an empty table in bulk when
-- unique_checks = 0, and then a duplicate silently discards the whole statement's rows.
INSERT INTO post_tags (tag_id, post_id)
SELECT DISTINCT t.id, p.id
FROM seed_posts p
JOIN seq_0_to_2 s ON s.seq <= p.idx % 3
JOIN seed_tags st ON st.idx = FLOOR(@tags * POW(seed_rand(CONCAT('pt', p.idx, '-', s.seq)), 3))
JOIN tags t ON t.name = st.name
ORDER BY t.id, p.id;

-- ------------------------------------------------------------------ likes

-- Distinct users per post: (offset + k * 7919) mod @users, and 7919 is prime to any @users that
-- is not a multiple of it, so k < @users never repeats a user. The secondary index is built after
-- the load (one sort instead of a million random inserts), under its own name, as the migration has it.
ALTER TABLE post_likes DROP INDEX ix_post_likes_user_id_post_id;
INSERT INTO post_likes (post_id, user_id, created_at)
SELECT p.id, u.id,
  FROM_UNIXTIME((p.created_ms + FLOOR((@now_ms - p.created_ms) * (((s.seq * 7919 + p.idx * 31) % 1000) / 1000))) / 1000)
FROM seed_posts p
JOIN seq_0_to_9999999 s ON s.seq < p.likes
JOIN seed_users u ON u.idx = IF(p.hot = 1, s.seq, (p.like_offset + s.seq * 7919) % @users);
ALTER TABLE post_likes ADD INDEX ix_post_likes_user_id_post_id (user_id, post_id);

-- ------------------------------------------------------------------ follows

-- Draw s of a follower with k follows: u = (s + r_s) / k, followee = FLOOR(@users * u^@follow_skew).
-- The followees rise with s, so a repeat is always the previous draw's followee: computing that one
-- too and dropping equal neighbours leaves one row per pair, already in primary key order (ids rise
-- with the index). r_s is a multiplicative (Knuth) hash of (follower, s) in integer arithmetic: a
-- stored function call or an MD5 per row would cost more than the row (8 M rows at full scale).
-- The secondary indexes are built after the load.
ALTER TABLE follows DROP INDEX ix_follows_followee_id_created_at_follower_id,
  DROP INDEX ix_follows_follower_id_created_at_followee_id;
INSERT INTO follows (follower_id, followee_id, created_at)
SELECT x.id, t.id, FROM_UNIXTIME((@now_ms - FLOOR(30 * @day * x.r_time)) / 1000)
FROM (
  SELECT f.idx, f.id,
    FLOOR(@users * POW((s.seq + (((f.idx * 65599 + s.seq * 40503) % 2147483648) * 2654435761 % 4294967296) / 4294967296)
      / f.follows, @follow_skew)) AS t_idx,
    IF(s.seq = 0, -1, FLOOR(@users * POW((s.seq - 1 + (((f.idx * 65599 + (s.seq - 1) * 40503) % 2147483648) * 2654435761 % 4294967296) / 4294967296)
      / f.follows, @follow_skew))) AS prev_idx,
    (((f.idx * 31 + s.seq * 7919) % 2147483648) * 2246822519 % 4294967296) / 4294967296 AS r_time
  FROM seed_users f
  JOIN seq_0_to_9999999 s ON s.seq < f.follows
) x
JOIN seed_users t ON t.idx = x.t_idx
WHERE x.t_idx <> x.prev_idx AND x.t_idx <> x.idx;
ALTER TABLE follows ADD INDEX ix_follows_followee_id_created_at_follower_id (followee_id, created_at, follower_id),
  ADD INDEX ix_follows_follower_id_created_at_followee_id (follower_id, created_at, followee_id);

-- ------------------------------------------------------------------ comments

-- One MD5 per comment gives its post (skewed to newer posts), author and time; one more its id.
INSERT INTO comments (id, post_id, author_id, text, created_at)
SELECT seed_uuid7(c.ms, CONCAT('c', c.n)), c.post_id, u.id,
  ELT(1 + c.n % 6, 'Looks amazing!', 'Where is this?', 'Saving this for the weekend', 'ㅋㅋㅋ 맛있겠다',
    'Recipe please', 'I went there last week, the queue was worth it'),
  FROM_UNIXTIME(c.ms / 1000)
FROM (
  SELECT x.n, x.author_idx, p.id AS post_id,
    p.created_ms + FLOOR((@now_ms - p.created_ms) * CONV(SUBSTRING(x.h, 17, 8), 16, 10) / 4294967296) AS ms
  FROM (
    SELECT seq AS n, MD5(CONCAT('c', seq)) AS h,
      FLOOR(@users * CONV(SUBSTRING(MD5(CONCAT('c', seq)), 9, 8), 16, 10) / 4294967296) AS author_idx
    FROM seq_0_to_9999999 WHERE seq < @comments
  ) x
  JOIN seed_posts p ON p.idx = LEAST(@posts - 1, FLOOR(@posts * POW(CONV(SUBSTRING(x.h, 1, 8), 16, 10) / 4294967296, 0.5)))
) c
JOIN seed_users u ON u.idx = c.author_idx
ORDER BY 1;

-- The hot posts' comments, spread between the post's creation and now.
INSERT INTO comments (id, post_id, author_id, text, created_at)
SELECT seed_uuid7(c.ms, CONCAT('hc', c.idx, '-', c.seq)), c.id, u.id,
  ELT(1 + c.seq % 4, 'Everyone is talking about this place', 'Queue was two hours', '대박', 'Going tomorrow'),
  FROM_UNIXTIME(c.ms / 1000)
FROM (
  SELECT p.idx, p.id, s.seq, p.created_ms + FLOOR((@now_ms - p.created_ms) * (s.seq + 1) / (@hot_comments + 1)) AS ms
  FROM seed_posts p JOIN seq_0_to_99999 s ON s.seq < @hot_comments
  WHERE p.hot = 1
) c
JOIN seed_users u ON u.idx = FLOOR(@users * seed_rand(CONCAT('hca', c.idx, '-', c.seq)))
ORDER BY 1;

-- ------------------------------------------------------------------ counters, from the rows

UPDATE posts p JOIN (SELECT post_id, COUNT(*) AS n FROM post_likes GROUP BY post_id) x ON x.post_id = p.id
SET p.like_count = x.n;
UPDATE posts p JOIN (SELECT post_id, COUNT(*) AS n FROM comments GROUP BY post_id) x ON x.post_id = p.id
SET p.comment_count = x.n;
UPDATE users u JOIN (SELECT author_id, COUNT(*) AS n FROM posts GROUP BY author_id) x ON x.author_id = u.id
SET u.post_count = x.n;
UPDATE users u JOIN (SELECT follower_id, COUNT(*) AS n FROM follows GROUP BY follower_id) x ON x.follower_id = u.id
SET u.following_count = x.n;
UPDATE users u JOIN (SELECT followee_id, COUNT(*) AS n FROM follows GROUP BY followee_id) x ON x.followee_id = u.id
SET u.follower_count = x.n;

SET foreign_key_checks = 1, unique_checks = 1;
-- Fresh statistics, so the optimizer plans the feeds' queries as it would on a live database.
ANALYZE TABLE users, posts, post_images, tags, post_tags, post_likes, follows, comments;

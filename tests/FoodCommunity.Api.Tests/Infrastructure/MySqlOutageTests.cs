using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using FoodCommunity.Api.Auth;
using FoodCommunity.Api.Tests.Likes;
using MySqlConnector;

namespace FoodCommunity.Api.Tests.Infrastructure;

/// <summary>
/// The MySQL primary crashes (SIGKILL) and restarts while clients write: posts, comments, follows and likes.
/// While it is down, writes that need it answer 503 with Retry-After as problem details (never 500), likes
/// keep being accepted by Redis, and readiness fails; once it is back, readiness recovers, writes succeed,
/// the like backlog drains to MySQL and no write is left half-done (every counter equals its rows).
/// The database is a <see cref="ScratchMariaDb"/> of this test's own: the run's server is shared by every class.
/// </summary>
public sealed class MySqlOutageTests(ITestOutputHelper log)
{
    // Each writer sends one kind of write, as users of its own (so a user's likes and follows are in order).
    private static readonly string[] WriterKinds = ["like", "like", "comment", "comment", "follow", "follow", "post"];
    private const int UsersPerWriter = 2;
    private const int Posts = 6;
    private const int ImagesForNewPosts = 8;

    private static readonly Dictionary<string, string?> FastFlush = FlushSettings.SmallAndFrequent(batchSize: 50, intervalMilliseconds: 100);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private enum Phase
    {
        Up,
        Down,
        Restarting,
        Recovered,
    }

    private sealed record Outcome(string Kind, HttpStatusCode Status, Phase SentIn, Phase AnsweredIn, TimeSpan Took, string? RetryAfter, string? ContentType, string Body);

    [Fact]
    public async Task PrimaryCrash_DuringWrites_Answers503WithRetryAfter_LeavesNothingHalfWritten_AndDrainsTheLikeBacklog()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "the scratch MariaDB is started as on Debian");
        await using var mysql = await ScratchMariaDb.StartAsync();
        await using var api = ApiFactory.OnMySqlServer(mysql.ServerConnectionString, FastFlush);
        await api.InitializeAsync();
        using var client = api.CreateClient();

        // Users and posts through the API; every post liked once so its like state is in Redis.
        var users = new List<TokenResponse>();
        for (var i = 0; i < WriterKinds.Length * UsersPerWriter; i++)
        {
            users.Add(await client.RegisterAsync());
        }

        var posts = new List<string>();
        for (var i = 0; i < Posts; i++)
        {
            posts.Add(await client.CreatePostAsync(api, users[i % users.Count]));
        }

        foreach (var post in posts)
        {
            using var warm = await client.SendAsync(HttpMethod.Put, $"/api/v1/posts/{post}/like", users[0].AccessToken);
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        }

        var images = new ConcurrentQueue<(TokenResponse Author, string Key)>();
        for (var i = 0; i < ImagesForNewPosts; i++)
        {
            var author = users[i % users.Count];
            images.Enqueue((author, await TestImages.UploadAsync(api, author.User.Id)));
        }

        var phase = Phase.Up;
        var outcomes = new ConcurrentBag<Outcome>();
        // The last answer per (post, user) for likes and per (follower, followee) for follows: each writer owns its
        // users, so their requests are sequential. A follow answered 503 leaves the pair unknown.
        var likes = new ConcurrentDictionary<(string Post, string User), bool>();
        likes[(posts[0], users[0].User.Id)] = true;
        foreach (var post in posts.Skip(1))
        {
            likes[(post, users[0].User.Id)] = true;
        }

        var follows = new ConcurrentDictionary<(string Follower, string Followee), bool?>();
        var createdComments = new ConcurrentBag<string>();
        var createdPosts = new ConcurrentBag<string>();

        using var stop = new CancellationTokenSource();
        var writers = Enumerable.Range(0, WriterKinds.Length).Select(w => Task.Run(async () =>
        {
            var mine = users.Skip(w * UsersPerWriter).Take(UsersPerWriter).ToList();
            var random = new Random(w);
            for (var op = 0; !stop.IsCancellationRequested; op++)
            {
                var me = mine[random.Next(mine.Count)];
                var post = posts[random.Next(posts.Count)];
                var sentIn = phase;
                var started = Stopwatch.GetTimestamp();
                (string Kind, HttpResponseMessage Response) sent;
                switch (WriterKinds[w])
                {
                    case "like":
                        var like = random.Next(3) != 0;
                        sent = ("like", await client.SendAsync(like ? HttpMethod.Put : HttpMethod.Delete, $"/api/v1/posts/{post}/like", me.AccessToken));
                        if (sent.Response.StatusCode == HttpStatusCode.OK)
                        {
                            likes[(post, me.User.Id)] = like;
                        }

                        break;
                    case "comment":
                        sent = ("comment", await client.SendAsync(HttpMethod.Post, $"/api/v1/posts/{post}/comments", me.AccessToken, new { text = $"comment {op}" }));
                        if (sent.Response.StatusCode == HttpStatusCode.Created)
                        {
                            createdComments.Add((await sent.Response.ReadJsonAsync()).GetProperty("id").GetString()!);
                        }

                        break;
                    case "follow":
                        var other = users[random.Next(users.Count)];
                        if (other == me)
                        {
                            continue;
                        }

                        var follow = random.Next(3) != 0;
                        sent = ("follow", await client.SendAsync(follow ? HttpMethod.Put : HttpMethod.Delete, $"/api/v1/users/{other.User.Id}/follow", me.AccessToken));
                        follows[(me.User.Id, other.User.Id)] = sent.Response.StatusCode == HttpStatusCode.NoContent ? follow : null;
                        break;
                    default:
                        if (!images.TryDequeue(out var image))
                        {
                            await Task.Delay(100, Ct);
                            continue;
                        }

                        sent = ("post", await client.TryCreatePostAsync(image.Author.AccessToken, new { imageKeys = new[] { image.Key }, caption = $"post {op}", tags = Array.Empty<string>() }));
                        if (sent.Response.StatusCode == HttpStatusCode.Created)
                        {
                            createdPosts.Add((await sent.Response.ReadJsonAsync()).GetProperty("id").GetString()!);
                        }
                        else
                        {
                            // Not published: the upload may be used again.
                            images.Enqueue(image);
                        }

                        // Few uploads (each one is processed by the image function): spread them over the phases.
                        await Task.Delay(700, Ct);

                        break;
                }

                using var response = sent.Response;
                outcomes.Add(new Outcome(sent.Kind, response.StatusCode, sentIn, phase, Stopwatch.GetElapsedTime(started),
                    response.Headers.RetryAfter?.ToString(), response.Content.Headers.ContentType?.MediaType,
                    await response.Content.ReadAsStringAsync(Ct)));
            }
        }, Ct)).ToArray();

        var readiness = new ConcurrentQueue<(Phase Phase, HttpStatusCode Status, string Body)>();
        var readinessPoller = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var asked = phase;
                using var ready = await client.GetAsync("/health/ready", Ct);
                readiness.Enqueue((asked, ready.StatusCode, await ready.Content.ReadAsStringAsync(Ct)));
                await Task.Delay(200, Ct);
            }
        }, Ct);

        await Task.Delay(TimeSpan.FromSeconds(2), Ct);
        Assert.True(outcomes.Count(o => o.Status is HttpStatusCode.Created or HttpStatusCode.NoContent) > 0, "no write succeeded before the crash");

        await mysql.CrashAsync();
        phase = Phase.Down;
        var downAt = Stopwatch.StartNew();
        // Down long enough for readiness to notice (its checks are cached 2 s, MySQL's times out in 3 s) and for
        // each kind of write to meet the outage.
        var noticed = await Eventually.AnswerAsync(() => Task.FromResult(readiness.Any(r => r.Phase == Phase.Down && r.Status == HttpStatusCode.ServiceUnavailable)),
            seen => seen, TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(100));
        string[] needMySql = ["comment", "follow", "post"];
        var answeredWhileDown = await Eventually.AnswerAsync(
            () => Task.FromResult(needMySql.Count(kind => outcomes.Any(o => o.Kind == kind && o.SentIn == Phase.Down))),
            kinds => kinds == needMySql.Length, TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(100));
        var downFor = downAt.Elapsed;

        phase = Phase.Restarting;
        await mysql.StartServerAsync();
        var back = await Eventually.AnswerAsync(() => Task.FromResult(readiness.LastOrDefault()),
            last => last.Phase == Phase.Restarting && last.Status == HttpStatusCode.OK, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(100));
        phase = Phase.Recovered;
        await Task.Delay(TimeSpan.FromSeconds(4), Ct);
        await stop.CancelAsync();
        await Task.WhenAll(writers);
        await readinessPoller;

        var all = outcomes.ToList();
        foreach (var group in all.GroupBy(o => (o.Kind, o.SentIn)).OrderBy(g => g.Key.SentIn).ThenBy(g => g.Key.Kind))
        {
            log.WriteLine($"{group.Key.SentIn,-10} {group.Key.Kind,-8} {string.Join(", ", group.GroupBy(o => (int)o.Status).Select(s => $"{s.Key} x{s.Count()}"))}");
        }

        log.WriteLine($"MySQL down for {downFor.TotalSeconds:F1} s; writes that need it, sent while it was down, took {string.Join(", ", all.Where(o => o.SentIn == Phase.Down && o.Kind != "like").Select(o => $"{o.Kind} {(int)o.Status} {o.Took.TotalSeconds:F1} s"))}");
        log.WriteLine($"readiness: {string.Join(", ", readiness.GroupBy(r => (r.Phase, (int)r.Status)).Select(g => $"{g.Key.Phase} {g.Key.Item2} x{g.Count()}"))}");

        Assert.True(noticed, "/health/ready did not report the crashed primary within 20 s");
        Assert.True(answeredWhileDown == needMySql.Length, "not every kind of write was answered while MySQL was down");
        Assert.True(back.Status == HttpStatusCode.OK, $"/health/ready did not recover within 30 s of the restart:\n{back.Body}\n{mysql.LogTail}");
        Assert.Contains(readiness, r => r.Phase == Phase.Down && r.Status == HttpStatusCode.ServiceUnavailable && r.Body.Contains("\"mysql\":{\"status\":\"Unhealthy\"", StringComparison.Ordinal));

        // Never a 500 or any answer other than success or 503; every 503 says when to retry, as problem details.
        var unexpected = all.Where(o => o.Status is not (HttpStatusCode.OK or HttpStatusCode.Created or HttpStatusCode.NoContent or HttpStatusCode.ServiceUnavailable)).ToList();
        Assert.True(unexpected.Count == 0, $"{unexpected.Count} unexpected answers: {string.Join("\n", unexpected.Take(3))}");
        foreach (var unavailable in all.Where(o => o.Status == HttpStatusCode.ServiceUnavailable))
        {
            Assert.True(unavailable.RetryAfter is { Length: > 0 } && unavailable.ContentType == "application/problem+json", $"a 503 without Retry-After or problem details: {unavailable}");
            Assert.Equal(503, JsonDocument.Parse(unavailable.Body).RootElement.GetProperty("status").GetInt32());
        }

        // While it was down: likes accepted, the writes that need MySQL refused.
        var whileDown = all.Where(o => o.SentIn == Phase.Down && o.AnsweredIn == Phase.Down).ToList();
        Assert.Contains(whileDown, o => o.Kind == "like");
        Assert.All(whileDown.Where(o => o.Kind == "like"), o => Assert.Equal(HttpStatusCode.OK, o.Status));
        foreach (var kind in needMySql)
        {
            Assert.Contains(whileDown, o => o.Kind == kind);
            Assert.All(whileDown.Where(o => o.Kind == kind), o => Assert.Equal(HttpStatusCode.ServiceUnavailable, o.Status));
        }

        // Once readiness is back, writes succeed again.
        var recovered = all.Where(o => o.SentIn == Phase.Recovered).ToList();
        foreach (var kind in new[] { "like", "comment", "follow", "post" })
        {
            Assert.Contains(recovered, o => o.Kind == kind && o.Status is HttpStatusCode.OK or HttpStatusCode.Created or HttpStatusCode.NoContent);
        }

        Assert.All(recovered, o => Assert.NotEqual(HttpStatusCode.ServiceUnavailable, o.Status));

        // Nothing half-written: every counter equals its rows, and what was acknowledged is there.
        await using var db = new MySqlConnection(api.MySqlConnectionString + ";GuidFormat=Binary16");
        await db.OpenAsync(Ct);
        Assert.Equal(0, await CountAsync(db, "SELECT COUNT(*) FROM posts p WHERE p.comment_count <> (SELECT COUNT(*) FROM comments c WHERE c.post_id = p.id)"));
        Assert.Equal(0, await CountAsync(db, "SELECT COUNT(*) FROM users u WHERE u.follower_count <> (SELECT COUNT(*) FROM follows f WHERE f.followee_id = u.id)"));
        Assert.Equal(0, await CountAsync(db, "SELECT COUNT(*) FROM users u WHERE u.following_count <> (SELECT COUNT(*) FROM follows f WHERE f.follower_id = u.id)"));
        Assert.Equal(0, await CountAsync(db, "SELECT COUNT(*) FROM users u WHERE u.post_count <> (SELECT COUNT(*) FROM posts p WHERE p.author_id = u.id)"));
        Assert.Equal(0, await CountAsync(db, "SELECT COUNT(*) FROM posts p WHERE NOT EXISTS (SELECT 1 FROM post_images i WHERE i.post_id = p.id)"));
        foreach (var comment in createdComments)
        {
            Assert.Equal(1, await CountAsync(db, $"SELECT COUNT(*) FROM comments WHERE id = {HexId(comment)}"));
        }

        foreach (var post in createdPosts)
        {
            Assert.Equal(1, await CountAsync(db, $"SELECT COUNT(*) FROM posts WHERE id = {HexId(post)}"));
        }

        foreach (var ((follower, followee), following) in follows.Where(f => f.Value is not null))
        {
            Assert.Equal(following == true ? 1 : 0, await CountAsync(db, $"SELECT COUNT(*) FROM follows WHERE follower_id = {HexId(follower)} AND followee_id = {HexId(followee)}"));
        }

        // The likes Redis took while MySQL was down reach it, and MySQL, like_count and Redis agree.
        foreach (var post in posts)
        {
            var postId = Guid.Parse(post);
            var expected = likes.Where(l => l.Key.Post == post && l.Value).Select(l => Guid.Parse(l.Key.User)).ToHashSet();
            await LikeTestData.WaitForMySqlAsync(api, postId, expected, TimeSpan.FromSeconds(30));
            var redis = await LikeTestData.ReadRedisAsync(api, postId);
            Assert.NotNull(redis);
            Assert.True(redis.Value.Likers.SetEquals(expected) && redis.Value.Count == expected.Count, $"post {post}: Redis disagrees");
        }
    }

    private static string HexId(string id) => $"0x{Guid.Parse(id).ToString("N")}";

    private static async Task<long> CountAsync(MySqlConnection db, string sql)
    {
        await using var command = new MySqlCommand(sql, db);
        return Convert.ToInt64(await command.ExecuteScalarAsync(Ct), System.Globalization.CultureInfo.InvariantCulture);
    }
}

using System.Net;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using FoodCommunity.Api.Auth;
using FoodCommunity.Api.Infrastructure.Data;
using FoodCommunity.Api.Infrastructure.Redis;
using FoodCommunity.Api.Likes;
using FoodCommunity.Api.Tests.Likes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace FoodCommunity.Api.Tests.Infrastructure;

/// <summary>
/// The API on a three-primary Redis Cluster with the same code as on one node (FC_REDIS_CLUSTER_TESTS=1 and
/// `scripts/services.sh cluster-up`; skipped otherwise). A script or transaction whose keys span two hash slots
/// fails there: StackExchange.Redis refuses declared keys of two slots, and Redis 7 refuses a script that
/// reaches a key outside its slot, so each request below would answer 500 and each background job would
/// never finish.
/// </summary>
public sealed class RedisTopologyTests(RedisTopologyTests.ClusterApi cluster) : IClassFixture<RedisTopologyTests.ClusterApi>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>One API on the cluster for the tests that need no settings of their own; none when not on a cluster.</summary>
    public sealed class ClusterApi : IAsyncLifetime
    {
        public ApiFactory? Api { get; private set; }

        public async ValueTask InitializeAsync()
        {
            if (TestServices.RedisClusterRequested)
            {
                Api = ApiFactory.WithOwnState();
                await Api.InitializeAsync();
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (Api is not null)
            {
                await Api.DisposeAsync();
            }
        }
    }

    private static void RequireCluster()
    {
        if (!TestServices.RedisClusterRequested)
        {
            Assert.Skip("Runs against a Redis Cluster: FC_REDIS_CLUSTER_TESTS=1 with FC_REDIS_CLUSTER_CONNECTION (scripts/services.sh cluster-up).");
        }
    }

    private ApiFactory Shared
    {
        get
        {
            RequireCluster();
            return cluster.Api!;
        }
    }

    private static async Task<ApiFactory> StartOnClusterAsync(IReadOnlyDictionary<string, string?>? settings = null)
    {
        RequireCluster();
        var api = ApiFactory.WithOwnState(settings);
        await api.InitializeAsync();
        return api;
    }

    /// <summary>A connection of the test's own to the same cluster, allowed INFO and SCRIPT EXISTS.</summary>
    private static async Task<ConnectionMultiplexer> AdminAsync(ApiFactory api)
    {
        var options = ConfigurationOptions.Parse(api.Endpoints.Redis);
        options.AllowAdmin = true;
        return await ConnectionMultiplexer.ConnectAsync(options);
    }

    private static IServer[] AdminPrimaries(IConnectionMultiplexer admin) =>
        admin.GetServers().Where(s => s.IsConnected && !s.IsReplica).ToArray();

    private static IServer[] Primaries(ApiFactory api) =>
        api.GetService<IConnectionMultiplexer>().GetServers().Where(s => s.IsConnected && !s.IsReplica).ToArray();

    [Fact]
    public async Task TheApi_TalksToThreePrimaries_AndItsKeysSpreadOverThem()
    {
        var api = Shared;
        using var client = api.CreateClient();
        var author = await client.RegisterAsync();
        var posts = new List<string>();
        for (var i = 0; i < 8; i++)
        {
            posts.Add(await client.CreatePostAsync(api, author));
        }

        var fans = await LikeTestData.CreateUsersAsync(api, 4);
        foreach (var post in posts)
        {
            foreach (var (_, token) in fans)
            {
                using var response = await client.SendAsync(HttpMethod.Put, $"/api/v1/posts/{post}/like", token);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }
        }

        var primaries = Primaries(api);
        Assert.All(primaries, p => Assert.Equal(ServerType.Cluster, p.ServerType));
        Assert.Equal(3, primaries.Length);
        var keysPerPrimary = new List<int>();
        foreach (var primary in primaries)
        {
            var count = 0;
            await foreach (var _ in primary.KeysAsync(pattern: $"{api.Isolation.RedisKeyPrefix}*"))
            {
                count++;
            }

            keysPerPrimary.Add(count);
        }

        // Sessions, sign-in records and like shards hash to slots all over the ring: no primary holds them all.
        Assert.True(keysPerPrimary.Count(c => c > 0) >= 2, $"keys per primary: {string.Join(", ", keysPerPrimary)}");
    }

    [Fact]
    public async Task Likes_CountRight_AndReachMySql_AfterAnEvictionToo()
    {
        var api = Shared;
        using var client = api.CreateClient();
        var author = await client.RegisterAsync();
        // Several posts, so several like shards (each its own hash tag, spread over the primaries).
        var posts = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            posts.Add(await client.CreatePostAsync(api, author));
        }

        var fans = await LikeTestData.CreateUsersAsync(api, 10);
        var expected = posts.ToDictionary(p => p, _ => new HashSet<Guid>());
        await Task.WhenAll(posts.SelectMany((post, index) => fans.Take(index + 4).Select(async fan =>
        {
            using var response = await client.SendAsync(HttpMethod.Put, $"/api/v1/posts/{post}/like", fan.Token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        })));
        foreach (var (post, index) in posts.Select((p, i) => (p, i)))
        {
            expected[post].UnionWith(fans.Take(index + 4).Select(f => f.Id));
        }

        // An unlike too.
        using (var unlike = await client.SendAsync(HttpMethod.Delete, $"/api/v1/posts/{posts[5]}/like", fans[0].Token))
        {
            Assert.Equal(HttpStatusCode.OK, unlike.StatusCode);
            Assert.Equal(8, (await unlike.ReadJsonAsync()).GetProperty("likeCount").GetInt32()); // 9 fans liked the sixth post
        }

        expected[posts[5]].Remove(fans[0].Id);
        foreach (var post in posts)
        {
            using var read = await client.GetAsync($"/api/v1/posts/{post}", author.AccessToken);
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
            Assert.Equal(expected[post].Count, (await read.ReadJsonAsync()).GetProperty("likeCount").GetInt32());
        }

        await Task.WhenAll(posts.Select(post => LikeTestData.WaitForMySqlAsync(api, Guid.Parse(post), expected[post])));

        // One post's state evicted: the next like rebuilds it from MySQL plus the pending events, then counts on.
        await LikeTestData.EvictAsync(api, Guid.Parse(posts[2]));
        using (var rebuilt = await client.SendAsync(HttpMethod.Put, $"/api/v1/posts/{posts[2]}/like", fans[9].Token))
        {
            Assert.Equal(HttpStatusCode.OK, rebuilt.StatusCode);
            Assert.Equal(7, (await rebuilt.ReadJsonAsync()).GetProperty("likeCount").GetInt32());
        }

        expected[posts[2]].Add(fans[9].Id);
        await Task.WhenAll(posts.Select(post => LikeTestData.WaitForMySqlAsync(api, Guid.Parse(post), expected[post])));
        foreach (var post in posts)
        {
            var redis = await LikeTestData.ReadRedisAsync(api, Guid.Parse(post));
            Assert.NotNull(redis);
            Assert.True(redis.Value.Likers.SetEquals(expected[post]) && redis.Value.Count == expected[post].Count, $"post {post}: Redis disagrees");
        }
    }

    [Fact]
    public async Task RefreshRotation_SpendsEachTokenOnce_AndAReplayEndsTheFamily()
    {
        var api = Shared;
        using var client = api.CreateClient();
        var registered = await client.RegisterAsync();

        using var first = await client.PostJsonAsync("/api/v1/auth/refresh", new { refreshToken = registered.RefreshToken });
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var rotated = (await first.ReadJsonAsync()).GetProperty("refreshToken").GetString()!;
        using var second = await client.PostJsonAsync("/api/v1/auth/refresh", new { refreshToken = rotated });
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var current = (await second.ReadJsonAsync()).GetProperty("refreshToken").GetString()!;

        // The first token, spent two rotations ago, comes back: someone holds a copy, so the family ends.
        using var replay = await client.PostJsonAsync("/api/v1/auth/refresh", new { refreshToken = registered.RefreshToken });
        using var afterReplay = await client.PostJsonAsync("/api/v1/auth/refresh", new { refreshToken = current });
        Assert.Equal(HttpStatusCode.Unauthorized, replay.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, afterReplay.StatusCode);

        // A new sign-in, signed out: its token is revoked.
        using var login = await client.PostJsonAsync("/api/v1/auth/login", new { login = registered.User.Username, password = ApiClient.Password });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var token = (await login.ReadJsonAsync()).GetProperty("refreshToken").GetString()!;
        using var logout = await client.PostJsonAsync("/api/v1/auth/logout", new { refreshToken = token });
        using var afterLogout = await client.PostJsonAsync("/api/v1/auth/refresh", new { refreshToken = token });
        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, afterLogout.StatusCode);
    }

    [Fact]
    public async Task RateLimits_AreSharedByTwoInstances()
    {
        const int limit = 3;
        var settings = new Dictionary<string, string?>
        {
            ["RateLimits:LoginFailuresPerAccountNetwork:PermitLimit"] = $"{limit}",
            ["RateLimits:LoginFailuresPerAccountNetwork:WindowSeconds"] = "120",
        };
        await using var first = await StartOnClusterAsync(settings);
        await using var second = await ApiFactory.SharingStateWithAsync(first, settings);
        using var a = first.CreateClient();
        using var b = second.CreateClient();
        var username = ApiClient.NewUsername();
        await a.RegisterAsync(username);

        for (var attempt = 0; attempt < limit; attempt++)
        {
            using var failed = await (attempt % 2 == 0 ? a : b).PostJsonAsync("/api/v1/auth/login", new { login = username, password = "wrong password!" });
            Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode);
        }

        using var limited = await b.PostJsonAsync("/api/v1/auth/login", new { login = username, password = ApiClient.Password });
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.NotNull(limited.Headers.RetryAfter?.Delta);
    }

    [Fact]
    public async Task AnIdempotencyKey_AnswersTheSamePost_FromEitherInstance()
    {
        var first = Shared;
        await using var second = await ApiFactory.SharingStateWithAsync(first);
        using var a = first.CreateClient();
        using var b = second.CreateClient();
        var author = await a.RegisterAsync();
        var image = await TestImages.UploadAsync(first, author.User.Id);
        var idempotencyKey = Guid.NewGuid().ToString();

        var ids = await Task.WhenAll(Enumerable.Range(0, 4).Select(async i =>
        {
            using var response = await (i % 2 == 0 ? a : b).TryCreatePostAsync(author.AccessToken, new { imageKeys = new[] { image } }, idempotencyKey);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            return (await response.ReadJsonAsync()).GetProperty("id").GetString();
        }));

        Assert.Single(ids.Distinct());
        using var scope = first.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<FoodCommunityDbContext>();
        Assert.Equal(1, await db.Posts.CountAsync(p => p.AuthorId == Guid.Parse(author.User.Id), Ct));
    }

    /// <summary>
    /// Every script of the API, found by reflection (LuaScript fields and "...Script" constants), is run by the
    /// flows below, through the cluster: a refused one fails its request or job (and the assertion that waits for
    /// it), and each must then be loaded on a primary, so none is left out of this proof.
    /// </summary>
    [Fact]
    public async Task EveryScript_RunsOnASingleSlot()
    {
        await using var api = await StartOnClusterAsync(new Dictionary<string, string?> { ["Feeds:PopularSnapshotSeconds"] = "2" });
        var scripts = ApiScripts();
        Assert.True(scripts.Count >= 10, $"found {scripts.Count} scripts");
        await using var admin = await AdminAsync(api);
        var failedBefore = await FailedScriptCallsAsync(admin);

        await using (var instance = await ApiFactory.SharingStateWithAsync(api))
        {
            using var client = instance.CreateClient();
            var author = await client.RegisterAsync();
            var fan = await client.RegisterAsync();
            // Sign-in throttle: a failure, then a success (each checked first).
            using (var wrong = await client.PostJsonAsync("/api/v1/auth/login", new { login = fan.User.Username, password = "wrong password!" }))
            {
                Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
            }

            using (var right = await client.PostJsonAsync("/api/v1/auth/login", new { login = fan.User.Username, password = ApiClient.Password }))
            {
                Assert.Equal(HttpStatusCode.OK, right.StatusCode);
            }

            // Refresh rotation and sign-out.
            using (var refresh = await client.PostJsonAsync("/api/v1/auth/refresh", new { refreshToken = fan.RefreshToken }))
            {
                Assert.Equal(HttpStatusCode.OK, refresh.StatusCode);
                using var logout = await client.PostJsonAsync("/api/v1/auth/logout", new { refreshToken = (await refresh.ReadJsonAsync()).GetProperty("refreshToken").GetString() });
                Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
            }

            // A like (its notification added by the notifier), the state evicted and rebuilt, flushed to MySQL, an unlike.
            var post = await client.CreatePostAsync(instance, author);
            await client.ExpectStatusAsync(HttpMethod.Put, $"/api/v1/posts/{post}/like", fan, HttpStatusCode.OK);
            await LikeTestData.EvictAsync(instance, Guid.Parse(post));
            await client.ExpectStatusAsync(HttpMethod.Get, $"/api/v1/posts/{post}", fan, HttpStatusCode.OK);
            await LikeTestData.WaitForMySqlAsync(instance, Guid.Parse(post), new HashSet<Guid> { Guid.Parse(fan.User.Id) });
            var notifications = await Eventually.AnswerAsync(async () =>
            {
                using var response = await client.GetAsync("/api/v1/notifications", author.AccessToken);
                return (await response.ReadJsonAsync()).GetProperty("items").GetArrayLength();
            }, count => count > 0, TimeSpan.FromSeconds(30));
            Assert.True(notifications > 0, "no like notification reached the author");
            await client.ExpectStatusAsync(HttpMethod.Delete, $"/api/v1/posts/{post}/like", fan, HttpStatusCode.OK);
            // The unlike takes the only liker out of the notification, and so the notification: before the post
            // is deleted below (the notifier skips events of posts that are gone).
            var left = await Eventually.AnswerAsync(async () =>
            {
                using var response = await client.GetAsync("/api/v1/notifications", author.AccessToken);
                return (await response.ReadJsonAsync()).GetProperty("items").GetArrayLength();
            }, count => count == 0, TimeSpan.FromSeconds(30));
            Assert.True(left == 0, "the unlike did not take the like notification away");

            // The popular snapshot (a build lease, a pointer), and a block (the block list's cache).
            var popular = await client.ReadAllPagesAsync("/api/v1/feed/popular");
            Assert.NotNull(popular);
            await client.ExpectStatusAsync(HttpMethod.Put, $"/api/v1/users/{fan.User.Id}/block", author, HttpStatusCode.NoContent);
            await client.ExpectStatusAsync(HttpMethod.Get, $"/api/v1/posts/{post}", fan, HttpStatusCode.NotFound);

            // The post deleted: its like state goes.
            await client.ExpectStatusAsync(HttpMethod.Delete, $"/api/v1/posts/{post}", author, HttpStatusCode.NoContent);

            // A shard recovered as after a failover (its states dropped, its numbers realigned with MySQL's
            // checkpoint, here already past it): the recovery's script.
            var shards = instance.Services.GetRequiredService<IOptions<LikeOptions>>().Value.Shards;
            await instance.GetService<LikeShardRecovery>().RecoverAsync(RedisKeys.LikeShard(Guid.Parse(post), shards), "0-1", 0);
        }

        // The instance stopped: its flush, notifier and snapshot leases were released by script.
        var primaries = AdminPrimaries(admin);
        var missing = new List<string>();
        foreach (var (name, sha) in scripts)
        {
            var loaded = false;
            foreach (var primary in primaries)
            {
                var exists = (RedisResult[])(await primary.ExecuteAsync("SCRIPT", "EXISTS", sha))!;
                loaded |= (long)exists[0] == 1;
            }

            if (!loaded)
            {
                missing.Add(name);
            }
        }

        Assert.True(missing.Count == 0, $"never run on the cluster: {string.Join(", ", missing)}");
        Assert.Equal(failedBefore, await FailedScriptCallsAsync(admin));
    }

    /// <summary>Name and SHA-1 of each script the API declares: LuaScript fields, and string constants named ...Script.</summary>
    private static List<(string Name, string Sha)> ApiScripts()
    {
        var found = new List<(string, string)>();
        const BindingFlags all = BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic;
        foreach (var type in typeof(RefreshSessions).Assembly.GetTypes())
        {
            foreach (var field in type.GetFields(all))
            {
                var text = field.FieldType == typeof(LuaScript) ? ((LuaScript)field.GetValue(null)!).ExecutableScript
                    : field.IsLiteral && field.FieldType == typeof(string) && field.Name.EndsWith("Script", StringComparison.Ordinal) ? (string)field.GetRawConstantValue()!
                    : null;
                if (text is not null)
                {
                    found.Add(($"{type.Name}.{field.Name}", Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(text)))));
                }
            }
        }

        return found;
    }

    /// <summary>Script calls the primaries answered with an error, a cross-slot refusal among them (INFO commandstats).</summary>
    private static async Task<long> FailedScriptCallsAsync(IConnectionMultiplexer admin)
    {
        long failed = 0;
        foreach (var primary in AdminPrimaries(admin))
        {
            var stats = await primary.InfoAsync("commandstats");
            foreach (var entry in stats.SelectMany(group => group).Where(e => e.Key is "cmdstat_eval" or "cmdstat_evalsha"))
            {
                foreach (var part in entry.Value.Split(','))
                {
                    if (part.StartsWith("failed_calls=", StringComparison.Ordinal) || part.StartsWith("rejected_calls=", StringComparison.Ordinal))
                    {
                        failed += long.Parse(part[(part.IndexOf('=', StringComparison.Ordinal) + 1)..], System.Globalization.CultureInfo.InvariantCulture);
                    }
                }
            }
        }

        return failed;
    }
}

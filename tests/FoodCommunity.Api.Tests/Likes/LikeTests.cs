using System.Diagnostics;
using System.Net;
using FoodCommunity.Api.Feeds;
using FoodCommunity.Api.Infrastructure.Redis;
using FoodCommunity.Api.Likes;
using FoodCommunity.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace FoodCommunity.Api.Tests.Likes;

public sealed class LikeTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private readonly HttpClient _client = api.CreateClient();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Like_ShowsAtOnceInEveryRead_IsIdempotent_AndReachesMySql()
    {
        var author = await _client.RegisterAsync();
        var fan = await _client.RegisterAsync();
        var postId = await _client.CreatePostAsync(api, author);

        var first = await LikeAsync(HttpMethod.Put, postId, fan.AccessToken);
        var again = await LikeAsync(HttpMethod.Put, postId, fan.AccessToken);
        using var asFan = await _client.GetAsync($"/api/v1/posts/{postId}", fan.AccessToken);
        using var anonymous = await _client.GetAsync($"/api/v1/posts/{postId}", Ct);

        Assert.Equal((true, 1L), first);
        Assert.Equal((true, 1L), again);
        var seen = await asFan.ReadJsonAsync();
        Assert.True(seen.GetProperty("likedByMe").GetBoolean());
        Assert.Equal(1, seen.GetProperty("likeCount").GetInt64());
        Assert.False((await anonymous.ReadJsonAsync()).GetProperty("likedByMe").GetBoolean());
        await LikeTestData.WaitForMySqlAsync(api, Guid.Parse(postId), new HashSet<Guid> { Guid.Parse(fan.User.Id) });

        Assert.Equal((false, 0L), await LikeAsync(HttpMethod.Delete, postId, fan.AccessToken));
        Assert.Equal((false, 0L), await LikeAsync(HttpMethod.Delete, postId, fan.AccessToken));
        await LikeTestData.WaitForMySqlAsync(api, Guid.Parse(postId), new HashSet<Guid>());
    }

    [Fact]
    public async Task TheSameLike_FiftyTimesConcurrently_CountsOnce()
    {
        var author = await _client.RegisterAsync();
        var fan = await _client.RegisterAsync();
        var postId = await _client.CreatePostAsync(api, author);

        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => LikeAsync(HttpMethod.Put, postId, fan.AccessToken)));

        Assert.All(results, r => Assert.Equal((true, 1L), r));
        await LikeTestData.WaitForMySqlAsync(api, Guid.Parse(postId), new HashSet<Guid> { Guid.Parse(fan.User.Id) });
    }

    [Fact]
    public async Task Like_OfAnUnknownPost_Is404_AndWithoutAToken401()
    {
        var fan = await _client.RegisterAsync();

        using var unknown = await _client.SendAsync(HttpMethod.Put, $"/api/v1/posts/{Guid.CreateVersion7()}/like", fan.AccessToken);
        using var anonymous = await _client.PutAsync($"/api/v1/posts/{Guid.CreateVersion7()}/like", null, Ct);

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    [Fact]
    public async Task StateMissingFromRedis_IsRebuiltFromMySql_BeforeTheNextLike()
    {
        var author = await _client.RegisterAsync();
        var users = await LikeTestData.CreateUsersAsync(api, 3);
        var postId = await _client.CreatePostAsync(api, author);
        await LikeAsync(HttpMethod.Put, postId, users[0].Token);
        await LikeAsync(HttpMethod.Put, postId, users[1].Token);
        await LikeTestData.WaitForMySqlAsync(api, Guid.Parse(postId), new HashSet<Guid> { users[0].Id, users[1].Id });

        await LikeTestData.EvictAsync(api, Guid.Parse(postId));
        var afterRebuild = await LikeAsync(HttpMethod.Put, postId, users[2].Token);
        var unlikeRebuilt = await LikeAsync(HttpMethod.Delete, postId, users[0].Token);

        Assert.Equal((true, 3L), afterRebuild);
        Assert.Equal((false, 2L), unlikeRebuilt);
        await LikeTestData.WaitForMySqlAsync(api, Guid.Parse(postId), new HashSet<Guid> { users[1].Id, users[2].Id });
    }

    [Fact]
    public async Task StateMissingFromRedis_WithEventsNotYetFlushed_IsRebuiltWithThem()
    {
        // An instance whose flusher sleeps: its likes stay pending in the stream.
        await using var paused = ApiFactory.WithOwnState(Paused);
        await paused.InitializeAsync();
        using var client = paused.CreateClient();
        var author = await client.RegisterAsync();
        var users = await LikeTestData.CreateUsersAsync(paused, 3);
        var postId = await client.CreatePostAsync(paused, author);
        await LikeAsync(client, HttpMethod.Put, postId, users[0].Token);
        await LikeAsync(client, HttpMethod.Put, postId, users[1].Token);
        await LikeAsync(client, HttpMethod.Delete, postId, users[1].Token);
        Assert.Empty((await LikeTestData.ReadMySqlAsync(paused, Guid.Parse(postId))).Likers);

        await LikeTestData.EvictAsync(paused, Guid.Parse(postId));
        var rebuilt = await LikeAsync(client, HttpMethod.Put, postId, users[2].Token);

        Assert.Equal((true, 2L), rebuilt);
        await using var flushing = await ApiFactory.SharingStateWithAsync(paused);
        await LikeTestData.WaitForMySqlAsync(flushing, Guid.Parse(postId), new HashSet<Guid> { users[0].Id, users[2].Id });
    }

    [Fact]
    public async Task ColdPostsViewedTogether_AreWarmedInOneBatch_WithFlushedAndPendingLikes()
    {
        await using var paused = ApiFactory.WithOwnState(Paused);
        await paused.InitializeAsync();
        using var client = paused.CreateClient();
        var author = await client.RegisterAsync();
        var users = await LikeTestData.CreateUsersAsync(paused, 3);
        var posts = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            posts.Add(await client.CreatePostAsync(paused, author));
        }

        // Flushed: users 0 and 1 like every post, through an instance that flushes, which then stops.
        await using (var flushing = await ApiFactory.SharingStateWithAsync(paused))
        {
            using var flushingClient = flushing.CreateClient();
            foreach (var post in posts)
            {
                await LikeAsync(flushingClient, HttpMethod.Put, post, users[0].Token);
                await LikeAsync(flushingClient, HttpMethod.Put, post, users[1].Token);
            }

            foreach (var post in posts)
            {
                await LikeTestData.WaitForMySqlAsync(flushing, Guid.Parse(post), new HashSet<Guid> { users[0].Id, users[1].Id });
            }
        }

        // Pending (nobody flushes now): user 2 likes the even posts, user 0 takes back the odd ones.
        var expected = new Dictionary<Guid, HashSet<Guid>>();
        for (var i = 0; i < posts.Count; i++)
        {
            if (i % 2 == 0)
            {
                await LikeAsync(client, HttpMethod.Put, posts[i], users[2].Token);
                expected[Guid.Parse(posts[i])] = [users[0].Id, users[1].Id, users[2].Id];
            }
            else
            {
                await LikeAsync(client, HttpMethod.Delete, posts[i], users[0].Token);
                expected[Guid.Parse(posts[i])] = [users[1].Id];
            }

            await LikeTestData.EvictAsync(paused, Guid.Parse(posts[i]));
        }

        // One page shows all six cold posts: the warmer rebuilds them, MySQL's rows plus the stream's events.
        using (var page = await client.GetAsync($"/api/v1/users/{author.User.Id}/posts", Ct))
        {
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        }

        foreach (var (post, likers) in expected)
        {
            var state = await Eventually.AnswerAsync(() => LikeTestData.ReadRedisAsync(paused, post), s => s is not null, TimeSpan.FromSeconds(10));
            Assert.NotNull(state);
            Assert.Equal(likers.Order(), state.Value.Likers.Order());
            Assert.Equal(likers.Count, state.Value.Count);
        }

        using var seen = await client.GetAsync($"/api/v1/users/{author.User.Id}/posts", users[2].Token);
        foreach (var item in (await seen.ReadJsonAsync()).GetProperty("items").EnumerateArray())
        {
            var likers = expected[Guid.Parse(item.GetProperty("id").GetString()!)];
            Assert.Equal(likers.Count, item.GetProperty("likeCount").GetInt64());
            Assert.Equal(likers.Contains(users[2].Id), item.GetProperty("likedByMe").GetBoolean());
        }
    }

    [Fact]
    public async Task WithRedisDown_LikesAnswer503Quickly_AndWriteNothing()
    {
        var author = await _client.RegisterAsync();
        var fan = await _client.RegisterAsync();
        var postId = await _client.CreatePostAsync(api, author);
        await using var redisDown = await ApiFactory.SharingStateWithAsync(api, new Dictionary<string, string?>
        {
            ["ConnectionStrings:Redis"] = "127.0.0.1:1,connectTimeout=200",
        });
        using var client = redisDown.CreateClient();
        // The first request of a new host pays for start-up (JIT, model building); time the second.
        using (await client.SendAsync(HttpMethod.Put, $"/api/v1/posts/{postId}/like", fan.AccessToken))
        {
        }

        var watch = Stopwatch.StartNew();
        using var response = await client.SendAsync(HttpMethod.Put, $"/api/v1/posts/{postId}/like", fan.AccessToken);
        watch.Stop();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
        Assert.Empty((await LikeTestData.ReadMySqlAsync(api, Guid.Parse(postId))).Likers);
        // The post's state as its creation started it: no liker, a count of 0.
        var state = await LikeTestData.ReadRedisAsync(api, Guid.Parse(postId));
        Assert.NotNull(state);
        Assert.Empty(state.Value.Likers);
        Assert.Equal(0, state.Value.Count);
    }

    [Fact]
    public async Task WithMySqlDown_LikesKeepWorking_AndTheBacklogDrainsWhenItReturns()
    {
        var expected = new HashSet<Guid>();
        string postId;
        List<(Guid Id, string Token)> users;
        await using (var setup = ApiFactory.WithOwnState())
        {
            await setup.InitializeAsync();
            using var setupClient = setup.CreateClient();
            var author = await setupClient.RegisterAsync();
            users = await LikeTestData.CreateUsersAsync(setup, 10);
            postId = await setupClient.CreatePostAsync(setup, author);
            await LikeAsync(setupClient, HttpMethod.Put, postId, users[0].Token); // loads the post's state
            expected.Add(users[0].Id);
            await LikeTestData.WaitForMySqlAsync(setup, Guid.Parse(postId), expected);
            await using var reader = await ApiFactory.SharingStateWithAsync(setup, Paused);
            await using var mysqlDown = await ApiFactory.SharingStateWithAsync(setup, new Dictionary<string, string?>
            {
                ["ConnectionStrings:MySql"] = "Server=127.0.0.1;Port=1;Database=foodcommunity;User ID=x;Password=x",
            });
            await setup.DisposeAsync(); // its flusher stops; the only one left cannot reach MySQL
            using var client = mysqlDown.CreateClient();
            foreach (var (id, token) in users.Skip(1))
            {
                await LikeAsync(client, HttpMethod.Put, postId, token);
                expected.Add(id);
            }

            Assert.Equal((false, 9L), await LikeAsync(client, HttpMethod.Delete, postId, users[0].Token));
            expected.Remove(users[0].Id);
            Assert.Equal(new HashSet<Guid> { users[0].Id }, (await LikeTestData.ReadMySqlAsync(reader, Guid.Parse(postId))).Likers);

            // The instance that cannot reach MySQL is still running: it must leave the shards it fails to the healthy one.
            await using var recovered = await ApiFactory.SharingStateWithAsync(reader);
            await LikeTestData.WaitForMySqlAsync(recovered, Guid.Parse(postId), expected);
        }
    }

    [Fact]
    public async Task AShardLeasedByADeadInstance_IsFlushedOnceTheLeaseExpires_AndAStoppedInstanceReleasesItsLeases()
    {
        await using var instance = ApiFactory.WithOwnState();
        await instance.InitializeAsync();
        using var client = instance.CreateClient();
        var author = await client.RegisterAsync();
        var fan = await client.RegisterAsync();
        var keys = instance.GetService<RedisKeys>();
        var shards = instance.GetService<IOptions<LikeOptions>>().Value.Shards;
        var postId = await client.CreatePostAsync(instance, author);
        var leasedShard = RedisKeys.LikeShard(Guid.Parse(postId), shards);
        // A control post on a shard nobody holds: its likes reaching MySQL show the flusher is running rounds.
        string controlId;
        do
        {
            controlId = await client.CreatePostAsync(instance, author);
        }
        while (RedisKeys.LikeShard(Guid.Parse(controlId), shards) == leasedShard);

        var controlShard = RedisKeys.LikeShard(Guid.Parse(controlId), shards);
        // The class's Redis connection, which outlives the instance under test.
        var redis = api.GetService<IConnectionMultiplexer>().GetDatabase();
        var leases = Enumerable.Range(0, shards).Where(s => s != controlShard).Select(keys.LikeFlushLease).ToArray();
        // A process that died holding every shard but the control's (a lease is only ever taken when free).
        foreach (var lease in leases)
        {
            await redis.StringSetAsync(lease, "dead-instance", TimeSpan.FromMinutes(5));
        }

        await LikeAsync(client, HttpMethod.Put, postId, fan.AccessToken);
        await LikeAsync(client, HttpMethod.Put, controlId, fan.AccessToken);
        await LikeTestData.WaitForMySqlAsync(instance, Guid.Parse(controlId), new HashSet<Guid> { Guid.Parse(fan.User.Id) });
        // The unlike is flushed in a later round than the like was, and that whole round comes after the
        // leased post's like passed the durability guard: a flusher ignoring the leases would have written it.
        await LikeAsync(client, HttpMethod.Delete, controlId, fan.AccessToken);
        await LikeTestData.WaitForMySqlAsync(instance, Guid.Parse(controlId), new HashSet<Guid>());
        Assert.Empty((await LikeTestData.ReadMySqlAsync(instance, Guid.Parse(postId))).Likers);

        // As if their time had run out; one DEL each, as the shards' keys are in different slots on a cluster.
        await Task.WhenAll(leases.Select(lease => redis.KeyDeleteAsync(lease)));
        await LikeTestData.WaitForMySqlAsync(instance, Guid.Parse(postId), new HashSet<Guid> { Guid.Parse(fan.User.Id) });
        Assert.True(await redis.KeyExistsAsync(keys.LikeFlushLease(leasedShard)), "the instance holds no lease on the shard it flushed");

        await instance.DisposeAsync();
        Assert.DoesNotContain(leases.Append(keys.LikeFlushLease(controlShard)), lease => redis.KeyExists(lease));
    }

    [Fact]
    public async Task DeletingAPost_RemovesItsLikeStateFromRedisAndMySql()
    {
        var author = await _client.RegisterAsync();
        var fan = await _client.RegisterAsync();
        var postId = await _client.CreatePostAsync(api, author);
        await LikeAsync(HttpMethod.Put, postId, fan.AccessToken);
        await LikeTestData.WaitForMySqlAsync(api, Guid.Parse(postId), new HashSet<Guid> { Guid.Parse(fan.User.Id) });

        using var deleted = await _client.SendAsync(HttpMethod.Delete, $"/api/v1/posts/{postId}", author.AccessToken);
        using var likeAfter = await _client.SendAsync(HttpMethod.Put, $"/api/v1/posts/{postId}/like", fan.AccessToken);

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, likeAfter.StatusCode);
        Assert.Null(await LikeTestData.ReadRedisAsync(api, Guid.Parse(postId)));
        Assert.Empty((await LikeTestData.ReadMySqlLikersAsync(api, Guid.Parse(postId))));
    }

    [Fact]
    public async Task AfterAPostsLikeStateIsForgotten_NoLikeOrRebuildBringsItBack()
    {
        var author = await _client.RegisterAsync();
        var fan = await _client.RegisterAsync();
        var postId = await _client.CreatePostAsync(api, author);

        // What the delete does in Redis, here while the row still exists: the race a rebuild could lose.
        await api.GetService<FoodCommunity.Api.Likes.LikeStore>().ForgetAsync(Guid.Parse(postId));
        using var like = await _client.SendAsync(HttpMethod.Put, $"/api/v1/posts/{postId}/like", fan.AccessToken);

        Assert.Equal(HttpStatusCode.NotFound, like.StatusCode);
        Assert.Null(await LikeTestData.ReadRedisAsync(api, Guid.Parse(postId)));
    }

    [Fact]
    public async Task PopularFeed_RanksByLikesOfTheLastDay_AndPagesThroughOneSnapshot()
    {
        // A snapshot a second, so the ranking catches up with the likes within the test.
        await using var isolated = ApiFactory.WithOwnState(new Dictionary<string, string?> { ["Feeds:PopularSnapshotSeconds"] = "1" });
        await isolated.InitializeAsync();
        using var client = isolated.CreateClient();
        var author = await client.RegisterAsync();
        var users = await LikeTestData.CreateUsersAsync(isolated, 5);
        var posts = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            posts.Add(await client.CreatePostAsync(isolated, author));
        }

        // A post liked ten times 24 hours ago, as the like script counts a like into its hour: older than the
        // day the ranking covers, so it must not rank (counted, it would come first).
        var stale = await client.CreatePostAsync(isolated, author);
        var shards = isolated.GetService<IOptions<LikeOptions>>().Value.Shards;
        var staleShard = RedisKeys.LikeShard(Guid.Parse(stale), shards);
        var dayAgo = PopularRanking.HourOf(DateTimeOffset.UtcNow.AddHours(-PopularRanking.Hours));
        await isolated.GetService<IConnectionMultiplexer>().GetDatabase().SortedSetIncrementAsync(
            isolated.GetService<RedisKeys>().LikePopularHour(staleShard, dayAgo), Guid.Parse(stale).ToString("N"), 10);

        // Post i gets i likes; post 0 gets a like taken back.
        for (var i = 0; i < 5; i++)
        {
            for (var u = 0; u < i; u++)
            {
                await LikeAsync(client, HttpMethod.Put, posts[i], users[u].Token);
            }
        }

        await LikeAsync(client, HttpMethod.Put, posts[0], users[0].Token);
        await LikeAsync(client, HttpMethod.Delete, posts[0], users[0].Token);

        // Built in the background by one instance; a snapshot taken after the last like shows them all.
        List<string> expected = [posts[4], posts[3], posts[2], posts[1]];
        var ranked = await Eventually.AnswerAsync(() => client.ReadAllPagesAsync("/api/v1/feed/popular", limit: 2), r => r.SequenceEqual(expected), TimeSpan.FromSeconds(15));
        Assert.Equal(expected, ranked);

        // A reader takes the first page; then the likes change and newer snapshots rank differently.
        var (firstPage, cursor) = await PopularPageAsync(client, null);
        Assert.Equal([posts[4], posts[3]], firstPage);
        for (var u = 1; u < 5; u++)
        {
            await LikeAsync(client, HttpMethod.Put, posts[1], users[u].Token);
        }

        List<string> reranked = [posts[1], posts[4], posts[3], posts[2]];
        var fresh = await Eventually.AnswerAsync(() => client.ReadAllPagesAsync("/api/v1/feed/popular", limit: 2), r => r.SequenceEqual(reranked), TimeSpan.FromSeconds(15));
        Assert.Equal(reranked, fresh);

        // The reader's cursor still pages through the snapshot the first page came from: nothing repeated, nothing skipped.
        var (secondPage, last) = await PopularPageAsync(client, cursor);
        Assert.Equal([posts[2], posts[1]], secondPage);
        Assert.Null(last);
    }

    private static async Task<(List<string> Ids, string? Next)> PopularPageAsync(HttpClient client, string? cursor)
    {
        using var response = await client.GetAsync("/api/v1/feed/popular?limit=2" + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}"), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await response.ReadJsonAsync();
        return ([.. page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()!)], page.GetProperty("nextCursor").GetString());
    }

    private Task<(bool Liked, long Count)> LikeAsync(HttpMethod method, string postId, string token) => LikeAsync(_client, method, postId, token);

    private static async Task<(bool Liked, long Count)> LikeAsync(HttpClient client, HttpMethod method, string postId, string token)
    {
        using var response = await client.SendAsync(method, $"/api/v1/posts/{postId}/like", token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.ReadJsonAsync();
        Assert.Equal(postId, body.GetProperty("postId").GetString());
        return (body.GetProperty("liked").GetBoolean(), body.GetProperty("likeCount").GetInt64());
    }

    /// <summary>An instance whose flusher waits a minute before its first round: within a test, it never flushes.</summary>
    private static readonly Dictionary<string, string?> Paused = new() { ["Likes:FlushIntervalMilliseconds"] = "60000" };
}

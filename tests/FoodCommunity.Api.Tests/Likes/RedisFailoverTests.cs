using System.Diagnostics;
using System.Net;
using FoodCommunity.Api.Infrastructure.Data;
using FoodCommunity.Api.Infrastructure.Redis;
using FoodCommunity.Api.Likes;
using FoodCommunity.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace FoodCommunity.Api.Tests.Likes;

/// <summary>
/// Redis's primary dies during a like storm and its replica, which had fallen behind, is promoted: the
/// API finds the new primary by itself and likes succeed again; likes acknowledged while the replica
/// was behind may be lost, every other acknowledged like is kept, and once the flusher has drained,
/// MySQL's rows, its like_count and Redis's state agree for every post (nothing counted twice).
/// The Redis nodes are the test's own processes (<see cref="RedisNodes"/>), never the run's shared Redis.
/// </summary>
/// <remarks>
/// The replica is detached <see cref="LagSeconds"/> before the primary is killed, a lag longer than the
/// flusher's two-second durability guard, so MySQL holds likes the promoted replica never received:
/// the worst case of asynchronous replication, and the one that needs the recovery of
/// <see cref="LikeShardRecovery"/> (without it, Redis and MySQL disagree at the end).
/// </remarks>
public sealed class RedisFailoverTests
{
    private const int Users = 60;
    private const int Posts = 24;
    private const int Clients = 12;
    private const int LagSeconds = 3;

    /// <summary>How long after the promotion likes must succeed again.</summary>
    private static readonly TimeSpan ReconnectDeadline = TimeSpan.FromSeconds(20);

    /// <summary>Likes acknowledged this long before the replica fell behind were surely replicated.</summary>
    private static readonly TimeSpan ReplicationMargin = TimeSpan.FromSeconds(1);

    private static readonly Dictionary<string, string?> FastFlush = FlushSettings.SmallAndFrequent();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PrimaryKilled_ReplicaPromoted_LikesResumeAndMySqlAgreesWithRedis()
    {
        await using var nodes = new RedisNodes();
        var (primary, replica) = await nodes.StartPrimaryWithReplicaAsync(RedisNodes.BasePort);
        await RunStormThroughFailoverAsync(
            nodes,
            $"127.0.0.1:{primary},127.0.0.1:{replica}",
            (_, _) => Task.FromResult((primary, replica)),
            async () => Assert.Equal("OK", (await RedisNodes.CliAsync(replica, "replicaof", "no", "one")).Trim()));
    }

    [Fact]
    public async Task ClusterPrimaryKilled_ReplicaTakesOver_LikesResumeAndMySqlAgreesWithRedis()
    {
        await using var nodes = new RedisNodes();
        var ports = await nodes.StartClusterAsync(RedisNodes.BasePort + 2);
        var replica = 0;
        await RunStormThroughFailoverAsync(
            nodes,
            string.Join(',', ports.Select(p => $"127.0.0.1:{p}")),
            async (api, posts) =>
            {
                // The primary of the shard most posts are on, so a good part of the storm goes through the failover.
                var keys = api.GetService<RedisKeys>();
                var shards = api.GetService<IOptions<LikeOptions>>().Value.Shards;
                var shard = posts.GroupBy(p => RedisKeys.LikeShard(p, shards)).MaxBy(g => g.Count())!.Key;
                var endpoint = (IPEndPoint)(await api.GetService<IConnectionMultiplexer>().GetDatabase().IdentifyEndpointAsync(keys.LikeEvents(shard)))!;
                replica = await nodes.ClusterReplicaOfAsync(endpoint.Port);
                return (endpoint.Port, replica);
            },
            async () =>
            {
                // TAKEOVER: no vote of the other primaries needed; the cluster may have promoted it already.
                await RedisNodes.CliAsync(replica, "cluster", "failover", "takeover");
                var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
                while (!(await RedisNodes.CliAsync(replica, "role")).StartsWith("master", StringComparison.Ordinal))
                {
                    Assert.True(DateTime.UtcNow < deadline, "the replica did not become a primary");
                    await Task.Delay(100, Ct);
                }
            });
    }

    private static async Task RunStormThroughFailoverAsync(
        RedisNodes nodes,
        string redisConnection,
        Func<ApiFactory, IReadOnlyList<Guid>, Task<(int Primary, int Replica)>> choosePair,
        Func<Task> promote)
    {
        var settings = new Dictionary<string, string?>(FastFlush) { ["ConnectionStrings:Redis"] = redisConnection };
        await using var api = ApiFactory.WithOwnState(settings);
        await api.InitializeAsync();
        using var client = api.CreateClient();
        var author = await client.RegisterAsync();
        var posts = new List<Guid>();
        for (var i = 0; i < Posts; i++)
        {
            posts.Add(Guid.Parse(await client.CreatePostAsync(api, author)));
        }

        var users = await LikeTestData.CreateUsersAsync(api, Users);
        var (primary, replica) = await choosePair(api, posts);
        var storm = new Storm(api, posts, users);
        using var stop = new CancellationTokenSource();
        var running = storm.RunAsync(stop.Token);

        await Task.Delay(TimeSpan.FromSeconds(3), Ct);
        var detachedAt = DateTime.UtcNow;
        await nodes.DetachReplicaAsync(replica);
        // What the replica holds from now on, shard by shard: the promoted Redis starts from this.
        var keys = api.GetService<RedisKeys>();
        var shards = api.GetService<IOptions<LikeOptions>>().Value.Shards;
        var replicaSequences = new long[shards];
        for (var shard = 0; shard < shards; shard++)
        {
            // -1: the shard is not on this replica (a cluster's other primaries), or has no events yet.
            replicaSequences[shard] = await RedisNodes.ReadOnReplicaAsync(replica, (string)keys.LikeSequence(shard)!) is { } n ? long.Parse(n, System.Globalization.CultureInfo.InvariantCulture) : -1;
        }

        // The replica falls further behind until MySQL holds likes it never got (the flusher holds events back two seconds).
        await Task.Delay(TimeSpan.FromSeconds(LagSeconds), Ct);
        var applied = await Eventually.AnswerAsync(() => AppliedSequencesAsync(api, shards),
            a => Enumerable.Range(0, shards).Any(s => replicaSequences[s] >= 0 && a[s] > replicaSequences[s]), TimeSpan.FromSeconds(20));
        nodes.Kill(primary);
        var killedAt = DateTime.UtcNow;
        Assert.True(
            Enumerable.Range(0, shards).Any(s => replicaSequences[s] >= 0 && applied[s] > replicaSequences[s]),
            $"MySQL applied no like the replica missed: the test did not reach the case it is about (replica {string.Join(',', replicaSequences)}; MySQL {string.Join(',', applied)}; answers {storm.Answers})");

        await promote();
        var promotedAt = DateTime.UtcNow;
        // On a cluster only the killed primary's shards were down; it is their likes that must resume.
        var endpoints = api.GetService<IConnectionMultiplexer>().GetDatabase();
        var affected = new HashSet<Guid>();
        foreach (var post in posts)
        {
            if (((IPEndPoint?)await endpoints.IdentifyEndpointAsync(keys.LikeEvents(RedisKeys.LikeShard(post, shards))))?.Port is var port && (port == primary || port == replica))
            {
                affected.Add(post);
            }
        }

        Assert.NotEmpty(affected);
        var resumed = await storm.FirstSuccessStartedAfterAsync(killedAt, promotedAt + ReconnectDeadline, affected);
        Assert.True(resumed is not null, $"no like succeeded within {ReconnectDeadline.TotalSeconds} s of the promotion");
        TestContext.Current.TestOutputHelper?.WriteLine($"likes resumed {(resumed.Value - promotedAt).TotalSeconds:F1} s after the promotion");

        await Task.Delay(TimeSpan.FromSeconds(3), Ct);
        await stop.CancelAsync();
        await running;

        // Kept: acknowledged well before the replica fell behind, or sent after the primary was gone.
        var mustHold = storm.LastOperations
            .Where(o => o.Value.Acknowledged && (o.Value.Started < detachedAt - ReplicationMargin || o.Value.Started > killedAt))
            .ToDictionary(o => o.Key, o => o.Value.Liked);
        Assert.True(mustHold.Count > Users, $"only {mustHold.Count} (post, user) pairs are certain");
        Assert.True(storm.AcknowledgedAfter(killedAt) > 50, "too few likes after the failover to tell anything");

        var recoveries = api.GetService<LikeShardRecovery>().Recoveries;
        TestContext.Current.TestOutputHelper?.WriteLine($"shards recovered: {recoveries}; answers {storm.Answers}");
        Assert.True(recoveries > 0, "no like shard was recovered, though MySQL had applied likes the promoted replica never got");
        foreach (var postId in posts)
        {
            var (mysql, redis) = await AgreeingStateAsync(api, postId);
            var differing = mysql.Likers.ToHashSet();
            differing.SymmetricExceptWith(redis.Likers);
            var last = storm.LastOperations;
            Assert.True(differing.Count == 0, $"post {postId}: MySQL has {mysql.Likers.Count} likers, Redis {redis.Likers.Count}; " + string.Join("; ", differing.Select(u =>
                $"{u}: MySQL {mysql.Likers.Contains(u)}, last op {(last.TryGetValue((postId, u), out var o) ? $"{o.Liked} acked {o.Acknowledged} at detach{(o.Started - detachedAt).TotalSeconds:+0.00;-0.00} kill{(o.Started - killedAt).TotalSeconds:+0.00;-0.00}" : "none")}")));
            Assert.Equal(mysql.Likers.Count, mysql.Count);
            Assert.Equal(redis.Likers.Count, redis.Count);
            foreach (var ((post, user), liked) in mustHold.Where(p => p.Key.Post == postId))
            {
                Assert.True(liked == redis.Likers.Contains(user), $"post {post}, user {user}: acknowledged {(liked ? "like" : "unlike")} lost");
            }
        }
    }

    /// <summary>
    /// Waits for the flush to drain: MySQL's rows equal to the Redis state's likers, both counts equal to
    /// the likers. A state not in Redis (dropped by the recovery, not used since) is loaded as a like would.
    /// </summary>
    private static async Task<((HashSet<Guid> Likers, int Count) MySql, (HashSet<Guid> Likers, long Count) Redis)> AgreeingStateAsync(ApiFactory api, Guid postId)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var redis = await LikeTestData.ReadRedisAsync(api, postId);
            if (redis is null)
            {
                using var scope = api.Services.CreateScope();
                await api.GetService<LikeStateLoader>().LoadAsync([postId], scope.ServiceProvider.GetRequiredService<FoodCommunityDbContext>(), Ct);
                continue;
            }

            var mysql = await LikeTestData.ReadMySqlAsync(api, postId);
            if ((mysql.Likers.SetEquals(redis.Value.Likers) && mysql.Count == mysql.Likers.Count && redis.Value.Count == redis.Value.Likers.Count) || DateTime.UtcNow > deadline)
            {
                return (mysql, redis.Value);
            }

            await Task.Delay(200, Ct);
        }
    }

    private static async Task<long[]> AppliedSequencesAsync(ApiFactory api, int shards)
    {
        var applied = new long[shards];
        for (var shard = 0; shard < shards; shard++)
        {
            applied[shard] = await api.ScalarAsync($"SELECT COALESCE(MAX(last_sequence), 0) FROM like_flush_checkpoints WHERE shard = {shard}");
        }

        return applied;
    }

    /// <summary>
    /// Clients liking and unliking through the HTTP API until stopped; each owns a disjoint set of users,
    /// so a user's operations happen in order, and the last one on each (post, user) pair is known.
    /// </summary>
    private sealed class Storm(ApiFactory api, IReadOnlyList<Guid> posts, IReadOnlyList<(Guid Id, string Token)> users)
    {
        private readonly Lock _lock = new();
        private readonly Dictionary<(Guid Post, Guid User), (bool Liked, DateTime Started, bool Acknowledged)> _last = [];
        private readonly List<(DateTime Started, Guid Post)> _successStarts = [];
        private readonly Dictionary<string, int> _answers = [];

        public string Answers
        {
            get
            {
                lock (_lock)
                {
                    return string.Join(", ", _answers.Select(a => $"{a.Key}: {a.Value}"));
                }
            }
        }

        public IReadOnlyDictionary<(Guid Post, Guid User), (bool Liked, DateTime Started, bool Acknowledged)> LastOperations
        {
            get
            {
                lock (_lock)
                {
                    return new Dictionary<(Guid, Guid), (bool, DateTime, bool)>(_last);
                }
            }
        }

        public int AcknowledgedAfter(DateTime time)
        {
            lock (_lock)
            {
                return _successStarts.Count(s => s.Started > time);
            }
        }

        public async Task<DateTime?> FirstSuccessStartedAfterAsync(DateTime time, DateTime deadline, IReadOnlySet<Guid> ofPosts)
        {
            while (DateTime.UtcNow < deadline)
            {
                lock (_lock)
                {
                    if (_successStarts.Where(s => s.Started > time && ofPosts.Contains(s.Post)).Select(s => s.Started).Order().FirstOrDefault() is var first && first != default)
                    {
                        return first;
                    }
                }

                await Task.Delay(50, Ct);
            }

            return null;
        }

        public Task RunAsync(CancellationToken stop) => Task.WhenAll(Enumerable.Range(0, Clients).Select(c => Task.Run(async () =>
        {
            using var client = api.CreateClient();
            var mine = users.Where((_, i) => i % Clients == c).ToList();
            var random = new Random(c);
            while (!stop.IsCancellationRequested)
            {
                var (userId, token) = mine[random.Next(mine.Count)];
                var postId = posts[random.Next(posts.Count)];
                var like = random.Next(3) != 0;
                var started = DateTime.UtcNow;
                var acknowledged = false;
                string answer;
                try
                {
                    using var response = await client.SendAsync(like ? HttpMethod.Put : HttpMethod.Delete, $"/api/v1/posts/{postId}/like", token);
                    acknowledged = response.StatusCode == HttpStatusCode.OK;
                    answer = ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
                }
                catch (HttpRequestException e)
                {
                    answer = e.GetType().Name;
                }

                lock (_lock)
                {
                    _answers[answer] = _answers.GetValueOrDefault(answer) + 1;
                    // A failed request may or may not have changed Redis: the pair is uncertain until the next success.
                    _last[(postId, userId)] = (like, started, acknowledged);
                    if (acknowledged)
                    {
                        _successStarts.Add((started, postId));
                    }
                }

                if (!acknowledged)
                {
                    // Redis is away: the API answers 503 at once; do not spin.
                    await Task.Delay(50, CancellationToken.None);
                }
            }
        }, CancellationToken.None)));
    }
}

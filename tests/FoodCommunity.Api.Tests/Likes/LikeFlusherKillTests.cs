using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using FoodCommunity.Api.Tests.Infrastructure;

namespace FoodCommunity.Api.Tests.Likes;

/// <summary>
/// A flusher that dies without warning: three API processes write the like events behind while a storm of likes
/// and unlikes goes through an in-process API that flushes nothing itself, and one process after another is
/// SIGKILLed (no graceful stop, no lease released, no rollback sent) the moment its log says a batch's
/// transaction has begun, then replaced. Afterwards MySQL's rows, like_count and Redis agree with what the
/// clients were told for every post: nothing lost, nothing counted twice.
/// </summary>
public sealed class LikeFlusherKillTests(ITestOutputHelper log)
{
    private const int Users = 100;
    private const int Posts = 10;
    private const int Clients = 16;
    private const int MinOperations = 3_000;
    private const int Flushers = 3;
    private const int Shards = 16;
    private const int TargetKills = 4;
    private const string BatchBegun = "Like batch of shard";

    private static readonly Dictionary<string, string?> SmallBatches = FlushSettings.SmallAndFrequent(batchSize: 20);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Storm_WithFlusherProcessesSigkilledMidBatch_EndsWithMySqlLikeCountAndRedisEqualToTheFinalLikes()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "SIGKILL is a POSIX signal");
        await using var api = ApiFactory.WithOwnStateNotFlushingLikes(SmallBatches);
        await api.InitializeAsync();
        using var client = api.CreateClient();
        var author = await client.RegisterAsync();
        var posts = new List<Guid>();
        for (var i = 0; i < Posts; i++)
        {
            posts.Add(Guid.Parse(await client.CreatePostAsync(api, author)));
        }

        var users = await LikeTestData.CreateUsersAsync(api, Users);
        var flushers = Enumerable.Range(0, Flushers).Select(_ => FlusherProcess.Start(api)).ToList();
        try
        {
            // The processes flush (they hold every shard's lease between them) before the storm starts.
            var held = await Eventually.AnswerAsync(() => CountLeasesAsync(api), n => n == Shards, TimeSpan.FromSeconds(60));
            Assert.True(held == Shards, $"the flusher processes hold {held} of {Shards} leases\n{string.Join("\n", flushers.Select(f => f.Output))}");
            using var stopKilling = new CancellationTokenSource();
            var kills = new List<(bool MidBatch, string LastLine, TimeSpan Waited)>();
            var killer = Task.Run(async () =>
            {
                var random = new Random(7);
                while (!stopKilling.IsCancellationRequested)
                {
                    // Whichever process holds shards now (one may hold them all), after a few of its batches, so the
                    // kills land at different points of the stream.
                    var waiting = Stopwatch.StartNew();
                    var victim = await FlusherProcess.WaitForBatchesBegunAsync(flushers, 1 + random.Next(3), TimeSpan.FromSeconds(60), stopKilling.Token);
                    if (stopKilling.IsCancellationRequested)
                    {
                        break;
                    }

                    if (victim < 0)
                    {
                        Assert.Fail($"no flusher began a batch within 60 s; {await DescribeStreamsAsync(api)}\n{string.Join("\n", flushers.Select(f => f.Output))}");
                    }

                    var (midBatch, lastLine) = await flushers[victim].KillAsync();
                    kills.Add((midBatch, lastLine, waiting.Elapsed));
                    flushers[victim] = FlusherProcess.Start(api);
                }
            }, CancellationToken.None);

            var finalLikes = new Dictionary<(Guid Post, Guid User), bool>[Clients];
            var operations = 0;
            await Task.WhenAll(Enumerable.Range(0, Clients).Select(c => Task.Run(async () =>
            {
                var mine = users.Where((_, i) => i % Clients == c).ToList();
                var state = finalLikes[c] = [];
                var random = new Random(c);
                // Until enough kills have happened (the killer fails the test if they do not) and enough operations.
                while ((Volatile.Read(ref operations) < MinOperations || kills.Count < TargetKills) && !killer.IsCompleted)
                {
                    var (userId, token) = mine[random.Next(mine.Count)];
                    var postId = posts[random.Next(posts.Count)];
                    var like = random.Next(3) != 0;
                    using var response = await client.SendAsync(like ? HttpMethod.Put : HttpMethod.Delete, $"/api/v1/posts/{postId}/like", token);
                    Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                    state[(postId, userId)] = like;
                    Interlocked.Increment(ref operations);
                }
            }, Ct)));

            await stopKilling.CancelAsync();
            await killer;

            var expected = posts.ToDictionary(p => p, _ => new HashSet<Guid>());
            foreach (var ((postId, userId), liked) in finalLikes.SelectMany(d => d))
            {
                if (liked)
                {
                    expected[postId].Add(userId);
                }
            }

            var midBatch = kills.Count(k => k.MidBatch);
            log.WriteLine($"{operations} likes and unlikes; {kills.Count} flushers SIGKILLed, {midBatch} inside a batch's transaction");
            foreach (var kill in kills)
            {
                log.WriteLine($"  after {kill.Waited.TotalSeconds:F1} s, {(kill.MidBatch ? "mid-batch" : "after commit")}: {kill.LastLine}");
            }

            Assert.True(midBatch >= TargetKills - 1, $"only {midBatch} of {kills.Count} kills landed inside a batch");
            // The surviving flushers drain the stream, starting from the checkpoints the dead ones left.
            foreach (var postId in posts)
            {
                await LikeTestData.WaitForMySqlAsync(api, postId, expected[postId], TimeSpan.FromSeconds(60));
                var redis = await LikeTestData.ReadRedisAsync(api, postId);
                Assert.NotNull(redis);
                Assert.True(redis.Value.Likers.SetEquals(expected[postId]), $"post {postId}: Redis disagrees");
                Assert.Equal(expected[postId].Count, redis.Value.Count);
            }
        }
        finally
        {
            foreach (var flusher in flushers)
            {
                await flusher.KillAsync();
            }
        }
    }

    private static async Task<int> CountLeasesAsync(ApiFactory api)
    {
        var keys = api.GetService<FoodCommunity.Api.Infrastructure.Redis.RedisKeys>();
        var redis = api.GetService<StackExchange.Redis.IConnectionMultiplexer>().GetDatabase();
        return (int)await redis.KeyExistsAsync(Enumerable.Range(0, Shards).Select(keys.LikeFlushLease).ToArray());
    }

    /// <summary>Each shard's stream length and lease holder, for a failure message.</summary>
    private static async Task<string> DescribeStreamsAsync(ApiFactory api)
    {
        var keys = api.GetService<FoodCommunity.Api.Infrastructure.Redis.RedisKeys>();
        var redis = api.GetService<StackExchange.Redis.IConnectionMultiplexer>().GetDatabase();
        var shards = new List<string>();
        for (var shard = 0; shard < Shards; shard++)
        {
            shards.Add($"{shard}: {await redis.StreamLengthAsync(keys.LikeEvents(shard))} events, lease {await redis.StringGetAsync(keys.LikeFlushLease(shard))}");
        }

        return string.Join("; ", shards);
    }

    /// <summary>The real API as a process whose flusher logs each batch (Debug), on the test API's database and Redis prefix.</summary>
    private sealed class FlusherProcess
    {
        private readonly Process _process;
        private readonly StringBuilder _output = new();
        private readonly Task _drained;
        private int _begun;
        private string _lastBatchLine = "";

        private FlusherProcess(Process process)
        {
            _process = process;
            _drained = Task.WhenAll(DrainAsync(process.StandardOutput), DrainAsync(process.StandardError));
        }

        public int Id => _process.Id;

        public string Output
        {
            get
            {
                lock (_output)
                {
                    return _output.ToString();
                }
            }
        }

        public static FlusherProcess Start(ApiFactory api)
        {
            var environment = new Dictionary<string, string>
            {
                ["ConnectionStrings__MySql"] = api.MySqlConnectionString,
                ["Auth__Issuer"] = ApiFactory.TestIssuer,
                ["Auth__SigningKeyPem"] = api.Isolation.SigningKeyPem,
                ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{ApiProcess.FreePort()}",
                ["Serilog__MinimumLevel__Override__FoodCommunity.Api.Likes.LikeFlusher"] = "Debug",
            };
            foreach (var (key, value) in SmallBatches)
            {
                environment[key.Replace(":", "__", StringComparison.Ordinal)] = value!;
            }

            return new FlusherProcess(ApiProcess.Start(api, environment));
        }

        /// <summary>Waits until one of the processes has begun this many more batches; its index, or -1 at the timeout or when stopped.</summary>
        public static async Task<int> WaitForBatchesBegunAsync(IReadOnlyList<FlusherProcess> flushers, int more, TimeSpan timeout, CancellationToken stop)
        {
            var targets = flushers.Select(f => Volatile.Read(ref f._begun) + more).ToArray();
            var deadline = Stopwatch.StartNew();
            while (deadline.Elapsed < timeout && !stop.IsCancellationRequested)
            {
                for (var i = 0; i < flushers.Count; i++)
                {
                    if (Volatile.Read(ref flushers[i]._begun) >= targets[i])
                    {
                        return i;
                    }
                }

                // Spin: the kill should land while the batch's transaction is still open (milliseconds).
                await Task.Yield();
            }

            return -1;
        }

        /// <summary>
        /// SIGKILL, then whether the process died inside a batch: its last batch line (all output written before
        /// the kill is still read) says begun, not committed.
        /// </summary>
        public async Task<(bool MidBatch, string LastLine)> KillAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill();
            }

            await _process.WaitForExitAsync(CancellationToken.None);
            await _drained;
            _process.Dispose();
            var last = _lastBatchLine;
            return (last.Contains(" begun:", StringComparison.Ordinal), last);
        }

        private async Task DrainAsync(StreamReader reader)
        {
            while (await reader.ReadLineAsync(CancellationToken.None) is { } line)
            {
                if (line.Contains(BatchBegun, StringComparison.Ordinal))
                {
                    _lastBatchLine = line;
                    if (line.Contains(" begun:", StringComparison.Ordinal))
                    {
                        Interlocked.Increment(ref _begun);
                    }

                    continue;
                }

                lock (_output)
                {
                    _output.AppendLine(line);
                }
            }
        }
    }
}

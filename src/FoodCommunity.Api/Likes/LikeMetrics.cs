using System.Diagnostics.Metrics;
using FoodCommunity.Api.Infrastructure.Data;
using FoodCommunity.Api.Infrastructure.Observability;
using FoodCommunity.Api.Infrastructure.Redis;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace FoodCommunity.Api.Likes;

/// <summary>What an operator watches of the like buffer: how much waits, for how long, and how the flush keeps up.</summary>
public sealed class LikeMetrics
{
    private readonly IServiceScopeFactory _scopes;
    private readonly IConnectionMultiplexer _redis;
    private readonly RedisKeys _keys;
    private readonly IOptions<LikeOptions> _options;
    private readonly Counter<long> _batches;
    private readonly Counter<long> _rows;
    private readonly Histogram<double> _batchSeconds;
    private long _backlog;
    private double _oldestPendingSeconds;
    private Dictionary<int, LikeCheckpoint> _checkpoints = [];

    public LikeMetrics(IMeterFactory meters, IServiceScopeFactory scopes, IConnectionMultiplexer redis, RedisKeys keys, IOptions<LikeOptions> options)
    {
        _scopes = scopes;
        _redis = redis;
        _keys = keys;
        _options = options;
        var meter = meters.Create(MetricsSetup.MeterName);
        _batches = meter.CreateCounter<long>("foodcommunity.likes.flush.batches", description: "Like batches applied to MySQL.");
        _rows = meter.CreateCounter<long>("foodcommunity.likes.flush.rows", description: "Rows written by the like flush (likes inserted or deleted, posts' counters adjusted).");
        _batchSeconds = meter.CreateHistogram<double>("foodcommunity.likes.flush.duration", unit: "s", description: "Time to apply one like batch to MySQL.");
        meter.CreateObservableGauge("foodcommunity.likes.backlog", () => Volatile.Read(ref _backlog), description: "Like events not yet applied to MySQL, all shards.");
        meter.CreateObservableGauge("foodcommunity.likes.oldest_pending_age", () => Volatile.Read(ref _oldestPendingSeconds), unit: "s",
            description: "Age of the oldest like event not yet applied to MySQL.");
    }

    public long Backlog => Volatile.Read(ref _backlog);

    public void RecordBatch(TimeSpan duration, long rows)
    {
        _batches.Add(1);
        _rows.Add(rows);
        _batchSeconds.Record(duration.TotalSeconds);
    }

    /// <summary>Backlog = events appended (per-shard sequence in Redis) minus events applied (checkpoints in MySQL).</summary>
    public async Task ObserveBacklogAsync(CancellationToken cancellationToken)
    {
        var shards = _options.Value.Shards;
        var database = _redis.GetDatabase();
        var batch = database.CreateBatch();
        var sequences = Enumerable.Range(0, shards).Select(s => batch.StringGetAsync(_keys.LikeSequence(s))).ToList();
        batch.Execute();
        var checkpoints = await ReadCheckpointsAsync(cancellationToken);
        long backlog = 0;
        var oldest = 0.0;
        for (var shard = 0; shard < shards; shard++)
        {
            var appended = (long?)await sequences[shard] ?? 0;
            var checkpoint = checkpoints.GetValueOrDefault(shard);
            var pending = appended - (checkpoint?.LastSequence ?? 0);
            if (pending <= 0)
            {
                continue;
            }

            backlog += pending;
            var next = await database.StreamRangeAsync(_keys.LikeEvents(shard), "(" + (checkpoint?.LastEventId ?? "0-0"), "+", 1);
            if (next.Length == 1)
            {
                var ms = LikeEvent.MillisecondsOf(next[0].Id!);
                oldest = Math.Max(oldest, (DateTimeOffset.UtcNow - DateTimeOffset.FromUnixTimeMilliseconds(ms)).TotalSeconds);
            }
        }

        Volatile.Write(ref _backlog, backlog);
        Volatile.Write(ref _oldestPendingSeconds, oldest);
    }

    /// <summary>
    /// The checkpoints, or the last ones read while MySQL is unreachable: they only move when MySQL
    /// is up, so the backlog keeps growing on the dashboard exactly while nothing is being applied.
    /// </summary>
    private async Task<Dictionary<int, LikeCheckpoint>> ReadCheckpointsAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var scope = _scopes.CreateAsyncScope();
            var checkpoints = await scope.ServiceProvider.GetRequiredService<FoodCommunityDbContext>().LikeCheckpoints.AsNoTracking()
                .ToDictionaryAsync(c => c.Shard, cancellationToken);
            _checkpoints = checkpoints;
            return checkpoints;
        }
        catch (Exception e) when (e is MySqlConnector.MySqlException or InvalidOperationException or TimeoutException)
        {
            return _checkpoints;
        }
    }
}

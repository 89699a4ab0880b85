using System.Diagnostics;
using FoodCommunity.Api.Infrastructure.Data;
using FoodCommunity.Api.Infrastructure.Redis;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace FoodCommunity.Api.Likes;

/// <summary>
/// Writes the like events behind to MySQL, in every API instance. Each shard is flushed by one
/// instance at a time (a Redis lease, for efficiency); correctness rests on the shard's checkpoint
/// in MySQL, read and advanced inside the transaction that applies the batch: a batch is applied
/// exactly once even if two instances race for it, and a flusher that dies at any point leaves
/// either the whole batch applied with its checkpoint or nothing. A lease a dead instance held
/// expires, and another instance carries on from the checkpoint; an instance that fails a shard
/// (say, it cannot reach MySQL) or stops gives its leases up at once so a healthy one takes over.
/// </summary>
public sealed partial class LikeFlusher(
    IServiceScopeFactory scopes,
    IConnectionMultiplexer redis,
    RedisKeys keys,
    IOptions<LikeOptions> options,
    LikeMetrics metrics,
    LikeStore likes,
    LikeShardRecovery recovery,
    TimeProvider clock,
    ILogger<LikeFlusher> logger) : BackgroundService
{
    private static readonly LuaScript LeaseScript = LuaScript.Prepare("""
        local holder = redis.call('GET', @lease)
        if holder == false then
          redis.call('SET', @lease, @me, 'PX', @ttl)
          return 1
        end
        if holder == @me then
          redis.call('PEXPIRE', @lease, @ttl)
          return 1
        end
        return 0
        """);

    private static readonly LuaScript ReleaseScript = LuaScript.Prepare("""
        if redis.call('GET', @lease) == @me then
          return redis.call('DEL', @lease)
        end
        return 0
        """);

    /// <summary>Events younger than this are left for the next round; above appendfsync everysec's one second.</summary>
    internal const int DurabilityGuardMilliseconds = 2000;

    private const int FailedShardBackOffSeconds = 5;

    /// <summary>The backlog gauges are read this often (one MySQL query), not every round.</summary>
    private const int BacklogObservationIntervalSeconds = 2;

    /// <summary>Applied events leave the stream after the retention window; idle shards are trimmed this often.</summary>
    private const int IdleTrimIntervalSeconds = 10;

    private readonly string _instance = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";
    private readonly (string Id, long Sequence)?[] _checkpointHints = new (string, long)?[options.Value.Shards];
    private readonly long[] _nextIdleTrim = new long[options.Value.Shards];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var idle = TimeSpan.FromMilliseconds(settings.FlushIntervalMilliseconds);
        var busy = false;
        // After failing a shard, leave it to other instances for a while before trying it again.
        var backOffUntil = new long[settings.Shards];
        var nextObservation = 0L;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                // Pause first (unless the last round left a backlog): a starting instance settles before it flushes.
                if (!busy)
                {
                    await Task.Delay(idle, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                }

                busy = false;
                // Start at a different shard each round, so instances spread over the shards.
                var start = Random.Shared.Next(settings.Shards);
                for (var i = 0; i < settings.Shards && !stoppingToken.IsCancellationRequested; i++)
                {
                    var shard = (start + i) % settings.Shards;
                    if (clock.GetTimestamp() < backOffUntil[shard])
                    {
                        continue;
                    }

                    try
                    {
                        if (await TryHoldLeaseAsync(shard))
                        {
                            busy |= await FlushShardAsync(shard, stoppingToken) == settings.FlushBatchSize;
                        }
                        else
                        {
                            // Another instance flushes it now and moves its checkpoint on.
                            _checkpointHints[shard] = null;
                        }
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        // MySQL or Redis unavailable, or a lock timeout: this shard's events stay queued.
                        _checkpointHints[shard] = null;
                        LogShardFailed(logger, shard, e);
                        backOffUntil[shard] = clock.GetTimestamp() + (FailedShardBackOffSeconds * clock.TimestampFrequency);
                        await TryReleaseLeaseAsync(shard);
                    }
                }

                if (clock.GetTimestamp() < nextObservation)
                {
                    continue;
                }

                nextObservation = clock.GetTimestamp() + (BacklogObservationIntervalSeconds * clock.TimestampFrequency);
                try
                {
                    // Separately: with MySQL down, the backlog is exactly what an operator must see growing.
                    await metrics.ObserveBacklogAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogMetricsFailed(logger, e);
                }
            }
        }
        finally
        {
            // Stopping (a deploy, a Spot reclaim): hand the shards over now rather than when the leases expire.
            for (var shard = 0; shard < settings.Shards; shard++)
            {
                await TryReleaseLeaseAsync(shard);
            }
        }
    }

    private async Task<bool> TryHoldLeaseAsync(int shard) =>
        (int)await redis.GetDatabase().ScriptEvaluateAsync(LeaseScript, new
        {
            lease = keys.LikeFlushLease(shard),
            me = _instance,
            ttl = options.Value.FlushLeaseSeconds * 1000L,
        }) == 1;

    private async Task TryReleaseLeaseAsync(int shard)
    {
        try
        {
            await redis.GetDatabase().ScriptEvaluateAsync(ReleaseScript, new { lease = keys.LikeFlushLease(shard), me = _instance });
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The lease expires on its own.
            LogReleaseFailed(logger, shard, e);
        }
    }

    /// <summary>Applies the next batch of the shard's events; returns how many events it applied.</summary>
    internal async Task<int> FlushShardAsync(int shard, CancellationToken cancellationToken)
    {
        // Where this instance last saw the checkpoint, while it holds the lease: an idle round then
        // costs one XRANGE and no MySQL query. Only a hint; the transaction below checks it.
        var (after, afterSequence) = _checkpointHints[shard] ??= await ReadCheckpointAsync(shard, cancellationToken);
        // Only events Redis has surely persisted (AOF fsyncs every second): had MySQL a like that a
        // crashed Redis lost, the two would disagree for good.
        var durable = $"{clock.GetUtcNow().AddMilliseconds(-DurabilityGuardMilliseconds).ToUnixTimeMilliseconds()}";
        var read = redis.GetDatabase().CreateBatch();
        var range = read.StreamRangeAsync(keys.LikeEvents(shard), "(" + after, durable, options.Value.FlushBatchSize);
        var appended = read.StringGetAsync(keys.LikeSequence(shard));
        read.Execute();
        var entries = await range;
        var events = entries.Select(e => LikeEvent.TryParse(e, out var change) ? change : (LikeEvent?)null).OfType<LikeEvent>().ToList();
        // A failover to a replica that lagged (or a restore) can leave Redis behind MySQL.
        if (LikeShardRecovery.LostAppliedEvents((long?)await appended ?? 0, events, afterSequence))
        {
            await recovery.RecoverAsync(shard, after, afterSequence);
        }

        if (entries.Length == 0)
        {
            if (clock.GetTimestamp() >= _nextIdleTrim[shard])
            {
                _nextIdleTrim[shard] = clock.GetTimestamp() + (IdleTrimIntervalSeconds * clock.TimestampFrequency);
                await TrimAsync(shard, after);
            }

            return 0;
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FoodCommunityDbContext>();

        var started = Stopwatch.GetTimestamp();
        IReadOnlyList<Guid> deletedPosts = [];
        var written = await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            // As written (not composed into a derived table), so the row lock is certain on MySQL and MariaDB alike.
            var current = (await db.LikeCheckpoints
                .FromSql($"SELECT * FROM like_flush_checkpoints WHERE shard = {shard} FOR UPDATE")
                .ToListAsync(cancellationToken)).SingleOrDefault();
            if ((current?.LastEventId ?? "0-0") != after)
            {
                // Another flusher applied this range meanwhile; start again from its checkpoint.
                _checkpointHints[shard] = current is null ? ("0-0", 0) : (current.LastEventId, current.LastSequence);
                return ((long Rows, long Sequence)?)null;
            }

            LogBatchBegun(logger, shard, entries.Length);
            var (rows, gone) = await LikeBatchSql.ApplyAsync(db, events, cancellationToken);
            deletedPosts = gone;
            if (current is null)
            {
                current = new LikeCheckpoint { Shard = shard };
                db.LikeCheckpoints.Add(current);
            }

            current.LastEventId = entries[^1].Id!;
            // Never backwards: after a recovery, events numbered before it count no further than the checkpoint.
            current.LastSequence = events.Count > 0 ? Math.Max(current.LastSequence, events[^1].Sequence) : current.LastSequence;
            current.UpdatedAt = clock.GetUtcNow();
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            LogBatchCommitted(logger, shard, entries.Length);
            return ((long Rows, long Sequence)?)(rows, current.LastSequence);
        });
        if (written is not { Rows: var rowsWritten, Sequence: var appliedSequence })
        {
            return 0;
        }

        _checkpointHints[shard] = (entries[^1].Id!, appliedSequence);

        metrics.RecordBatch(Stopwatch.GetElapsedTime(started), rowsWritten);
        // Events of deleted posts: make sure their like state is gone too (the delete's own cleanup may have missed Redis).
        foreach (var postId in deletedPosts)
        {
            await likes.ForgetAsync(postId);
        }

        await TrimAsync(shard, entries[^1].Id!);
        return entries.Length;
    }

    private async Task<(string Id, long Sequence)> ReadCheckpointAsync(int shard, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FoodCommunityDbContext>();
        var checkpoint = await db.LikeCheckpoints.AsNoTracking().SingleOrDefaultAsync(c => c.Shard == shard, cancellationToken);
        return checkpoint is null ? ("0-0", 0) : (checkpoint.LastEventId, checkpoint.LastSequence);
    }

    /// <summary>
    /// Drops applied events once they are older than the retention window (a rebuild in progress may
    /// still need them); never an event past the checkpoint.
    /// </summary>
    private async Task TrimAsync(int shard, string appliedThrough)
    {
        var retentionBound = clock.GetUtcNow().AddSeconds(-options.Value.AppliedEventRetentionSeconds).ToUnixTimeMilliseconds();
        var appliedMs = LikeEvent.MillisecondsOf(appliedThrough);
        if (appliedMs == 0)
        {
            return;
        }

        var minId = Math.Min(retentionBound, appliedMs);
        // The key as a RedisKey, so that on Redis Cluster the command goes to the shard's node.
        await redis.GetDatabase().ExecuteAsync("XTRIM", keys.LikeEvents(shard), "MINID", "~", $"{minId}-0");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Like flush of shard {Shard} failed; its events stay queued")]
    private static partial void LogShardFailed(ILogger logger, int shard, Exception exception);

    // The pair brackets a batch's transaction, so an operator (and LikeFlusherKillTests) can tell a flusher that died inside one.
    [LoggerMessage(Level = LogLevel.Debug, Message = "Like batch of shard {Shard} begun: {Events} events, checkpoint row locked")]
    private static partial void LogBatchBegun(ILogger logger, int shard, int events);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Like batch of shard {Shard} committed: {Events} events")]
    private static partial void LogBatchCommitted(ILogger logger, int shard, int events);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Like flush lease of shard {Shard} not released; it will expire")]
    private static partial void LogReleaseFailed(ILogger logger, int shard, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Like backlog metrics could not be observed")]
    private static partial void LogMetricsFailed(ILogger logger, Exception exception);
}

using System.Diagnostics;
using System.Globalization;
using System.Text;
using FoodCommunity.Api.Infrastructure.Data;
using FoodCommunity.Api.Infrastructure.Redis;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MySqlConnector;
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
            var (rows, gone) = await ApplyAsync(db, events, cancellationToken);
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
    /// The batch's net effect per (post, user), against the rows as they are: inserts, deletes and
    /// one like_count adjustment per post. Posts deleted meanwhile are skipped. Returns rows written and
    /// the deleted posts the batch named.
    /// </summary>
    private static async Task<(long Rows, IReadOnlyList<Guid> DeletedPosts)> ApplyAsync(FoodCommunityDbContext db, List<LikeEvent> events, CancellationToken cancellationToken)
    {
        var finalState = new Dictionary<(Guid Post, Guid User), bool>();
        foreach (var change in events)
        {
            finalState[(Guid.ParseExact(change.Post, "N"), Guid.ParseExact(change.User, "N"))] = change.Liked;
        }

        var postIds = finalState.Keys.Select(k => k.Post).Distinct().Order().ToList();
        // Locking the posts' rows also keeps a concurrent post deletion from interleaving.
        // Only generated placeholders are spliced into this SQL and the statements below; values are parameters.
        var lockPosts = $"SELECT id AS Value FROM posts WHERE id IN ({Placeholders(postIds.Count)}) ORDER BY id FOR UPDATE";
        var livePosts = (await db.Database
                .SqlQueryRaw<Guid>(lockPosts, Parameters(postIds))
                .ToListAsync(cancellationToken))
            .ToHashSet();
        var deletedPosts = postIds.Where(id => !livePosts.Contains(id)).ToList();
        var changes = finalState.Where(kv => livePosts.Contains(kv.Key.Post)).ToList();
        if (changes.Count == 0)
        {
            return (0, deletedPosts);
        }

        var userIds = changes.Select(c => c.Key.User).Distinct().ToList();
        var live = livePosts.ToList();
        var existing = (await db.PostLikes.AsNoTracking()
                .Where(l => live.Contains(l.PostId) && userIds.Contains(l.UserId))
                .Select(l => new { l.PostId, l.UserId })
                .ToListAsync(cancellationToken))
            .Select(l => (l.PostId, l.UserId))
            .ToHashSet();
        var inserts = changes.Where(c => c.Value && !existing.Contains(c.Key)).Select(c => c.Key).ToList();
        var deletes = changes.Where(c => !c.Value && existing.Contains(c.Key)).Select(c => c.Key).ToList();
        var now = DateTimeOffset.UtcNow;
        if (inserts.Count > 0)
        {
            var values = string.Join(", ", inserts.Select((_, i) => $"(@p{i * 2}, @p{(i * 2) + 1}, @now)"));
            var parameters = inserts.SelectMany(k => new object[] { k.Post, k.User }).Select((v, i) => new MySqlParameter($"@p{i}", v)).ToList<object>();
            parameters.Add(new MySqlParameter("@now", now.UtcDateTime));
            var insert = $"INSERT INTO post_likes (post_id, user_id, created_at) VALUES {values}";
            await db.Database.ExecuteSqlRawAsync(insert, parameters, cancellationToken);
        }

        foreach (var group in deletes.GroupBy(k => k.Post))
        {
            var users = group.Select(k => k.User).ToList();
            await db.PostLikes.Where(l => l.PostId == group.Key && users.Contains(l.UserId)).ExecuteDeleteAsync(cancellationToken);
        }

        var deltas = inserts.GroupBy(k => k.Post).ToDictionary(g => g.Key, g => g.Count());
        foreach (var group in deletes.GroupBy(k => k.Post))
        {
            deltas[group.Key] = deltas.GetValueOrDefault(group.Key) - group.Count();
        }

        var adjusted = deltas.Where(d => d.Value != 0).ToList();
        if (adjusted.Count > 0)
        {
            // One statement for the whole batch: each hot post's row is updated once per batch, not once per like.
            var sql = new StringBuilder("UPDATE posts SET like_count = GREATEST(0, like_count + CASE id");
            var parameters = new List<object>();
            for (var i = 0; i < adjusted.Count; i++)
            {
                sql.Append(CultureInfo.InvariantCulture, $" WHEN @id{i} THEN @d{i}");
                parameters.Add(new MySqlParameter($"@id{i}", adjusted[i].Key));
                parameters.Add(new MySqlParameter($"@d{i}", adjusted[i].Value));
            }

            sql.Append(CultureInfo.InvariantCulture, $" ELSE 0 END) WHERE id IN ({string.Join(", ", adjusted.Select((_, i) => $"@id{i}"))})");
            await db.Database.ExecuteSqlRawAsync(sql.ToString(), parameters, cancellationToken);
        }

        return (inserts.Count + deletes.Count + adjusted.Count, deletedPosts);
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

    private static string Placeholders(int count) => string.Join(", ", Enumerable.Range(0, count).Select(i => $"@p{i}"));

    private static object[] Parameters(IReadOnlyList<Guid> ids) => ids.Select((id, i) => (object)new MySqlParameter($"@p{i}", id)).ToArray();

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

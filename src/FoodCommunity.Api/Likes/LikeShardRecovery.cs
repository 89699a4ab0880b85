using FoodCommunity.Api.Infrastructure.Data;
using FoodCommunity.Api.Infrastructure.Redis;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace FoodCommunity.Api.Likes;

/// <summary>
/// Puts a like shard right after Redis lost events that MySQL had already applied: a failover to a
/// replica that lagged behind by more than the flusher's durability guard, or a restore from an older
/// snapshot. Such a Redis numbers new events with sequence numbers the checkpoint has passed, and its
/// like states miss changes that MySQL holds (a like there, an unlike here): left alone, a re-like
/// would count twice in Redis and not at all in MySQL. So the shard's sequence and stream id move past
/// the checkpoint, and every like state of the shard is dropped: its next use rebuilds it from MySQL
/// (the rows up to the checkpoint) plus the events after it, which is then the truth for both.
/// Checked by the flusher every round, and by the like path before the first change of a shard after
/// any lost Redis connection: a like that repeats what the lost events did changes nothing in a stale
/// state and appends no event, so it must not run before the state is dropped.
/// </summary>
public sealed partial class LikeShardRecovery
{
    // New events then get a sequence number above the checkpoint's and a stream id after it (the
    // flusher reads after the checkpoint's id; an event before it, from a promoted replica whose clock
    // is behind, would never reach MySQL).
    private static readonly LuaScript RealignScript = LuaScript.Prepare("""
        local appended = tonumber(redis.call('GET', @sequence) or '0')
        if appended < tonumber(@appliedSequence) then redis.call('SET', @sequence, @appliedSequence) end
        if redis.call('EXISTS', @events) == 0 then return 0 end
        local info = redis.call('XINFO', 'STREAM', @events)
        local last = '0-0'
        for i = 1, #info, 2 do
          if info[i] == 'last-generated-id' then last = info[i + 1] end
        end
        local lastMs, lastSeq = string.match(last, '^(%d+)-(%d+)$')
        local appliedMs, appliedSeq = string.match(@appliedId, '^(%d+)-(%d+)$')
        lastMs, lastSeq, appliedMs, appliedSeq = tonumber(lastMs), tonumber(lastSeq), tonumber(appliedMs), tonumber(appliedSeq)
        if lastMs < appliedMs or (lastMs == appliedMs and lastSeq < appliedSeq) then
          redis.call('XSETID', @events, @appliedId)
        end
        return 1
        """);

    private const int DeleteChunk = 500;

    private readonly IConnectionMultiplexer _redis;
    private readonly RedisKeys _keys;
    private readonly ILogger<LikeShardRecovery> _logger;
    private readonly SemaphoreSlim[] _verifying;
    private readonly long[] _verifiedIn;

    private long _recoveries;

    // Bumped by every change of connections or topology.
    private long _connectionGeneration = 1;

    public LikeShardRecovery(IConnectionMultiplexer redis, RedisKeys keys, IOptions<LikeOptions> options, ILogger<LikeShardRecovery> logger)
    {
        _redis = redis;
        _keys = keys;
        _logger = logger;
        _verifying = Enumerable.Range(0, options.Value.Shards).Select(_ => new SemaphoreSlim(1, 1)).ToArray();
        _verifiedIn = new long[options.Value.Shards];
        // A failover shows as a lost connection, a restored one, or a node that changed role: any of them.
        redis.ConnectionFailed += (_, _) => Interlocked.Increment(ref _connectionGeneration);
        redis.ConnectionRestored += (_, _) => Interlocked.Increment(ref _connectionGeneration);
        redis.ConfigurationChanged += (_, _) => Interlocked.Increment(ref _connectionGeneration);
    }

    /// <summary>
    /// Whether Redis lost events MySQL applied: its sequence is behind the checkpoint's (nothing new
    /// since), or events after the checkpoint carry numbers the checkpoint already counted (new events
    /// since, numbered on from what the promoted replica had). A healthy shard's numbers only grow.
    /// </summary>
    public static bool LostAppliedEvents(long appended, IEnumerable<LikeEvent> pending, long appliedSequence) =>
        appended < appliedSequence || pending.Any(e => e.Sequence <= appliedSequence);

    /// <summary>
    /// Once per shard after each lost connection (and after start): compares Redis with MySQL's
    /// checkpoint and recovers the shard if Redis lost applied events. With MySQL unreachable it lets
    /// the like through unchecked (likes keep working from Redis then); the flusher checks later.
    /// </summary>
    public async Task EnsureCheckedAsync(int shard, FoodCommunityDbContext db, CancellationToken cancellationToken)
    {
        var generation = Interlocked.Read(ref _connectionGeneration);
        if (Interlocked.Read(ref _verifiedIn[shard]) >= generation)
        {
            return;
        }

        await _verifying[shard].WaitAsync(cancellationToken);
        try
        {
            if (Interlocked.Read(ref _verifiedIn[shard]) >= generation)
            {
                return;
            }

            LikeCheckpoint? applied;
            try
            {
                applied = await db.LikeCheckpoints.AsNoTracking().SingleOrDefaultAsync(c => c.Shard == shard, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogCheckSkipped(_logger, shard, e);
                return;
            }

            var (appliedId, appliedSequence) = applied is null ? ("0-0", 0) : (applied.LastEventId, applied.LastSequence);
            var database = _redis.GetDatabase();
            var read = database.CreateBatch();
            var first = read.StreamRangeAsync(_keys.LikeEvents(shard), "(" + appliedId, "+", count: 1);
            var appended = read.StringGetAsync(_keys.LikeSequence(shard));
            read.Execute();
            var pending = (await first).Select(e => LikeEvent.TryParse(e, out var change) ? change : (LikeEvent?)null).OfType<LikeEvent>();
            if (LostAppliedEvents((long?)await appended ?? 0, pending, appliedSequence))
            {
                await RecoverAsync(shard, appliedId, appliedSequence);
            }

            Interlocked.Exchange(ref _verifiedIn[shard], generation);
        }
        finally
        {
            _verifying[shard].Release();
        }
    }

    /// <summary>Shards this instance found behind MySQL and recovered, since it started.</summary>
    public long Recoveries => Interlocked.Read(ref _recoveries);

    public async Task RecoverAsync(int shard, string appliedId, long appliedSequence)
    {
        try
        {
            await DropAndRealignAsync(shard, appliedId, appliedSequence);
        }
        catch (RedisCommandException e)
        {
            // Right after a promotion the client may still take the new primary for a replica: a
            // passing outage (503, retry), not a bug.
            throw new RedisConnectionException(ConnectionFailureType.UnableToConnect, $"Like shard {shard} cannot be recovered before Redis has a writable primary", e);
        }
    }

    private async Task DropAndRealignAsync(int shard, string appliedId, long appliedSequence)
    {
        // Drop first, realign last: until the realignment, the numbers still show the shard needs this,
        // so a recovery cut short (the new primary not yet writable, say) is done again in full.
        var database = _redis.GetDatabase();
        var dropped = 0;
        var endpoint = await database.IdentifyEndpointAsync(_keys.LikeEvents(shard))
            ?? throw new RedisConnectionException(ConnectionFailureType.UnableToConnect, $"No Redis node serves like shard {shard} now");
        var server = _redis.GetServer(endpoint);
        var pattern = _keys.LikeStatePattern(shard);
        var batch = new List<RedisKey>(DeleteChunk);
        await foreach (var key in server.KeysAsync(pattern: pattern, pageSize: 1000))
        {
            if (!_keys.IsLikeState(key, shard))
            {
                // A rebuild's staging hash: deleting it under a rebuild in progress would put a count without its likers in place.
                continue;
            }

            batch.Add(key);
            if (batch.Count == DeleteChunk)
            {
                dropped += (int)await database.KeyDeleteAsync([.. batch]);
                batch.Clear();
            }
        }

        if (batch.Count > 0)
        {
            dropped += (int)await database.KeyDeleteAsync([.. batch]);
        }

        await database.ScriptEvaluateAsync(RealignScript, new
        {
            sequence = _keys.LikeSequence(shard),
            events = _keys.LikeEvents(shard),
            appliedId,
            appliedSequence,
        });

        Interlocked.Increment(ref _recoveries);
        LogRecovered(_logger, shard, appliedSequence, dropped);
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Redis lost like events of shard {Shard} that MySQL applied (through sequence {Sequence}); dropped {Count} like state(s) to rebuild from MySQL")]
    private static partial void LogRecovered(ILogger logger, int shard, long sequence, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Like shard {Shard} not checked against MySQL's checkpoint after a lost Redis connection; the flusher checks it later")]
    private static partial void LogCheckSkipped(ILogger logger, int shard, Exception exception);
}

using FoodCommunity.Api.Feeds;
using FoodCommunity.Api.Infrastructure.Data;
using FoodCommunity.Api.Infrastructure.Redis;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace FoodCommunity.Api.Likes;

/// <summary>The outcome of a like or unlike.</summary>
public abstract record LikeOutcome
{
    private LikeOutcome()
    {
    }

    public sealed record Done(bool Liked, long LikeCount) : LikeOutcome;

    public sealed record PostNotFound : LikeOutcome;
}

/// <summary>
/// Likes live in Redis first. One script changes a post's like state, appends the event for the
/// write-behind flusher and counts it for the popular feed, atomically and within one hash slot; a
/// repeated like or unlike changes nothing and appends nothing. A post whose state is not in Redis
/// (never loaded, idle too long, Redis restored empty) is rebuilt from MySQL plus the events not yet
/// flushed before it is changed.
/// </summary>
public sealed partial class LikeStore(
    IConnectionMultiplexer redis, RedisKeys keys, LikeStateLoader loader, IOptions<LikeOptions> options, LikeShardRecovery recovery, TimeProvider clock,
    ILogger<LikeStore> logger)
{
    public const string CountField = "#";

    private static readonly LuaScript ChangeScript = LuaScript.Prepare("""
        if redis.call('EXISTS', @gone) == 1 then return {-2, 0} end
        if redis.call('EXISTS', @state) == 0 then return {-1, 0} end
        local changed
        if @liked == '1' then changed = redis.call('HSETNX', @state, @user, '1') else changed = redis.call('HDEL', @state, @user) end
        local count
        if changed == 1 then
          local delta = 1
          if @liked ~= '1' then delta = -1 end
          count = redis.call('HINCRBY', @state, '#', delta)
          local n = redis.call('INCR', @sequence)
          redis.call('XADD', @events, '*', 'p', @post, 'u', @user, 'l', @liked, 'n', n)
          redis.call('ZINCRBY', @popular, delta, @post)
          redis.call('EXPIRE', @popular, @popularTtl)
        else
          count = tonumber(redis.call('HGET', @state, '#'))
        end
        redis.call('EXPIRE', @state, @stateTtl)
        return {1, count}
        """);

    private static readonly LuaScript ForgetScript = LuaScript.Prepare("""
        redis.call('SET', @gone, '1', 'EX', @goneTtl)
        redis.call('DEL', @state)
        return 1
        """);

    private int Shards => options.Value.Shards;

    private long StateTtlSeconds => options.Value.StateIdleHours * 3600L;

    public async Task<LikeOutcome> SetAsync(Guid postId, Guid userId, bool liked, FoodCommunityDbContext db, CancellationToken cancellationToken)
    {
        // At most twice: the second run follows a rebuild of the post's state.
        for (var attempt = 0; ; attempt++)
        {
            var shard = RedisKeys.LikeShard(postId, Shards);
            // After a failover the state may be stale; a like must not be acknowledged on it.
            await recovery.EnsureCheckedAsync(shard, db, cancellationToken);
            var result = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(ChangeScript, new
            {
                state = keys.LikeState(postId, shard),
                gone = keys.LikeGone(postId, shard),
                events = keys.LikeEvents(shard),
                sequence = keys.LikeSequence(shard),
                popular = keys.LikePopularHour(shard, PopularRanking.HourOf(clock.GetUtcNow())),
                user = userId.ToString("N"),
                post = postId.ToString("N"),
                liked = liked ? "1" : "0",
                stateTtl = StateTtlSeconds,
                popularTtl = (long)PopularRanking.HourBucketLifetime.TotalSeconds,
            }))!;
            if ((int)result[0] == 1)
            {
                return new LikeOutcome.Done(liked, (long)result[1]);
            }

            if ((int)result[0] == -2 || attempt > 0 || (await loader.LoadAsync([postId], db, cancellationToken)).Count == 0)
            {
                return new LikeOutcome.PostNotFound();
            }
        }
    }

    /// <summary>
    /// A post just created has no likes and no events: its state starts at 0 in Redis, so its views read
    /// Redis from the first. HSETNX: a like that got there first (and built the state) is kept.
    /// </summary>
    public async Task StartAsync(Guid postId)
    {
        var key = keys.LikeState(postId, RedisKeys.LikeShard(postId, Shards));
        var database = redis.GetDatabase();
        if (await database.HashSetAsync(key, CountField, 0, When.NotExists))
        {
            await database.KeyExpireAsync(key, TimeSpan.FromSeconds(StateTtlSeconds));
        }
    }

    /// <summary>
    /// Live count and the caller's like for those posts whose state is in Redis (one pipelined round
    /// trip). Posts missing from the answer use MySQL's figures; with Redis down, all of them do.
    /// </summary>
    public async Task<IReadOnlyDictionary<Guid, (long Count, bool LikedByMe)>> ReadAsync(IReadOnlyCollection<Guid> postIds, Guid? callerId)
    {
        if (postIds.Count == 0)
        {
            return new Dictionary<Guid, (long, bool)>();
        }

        try
        {
            var batch = redis.GetDatabase().CreateBatch();
            var fields = new RedisValue[] { CountField, callerId?.ToString("N") ?? "-" };
            var reads = postIds.Select(id => (id, values: batch.HashGetAsync(keys.LikeState(id, RedisKeys.LikeShard(id, Shards)), fields))).ToList();
            batch.Execute();
            await Task.WhenAll(reads.Select(r => r.values));
            var live = new Dictionary<Guid, (long, bool)>();
            foreach (var (id, values) in reads)
            {
                var answer = await values;
                if (answer[0].HasValue)
                {
                    live[id] = ((long)answer[0], answer[1].HasValue);
                }
            }

            return live;
        }
        catch (Exception e) when (e is RedisException or RedisTimeoutException)
        {
            LogReadFallback(logger, e);
            return new Dictionary<Guid, (long, bool)>();
        }
    }

    /// <summary>
    /// A deleted post's like state leaves Redis, and a tombstone keeps a rebuild or a like that was
    /// already under way from bringing it back (its pending events are skipped by the flusher).
    /// </summary>
    public async Task ForgetAsync(Guid postId)
    {
        var shard = RedisKeys.LikeShard(postId, Shards);
        await redis.GetDatabase().ScriptEvaluateAsync(ForgetScript, new
        {
            state = keys.LikeState(postId, shard),
            gone = keys.LikeGone(postId, shard),
            goneTtl = StateTtlSeconds,
        });
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Like state unavailable in Redis; showing MySQL's figures")]
    private static partial void LogReadFallback(ILogger logger, Exception exception);
}

/// <summary>One like or unlike as the stream holds it.</summary>
public readonly record struct LikeEvent(string Post, string User, bool Liked, long Sequence)
{
    public static bool TryParse(StreamEntry entry, out LikeEvent change)
    {
        change = default;
        var post = entry["p"];
        var user = entry["u"];
        var liked = entry["l"];
        var sequence = entry["n"];
        if (post.IsNull || user.IsNull || liked.IsNull || !sequence.TryParse(out long n))
        {
            return false;
        }

        change = new LikeEvent(post!, user!, liked == "1", n);
        return true;
    }

    /// <summary>Orders stream entry ids ("ms-seq") as Redis does.</summary>
    public static int CompareIds(string left, string right) => SplitId(left).CompareTo(SplitId(right));

    /// <summary>The Unix milliseconds at which Redis appended the stream entry with this id.</summary>
    public static long MillisecondsOf(string id) => SplitId(id).Ms;

    private static (long Ms, long Seq) SplitId(string id)
    {
        var dash = id.IndexOf('-', StringComparison.Ordinal);
        return dash < 0
            ? (long.Parse(id, System.Globalization.CultureInfo.InvariantCulture), 0)
            : (long.Parse(id.AsSpan(0, dash), System.Globalization.CultureInfo.InvariantCulture), long.Parse(id.AsSpan(dash + 1), System.Globalization.CultureInfo.InvariantCulture));
    }
}

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
    IConnectionMultiplexer redis, RedisKeys keys, IOptions<LikeOptions> options, TimeProvider clock, ILogger<LikeStore> logger)
{
    public const string CountField = "#";

    private static readonly LuaScript ChangeScript = LuaScript.Prepare("""
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

    private static readonly LuaScript LoadScript = LuaScript.Prepare("""
        if redis.call('EXISTS', @state) == 1 then return 0 end
        redis.call('HSET', @state, '#', @count)
        for user in string.gmatch(@users, '[^,]+') do redis.call('HSET', @state, user, '1') end
        redis.call('EXPIRE', @state, @stateTtl)
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
            var result = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(ChangeScript, new
            {
                state = keys.LikeState(postId, shard),
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

            if (attempt > 0 || !await LoadAsync(postId, db, cancellationToken))
            {
                return new LikeOutcome.PostNotFound();
            }
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

    /// <summary>A deleted post's like state leaves Redis (its pending events are skipped by the flusher).</summary>
    public Task ForgetAsync(Guid postId) =>
        redis.GetDatabase().KeyDeleteAsync(keys.LikeState(postId, RedisKeys.LikeShard(postId, Shards)));

    /// <summary>
    /// Rebuilds a post's like state: MySQL's like rows first, then every event of the shard's stream
    /// for that post replayed in order (the stream keeps applied events for a while, so an event
    /// flushed between the two reads is still seen). False when the post does not exist.
    /// </summary>
    private async Task<bool> LoadAsync(Guid postId, FoodCommunityDbContext db, CancellationToken cancellationToken)
    {
        if (!await db.Posts.AnyAsync(p => p.Id == postId, cancellationToken))
        {
            return false;
        }

        var likers = (await db.PostLikes.AsNoTracking().Where(l => l.PostId == postId).Select(l => l.UserId).ToListAsync(cancellationToken))
            .Select(u => u.ToString("N"))
            .ToHashSet();
        var shard = RedisKeys.LikeShard(postId, Shards);
        var post = postId.ToString("N");
        var database = redis.GetDatabase();
        RedisValue from = "-";
        while (true)
        {
            var entries = await database.StreamRangeAsync(keys.LikeEvents(shard), from, "+", count: 1000);
            foreach (var entry in entries)
            {
                if (LikeEvent.TryParse(entry, out var change) && change.Post == post)
                {
                    if (change.Liked)
                    {
                        likers.Add(change.User);
                    }
                    else
                    {
                        likers.Remove(change.User);
                    }
                }
            }

            if (entries.Length < 1000)
            {
                break;
            }

            from = "(" + entries[^1].Id;
        }

        await database.ScriptEvaluateAsync(LoadScript, new
        {
            state = keys.LikeState(postId, shard),
            count = likers.Count,
            users = string.Join(',', likers),
            stateTtl = StateTtlSeconds,
        });
        LogRebuilt(logger, postId, likers.Count);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Rebuilt like state of post {PostId} with {Count} like(s)")]
    private static partial void LogRebuilt(ILogger logger, Guid postId, int count);

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
}

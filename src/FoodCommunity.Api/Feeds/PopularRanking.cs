using System.Globalization;
using FoodCommunity.Api.Infrastructure.Redis;
using FoodCommunity.Api.Likes;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace FoodCommunity.Api.Feeds;

/// <summary>
/// Likes in the last 24 hours, per post. The like script counts each like and unlike into its shard's
/// sorted set of the current hour (atomically with the like itself). A snapshot sums each shard's 24
/// hours inside the shard's slot, takes the top of each, and merges them into one ranked set that
/// clients page through, so the ranking does not shift under a cursor. A pointer names the newest
/// snapshot; <see cref="PopularSnapshotBuilder"/> builds the next one each period (a minute) on one
/// instance at a time (a lease), while every instance goes on serving the one the pointer names.
/// </summary>
public sealed class PopularRanking(IConnectionMultiplexer redis, RedisKeys keys, IOptions<LikeOptions> likes, IOptions<FeedOptions> feeds, TimeProvider clock)
{
    public const int Hours = 24;

    /// <summary>The popular feed lists at most this many posts; each shard contributes its best this many.</summary>
    public const int Depth = 500;

    public static readonly TimeSpan HourBucketLifetime = TimeSpan.FromHours(Hours + 1);
    private static readonly TimeSpan SnapshotLifetime = TimeSpan.FromMinutes(30);

    // The pointer expires with the snapshot it names, so a pointer that exists names one that does.
    private static readonly LuaScript AdvancePointerScript = LuaScript.Prepare("""
        local current = tonumber(redis.call('GET', @pointer) or '0')
        if tonumber(@snapshot) > current then
          redis.call('SET', @pointer, @snapshot, 'PX', @lifetimeMs)
        end
        return 0
        """);

    public static string HourOf(DateTimeOffset time) => time.UtcDateTime.ToString("yyyyMMddHH", CultureInfo.InvariantCulture);

    /// <summary>The id of the snapshot due now: one per period (a minute by default).</summary>
    public long DueSnapshot => clock.GetUtcNow().ToUnixTimeSeconds() / feeds.Value.PopularSnapshotSeconds;

    /// <summary>How often a builder looks whether a snapshot is due: often enough to be at most a few seconds late.</summary>
    public TimeSpan BuildCheckInterval => TimeSpan.FromSeconds(Math.Min(5, feeds.Value.PopularSnapshotSeconds / 2.0));

    /// <summary>
    /// The snapshot to serve: the newest one built. Only when there is none at all (a cold start, or
    /// every instance stopped for half an hour) does the request build one itself.
    /// </summary>
    public async Task<long> CurrentSnapshotAsync()
    {
        var pointer = await redis.GetDatabase().StringGetAsync(keys.PopularPointer());
        return pointer.TryParse(out long snapshot) ? snapshot : await BuildAsync(DueSnapshot);
    }

    /// <summary>The newest snapshot's id, or null when there is none.</summary>
    public async Task<long?> NewestSnapshotAsync()
    {
        var pointer = await redis.GetDatabase().StringGetAsync(keys.PopularPointer());
        return pointer.TryParse(out long snapshot) ? snapshot : null;
    }

    /// <summary>
    /// Builds the snapshot <paramref name="snapshot"/> of the 24 hours up to now and points to it.
    /// Concurrent builders each work on keys of their own; the first finished snapshot wins, so a
    /// snapshot clients already page through is never replaced.
    /// </summary>
    public async Task<long> BuildAsync(long snapshot)
    {
        var now = clock.GetUtcNow();
        var key = keys.PopularSnapshot(snapshot);
        var database = redis.GetDatabase();
        var build = Guid.NewGuid();
        var hours = Enumerable.Range(0, Hours).Select(h => HourOf(now.AddHours(-h))).ToList();
        var batch = database.CreateBatch();
        var tops = Enumerable.Range(0, likes.Value.Shards).Select(shard =>
        {
            var window = keys.LikePopularWindow(shard, build);
            _ = batch.SortedSetCombineAndStoreAsync(SetOperation.Union, window, hours.Select(h => keys.LikePopularHour(shard, h)).ToArray(), weights: null, Aggregate.Sum);
            var top = batch.SortedSetRangeByScoreWithScoresAsync(window, start: 1, order: Order.Descending, take: Depth);
            _ = batch.KeyDeleteAsync(window);
            return top;
        }).ToList();
        batch.Execute();
        var ranked = (await Task.WhenAll(tops)).SelectMany(entries => entries).ToArray();

        var draft = keys.PopularSnapshotDraft(snapshot, build);
        var transaction = database.CreateTransaction();
        // An empty ranking is still a snapshot a cursor may point to: a placeholder below every real score.
        _ = transaction.SortedSetAddAsync(draft, ranked.Length > 0 ? ranked : [new SortedSetEntry("-", double.MinValue)]);
        _ = transaction.KeyExpireAsync(draft, SnapshotLifetime);
        await transaction.ExecuteAsync();
        if (!await database.KeyRenameAsync(draft, key, When.NotExists))
        {
            await database.KeyDeleteAsync(draft);
        }

        await database.ScriptEvaluateAsync(AdvancePointerScript, new
        {
            pointer = keys.PopularPointer(),
            snapshot,
            lifetimeMs = (long)SnapshotLifetime.TotalMilliseconds,
        });
        return snapshot;
    }

    /// <summary>Null when the snapshot has expired (a cursor older than half an hour).</summary>
    public async Task<(IReadOnlyList<Guid> Ids, bool HasMore)?> ReadAsync(long snapshot, int offset, int count)
    {
        var key = keys.PopularSnapshot(snapshot);
        var database = redis.GetDatabase();
        // Scores of at least 1: the empty-ranking placeholder is never listed.
        var members = await database.SortedSetRangeByScoreAsync(key, start: 1, order: Order.Descending, skip: offset, take: count + 1);
        if (members.Length == 0 && !await database.KeyExistsAsync(key))
        {
            return null;
        }

        var ids = members.Take(count).Select(m => Guid.ParseExact((string)m!, "N")).ToList();
        return (ids, members.Length > count);
    }

    /// <summary>A deleted post leaves every hour of its shard's ranking.</summary>
    public async Task ForgetAsync(Guid postId)
    {
        var now = clock.GetUtcNow();
        var shard = RedisKeys.LikeShard(postId, likes.Value.Shards);
        var batch = redis.GetDatabase().CreateBatch();
        var removals = Enumerable.Range(0, Hours)
            .Select(h => batch.SortedSetRemoveAsync(keys.LikePopularHour(shard, HourOf(now.AddHours(-h))), postId.ToString("N")))
            .ToList();
        batch.Execute();
        await Task.WhenAll(removals);
    }
}

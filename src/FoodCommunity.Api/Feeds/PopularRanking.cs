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
/// clients page through, so the ranking does not shift under a cursor. Everyone asking within the
/// same minute shares a snapshot.
/// </summary>
public sealed class PopularRanking(IConnectionMultiplexer redis, RedisKeys keys, IOptions<LikeOptions> likes, TimeProvider clock)
{
    public const int Hours = 24;

    /// <summary>The popular feed lists at most this many posts; each shard contributes its best this many.</summary>
    public const int Depth = 500;

    public static readonly TimeSpan HourBucketLifetime = TimeSpan.FromHours(Hours + 1);
    private static readonly TimeSpan SnapshotLifetime = TimeSpan.FromMinutes(30);

    public static string HourOf(DateTimeOffset time) => time.UtcDateTime.ToString("yyyyMMddHH", CultureInfo.InvariantCulture);

    /// <summary>The current snapshot's id, built if this minute has none yet.</summary>
    public async Task<long> CurrentSnapshotAsync()
    {
        var now = clock.GetUtcNow();
        var snapshot = now.ToUnixTimeSeconds() / 60;
        var key = keys.PopularSnapshot(snapshot);
        var database = redis.GetDatabase();
        if (await database.KeyExistsAsync(key))
        {
            return snapshot;
        }

        // Concurrent builders each work on keys of their own; the first finished snapshot wins, so a
        // snapshot clients already page through is never replaced.
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

using System.Globalization;
using FoodCommunity.Api.Infrastructure.Redis;
using StackExchange.Redis;

namespace FoodCommunity.Api.Feeds;

/// <summary>
/// Likes in the last 24 hours, per post, in Redis: one sorted set per hour (net likes in that hour),
/// summed on demand into a snapshot that a client pages through, so the ranking does not shift under
/// its cursor. Snapshots are shared by everyone asking within the same minute. All keys carry the
/// {popular} hash tag so ZUNIONSTORE runs on Redis Cluster.
/// </summary>
public sealed class PopularRanking(IConnectionMultiplexer redis, RedisKeys keys, TimeProvider clock)
{
    private const int Hours = 24;
    private static readonly TimeSpan BucketLifetime = TimeSpan.FromHours(Hours + 1);
    private static readonly TimeSpan SnapshotLifetime = TimeSpan.FromMinutes(30);

    /// <summary>Counts a like (+1) or an unlike (-1) in the current hour, queued on the caller's batch or transaction.</summary>
    public void Record(IDatabaseAsync database, Guid postId, int delta)
    {
        var bucket = keys.PopularHour(HourOf(clock.GetUtcNow()));
        _ = database.SortedSetIncrementAsync(bucket, postId.ToString("N"), delta);
        _ = database.KeyExpireAsync(bucket, BucketLifetime);
    }

    /// <summary>The current snapshot's id, built if this minute has none yet.</summary>
    public async Task<long> CurrentSnapshotAsync()
    {
        var now = clock.GetUtcNow();
        var snapshot = now.ToUnixTimeSeconds() / 60;
        var key = keys.PopularSnapshot(snapshot);
        var database = redis.GetDatabase();
        if (!await database.KeyExistsAsync(key))
        {
            var hours = Enumerable.Range(0, Hours).Select(h => keys.PopularHour(HourOf(now.AddHours(-h)))).ToArray();
            var transaction = database.CreateTransaction();
            _ = transaction.SortedSetCombineAndStoreAsync(SetOperation.Union, key, hours, weights: null, Aggregate.Sum);
            // Posts whose likes were all taken back in the window are not popular.
            _ = transaction.SortedSetRemoveRangeByScoreAsync(key, double.NegativeInfinity, 0);
            _ = transaction.KeyExpireAsync(key, SnapshotLifetime);
            await transaction.ExecuteAsync();
        }

        return snapshot;
    }

    /// <summary>Null when the snapshot has expired (a cursor older than half an hour).</summary>
    public async Task<(IReadOnlyList<Guid> Ids, bool HasMore)?> ReadAsync(long snapshot, int offset, int count)
    {
        var key = keys.PopularSnapshot(snapshot);
        var database = redis.GetDatabase();
        var members = await database.SortedSetRangeByRankAsync(key, offset, offset + count, Order.Descending);
        if (members.Length == 0 && !await database.KeyExistsAsync(key))
        {
            return null;
        }

        var ids = members.Take(count).Select(m => Guid.ParseExact((string)m!, "N")).ToList();
        return (ids, members.Length > count);
    }

    /// <summary>A deleted post leaves every hour of the ranking.</summary>
    public async Task ForgetAsync(Guid postId)
    {
        var now = clock.GetUtcNow();
        var batch = redis.GetDatabase().CreateBatch();
        var removals = Enumerable.Range(0, Hours)
            .Select(h => batch.SortedSetRemoveAsync(keys.PopularHour(HourOf(now.AddHours(-h))), postId.ToString("N")))
            .ToList();
        batch.Execute();
        await Task.WhenAll(removals);
    }

    private static string HourOf(DateTimeOffset time) => time.UtcDateTime.ToString("yyyyMMddHH", CultureInfo.InvariantCulture);
}

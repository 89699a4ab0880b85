using Microsoft.Extensions.Caching.Hybrid;
using StackExchange.Redis;

namespace FoodCommunity.Api.Feeds;

/// <summary>
/// Invalidation of what feeds cache, after a write has committed. Best effort by design: with Redis
/// down the caches are down too, and the database (the source of truth) has the write already.
/// </summary>
public sealed partial class FeedCache(HybridCache cache, PopularRanking ranking, Likes.LikeStore likes, ILogger<FeedCache> logger)
{
    public async Task InvalidateLatestAsync()
    {
        try
        {
            await cache.RemoveAsync(FeedsApi.LatestFirstPageKey);
        }
        catch (Exception e) when (e is RedisException or RedisTimeoutException)
        {
            LogSkipped(logger, e);
        }
    }

    /// <summary>A deleted post leaves the cached first page, the popular ranking and the like buffer at once.</summary>
    public async Task ForgetPostAsync(Guid postId)
    {
        await InvalidateLatestAsync();
        try
        {
            // Likes first: their tombstone stops a like in flight from ranking the post again.
            await likes.ForgetAsync(postId);
            await ranking.ForgetAsync(postId);
        }
        catch (Exception e) when (e is RedisException or RedisTimeoutException)
        {
            LogSkipped(logger, e);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cache invalidation skipped: Redis unavailable")]
    private static partial void LogSkipped(ILogger logger, Exception exception);
}

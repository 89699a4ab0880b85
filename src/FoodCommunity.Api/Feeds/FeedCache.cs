using FoodCommunity.Api.Posts;
using FoodCommunity.Api.Users;
using StackExchange.Redis;

namespace FoodCommunity.Api.Feeds;

/// <summary>
/// Where every write tells the read caches what it changed, after its commit: post and profile cards,
/// the feeds' id lists, whom a user follows. Each removal reaches Redis before the writer is answered
/// and every instance's memory within moments (the backplane), and is made again a second later, for a
/// fill that read the old row just before the commit and stored it just after the first removal.
/// Best effort by design: with Redis down the caches are down too, and MySQL already has the write.
/// </summary>
public sealed partial class FeedCache(
    PostCards posts, ProfileCards profiles, FeedLists lists, FollowingSet following, PopularRanking ranking,
    Likes.LikeStore likes, ILogger<FeedCache> logger)
{
    /// <summary>How long after a change its removals are repeated.</summary>
    public static readonly TimeSpan SecondRemoval = TimeSpan.FromSeconds(1);

    public async Task PostPublishedAsync(Guid postId, Guid authorId, IReadOnlyCollection<string> tags)
    {
        await TryAsync(() => likes.StartAsync(postId));
        await RemoveAsync(() =>
        [
        posts.RemoveAsync(postId),
        profiles.RemoveAsync(authorId),
        lists.RemoveLatestAsync(),
        lists.RemoveAuthorAsync(authorId),
        .. tags.Select(lists.RemoveTagAsync),
        ]);
    }

    /// <summary>An edit (with the tags before and after it), a hide, or a comment added or deleted.</summary>
    public Task PostChangedAsync(Guid postId, IEnumerable<string>? tags = null) => RemoveAsync(() =>
        [posts.RemoveAsync(postId), .. (tags ?? []).Distinct(StringComparer.Ordinal).Select(lists.RemoveTagAsync)]);

    /// <summary>
    /// A deleted post leaves its card, its lists, its author's post count, the popular ranking and the
    /// like buffer. Lists the card no longer names (tags) drop it at their next fill; until then readers
    /// skip it, having no card.
    /// </summary>
    /// <remarks><c>authorId</c>: Null for a post hidden by a moderator: the card, still there, names the author.</remarks>
    public async Task ForgetPostAsync(Guid postId, Guid? authorId = null)
    {
        PostCard? card = null;
        await TryAsync(async () => card = (await posts.GetManyAsync([postId], fresh: false, CancellationToken.None)).GetValueOrDefault(postId));
        var tags = card?.Tags ?? [];
        var author = authorId ?? card?.AuthorId;
        await RemoveAsync(() =>
        [
            posts.RemoveAsync(postId),
            lists.RemoveLatestAsync(),
            .. author is { } a ? new[] { profiles.RemoveAsync(a), lists.RemoveAuthorAsync(a) } : [],
            .. tags.Select(lists.RemoveTagAsync),
        ]);
        await TryAsync(async () =>
        {
            // Likes first: their tombstone stops a like in flight from ranking the post again.
            await likes.ForgetAsync(postId);
            await ranking.ForgetAsync(postId);
        });
    }

    /// <summary>Profiles changed (an edit, an account deleted).</summary>
    public Task UsersChangedAsync(params Guid[] userIds) => RemoveAsync(() => userIds.Select(profiles.RemoveAsync).ToArray());

    /// <summary>A follow or unfollow: whom the follower follows, and both users' counts.</summary>
    public async Task FollowChangedAsync(Guid followerId, Guid followeeId)
    {
        await TryAsync(() => following.ChangedAsync(followerId));
        await UsersChangedAsync(followerId, followeeId);
    }

    private async Task RemoveAsync(Func<Task[]> removals)
    {
        await TryAsync(() => Task.WhenAll(removals()));
        _ = Task.Delay(SecondRemoval).ContinueWith(_ => TryAsync(() => Task.WhenAll(removals())), TaskScheduler.Default);
    }

    private async Task TryAsync(Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (Exception e) when (e is RedisException or RedisTimeoutException or ObjectDisposedException)
        {
            LogSkipped(logger, e);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cache invalidation skipped: Redis unavailable")]
    private static partial void LogSkipped(ILogger logger, Exception exception);
}

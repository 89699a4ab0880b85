using FoodCommunity.Api.Infrastructure.Data;
using FoodCommunity.Api.Infrastructure.Redis;
using FoodCommunity.Api.Likes;
using FoodCommunity.Api.Users;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace FoodCommunity.Api.Notifications;

/// <summary>
/// Turns the like buffer's event streams into grouped like notifications: a second reader of the
/// streams the write-behind flush reads, with a cursor per shard in Redis and a short lease so one
/// instance reads a shard at a time. A like costs no MySQL write and no work in the like request;
/// a batch costs one query for the posts' authors and one small script per event. Replaying an
/// event changes nothing (the liker's time is the event's), so a crash between the notifications
/// and the cursor only repeats work. If the notifier falls further behind than the stream keeps
/// events (Likes:AppliedEventRetentionSeconds), the skipped likes are not notified.
/// </summary>
public sealed partial class LikeNotifier(
    IServiceScopeFactory scopes, IConnectionMultiplexer redis, RedisKeys keys, NotificationStore store, BlockList blocks,
    IOptions<LikeOptions> likes, ILogger<LikeNotifier> logger) : BackgroundService
{
    private const int Batch = 500;
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan LeaseLifetime = TimeSpan.FromSeconds(10);
    private readonly string _holder = Guid.NewGuid().ToString("N");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            for (var shard = 0; shard < likes.Value.Shards && !stoppingToken.IsCancellationRequested; shard++)
            {
                try
                {
                    await NotifyShardAsync(shard, stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogFailed(logger, e, shard);
                }
            }

            await Task.Delay(Interval, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private async Task NotifyShardAsync(int shard, CancellationToken cancellationToken)
    {
        var database = redis.GetDatabase();
        var lease = keys.LikeNotifierLease(shard);
        if (!await database.StringSetAsync(lease, _holder, LeaseLifetime, When.NotExists)
            && (string?)await database.StringGetAsync(lease) != _holder)
        {
            return;
        }

        await database.KeyExpireAsync(lease, LeaseLifetime);
        var cursorKey = keys.LikeNotifiedThrough(shard);
        var cursor = (string?)await database.StringGetAsync(cursorKey);
        if (cursor is null)
        {
            // A first start tells of likes from now on, not of the stream's history.
            var last = await database.StreamRangeAsync(keys.LikeEvents(shard), "-", "+", count: 1, messageOrder: Order.Descending);
            await database.StringSetAsync(cursorKey, last.Length == 0 ? "0-0" : (string)last[0].Id!);
            return;
        }

        var entries = await database.StreamRangeAsync(keys.LikeEvents(shard), "(" + cursor, "+", count: Batch);
        if (entries.Length == 0)
        {
            return;
        }

        var events = entries
            .Select(e => (Id: (string)e.Id!, Ok: LikeEvent.TryParse(e, out var change), Change: change))
            .Where(e => e.Ok)
            .Select(e => (e.Id, Post: Guid.ParseExact(e.Change.Post, "N"), User: Guid.ParseExact(e.Change.User, "N"), e.Change.Liked))
            .ToList();
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<FoodCommunityDbContext>();
            var postIds = events.Select(e => e.Post).Distinct().ToList();
            var authors = await db.Posts.AsNoTracking().Where(p => postIds.Contains(p.Id) && p.HiddenAt == null)
                .Select(p => new { p.Id, p.AuthorId }).ToDictionaryAsync(p => p.Id, p => p.AuthorId, cancellationToken);
            var hidden = new Dictionary<Guid, IReadOnlySet<Guid>>();
            var writes = new List<Task>();
            foreach (var (id, post, user, liked) in events)
            {
                if (!authors.TryGetValue(post, out var author) || author == user)
                {
                    continue;
                }

                if (!hidden.TryGetValue(author, out var hiddenFromAuthor))
                {
                    hidden[author] = hiddenFromAuthor = await blocks.HiddenForAsync(author, cancellationToken);
                }

                if (hiddenFromAuthor.Contains(user))
                {
                    continue;
                }

                var time = DateTimeOffset.FromUnixTimeMilliseconds(LikeEvent.MillisecondsOf(id));
                writes.Add(liked ? store.AddLikeAsync(author, post, user, time) : store.RemoveLikeAsync(author, post, user, time));
            }

            await Task.WhenAll(writes);
        }

        await database.StringSetAsync(cursorKey, (string)entries[^1].Id!);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Like notifications of shard {Shard} failed; tried again next round")]
    private static partial void LogFailed(ILogger logger, Exception exception, int shard);
}

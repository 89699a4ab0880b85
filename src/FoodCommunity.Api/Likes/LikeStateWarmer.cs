using System.Collections.Concurrent;
using System.Threading.Channels;
using FoodCommunity.Api.Infrastructure.Data;
using StackExchange.Redis;

namespace FoodCommunity.Api.Likes;

/// <summary>
/// Loads the like state of posts that were viewed without one (not liked for days, or Redis lost it),
/// in the background: the view that noticed answered from MySQL once, and the next views of the post
/// read Redis. Bounded: at most <see cref="Capacity"/> posts wait, each once; more are dropped and
/// asked for again by a later view.
/// </summary>
public sealed partial class LikeStateWarmer(LikeStore likes, IServiceScopeFactory scopes, ILogger<LikeStateWarmer> logger) : BackgroundService
{
    private const int Capacity = 10_000;

    private readonly Channel<Guid> _queue = Channel.CreateBounded<Guid>(new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private readonly ConcurrentDictionary<Guid, byte> _waiting = new();

    public void Request(IEnumerable<Guid> postIds)
    {
        foreach (var id in postIds)
        {
            if (_waiting.TryAdd(id, 0) && !_queue.Writer.TryWrite(id))
            {
                _waiting.TryRemove(id, out _);
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var postId in _queue.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await likes.LoadAsync(postId, scope.ServiceProvider.GetRequiredService<FoodCommunityDbContext>(), stoppingToken);
            }
            catch (Exception e) when (e is RedisException or RedisTimeoutException or MySqlConnector.MySqlException or TimeoutException)
            {
                LogWarmFailed(logger, postId, e);
            }
            finally
            {
                _waiting.TryRemove(postId, out _);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Like state of post {PostId} not loaded; a later view asks again")]
    private static partial void LogWarmFailed(ILogger logger, Guid postId, Exception exception);
}

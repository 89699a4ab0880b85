using System.Collections.Concurrent;
using System.Threading.Channels;
using FoodCommunity.Api.Infrastructure.Data;
using StackExchange.Redis;

namespace FoodCommunity.Api.Likes;

/// <summary>
/// Loads the like state of posts that were viewed without one (not liked for days, or Redis lost it),
/// in the background and in batches: the view that noticed answered from MySQL once, and the next views
/// of the post read Redis. Bounded: at most <see cref="Capacity"/> posts wait, each once; more are dropped and
/// asked for again by a later view.
/// </summary>
public sealed partial class LikeStateWarmer(LikeStateLoader loader, IServiceScopeFactory scopes, ILogger<LikeStateWarmer> logger) : BackgroundService
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
        // Whatever waits, up to a batch at a time: under a burst of cold views the batches fill, and
        // each costs one MySQL snapshot instead of one per post.
        var batch = new List<Guid>(LikeStateLoader.MaxBatch);
        while (await _queue.Reader.WaitToReadAsync(stoppingToken))
        {
            while (batch.Count < LikeStateLoader.MaxBatch && _queue.Reader.TryRead(out var postId))
            {
                batch.Add(postId);
            }

            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await loader.LoadAsync(batch, scope.ServiceProvider.GetRequiredService<FoodCommunityDbContext>(), stoppingToken);
            }
            catch (Exception e) when (e is RedisException or RedisTimeoutException or MySqlConnector.MySqlException or TimeoutException)
            {
                LogWarmFailed(logger, batch.Count, e);
            }
            finally
            {
                foreach (var postId in batch)
                {
                    _waiting.TryRemove(postId, out _);
                }

                batch.Clear();
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Like state of {Count} post(s) not loaded; a later view asks again")]
    private static partial void LogWarmFailed(ILogger logger, int count, Exception exception);
}

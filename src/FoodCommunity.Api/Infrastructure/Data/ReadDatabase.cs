using FoodCommunity.Api.Infrastructure.Redis;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace FoodCommunity.Api.Infrastructure.Data;

/// <summary>
/// Picks where a read goes. Feeds and profiles read the replica, except for a caller who wrote in the
/// last few seconds: their reads go to the primary, so their own post, comment or follow never
/// vanishes from their view because the replica lags. The marker lives in Redis, so it holds on
/// whichever instance the ALB sends the next request to.
/// </summary>
public sealed class ReadDatabase(
    FoodCommunityDbContext primary,
    ReplicaDbContext replica,
    IConnectionMultiplexer redis,
    RedisKeys keys,
    IOptions<ConnectionStringsOptions> connectionStrings,
    IOptions<DatabaseOptions> options)
{
    private bool HasReplica => !string.IsNullOrWhiteSpace(connectionStrings.Value.MySqlReplica);

    public async Task<FoodCommunityDbContext> ForAsync(Guid? callerId)
    {
        if (!HasReplica)
        {
            return primary;
        }

        if (callerId is not { } id)
        {
            return replica;
        }

        try
        {
            return await redis.GetDatabase().KeyExistsAsync(keys.RecentWriter(id)) ? primary : replica;
        }
        catch (RedisException)
        {
            // Unknown whether the caller just wrote: the primary is always right.
            return primary;
        }
    }

    /// <summary>Called after every write a user makes, before answering them.</summary>
    public async Task MarkWriteAsync(Guid userId)
    {
        if (!HasReplica)
        {
            return;
        }

        try
        {
            await redis.GetDatabase().StringSetAsync(keys.RecentWriter(userId), "1", TimeSpan.FromSeconds(options.Value.ReadYourWritesSeconds));
        }
        catch (RedisException)
        {
            // While Redis is down, ForAsync sends every signed-in caller to the primary anyway.
        }
    }
}

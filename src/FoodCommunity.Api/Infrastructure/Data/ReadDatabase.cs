using FoodCommunity.Api.Infrastructure.Redis;
using Microsoft.EntityFrameworkCore;
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
    ReplicaMonitor replicaMonitor,
    IConnectionMultiplexer redis,
    RedisKeys keys,
    IOptions<ConnectionStringsOptions> connectionStrings,
    IOptions<DatabaseOptions> options)
{
    private readonly Dictionary<Guid, bool> _wroteRecently = [];

    private bool HasReplica => !string.IsNullOrWhiteSpace(connectionStrings.Value.MySqlReplica);

    public async Task<FoodCommunityDbContext> ForAsync(Guid? callerId)
    {
        var db = !HasReplica || !replicaMonitor.Available || await WroteRecentlyAsync(callerId) ? primary : replica;
        // One connection for all of the request's reads (returned to the pool with the scope): left to
        // itself EF opens one per query, and every open from the pool costs a session reset round trip.
        await db.Database.OpenConnectionAsync();
        return db;
    }

    /// <summary>
    /// True when the caller wrote within the read-your-writes window (or that cannot be known): their
    /// reads must see the primary, and the caches' memory copies are not for them either.
    /// </summary>
    public async Task<bool> WroteRecentlyAsync(Guid? callerId)
    {
        if (callerId is not { } id)
        {
            return false;
        }

        // Decided once per request (this service is scoped): one Redis look-up however many reads the
        // handler makes, and all of them on the same side even if the marker expires meanwhile.
        if (_wroteRecently.TryGetValue(id, out var known))
        {
            return known;
        }

        bool wrote;
        try
        {
            wrote = await redis.GetDatabase().KeyExistsAsync(keys.RecentWriter(id));
        }
        catch (Exception e) when (e is RedisException or RedisTimeoutException)
        {
            // Unknown whether the caller just wrote: the primary is always right.
            wrote = true;
        }

        _wroteRecently[id] = wrote;
        return wrote;
    }

    /// <summary>
    /// Called after every write a user makes, before answering them. Kept with or without a replica:
    /// the caches read past their per-instance memory for such a caller too (see Caching.CardCache).
    /// </summary>
    public async Task MarkWriteAsync(Guid userId)
    {
        _wroteRecently[userId] = true;

        try
        {
            await redis.GetDatabase().StringSetAsync(keys.RecentWriter(userId), "1", TimeSpan.FromSeconds(options.Value.ReadYourWritesSeconds));
        }
        catch (Exception e) when (e is RedisException or RedisTimeoutException)
        {
            // While Redis is down, ForAsync sends every signed-in caller to the primary anyway.
        }
    }
}

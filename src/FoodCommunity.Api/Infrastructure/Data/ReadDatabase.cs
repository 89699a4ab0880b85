using FoodCommunity.Api.Infrastructure.Redis;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace FoodCommunity.Api.Infrastructure.Data;

/// <summary>
/// Picks where a read goes. Feeds and profiles read the replica, except for a caller whose last write
/// the replica has not applied yet: their reads go to the primary, so their own post, comment or follow
/// never vanishes from their view because the replica lags. The marker (the write's time) lives in
/// Redis, so it holds on whichever instance the ALB sends the next request to; see
/// <see cref="IsAheadOfReplica"/> for when it stops counting.
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
    /// <summary>The caller's marker as read once per request; null when Redis could not say (treated as a fresh write).</summary>
    private readonly Dictionary<Guid, RedisValue?> _markers = [];

    private bool HasReplica => !string.IsNullOrWhiteSpace(connectionStrings.Value.MySqlReplica);

    public async Task<FoodCommunityDbContext> ForAsync(Guid? callerId)
    {
        var db = !HasReplica || !replicaMonitor.Available || (callerId is { } id && IsAheadOfReplica(await MarkerAsync(id))) ? primary : replica;
        // One connection for all of the request's reads (returned to the pool with the scope): left to
        // itself EF opens one per query, and every open from the pool costs a session reset round trip.
        await db.Database.OpenConnectionAsync();
        return db;
    }

    /// <summary>
    /// True when the caller wrote within the read-your-writes window (or that cannot be known): the
    /// caches' per-instance memory copies are not for them (see Caching.CardCache). Whether their reads
    /// also need the primary depends on the replica having applied the write (<see cref="ForAsync"/>).
    /// </summary>
    public async Task<bool> WroteRecentlyAsync(Guid? callerId) =>
        callerId is { } id && await MarkerAsync(id) is not { HasValue: false };

    /// <summary>
    /// Read once per request (this service is scoped): one Redis look-up however many reads the handler
    /// makes, and all of them on the same side even if the marker expires meanwhile.
    /// </summary>
    private async Task<RedisValue?> MarkerAsync(Guid userId)
    {
        if (_markers.TryGetValue(userId, out var known))
        {
            return known;
        }

        RedisValue? marker;
        try
        {
            marker = await redis.GetDatabase().StringGetAsync(keys.RecentWriter(userId));
        }
        catch (Exception e) when (e is RedisException or RedisTimeoutException)
        {
            // Unknown whether the caller just wrote: the primary is always right.
            marker = null;
        }

        _markers[userId] = marker;
        return marker;
    }

    /// <summary>
    /// Called after every write a user makes, before answering them. Kept with or without a replica:
    /// the caches read past their per-instance memory for such a caller too (see Caching.CardCache).
    /// </summary>
    public async Task MarkWriteAsync(Guid userId)
    {
        _markers[userId] = WriteMarker();

        try
        {
            await redis.GetDatabase().StringSetAsync(keys.RecentWriter(userId), WriteMarker(), options.Value.ReadYourWritesWindow);
        }
        catch (Exception e) when (e is RedisException or RedisTimeoutException)
        {
            // While Redis is down, ForAsync sends every signed-in caller to the primary anyway.
        }
    }

    // ---- Adaptive read-your-writes window (replica lag measured by ReplicaMonitor's heartbeat).

    /// <summary>The marker's value: when the write was acknowledged, in Unix milliseconds (UTC).</summary>
    private const long OldestMarkerTime = 1_000_000_000_000; // 2001: below it, the older "1" marker.

    private static RedisValue WriteMarker() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    /// <summary>
    /// A marker counts until the replica holds a heartbeat stamped after the write (replication applies
    /// commits in order, so it then holds the write too), or the marker expires (ReadYourWritesWindow: by
    /// then the replica has caught up or lags beyond the limit and gets no reads). A marker that cannot be
    /// read as a time (written by an older instance) counts until it expires.
    /// </summary>
    private bool IsAheadOfReplica(RedisValue? read) =>
        read is not { } marker ||
        marker.HasValue &&
        (!marker.TryParse(out long writtenAtMs) || writtenAtMs < OldestMarkerTime ||
         !replicaMonitor.HasCaughtUpWith(DateTimeOffset.FromUnixTimeMilliseconds(writtenAtMs).UtcDateTime));
}

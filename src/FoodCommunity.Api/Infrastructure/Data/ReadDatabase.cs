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
    /// reads must see the primary, so shared caches filled from the replica are not for them either.
    /// </summary>
    public async Task<bool> WroteRecentlyAsync(Guid? callerId)
    {
        if (!HasReplica || callerId is not { } id)
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
            wrote = IsAheadOfReplica(await redis.GetDatabase().StringGetAsync(keys.RecentWriter(id)));
        }
        catch (Exception e) when (e is RedisException or RedisTimeoutException)
        {
            // Unknown whether the caller just wrote: the primary is always right.
            wrote = true;
        }

        _wroteRecently[id] = wrote;
        return wrote;
    }

    /// <summary>Called after every write a user makes, before answering them.</summary>
    public async Task MarkWriteAsync(Guid userId)
    {
        if (!HasReplica)
        {
            return;
        }

        _wroteRecently[userId] = true;

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
    private bool IsAheadOfReplica(RedisValue marker) =>
        marker.HasValue &&
        (!marker.TryParse(out long writtenAtMs) || writtenAtMs < OldestMarkerTime ||
         !replicaMonitor.HasCaughtUpWith(DateTimeOffset.FromUnixTimeMilliseconds(writtenAtMs).UtcDateTime));
}

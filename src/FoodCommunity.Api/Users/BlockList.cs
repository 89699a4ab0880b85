using FoodCommunity.Api.Infrastructure.Data;
using FoodCommunity.Api.Infrastructure.Redis;
using Microsoft.EntityFrameworkCore;
using StackExchange.Redis;

namespace FoodCommunity.Api.Users;

/// <summary>
/// Whom a user must not see, and who must not see them: everyone they block and everyone who blocks
/// them (blocking is mutual in effect). Read on every signed-in request, so it is one Redis set per
/// user, a single SMEMBERS; MySQL's blocks table is the truth it is rebuilt from. A block or unblock
/// bumps both users' versions after its commit and drops their sets, and a rebuild writes its set only
/// if the version it started from is still current, so a set built from a read that missed a
/// concurrent block never lands: the next read on any instance sees the block.
/// </summary>
public sealed class BlockList(IConnectionMultiplexer redis, RedisKeys keys)
{
    /// <summary>A member every stored set has, so an empty list is told apart from one not loaded.</summary>
    private const string Loaded = "-";

    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);

    // KEYS: the set, its version. ARGV: the version the rebuild started from, the lifetime, then the members.
    private const string StoreScript = """
        if (redis.call('GET', KEYS[2]) or '0') ~= ARGV[1] then return 0 end
        redis.call('DEL', KEYS[1])
        redis.call('SADD', KEYS[1], unpack(ARGV, 3))
        redis.call('EXPIRE', KEYS[1], ARGV[2])
        return 1
        """;

    public static readonly IReadOnlySet<Guid> None = new HashSet<Guid>();

    /// <summary>The users hidden from <paramref name="userId"/> and from whom it is hidden; empty for anonymous callers.</summary>
    public async Task<IReadOnlySet<Guid>> HiddenForAsync(FoodCommunityDbContext db, Guid? userId, CancellationToken cancellationToken)
    {
        if (userId is not { } me)
        {
            return None;
        }

        var database = redis.GetDatabase();
        var members = await database.SetMembersAsync(keys.BlockSet(me));
        if (members.Length > 0)
        {
            return members.Where(m => m != Loaded).Select(m => Guid.ParseExact((string)m!, "N")).ToHashSet();
        }

        var version = (string?)await database.StringGetAsync(keys.BlockVersion(me)) ?? "0";
        var hidden = await db.Blocks.AsNoTracking().Where(b => b.BlockerId == me).Select(b => b.BlockedId)
            .Concat(db.Blocks.AsNoTracking().Where(b => b.BlockedId == me).Select(b => b.BlockerId))
            .ToListAsync(cancellationToken);
        await database.ScriptEvaluateAsync(StoreScript,
            [keys.BlockSet(me), keys.BlockVersion(me)],
            [version, (long)Lifetime.TotalSeconds, Loaded, .. hidden.Select(id => (RedisValue)id.ToString("N"))]);
        return hidden.ToHashSet();
    }

    /// <summary>After a block or unblock has committed: both users' next reads, on any instance, rebuild from MySQL.</summary>
    public async Task ChangedAsync(Guid first, Guid second)
    {
        var database = redis.GetDatabase();
        await Task.WhenAll(new[] { first, second }.Select(async user =>
        {
            await database.StringIncrementAsync(keys.BlockVersion(user));
            await database.KeyDeleteAsync(keys.BlockSet(user));
        }));
    }

    /// <summary>Whether either user blocks the other, from MySQL (inside a writer's transaction).</summary>
    public static Task<bool> EitherBlocksAsync(FoodCommunityDbContext db, Guid first, Guid second, CancellationToken cancellationToken) =>
        db.Blocks.AnyAsync(b => (b.BlockerId == first && b.BlockedId == second) || (b.BlockerId == second && b.BlockedId == first), cancellationToken);
}

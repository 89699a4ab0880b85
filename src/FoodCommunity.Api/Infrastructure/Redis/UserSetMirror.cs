using StackExchange.Redis;

namespace FoodCommunity.Api.Infrastructure.Redis;

/// <summary>
/// A per-user set of user ids mirrored from a MySQL table into Redis (one SMEMBERS per read), with a
/// version beside it. A change bumps the version and drops the set after its commit; a rebuild stores
/// its set only if the version it started from is still current, so a set built from a read that
/// missed a concurrent change never lands, and the next read on any instance rebuilds from MySQL.
/// The set and its version share a hash tag: the store script touches one slot.
/// </summary>
public sealed class UserSetMirror(IConnectionMultiplexer redis, IServiceScopeFactory scopes)
{
    /// <summary>A member every stored set has, so an empty set is told apart from one not loaded.</summary>
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

    /// <summary>The members, from Redis, or from <paramref name="load"/> (run on the primary, in a scope of its own) and then stored.</summary>
    public async Task<HashSet<Guid>> ReadAsync(
        RedisKey set, RedisKey version, Func<Data.FoodCommunityDbContext, CancellationToken, Task<List<Guid>>> load, CancellationToken cancellationToken)
    {
        var database = redis.GetDatabase();
        var members = await database.SetMembersAsync(set);
        if (members.Length > 0)
        {
            var ids = new HashSet<Guid>(members.Length);
            foreach (var member in members)
            {
                if (member != Loaded)
                {
                    ids.Add(Guid.ParseExact((string)member!, "N"));
                }
            }

            return ids;
        }

        var startedFrom = (string?)await database.StringGetAsync(version) ?? "0";
        List<Guid> loaded;
        await using (var scope = scopes.CreateAsyncScope())
        {
            loaded = await load(scope.ServiceProvider.GetRequiredService<Data.FoodCommunityDbContext>(), cancellationToken);
        }

        await database.ScriptEvaluateAsync(StoreScript, [set, version],
            [startedFrom, (long)Lifetime.TotalSeconds, Loaded, .. loaded.Select(id => (RedisValue)id.ToString("N"))]);
        return loaded.ToHashSet();
    }

    /// <summary>
    /// Which of <paramref name="candidates"/> are members: one SMISMEMBER of the candidates (a page's
    /// authors, not the whole set, which can hold thousands), asking for the loaded marker too; a set not
    /// loaded is read whole (and so rebuilt) by <see cref="ReadAsync"/>.
    /// </summary>
    public async Task<IReadOnlySet<Guid>> WhichAreMembersAsync(
        RedisKey set, RedisKey version, IReadOnlyCollection<Guid> candidates,
        Func<Data.FoodCommunityDbContext, CancellationToken, Task<List<Guid>>> load, CancellationToken cancellationToken)
    {
        var asked = new RedisValue[candidates.Count + 1];
        asked[0] = Loaded;
        var i = 1;
        foreach (var candidate in candidates)
        {
            asked[i++] = candidate.ToString("N");
        }

        var answers = await redis.GetDatabase().SetContainsAsync(set, asked);
        if (!answers[0])
        {
            var all = await ReadAsync(set, version, load, cancellationToken);
            return candidates.Where(all.Contains).ToHashSet();
        }

        var members = new HashSet<Guid>();
        i = 1;
        foreach (var candidate in candidates)
        {
            if (answers[i++])
            {
                members.Add(candidate);
            }
        }

        return members;
    }

    /// <summary>After a change has committed: the next read on any instance rebuilds from MySQL.</summary>
    public async Task ChangedAsync(RedisKey set, RedisKey version)
    {
        var database = redis.GetDatabase();
        await database.StringIncrementAsync(version);
        await database.KeyDeleteAsync(set);
    }
}

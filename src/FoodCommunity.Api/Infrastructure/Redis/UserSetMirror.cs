using Microsoft.Extensions.Caching.Memory;
using StackExchange.Redis;

namespace FoodCommunity.Api.Infrastructure.Redis;

/// <summary>
/// A per-user set of user ids mirrored from a MySQL table into Redis, with a version beside it, and a
/// copy in this instance's memory. A change gives the version a new random value and drops the set, in
/// one step, after its commit. A read asks Redis for the version only (one short GET) and answers from
/// memory when its copy carries that version, so a set of thousands of follows is not sent and parsed
/// on every request, and every instance sees a change on its next read. Otherwise it reads the set with
/// its version in one step, or rebuilds it from MySQL and stores it only if the version it started
/// from is still current, so a set built from a read that missed a concurrent change never lands.
/// Versions are random numbers, not counted, so a Redis that lost its data cannot bring an old version (and a
/// stale copy) back. The set and its version share a hash tag: every script touches one slot.
/// </summary>
public sealed class UserSetMirror(IConnectionMultiplexer redis, IServiceScopeFactory scopes)
{
    /// <summary>A member every stored set has, so an empty set is told apart from one not loaded.</summary>
    private const string Loaded = "-";

    /// <summary>The bound of the memory copies, in members (about 30 bytes each, so ~30 MB): the follow sets of the peak's 10,000 users at ~80 follows each fit.</summary>
    private const long MaxMembersInMemory = 1_000_000;

    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);

    /// <summary>A copy not read for this long leaves memory (its user has gone quiet).</summary>
    private static readonly TimeSpan MemoryIdle = TimeSpan.FromMinutes(10);

    // KEYS: the set, its version. ARGV: the version the rebuild started from, the lifetime, then the members.
    private const string StoreScript = """
        if (redis.call('GET', KEYS[2]) or '0') ~= ARGV[1] then return 0 end
        redis.call('DEL', KEYS[1])
        redis.call('SADD', KEYS[1], unpack(ARGV, 3))
        redis.call('EXPIRE', KEYS[1], ARGV[2])
        return 1
        """;

    // KEYS: the set, its version. The version and the members as of that version.
    private const string ReadScript = """
        return { redis.call('GET', KEYS[2]) or '0', redis.call('SMEMBERS', KEYS[1]) }
        """;

    // KEYS: the set, its version. ARGV: the new version, its lifetime. A version outlives any set stored
    // under it; once it expires, reads see '0' with whatever set is left, which no change has touched since.
    private const string ChangeScript = """
        redis.call('SET', KEYS[2], ARGV[1], 'EX', ARGV[2])
        redis.call('DEL', KEYS[1])
        return 1
        """;

    private readonly MemoryCache _copies = new(new MemoryCacheOptions { SizeLimit = MaxMembersInMemory });

    private sealed record Copy(string Version, HashSet<Guid> Members);

    /// <summary>The members, from memory, Redis, or <paramref name="load"/> (run on the primary, in a scope of its own) and then stored.</summary>
    public async Task<IReadOnlySet<Guid>> ReadAsync(
        RedisKey set, RedisKey version, Func<Data.FoodCommunityDbContext, CancellationToken, Task<List<Guid>>> load, CancellationToken cancellationToken)
    {
        var database = redis.GetDatabase();
        var cacheKey = (string)set!;
        if (_copies.TryGetValue(cacheKey, out Copy? copy))
        {
            var current = (string?)await database.StringGetAsync(version) ?? "0";
            if (current == copy!.Version)
            {
                return copy.Members;
            }
        }

        var read = (RedisResult[])(await database.ScriptEvaluateAsync(ReadScript, [set, version]))!;
        var readVersion = (string)read[0]!;
        var members = (RedisValue[])read[1]!;
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

            Remember(cacheKey, readVersion, ids);
            return ids;
        }

        List<Guid> loaded;
        await using (var scope = scopes.CreateAsyncScope())
        {
            loaded = await load(scope.ServiceProvider.GetRequiredService<Data.FoodCommunityDbContext>(), cancellationToken);
        }

        var rebuilt = loaded.ToHashSet();
        var stored = (int)await database.ScriptEvaluateAsync(StoreScript, [set, version],
            [readVersion, (long)Lifetime.TotalSeconds, Loaded, .. loaded.Select(id => (RedisValue)id.ToString("N"))]);
        if (stored == 1)
        {
            Remember(cacheKey, readVersion, rebuilt);
        }

        return rebuilt;
    }

    /// <summary>After a change has committed: a new version and no set, so the next read on any instance rebuilds from MySQL.</summary>
    public async Task ChangedAsync(RedisKey set, RedisKey version)
    {
        await redis.GetDatabase().ScriptEvaluateAsync(ChangeScript, [set, version], [NewVersion(), (long)(2 * Lifetime).TotalSeconds]);
        _copies.Remove((string)set!);
    }

    /// <summary>A random integer: an instance of the previous release, still running during a rolling deploy, INCRs it.</summary>
    private static long NewVersion() => Random.Shared.NextInt64(1, long.MaxValue / 2);

    private void Remember(string key, string version, HashSet<Guid> members) =>
        _copies.Set(key, new Copy(version, members), new MemoryCacheEntryOptions { Size = members.Count + 1, SlidingExpiration = MemoryIdle });
}

using ZiggyCreatures.Caching.Fusion;

namespace FoodCommunity.Api.Infrastructure.Caching;

/// <summary>
/// Cards by id, for a page at a time: process memory first, then Redis for the misses (one pipelined
/// batch), then one batched load for what neither holds. An id that does not exist is cached as absent
/// for a minute, so a page of deleted posts costs no query either. Fills notify no other instance: they
/// change nothing. Writers remove cards (<see cref="RemoveAsync"/>), which every instance hears.
/// </summary>
public sealed class CardCache(IFusionCache cache)
{
    private static readonly TimeSpan AbsentFor = TimeSpan.FromMinutes(1);

    // Every option set starts from the defaults (CachingSetup): memory entries must carry a size.
    private readonly FusionCacheEntryOptions _memoryOnly = cache.CreateEntryOptions(entry => entry.SkipDistributedCacheRead = true);
    private readonly FusionCacheEntryOptions _redisOnly = cache.CreateEntryOptions(entry => entry.SkipMemoryCacheRead = true);

    /// <remarks><c>fresh</c>: Skip this instance's memory: for a caller who just wrote, whose change other instances' memory may not have heard of yet.</remarks>
    public async Task<Dictionary<Guid, T>> GetManyAsync<T>(
        string prefix, IReadOnlyCollection<Guid> ids, bool fresh, TimeSpan lifetime,
        Func<IReadOnlyList<Guid>, CancellationToken, Task<Dictionary<Guid, T>>> load, CancellationToken cancellationToken)
        where T : class
    {
        var found = new Dictionary<Guid, T>(ids.Count);
        List<Guid> missing = [];
        foreach (var id in ids)
        {
            if (!fresh && cache.TryGet<T?>(Key(prefix, id), _memoryOnly, cancellationToken) is { HasValue: true } held)
            {
                if (held.Value is { } card)
                {
                    found[id] = card;
                }
            }
            else if (!found.ContainsKey(id))
            {
                missing.Add(id);
            }
        }

        if (missing.Count > 0)
        {
            var reads = missing.Distinct().Select(id => (Id: id, Read: cache.TryGetAsync<T?>(Key(prefix, id), _redisOnly, cancellationToken).AsTask())).ToList();
            await Task.WhenAll(reads.Select(r => r.Read));
            missing.Clear();
            foreach (var (id, read) in reads)
            {
                var stored = await read;
                if (!stored.HasValue)
                {
                    missing.Add(id);
                }
                else if (stored.Value is { } card)
                {
                    found[id] = card;
                }
            }
        }

        if (missing.Count > 0)
        {
            var loaded = await load(missing, cancellationToken);
            var fill = cache.CreateEntryOptions(entry => entry.SkipBackplaneNotifications = true, lifetime);
            var absent = cache.CreateEntryOptions(entry => entry.SkipBackplaneNotifications = true, AbsentFor);
            await Task.WhenAll(missing.Select(id =>
            {
                var card = loaded.GetValueOrDefault(id);
                if (card is not null)
                {
                    found[id] = card;
                }

                return cache.SetAsync<T?>(Key(prefix, id), card, card is null ? absent : fill, token: cancellationToken).AsTask();
            }));
        }

        return found;
    }

    /// <summary>After a committed change: gone from Redis before this returns, and from every instance's memory within moments.</summary>
    public Task RemoveAsync(string prefix, Guid id) => cache.RemoveAsync(Key(prefix, id)).AsTask();

    private static string Key(string prefix, Guid id) => $"{prefix}:{id:N}";
}

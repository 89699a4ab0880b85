using System.Diagnostics.Metrics;
using System.Text.Json;
using FoodCommunity.Api.Infrastructure.Observability;
using FoodCommunity.Api.Infrastructure.Redis;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using ZiggyCreatures.Caching.Fusion;
using ZiggyCreatures.Caching.Fusion.Backplane.StackExchangeRedis;
using ZiggyCreatures.Caching.Fusion.Serialization.SystemTextJson;

namespace FoodCommunity.Api.Infrastructure.Caching;

/// <summary>
/// One cache for cards and id lists: process memory first, Redis second, and a Redis pub/sub backplane
/// that evicts every other instance's memory copy when an entry is changed or removed (FusionCache).
/// Consistency stated in docs/caching.md: a change is seen by its writer at once and by everyone within
/// a second; fills never notify (they change nothing), only writes do.
/// </summary>
internal static class CachingSetup
{
    /// <summary>
    /// Entries held in memory per instance; every entry counts 1 (cards and lists are small and alike).
    /// Sized to the evening peak's working set: the 10,000 signed-in users of the benchmark follow
    /// ~99,000 distinct authors, whose newest-post lists a home page merges, and see their posts' and
    /// authors' cards. At 40,000 the memory level thrashed (73% hits, 6% of the API's CPU in compaction).
    /// </summary>
    public const int MemoryEntries = 250_000;

    public static WebApplicationBuilder AddFoodCommunityCaching(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<RedisCacheOptions>()
            .Configure<IServiceProvider, IOptions<RedisOptions>>((cache, services, redis) =>
            {
                cache.ConnectionMultiplexerFactory = () => Task.FromResult(services.GetRequiredService<IConnectionMultiplexer>());
                cache.InstanceName = redis.Value.KeyPrefix + "cache:";
            });
        builder.Services.AddSingleton<IDistributedCache>(services => new RedisCache(services.GetRequiredService<IOptions<RedisCacheOptions>>()));
        builder.Services.AddSingleton<CacheMetrics>();
        builder.Services.AddSingleton<CardCache>();

        builder.Services.AddFusionCache()
            .WithOptions((services, options) =>
            {
                // Instances of one environment share the channel; test runs and environments with their own key prefix do not.
                options.BackplaneChannelPrefix = services.GetRequiredService<IOptions<RedisOptions>>().Value.KeyPrefix + "cache";
                // A process that cannot reach Redis serves from memory and catches up; it never waits for the backplane.
                options.WaitForInitialBackplaneSubscribe = false;
            })
            .WithDefaultEntryOptions(entry =>
            {
                entry.Duration = TimeSpan.FromHours(1);
                entry.Size = 1;
                // Fills and removals reach Redis, and removals' messages the other instances, before the request
                // answers: a writer's next read on any instance sees them, and others' reads a moment later.
                entry.AllowBackgroundDistributedCacheOperations = false;
                entry.AllowBackgroundBackplaneOperations = false;
            })
            .WithMemoryCache(new MemoryCache(new MemoryCacheOptions { SizeLimit = MemoryEntries }))
            .WithSerializer(new FusionCacheSystemTextJsonSerializer(new JsonSerializerOptions(JsonSerializerDefaults.Web)))
            .WithRegisteredDistributedCache()
            .WithBackplane(services => new RedisBackplane(new RedisBackplaneOptions
            {
                ConnectionMultiplexerFactory = () => Task.FromResult(services.GetRequiredService<IConnectionMultiplexer>()),
            }))
            .WithPostSetup((services, cache) => services.GetRequiredService<CacheMetrics>().Observe(cache));
        return builder;
    }
}

/// <summary>
/// <c>foodcommunity.cache.lookups</c>: every cache read by level and outcome, so hit ratios are
/// measured, not assumed (memory hits / all lookups; Redis hits / memory misses).
/// </summary>
internal sealed class CacheMetrics(IMeterFactory meters)
{
    private readonly Counter<long> _lookups = meters.Create(MetricsSetup.MeterName)
        .CreateCounter<long>("foodcommunity.cache.lookups", description: "Cache reads by level (memory, redis) and result (hit, miss).");

    public void Observe(IFusionCache cache)
    {
        cache.Events.Memory.Hit += (_, _) => Count("memory", "hit");
        cache.Events.Memory.Miss += (_, _) => Count("memory", "miss");
        cache.Events.Distributed.Hit += (_, _) => Count("redis", "hit");
        cache.Events.Distributed.Miss += (_, _) => Count("redis", "miss");
    }

    private void Count(string level, string result) =>
        _lookups.Add(1, new KeyValuePair<string, object?>("level", level), new KeyValuePair<string, object?>("result", result));
}

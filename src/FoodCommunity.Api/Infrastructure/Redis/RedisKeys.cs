using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace FoodCommunity.Api.Infrastructure.Redis;

/// <summary>
/// Every Redis key name, built in one place. Keys a script touches together share a hash tag
/// ({...}) so they live in one slot and the script runs unchanged on Redis Cluster.
/// </summary>
public sealed class RedisKeys(IOptions<RedisOptions> options)
{
    private string Prefix => options.Value.KeyPrefix;

    /// <summary>A refresh-token family: user, hash of the current token.</summary>
    public RedisKey Session(Guid familyId) => $"{Prefix}{{session:{familyId:N}}}";

    /// <summary>Hashes of the family's recently spent tokens, to recognise a replayed one.</summary>
    public RedisKey SessionSpentTokens(Guid familyId) => $"{Prefix}{{session:{familyId:N}}}:spent";

    /// <summary>Partition of a shared rate limit; the limiter library adds its own suffixes.</summary>
    public string RateLimitPartition(string policy, string partition) => $"{Prefix}rl:{policy}:{partition}";
}

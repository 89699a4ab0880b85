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

    /// <summary>Present for a few seconds after the user wrote: their reads go to the primary.</summary>
    public RedisKey RecentWriter(Guid userId) => $"{Prefix}ryw:{userId:N}";

    /// <summary>A create-post request's Idempotency-Key, per user, for 24 hours.</summary>
    public RedisKey PostIdempotency(Guid userId, string idempotencyKey) => $"{Prefix}idem:post:{userId:N}:{idempotencyKey}";

    /// <summary>Net likes per post in one UTC hour (yyyyMMddHH), for the popular feed.</summary>
    public RedisKey PopularHour(string hour) => $"{Prefix}{{popular}}:h:{hour}";

    /// <summary>A ranked snapshot of the last 24 hours that popular-feed cursors point into.</summary>
    public RedisKey PopularSnapshot(long snapshot) => $"{Prefix}{{popular}}:snap:{snapshot}";

    /// <summary>Partition of a shared rate limit; the limiter library adds its own suffixes.</summary>
    public string RateLimitPartition(string policy, string partition) => $"{Prefix}rl:{policy}:{partition}";
}

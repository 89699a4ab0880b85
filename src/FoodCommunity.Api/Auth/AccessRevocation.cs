using FoodCommunity.Api.Infrastructure.Redis;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace FoodCommunity.Api.Auth;

/// <summary>
/// Access tokens are self-contained and live 15 minutes; to end them sooner (a suspension, a password
/// reset, an account deletion) the user gets a marker: tokens issued at or before it are refused. The
/// marker lives as long as a token can, so it costs nothing once every old token has expired.
/// </summary>
public sealed class AccessRevocation(IConnectionMultiplexer redis, RedisKeys keys, IOptions<AuthOptions> options, TimeProvider clock)
{
    public Task RevokeAllAsync(Guid userId)
    {
        var lifetime = TimeSpan.FromMinutes(options.Value.AccessTokenMinutes) + TimeSpan.FromSeconds(options.Value.ClockSkewSeconds);
        return redis.GetDatabase().StringSetAsync(keys.AccessRevokedBefore(userId), clock.GetUtcNow().ToUnixTimeSeconds(), lifetime);
    }

    /// <summary>True when the token (issued at <paramref name="issuedAt"/>) was revoked with all the user's others.</summary>
    public async Task<bool> IsRevokedAsync(Guid userId, DateTimeOffset issuedAt)
    {
        var marker = await redis.GetDatabase().StringGetAsync(keys.AccessRevokedBefore(userId));
        return marker.TryParse(out long revokedAt) && issuedAt.ToUnixTimeSeconds() <= revokedAt;
    }
}

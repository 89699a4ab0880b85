using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using FoodCommunity.Api.Infrastructure.Redis;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace FoodCommunity.Api.Auth;

/// <summary>
/// Limits password guessing without letting a stranger lock the owner out. Only failed sign-ins
/// count, twice: per account and client network (tight: one source guessing one account), and per
/// account alone (looser: many sources guessing one account). Networks the account has signed in
/// from before are exempt from the per-account ceiling, so the owner at home or on their phone keeps
/// signing in while an attacker hammers the account from elsewhere. The account is known by a hash
/// of its login, so a client-chosen string never becomes a Redis key; each account's keys share a
/// hash tag, so every step is one script on one slot (Redis Cluster included).
/// </summary>
public sealed class SignInThrottle(IConnectionMultiplexer redis, RedisKeys keys, IOptions<RateLimitOptions> options)
{
    /// <summary>How many networks an account remembers; the oldest-looking is dropped at random beyond it.</summary>
    private const int KnownNetworksKept = 20;

    private static readonly TimeSpan KnownNetworkLifetime = TimeSpan.FromDays(30);

    private static readonly LuaScript CheckScript = LuaScript.Prepare("""
        local net = tonumber(redis.call('GET', @networkFailures) or '0')
        if net >= tonumber(@networkLimit) then return redis.call('PTTL', @networkFailures) end
        if redis.call('SISMEMBER', @known, @network) == 1 then return 0 end
        local account = tonumber(redis.call('GET', @accountFailures) or '0')
        if account >= tonumber(@accountLimit) then return redis.call('PTTL', @accountFailures) end
        return 0
        """);

    private static readonly LuaScript FailureScript = LuaScript.Prepare("""
        if redis.call('INCR', @networkFailures) == 1 then redis.call('PEXPIRE', @networkFailures, @networkWindow) end
        if redis.call('INCR', @accountFailures) == 1 then redis.call('PEXPIRE', @accountFailures, @accountWindow) end
        return 0
        """);

    private static readonly LuaScript SuccessScript = LuaScript.Prepare("""
        redis.call('DEL', @networkFailures)
        redis.call('SADD', @known, @network)
        if redis.call('SCARD', @known) > tonumber(@kept) then redis.call('SPOP', @known) end
        redis.call('PEXPIRE', @known, @knownLifetime)
        return 0
        """);

    /// <summary>Null when the attempt may go ahead; otherwise how long the client should wait.</summary>
    public async Task<TimeSpan?> CheckAsync(string login, string network)
    {
        var rules = options.Value;
        var account = AccountId(login);
        var waitMs = (long)await redis.GetDatabase().ScriptEvaluateAsync(CheckScript, new
        {
            networkFailures = keys.SignInFailures(account, network),
            accountFailures = keys.SignInFailures(account),
            known = keys.SignInKnownNetworks(account),
            network,
            networkLimit = rules.LoginFailuresPerAccountNetwork.PermitLimit,
            accountLimit = rules.LoginFailuresPerAccount.PermitLimit,
        });
        // PTTL is -1 for a key without expiry, which this class never leaves; treat it as a full second.
        return waitMs == 0 ? null : TimeSpan.FromMilliseconds(Math.Max(waitMs, 1000));
    }

    public Task RecordFailureAsync(string login, string network)
    {
        var rules = options.Value;
        var account = AccountId(login);
        return redis.GetDatabase().ScriptEvaluateAsync(FailureScript, new
        {
            networkFailures = keys.SignInFailures(account, network),
            accountFailures = keys.SignInFailures(account),
            networkWindow = rules.LoginFailuresPerAccountNetwork.WindowSeconds * 1000L,
            accountWindow = rules.LoginFailuresPerAccount.WindowSeconds * 1000L,
        });
    }

    public Task RecordSuccessAsync(string login, string network)
    {
        var account = AccountId(login);
        return redis.GetDatabase().ScriptEvaluateAsync(SuccessScript, new
        {
            networkFailures = keys.SignInFailures(account, network),
            known = keys.SignInKnownNetworks(account),
            network,
            kept = KnownNetworksKept,
            knownLifetime = (long)KnownNetworkLifetime.TotalMilliseconds,
        });
    }

    /// <summary>128 bits of SHA-256 of the normalised login: fixed size whatever was typed, and not the login itself.</summary>
    private static string AccountId(string login)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(login), hash);
        return Base64Url.EncodeToString(hash[..16]);
    }
}

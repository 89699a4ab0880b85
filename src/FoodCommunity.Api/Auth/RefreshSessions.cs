using System.Buffers.Text;
using System.Security.Cryptography;
using FoodCommunity.Api.Infrastructure.Data;
using FoodCommunity.Api.Infrastructure.Redis;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace FoodCommunity.Api.Auth;

/// <summary>The result of presenting a refresh token.</summary>
public abstract record RefreshOutcome
{
    private RefreshOutcome()
    {
    }

    public sealed record Rotated(Guid UserId, string NewToken) : RefreshOutcome;

    /// <summary>Unknown, expired, revoked or malformed.</summary>
    public sealed record Rejected : RefreshOutcome;

    /// <summary>A spent token came back: someone holds a copy, so the whole family was revoked.</summary>
    public sealed record ReuseDetected(Guid UserId) : RefreshOutcome;
}

/// <summary>
/// Refresh-token families ("sessions") in Redis, so they outlive any API instance. A token is
/// base64url(family id ‖ 256 random bits); Redis keeps only SHA-256 hashes. Each refresh spends the
/// presented token and issues the next; presenting a spent one revokes the family (theft detection).
/// Every step is one Lua script over keys of one hash slot, so it is atomic, also on Redis Cluster.
/// The expiry slides with each refresh up to the session's maximum lifetime, counted from its start,
/// which the family id carries (a UUIDv7: its first 48 bits are the login's Unix milliseconds).
/// </summary>
public sealed class RefreshSessions(IConnectionMultiplexer redis, RedisKeys keys, IOptions<AuthOptions> options, TimeProvider clock)
{
    private const int FamilyIdBytes = 16;
    private const int SecretBytes = 32;

    /// <summary>
    /// How many spent tokens a family remembers. A stolen token is replayed within a few rotations
    /// (by the thief, or by the victim after the thief rotated); older ones are simply refused.
    /// </summary>
    private const int SpentTokensRemembered = 16;

    private static readonly LuaScript RotateScript = LuaScript.Prepare("""
        local current = redis.call('HGET', @session, 'current')
        if not current then return {0} end
        local user = redis.call('HGET', @session, 'user')
        if current == @presented then
          redis.call('HSET', @session, 'current', @next)
          redis.call('LPUSH', @spent, @presented)
          redis.call('LTRIM', @spent, 0, tonumber(@remembered) - 1)
          redis.call('EXPIRE', @session, @ttl)
          redis.call('EXPIRE', @spent, @ttl)
          return {1, user}
        end
        if redis.call('LPOS', @spent, @presented) then
          redis.call('DEL', @session, @spent)
          return {-1, user}
        end
        return {0}
        """);

    private static readonly LuaScript RevokeScript = LuaScript.Prepare("""
        local current = redis.call('HGET', @session, 'current')
        if not current then return 0 end
        if current == @presented or redis.call('LPOS', @spent, @presented) then
          redis.call('DEL', @session, @spent)
          return 1
        end
        return 0
        """);

    /// <summary>
    /// How long the family lives from now on: the sliding expiry, but never past its maximum lifetime.
    /// Zero for an id that is no UUIDv7 of a real time (no family of ours; a forged token).
    /// </summary>
    private TimeSpan RemainingLifetime(Guid familyId)
    {
        if (!UuidV7.TryGetTime(familyId, out var started))
        {
            return TimeSpan.Zero;
        }

        var untilMax = started + options.Value.SessionMaxLifetime - clock.GetUtcNow();
        var sliding = TimeSpan.FromDays(options.Value.RefreshTokenDays);
        return untilMax < sliding ? untilMax : sliding;
    }

    /// <summary>Starts a new family (one per login or registration) and returns its first token.</summary>
    public async Task<string> StartAsync(Guid userId)
    {
        var familyId = Guid.CreateVersion7(clock.GetUtcNow());
        var (token, hash) = NewToken(familyId);
        var session = keys.Session(familyId);
        var batch = redis.GetDatabase().CreateTransaction();
        _ = batch.HashSetAsync(session, [new HashEntry("user", userId.ToString()), new HashEntry("current", hash)]);
        _ = batch.KeyExpireAsync(session, RemainingLifetime(familyId));
        await batch.ExecuteAsync();
        return token;
    }

    public async Task<RefreshOutcome> RotateAsync(string presentedToken)
    {
        if (!TryParse(presentedToken, out var familyId, out var presentedHash))
        {
            return new RefreshOutcome.Rejected();
        }

        var remaining = RemainingLifetime(familyId);
        if (remaining < TimeSpan.FromSeconds(1))
        {
            // Past its maximum lifetime: its keys expire now (their expiry was capped at it), and the user signs in again.
            return new RefreshOutcome.Rejected();
        }

        var (next, nextHash) = NewToken(familyId);
        var result = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(RotateScript, new
        {
            session = keys.Session(familyId),
            spent = keys.SessionSpentTokens(familyId),
            presented = presentedHash,
            next = nextHash,
            remembered = SpentTokensRemembered,
            ttl = (long)remaining.TotalSeconds,
        }))!;
        return (int)result[0] switch
        {
            1 => new RefreshOutcome.Rotated(Guid.Parse((string)result[1]!), next),
            -1 => new RefreshOutcome.ReuseDetected(Guid.Parse((string)result[1]!)),
            _ => new RefreshOutcome.Rejected(),
        };
    }

    /// <summary>Ends the family the token belongs to (current or recently spent). False when there was nothing to end.</summary>
    public async Task<bool> RevokeAsync(string presentedToken)
    {
        if (!TryParse(presentedToken, out var familyId, out var presentedHash))
        {
            return false;
        }

        var revoked = await redis.GetDatabase().ScriptEvaluateAsync(RevokeScript, new
        {
            session = keys.Session(familyId),
            spent = keys.SessionSpentTokens(familyId),
            presented = presentedHash,
        });
        return (int)revoked == 1;
    }

    /// <summary>The family a token claims to belong to, for per-session rate limits; not proof of anything.</summary>
    public static Guid? FamilyOf(string token) => TryParse(token, out var familyId, out _) ? familyId : null;

    private static (string Token, string Hash) NewToken(Guid familyId)
    {
        Span<byte> raw = stackalloc byte[FamilyIdBytes + SecretBytes];
        familyId.TryWriteBytes(raw[..FamilyIdBytes], bigEndian: true, out _);
        RandomNumberGenerator.Fill(raw[FamilyIdBytes..]);
        return (Base64Url.EncodeToString(raw), Hash(raw));
    }

    private static bool TryParse(string token, out Guid familyId, out string hash)
    {
        familyId = Guid.Empty;
        hash = "";
        Span<byte> raw = stackalloc byte[FamilyIdBytes + SecretBytes];
        if (token.Length != Base64Url.GetEncodedLength(raw.Length)
            || !Base64Url.TryDecodeFromChars(token, raw, out var written) || written != raw.Length)
        {
            return false;
        }

        familyId = new Guid(raw[..FamilyIdBytes], bigEndian: true);
        hash = Hash(raw);
        return true;
    }

    private static string Hash(ReadOnlySpan<byte> token) => Convert.ToHexStringLower(SHA256.HashData(token));
}

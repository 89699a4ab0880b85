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

    /// <summary>The token was spent for <paramref name="NewToken"/>: now, or (a retry within the grace period) a moment ago.</summary>
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

    // Besides the hash of the current token, the family keeps the hash of the token spent last, when,
    // and its successor sealed with a key derived from that spent token: a client whose answer was
    // lost (a dropped connection, a timeout) can present it again within the grace period and gets
    // the same successor, while Redis alone holds nothing that works as a token.
    private static readonly LuaScript RotateScript = LuaScript.Prepare("""
        local session = redis.call('HMGET', @session, 'current', 'user', 'previous', 'previousAt', 'successor')
        local current, user = session[1], session[2]
        if not current then return {0} end
        if current == @presented then
          redis.call('HSET', @session, 'current', @next, 'previous', @presented, 'previousAt', @now, 'successor', @sealed)
          redis.call('LPUSH', @spent, @presented)
          redis.call('LTRIM', @spent, 0, tonumber(@remembered) - 1)
          redis.call('EXPIRE', @session, @ttl)
          redis.call('EXPIRE', @spent, @ttl)
          return {1, user}
        end
        if session[3] == @presented and tonumber(@now) - tonumber(session[4]) <= tonumber(@graceMs) then
          return {2, user, session[5]}
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
        // The user's families, so a suspension or a password reset can end them all (another slot, so not in the transaction).
        var index = keys.UserSessions(userId);
        await redis.GetDatabase().SetAddAsync(index, familyId.ToString("N"));
        await redis.GetDatabase().KeyExpireAsync(index, options.Value.SessionMaxLifetime);
        return token;
    }

    /// <summary>Ends every session of the user (suspension, password reset, account deletion).</summary>
    public async Task RevokeAllAsync(Guid userId)
    {
        var database = redis.GetDatabase();
        var index = keys.UserSessions(userId);
        foreach (var member in await database.SetMembersAsync(index))
        {
            var familyId = Guid.ParseExact((string)member!, "N");
            await database.KeyDeleteAsync([keys.Session(familyId), keys.SessionSpentTokens(familyId)]);
        }

        await database.KeyDeleteAsync(index);
    }

    /// <summary>
    /// The user a token's family belongs to, without spending it: read before the rotation so a
    /// failure to load the account leaves the token usable. Null for an unknown or malformed token.
    /// </summary>
    public async Task<Guid?> FindUserAsync(string presentedToken)
    {
        if (!TryParse(presentedToken, out var familyId, out _))
        {
            return null;
        }

        var user = await redis.GetDatabase().HashGetAsync(keys.Session(familyId), "user");
        return Guid.TryParse((string?)user, out var userId) ? userId : null;
    }

    public async Task<RefreshOutcome> RotateAsync(string presentedToken)
    {
        if (!TryParse(presentedToken, out var familyId, out var presentedHash, out var presentedRaw))
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
            @sealed = Seal(next, presentedRaw),
            now = clock.GetUtcNow().ToUnixTimeMilliseconds(),
            graceMs = (long)(options.Value.RefreshRetryGraceSeconds * 1000),
            remembered = SpentTokensRemembered,
            ttl = (long)remaining.TotalSeconds,
        }))!;
        return (int)result[0] switch
        {
            1 => new RefreshOutcome.Rotated(Guid.Parse((string)result[1]!), next),
            2 when Unseal((string?)result[2], presentedRaw) is { } successor => new RefreshOutcome.Rotated(Guid.Parse((string)result[1]!), successor),
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

    private static bool TryParse(string token, out Guid familyId, out string hash) => TryParse(token, out familyId, out hash, out _);

    private static bool TryParse(string token, out Guid familyId, out string hash, out byte[] raw)
    {
        familyId = Guid.Empty;
        hash = "";
        raw = [];
        var length = FamilyIdBytes + SecretBytes;
        // Length first: nothing longer than a token of ours is decoded or hashed.
        if (token.Length != Base64Url.GetEncodedLength(length))
        {
            return false;
        }

        var decoded = new byte[length];
        if (!Base64Url.TryDecodeFromChars(token, decoded, out var written) || written != length)
        {
            return false;
        }

        familyId = new Guid(decoded.AsSpan(0, FamilyIdBytes), bigEndian: true);
        hash = Hash(decoded);
        raw = decoded;
        return true;
    }

    /// <summary>The successor token, encrypted under a key only the holder of the spent token can derive.</summary>
    private static string Seal(string successor, byte[] spentRaw)
    {
        using var aes = new AesGcm(SealingKey(spentRaw), AesGcm.TagByteSizes.MaxSize);
        var plain = System.Text.Encoding.ASCII.GetBytes(successor);
        var sealedBytes = new byte[AesGcm.NonceByteSizes.MaxSize + AesGcm.TagByteSizes.MaxSize + plain.Length];
        var nonce = sealedBytes.AsSpan(0, AesGcm.NonceByteSizes.MaxSize);
        RandomNumberGenerator.Fill(nonce);
        aes.Encrypt(nonce, plain, sealedBytes.AsSpan(nonce.Length + AesGcm.TagByteSizes.MaxSize), sealedBytes.AsSpan(nonce.Length, AesGcm.TagByteSizes.MaxSize));
        return Convert.ToBase64String(sealedBytes);
    }

    private static string? Unseal(string? sealedText, byte[] spentRaw)
    {
        if (sealedText is null)
        {
            return null;
        }

        var sealedBytes = Convert.FromBase64String(sealedText);
        var nonceSize = AesGcm.NonceByteSizes.MaxSize;
        var tagSize = AesGcm.TagByteSizes.MaxSize;
        var plain = new byte[sealedBytes.Length - nonceSize - tagSize];
        using var aes = new AesGcm(SealingKey(spentRaw), tagSize);
        try
        {
            aes.Decrypt(sealedBytes.AsSpan(0, nonceSize), sealedBytes.AsSpan(nonceSize + tagSize), sealedBytes.AsSpan(nonceSize, tagSize), plain);
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }

        return System.Text.Encoding.ASCII.GetString(plain);
    }

    private static byte[] SealingKey(byte[] spentRaw) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, spentRaw, 32, salt: [], info: "foodcommunity refresh successor"u8.ToArray());

    private static string Hash(ReadOnlySpan<byte> token) => Convert.ToHexStringLower(SHA256.HashData(token));
}

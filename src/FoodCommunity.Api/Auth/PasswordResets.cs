using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using FoodCommunity.Api.Infrastructure.Data;
using FoodCommunity.Api.Infrastructure.Mail;
using FoodCommunity.Api.Infrastructure.Redis;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit;
using StackExchange.Redis;

namespace FoodCommunity.Api.Auth;

/// <summary>
/// Password reset by e-mail: a single-use token, valid 30 minutes, of which Redis keeps only the
/// SHA-256 (a copy of Redis holds nothing that resets a password). The mail goes out in the
/// background, so the answer is the same, in about the same time, whether the address is known.
/// Confirming sets the password and ends every session and access token of the account.
/// </summary>
public sealed class PasswordResets(
    IConnectionMultiplexer redis, RedisKeys keys, MailOutbox outbox, IOptions<MailOptions> mail, Passwords passwords,
    RefreshSessions sessions, AccessRevocation revocation)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(30);
    private const int TokenBytes = 32;

    /// <summary>Sends a reset link to the account of this (normalised) address, if there is one.</summary>
    public async Task RequestAsync(FoodCommunityDbContext db, string email, CancellationToken cancellationToken)
    {
        var user = await db.Users.AsNoTracking().Where(u => u.EmailNormalized == email)
            .Select(u => new { u.Id, u.Email, u.DisplayName })
            .SingleOrDefaultAsync(cancellationToken);
        if (user is null)
        {
            return;
        }

        Span<byte> raw = stackalloc byte[TokenBytes];
        RandomNumberGenerator.Fill(raw);
        var token = Base64Url.EncodeToString(raw);
        await redis.GetDatabase().StringSetAsync(keys.PasswordReset(Hash(token)), user.Id.ToString("N"), Lifetime);
        var link = $"{mail.Value.PasswordResetUrl}?token={token}";
        outbox.Enqueue(new MimeMessage
        {
            To = { new MailboxAddress(user.DisplayName, user.Email) },
            Subject = "Reset your FoodCommunity password",
            Body = new TextPart("plain")
            {
                Text = $"""
                    Someone (we hope you) asked to reset the password of your FoodCommunity account.

                    Choose a new password here, within 30 minutes: {link}

                    The link works once. If you did not ask for it, ignore this mail: your password stays as it is.
                    """,
            },
        });
    }

    /// <summary>Spends the token and sets the password; false when the token is unknown, spent or expired.</summary>
    public async Task<bool> ConfirmAsync(FoodCommunityDbContext db, string token, string newPassword, CancellationToken cancellationToken)
    {
        if (token.Length != Base64Url.GetEncodedLength(TokenBytes))
        {
            return false;
        }

        // GETDEL: single use even when two confirmations race.
        var owner = (string?)await redis.GetDatabase().StringGetDeleteAsync(keys.PasswordReset(Hash(token)));
        if (!Guid.TryParseExact(owner, "N", out var userId) || await db.Users.SingleOrDefaultAsync(u => u.Id == userId, cancellationToken) is not { } user)
        {
            return false;
        }

        user.PasswordHash = passwords.Hash(user, newPassword);
        user.UpdatedAt = DateTimeOffset.UtcNow;
        await db.SaveChangesAsync(cancellationToken);
        await sessions.RevokeAllAsync(userId);
        await revocation.RevokeAllAsync(userId);
        return true;
    }

    /// <summary>The per-address rate-limit partition: a hash, so the address itself is not a Redis key.</summary>
    public static string AddressPartition(string email) => Hash(email)[..32];

    private static string Hash(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));
}

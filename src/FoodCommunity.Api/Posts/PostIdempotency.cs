using System.Security.Cryptography;
using System.Text;
using FoodCommunity.Api.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace FoodCommunity.Api.Posts;

/// <summary>
/// Idempotency-Key for POST /posts: a retry with the same key from the same user within 24 hours gets
/// the first post back. The key is written in the post's own transaction (see <see cref="PostWriter"/>),
/// so a failure after the commit cannot let a retry create a second post, and a concurrent duplicate
/// waits on the first one's row and then answers with its post.
/// </summary>
public sealed class PostIdempotency(TimeProvider clock)
{
    public const int MaxKeyLength = 200;
    public static readonly TimeSpan Retention = TimeSpan.FromHours(24);

    /// <summary>Length first, so an oversized header is refused without being read.</summary>
    public static bool IsValidKey(string key) =>
        key.Length is > 0 and <= MaxKeyLength && key.All(c => c is > ' ' and <= '~');

    /// <summary>What is stored of a key: its SHA-256, fixed size.</summary>
    public static byte[] Hash(string key) => SHA256.HashData(Encoding.ASCII.GetBytes(key));

    /// <summary>Keys older than this are forgotten (and may be used again).</summary>
    public DateTimeOffset OldestKept => clock.GetUtcNow() - Retention;

    /// <summary>The post a key created within the last 24 hours, if any (the post may since have been deleted).</summary>
    public async Task<Guid?> FindAsync(FoodCommunityDbContext db, Guid userId, byte[] keyHash, CancellationToken cancellationToken)
    {
        var oldest = OldestKept;
        return await db.PostIdempotencyKeys.AsNoTracking()
            .Where(k => k.UserId == userId && k.KeyHash == keyHash && k.CreatedAt >= oldest)
            .Select(k => (Guid?)k.PostId)
            .SingleOrDefaultAsync(cancellationToken);
    }
}

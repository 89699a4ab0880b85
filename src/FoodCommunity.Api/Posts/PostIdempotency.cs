using FoodCommunity.Api.Infrastructure.Redis;
using StackExchange.Redis;

namespace FoodCommunity.Api.Posts;

/// <summary>
/// Idempotency-Key for POST /posts: a retry with the same key from the same user within 24 hours gets
/// the first post back. A key is reserved before the post is written; the reservation expires
/// quickly, so a process that dies mid-request does not block the client's retry for a day.
/// </summary>
public sealed class PostIdempotency(IConnectionMultiplexer redis, RedisKeys keys)
{
    public const int MaxKeyLength = 200;
    private const string Pending = "pending";
    private static readonly TimeSpan PendingLifetime = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Retention = TimeSpan.FromHours(24);

    public static bool IsValidKey(string key) =>
        key.Length is > 0 and <= MaxKeyLength && key.All(c => c is > ' ' and <= '~');

    public abstract record Reservation
    {
        private Reservation()
        {
        }

        public sealed record Reserved : Reservation;

        public sealed record AlreadyCreated(Guid PostId) : Reservation;

        public sealed record InProgress : Reservation;
    }

    public async Task<Reservation> ReserveAsync(Guid userId, string idempotencyKey)
    {
        var key = keys.PostIdempotency(userId, idempotencyKey);
        var database = redis.GetDatabase();
        if (await database.StringSetAsync(key, Pending, PendingLifetime, When.NotExists))
        {
            return new Reservation.Reserved();
        }

        var value = await database.StringGetAsync(key);
        return Guid.TryParse((string?)value, out var postId)
            ? new Reservation.AlreadyCreated(postId)
            : new Reservation.InProgress();
    }

    public Task CompleteAsync(Guid userId, string idempotencyKey, Guid postId) =>
        redis.GetDatabase().StringSetAsync(keys.PostIdempotency(userId, idempotencyKey), postId.ToString(), Retention);

    /// <summary>The request failed before creating anything: let the client retry with the same key.</summary>
    public Task ReleaseAsync(Guid userId, string idempotencyKey) =>
        redis.GetDatabase().StringDeleteAsync(keys.PostIdempotency(userId, idempotencyKey), When.Always);
}

using FoodCommunity.Api.Infrastructure.Redis;
using Microsoft.EntityFrameworkCore;

namespace FoodCommunity.Api.Users;

/// <summary>
/// Whom a user follows, as a Redis set mirrored from MySQL's follows table (<see cref="UserSetMirror"/>):
/// "followed by me" on every profile and post card, and the authors the home timeline merges.
/// </summary>
public sealed class FollowingSet(UserSetMirror mirror, RedisKeys keys)
{
    private static readonly IReadOnlySet<Guid> Nobody = new HashSet<Guid>();

    public async Task<IReadOnlySet<Guid>> OfAsync(Guid? userId, CancellationToken cancellationToken) =>
        userId is { } me
            ? await mirror.ReadAsync(keys.Following(me), keys.FollowingVersion(me), (db, ct) =>
                db.Follows.AsNoTracking().Where(f => f.FollowerId == me).Select(f => f.FolloweeId).ToListAsync(ct), cancellationToken)
            : Nobody;

    /// <summary>After a follow or unfollow by <paramref name="userId"/> has committed.</summary>
    public Task ChangedAsync(Guid userId) => mirror.ChangedAsync(keys.Following(userId), keys.FollowingVersion(userId));
}

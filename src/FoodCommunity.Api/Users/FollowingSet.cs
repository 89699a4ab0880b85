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

    /// <summary>Everyone <paramref name="userId"/> follows (the home timeline merges them all).</summary>
    public async Task<IReadOnlySet<Guid>> OfAsync(Guid? userId, CancellationToken cancellationToken) =>
        userId is { } me
            ? await mirror.ReadAsync(keys.Following(me), keys.FollowingVersion(me), Loader(me), cancellationToken)
            : Nobody;

    /// <summary>
    /// Which of <paramref name="candidates"/> (a page's authors) <paramref name="userId"/> follows: the set
    /// comes from this instance's memory after one version GET when its copy is current, so asking Redis
    /// for the candidates alone would save nothing.
    /// </summary>
    public async Task<IReadOnlySet<Guid>> AmongAsync(Guid? userId, IReadOnlyCollection<Guid> candidates, CancellationToken cancellationToken)
    {
        if (userId is null || candidates.Count == 0)
        {
            return Nobody;
        }

        var all = await OfAsync(userId, cancellationToken);
        return candidates.Where(all.Contains).ToHashSet();
    }

    private static Func<Infrastructure.Data.FoodCommunityDbContext, CancellationToken, Task<List<Guid>>> Loader(Guid me) => (db, ct) =>
        db.Follows.AsNoTracking().Where(f => f.FollowerId == me).Select(f => f.FolloweeId).ToListAsync(ct);

    /// <summary>After a follow or unfollow by <paramref name="userId"/> has committed.</summary>
    public Task ChangedAsync(Guid userId) => mirror.ChangedAsync(keys.Following(userId), keys.FollowingVersion(userId));
}

using FoodCommunity.Api.Infrastructure.Data;
using FoodCommunity.Api.Infrastructure.Redis;
using Microsoft.EntityFrameworkCore;

namespace FoodCommunity.Api.Users;

/// <summary>
/// Whom a user must not see, and who must not see them: everyone they block and everyone who blocks
/// them (blocking is mutual in effect). Read on every signed-in request, so it is a Redis set per user
/// (<see cref="UserSetMirror"/>) rebuilt from MySQL's blocks table, the truth.
/// </summary>
public sealed class BlockList(UserSetMirror mirror, RedisKeys keys)
{
    public static readonly IReadOnlySet<Guid> None = new HashSet<Guid>();

    /// <summary>The users hidden from <paramref name="userId"/> and from whom it is hidden; empty for anonymous callers.</summary>
    public async Task<IReadOnlySet<Guid>> HiddenForAsync(Guid? userId, CancellationToken cancellationToken) =>
        userId is { } me
            ? await mirror.ReadAsync(keys.BlockSet(me), keys.BlockVersion(me), (db, ct) =>
                db.Blocks.AsNoTracking().Where(b => b.BlockerId == me).Select(b => b.BlockedId)
                    .Concat(db.Blocks.AsNoTracking().Where(b => b.BlockedId == me).Select(b => b.BlockerId))
                    .ToListAsync(ct), cancellationToken)
            : None;

    /// <summary>After a block or unblock has committed: both users' next reads, on any instance, rebuild from MySQL.</summary>
    public Task ChangedAsync(Guid first, Guid second) =>
        Task.WhenAll(mirror.ChangedAsync(keys.BlockSet(first), keys.BlockVersion(first)), mirror.ChangedAsync(keys.BlockSet(second), keys.BlockVersion(second)));

    /// <summary>Whether either user blocks the other, from MySQL (inside a writer's transaction).</summary>
    public static Task<bool> EitherBlocksAsync(FoodCommunityDbContext db, Guid first, Guid second, CancellationToken cancellationToken) =>
        db.Blocks.AnyAsync(b => (b.BlockerId == first && b.BlockedId == second) || (b.BlockerId == second && b.BlockedId == first), cancellationToken);
}

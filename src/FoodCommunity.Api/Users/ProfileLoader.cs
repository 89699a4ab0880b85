using FoodCommunity.Api.Infrastructure.Data;
using FoodCommunity.Api.Infrastructure.Storage;
using Microsoft.EntityFrameworkCore;

namespace FoodCommunity.Api.Users;

/// <summary>
/// Profiles of many users in two queries: the users, and which of them the caller follows. Users
/// hidden from the caller (blocks, see <see cref="BlockList"/>) are left out, as if they did not exist.
/// </summary>
public static class ProfileLoader
{
    public static async Task<Dictionary<Guid, Profile>> LoadAsync(
        FoodCommunityDbContext db, IReadOnlyCollection<Guid> userIds, Guid? callerId, PublicUrls urls, IReadOnlySet<Guid> hidden,
        CancellationToken cancellationToken)
    {
        if (hidden.Count > 0)
        {
            userIds = userIds.Where(id => !hidden.Contains(id)).ToList();
        }

        if (userIds.Count == 0)
        {
            return [];
        }

        var users = await db.Users.AsNoTracking().Where(u => userIds.Contains(u.Id)).ToListAsync(cancellationToken);
        var followed = callerId is { } me
            ? (await db.Follows.AsNoTracking()
                .Where(f => f.FollowerId == me && userIds.Contains(f.FolloweeId))
                .Select(f => f.FolloweeId)
                .ToListAsync(cancellationToken)).ToHashSet()
            : [];
        return users.ToDictionary(u => u.Id, u => Profile.From(u, followed.Contains(u.Id), urls));
    }
}

using FoodCommunity.Api.Infrastructure.Data;
using FoodCommunity.Api.Infrastructure.Storage;
using Microsoft.EntityFrameworkCore;

namespace FoodCommunity.Api.Users;

/// <summary>Profiles of many users in two queries: the users, and which of them the caller follows.</summary>
public static class ProfileLoader
{
    public static async Task<Dictionary<Guid, Profile>> LoadAsync(
        FoodCommunityDbContext db, IReadOnlyCollection<Guid> userIds, Guid? callerId, PublicUrls urls, CancellationToken cancellationToken)
    {
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

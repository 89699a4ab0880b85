using FoodCommunity.Api.Infrastructure.Caching;
using FoodCommunity.Api.Infrastructure.Data;
using FoodCommunity.Api.Infrastructure.Storage;
using Microsoft.EntityFrameworkCore;

namespace FoodCommunity.Api.Users;

/// <summary>What every viewer sees of a user, cached per user; <c>followedByMe</c> is added per caller.</summary>
public sealed record ProfileCard(
    Guid Id,
    string Username,
    string DisplayName,
    string Bio,
    string? AvatarKey,
    int PostCount,
    int FollowerCount,
    int FollowingCount)
{
    public Profile ToProfile(bool followedByMe, PublicUrls urls) =>
        new(Id.ToString(), Username, DisplayName, Bio, urls.Avatar(AvatarKey), PostCount, FollowerCount, FollowingCount, followedByMe);
}

/// <summary>
/// Profile cards by id (see <see cref="CardCache"/>), filled from the primary in one query. A profile
/// edit, a post created or deleted, a follow or unfollow (both users) and an account's erasure remove the
/// card after their commit (<see cref="Feeds.FeedCache.UsersChangedAsync"/>).
/// </summary>
public sealed class ProfileCards(CardCache cards, IServiceScopeFactory scopes)
{
    public const string Prefix = "user:v1";

    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);

    public Task<Dictionary<Guid, ProfileCard>> GetManyAsync(IReadOnlyCollection<Guid> ids, bool fresh, CancellationToken cancellationToken) =>
        cards.GetManyAsync(Prefix, ids, fresh, Lifetime, LoadAsync, cancellationToken);

    public Task RemoveAsync(Guid userId) => cards.RemoveAsync(Prefix, userId);

    private async Task<Dictionary<Guid, ProfileCard>> LoadAsync(IReadOnlyList<Guid> ids, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FoodCommunityDbContext>();
        return await db.Users.AsNoTracking()
            .Where(u => ids.Contains(u.Id))
            .Select(u => new ProfileCard(u.Id, u.Username, u.DisplayName, u.Bio, u.AvatarKey, u.PostCount, u.FollowerCount, u.FollowingCount))
            .ToDictionaryAsync(u => u.Id, cancellationToken);
    }
}

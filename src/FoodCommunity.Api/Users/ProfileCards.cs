using Dapper;
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

    // Dapper, not EF: a fill's IN list differs every time, and EF builds every such query anew. A deleted
    // account has no card (UserConfiguration's query filter, which plain SQL must repeat).
    private const string LoadSql = """
        SELECT id AS Id, username AS Username, display_name AS DisplayName, bio AS Bio, avatar_key AS AvatarKey,
               post_count AS PostCount, follower_count AS FollowerCount, following_count AS FollowingCount
          FROM users WHERE id IN @ids AND deleted_at IS NULL
        """;

    private async Task<Dictionary<Guid, ProfileCard>> LoadAsync(IReadOnlyList<Guid> ids, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var connection = scope.ServiceProvider.GetRequiredService<FoodCommunityDbContext>().Database.GetDbConnection();
        var cards = await connection.QueryAsync<ProfileCard>(new CommandDefinition(LoadSql, new { ids }, cancellationToken: cancellationToken));
        return cards.ToDictionary(card => card.Id);
    }
}

using FoodCommunity.Api.Infrastructure.Storage;

namespace FoodCommunity.Api.Users;

/// <summary>A user as every client screen shows them.</summary>
public sealed record Profile(
    string Id,
    string Username,
    string DisplayName,
    string Bio,
    string? AvatarUrl,
    int PostCount,
    int FollowerCount,
    int FollowingCount,
    bool FollowedByMe)
{
    public static Profile From(User user, bool followedByMe, PublicUrls urls) => new(
        user.Id.ToString(),
        user.Username,
        user.DisplayName,
        user.Bio,
        urls.Avatar(user.AvatarKey),
        user.PostCount,
        user.FollowerCount,
        user.FollowingCount,
        followedByMe);
}

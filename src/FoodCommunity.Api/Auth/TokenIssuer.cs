using FoodCommunity.Api.Infrastructure.Storage;
using FoodCommunity.Api.Users;

namespace FoodCommunity.Api.Auth;

/// <summary>Puts an access token, a refresh token and the caller's profile into one <see cref="TokenResponse"/>.</summary>
public sealed class TokenIssuer(AccessTokens accessTokens, RefreshSessions sessions, PublicUrls urls)
{
    public async Task<TokenResponse> StartSessionAsync(User user) => Issue(user, await sessions.StartAsync(user.Id));

    public TokenResponse Issue(User user, string refreshToken) => new(
        accessTokens.Issue(user.Id, user.IsModerator),
        "Bearer",
        accessTokens.LifetimeSeconds,
        refreshToken,
        Profile.From(user, followedByMe: false, urls));
}

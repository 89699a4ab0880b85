using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;

namespace FoodCommunity.Api.Auth;

public static class ClaimsPrincipalExtensions
{
    /// <summary>The caller's user id from the token's sub claim; null for anonymous callers.</summary>
    public static Guid? FindUserId(this ClaimsPrincipal principal) =>
        Guid.TryParse(principal.FindFirstValue(JwtRegisteredClaimNames.Sub), out var id) ? id : null;

    /// <summary>For endpoints that require authentication, where a missing sub is a bug, not a client error.</summary>
    public static Guid GetUserId(this ClaimsPrincipal principal) =>
        principal.FindUserId() ?? throw new InvalidOperationException("An authenticated principal without a user id reached an endpoint.");

    /// <summary>Whether the caller's token carries the moderator scope.</summary>
    public static bool IsModerator(this ClaimsPrincipal principal) =>
        principal.FindFirstValue("scope")?.Split(' ').Contains(AccessTokens.ModerateScope) == true;
}

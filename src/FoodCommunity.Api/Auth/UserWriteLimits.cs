using Microsoft.AspNetCore.RateLimiting;

namespace FoodCommunity.Api.Auth;

/// <summary>
/// Per-user budgets for writes, counted in Redis so every instance shares them: one account cannot
/// flood feeds, notifications or the like buffer, whatever it spreads its requests over. Applied by
/// the rate-limiting middleware, which runs after authentication, so the partition is the user id.
/// </summary>
public static class UserWriteLimits
{
    public const string Posts = "user-posts";
    public const string Comments = "user-comments";
    public const string Likes = "user-likes";
    public const string Follows = "user-follows";
    public const string Reports = "user-reports";
    public const string ProfileEdits = "user-profile";

    public static void AddPolicies(RateLimiterOptions limiter)
    {
        foreach (var policy in new[] { Posts, Comments, Likes, Follows, Reports, ProfileEdits })
        {
            limiter.AddPolicy(policy, AuthRateLimits.Partitioned(policy, context => context.User.FindUserId()?.ToString("N") ?? "anonymous"));
        }
    }

    /// <summary>Limits the endpoint per user and says so in the OpenAPI document (429 with Retry-After).</summary>
    public static TBuilder RequireUserWriteLimit<TBuilder>(this TBuilder builder, string policy)
        where TBuilder : IEndpointConventionBuilder =>
        builder.RequireRateLimiting(policy)
            .WithMetadata(new ProducesResponseTypeMetadata(StatusCodes.Status429TooManyRequests, typeof(Microsoft.AspNetCore.Mvc.ProblemDetails), ["application/problem+json"]));
}

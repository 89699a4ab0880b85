using FoodCommunity.Api.Auth;
using FoodCommunity.Api.Infrastructure.Data;
using FoodCommunity.Api.Infrastructure.Storage;
using FoodCommunity.Domain.Accounts;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using System.Security.Claims;

namespace FoodCommunity.Api.Users;

public static class UsersApi
{
    public static RouteGroupBuilder MapMeApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/me").WithTags("Users").RequireAuthorization(AuthSetup.ApiPolicy);
        group.MapGet("/", GetMe).WithName("GetMe").WithSummary("The caller's own profile.");
        return group;
    }

    public static RouteGroupBuilder MapUsersApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/users").WithTags("Users").AllowAnonymous();
        group.MapGet("/{username}", GetByUsername).WithName("GetUserByUsername")
            .WithSummary("A user's profile by username (case-insensitive).");
        return group;
    }

    public static async Task<Results<Ok<Profile>, ProblemHttpResult>> GetMe(
        ClaimsPrincipal caller, FoodCommunityDbContext db, PublicUrls urls, CancellationToken cancellationToken)
    {
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == caller.GetUserId(), cancellationToken);
        return user is null
            ? TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized", detail: "The account no longer exists.")
            : TypedResults.Ok(Profile.From(user, followedByMe: false, urls));
    }

    public static async Task<Results<Ok<Profile>, NotFound>> GetByUsername(
        string username, FoodCommunityDbContext db, PublicUrls urls, CancellationToken cancellationToken)
    {
        var normalized = AccountRules.NormalizeUsername(username);
        if (AccountRules.DescribeUsernameProblem(normalized) is not null)
        {
            return TypedResults.NotFound();
        }

        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Username == normalized, cancellationToken);
        // followedByMe becomes real with follows (issue 5); until then nobody follows anybody.
        return user is null ? TypedResults.NotFound() : TypedResults.Ok(Profile.From(user, followedByMe: false, urls));
    }
}

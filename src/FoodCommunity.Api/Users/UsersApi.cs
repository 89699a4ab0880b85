using FoodCommunity.Api.Auth;
using FoodCommunity.Api.Infrastructure.Data;
using FoodCommunity.Api.Infrastructure.Storage;
using FoodCommunity.Domain.Accounts;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using System.Security.Claims;
using FoodCommunity.Api.Infrastructure.Http;

namespace FoodCommunity.Api.Users;

/// <param name="DisplayName">1 to 50 characters; absent leaves it unchanged.</param>
/// <param name="Bio">Up to 300 characters; absent leaves it unchanged.</param>
/// <param name="AvatarKey">A key from the upload function, uploaded by the caller; "" removes the avatar.</param>
public sealed record UpdateProfileRequest(string? DisplayName, string? Bio, string? AvatarKey);

public static class UsersApi
{
    public static RouteGroupBuilder MapMeApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/me").WithTags("Users").RequireApiScope();
        group.MapGet("/", GetMe).WithName("GetMe").WithSummary("The caller's own profile.");
        group.MapPatch("/", UpdateMe).WithName("UpdateMe")
            .WithSummary("Change the caller's display name, bio or avatar. Absent fields stay as they are; avatarKey \"\" removes the avatar. " +
                "While the avatar image is still being processed the answer is 409 with Retry-After.")
            .ProducesProblem(StatusCodes.Status409Conflict);
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
        ClaimsPrincipal caller, ReadDatabase reads, PublicUrls urls, CancellationToken cancellationToken)
    {
        var me = caller.GetUserId();
        var db = await reads.ForAsync(me);
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == me, cancellationToken);
        return user is null
            ? AuthApi.AccountGone()
            : TypedResults.Ok(Profile.From(user, followedByMe: false, urls));
    }

    public static async Task<Results<Ok<Profile>, ValidationProblem, ProblemHttpResult>> UpdateMe(
        UpdateProfileRequest request, ClaimsPrincipal caller, FoodCommunityDbContext db, UploadedImages images,
        ReadDatabase reads, PublicUrls urls, TimeProvider clock, HttpResponse httpResponse, CancellationToken cancellationToken)
    {
        var userId = caller.GetUserId();
        var errors = new Dictionary<string, string[]>();
        if (request.DisplayName is not null)
        {
            errors.AddIfAny("displayName", AccountRules.DescribeDisplayNameProblem(request.DisplayName));
        }

        if (request.Bio is not null)
        {
            errors.AddIfAny("bio", AccountRules.DescribeBioProblem(request.Bio));
        }

        ImageCheck? avatar = string.IsNullOrEmpty(request.AvatarKey) ? null : await images.CheckAsync(request.AvatarKey, userId, cancellationToken);
        errors.AddIfAny("avatarKey", (avatar as ImageCheck.Refused)?.Problem);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (avatar is ImageCheck.Processing)
        {
            httpResponse.Headers.RetryAfter = UploadedImages.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict",
                detail: "The avatar image is still being processed; retry in a moment.");
        }

        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == userId, cancellationToken);
        if (user is null)
        {
            return AuthApi.AccountGone();
        }

        if (avatar is ImageCheck.Ready ready)
        {
            await images.MarkAttachedAsync([ready.Image], cancellationToken);
        }

        user.DisplayName = request.DisplayName?.Trim() ?? user.DisplayName;
        user.Bio = request.Bio ?? user.Bio;
        if (request.AvatarKey is not null)
        {
            user.AvatarKey = request.AvatarKey.Length == 0 ? null : request.AvatarKey;
        }

        user.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        await reads.MarkWriteAsync(userId);
        return TypedResults.Ok(Profile.From(user, followedByMe: false, urls));
    }

    public static async Task<Results<Ok<Profile>, NotFound>> GetByUsername(
        string username, ClaimsPrincipal caller, ReadDatabase reads, PublicUrls urls, CancellationToken cancellationToken)
    {
        var normalized = AccountRules.NormalizeUsername(username);
        if (AccountRules.DescribeUsernameProblem(normalized) is not null)
        {
            return TypedResults.NotFound();
        }

        var callerId = caller.FindUserId();
        var db = await reads.ForAsync(callerId);
        var userId = await db.Users.Where(u => u.Username == normalized).Select(u => (Guid?)u.Id).SingleOrDefaultAsync(cancellationToken);
        if (userId is not { } id)
        {
            return TypedResults.NotFound();
        }

        var profiles = await ProfileLoader.LoadAsync(db, [id], callerId, urls, cancellationToken);
        return profiles.TryGetValue(id, out var profile) ? TypedResults.Ok(profile) : TypedResults.NotFound();
    }
}

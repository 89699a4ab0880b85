using FoodCommunity.Api.Auth;
using FoodCommunity.Api.Infrastructure.Data;
using FoodCommunity.Api.Infrastructure.Storage;
using FoodCommunity.Api.Posts;
using FoodCommunity.Api.Infrastructure.Paging;
using FoodCommunity.Domain.Accounts;
using FoodCommunity.Domain.Text;
using FoodCommunity.Domain.Uploads;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using System.Security.Claims;
using FoodCommunity.Api.Infrastructure.Http;

namespace FoodCommunity.Api.Users;

/// <param name="DisplayName">1 to 50 characters; absent leaves it unchanged.</param>
/// <param name="Bio">Up to 300 characters; absent leaves it unchanged.</param>
/// <param name="AvatarKey">A key from the upload function, uploaded by the caller; "" removes the avatar.</param>
public sealed record UpdateProfileRequest(string? DisplayName, string? Bio, string? AvatarKey);

/// <param name="Password">The account's password, to confirm it is its owner deleting it.</param>
public sealed record DeleteAccountRequest(string? Password);

public static class UsersApi
{
    public static RouteGroupBuilder MapMeApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/me").WithTags("Users").RequireApiScope();
        group.MapGet("/", GetMe).WithName("GetMe").WithSummary("The caller's own profile.");
        group.MapDelete("/", DeleteMe).WithName("DeleteMe")
            .WithSummary("Delete the caller's account: every session ends and the account leaves every read at once; its posts, comments, likes, follows, images and reports are erased in the background.")
            .ProducesProblem(StatusCodes.Status403Forbidden);
        group.MapPatch("/", UpdateMe).WithName("UpdateMe").RequireUserWriteLimit(UserWriteLimits.ProfileEdits)
            .WithSummary("Change the caller's display name, bio or avatar. Absent fields stay as they are; avatarKey \"\" removes the avatar. " +
                "While the avatar image is still being processed the answer is 409 with Retry-After.")
            .ProducesProblem(StatusCodes.Status409Conflict);
        return group;
    }

    public static RouteGroupBuilder MapUsersApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/users").WithTags("Users").AllowAnonymous();
        group.MapGet("/", SearchUsers).WithName("SearchUsers")
            .WithSummary($"People whose username or display name starts with the query (1 to {AccountRules.SearchQueryMaxLength} characters; case, accents and full-width forms ignored; Hangul matches as it is typed).");
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
        ReadDatabase reads, PublicUrls urls, Feeds.FeedCache feedCache, TimeProvider clock, HttpResponse httpResponse, CancellationToken cancellationToken)
    {
        var userId = caller.GetUserId();
        var displayName = request.DisplayName is null ? null : AccountRules.NormalizeDisplayName(request.DisplayName);
        var bio = request.Bio is null ? null : AccountRules.NormalizeBio(request.Bio);
        var errors = new Dictionary<string, string[]>();
        if (request.DisplayName is not null)
        {
            errors.AddIfAny("displayName", AccountRules.DescribeDisplayNameProblem(displayName));
        }

        if (request.Bio is not null)
        {
            errors.AddIfAny("bio", AccountRules.DescribeBioProblem(bio));
        }

        var newAvatar = request.AvatarKey is { Length: > 0 } ? request.AvatarKey : null;
        ImageCheck? avatar = newAvatar is null ? null
            : newAvatar.Length > UploadKey.MaxLength ? new ImageCheck.Refused(newAvatar, "This key was not issued to you by the upload service.")
            : await images.CheckAsync(newAvatar, userId, cancellationToken);
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

        if (avatar is ImageCheck.Ready ready)
        {
            await images.MarkAttachedAsync([ready.Image], cancellationToken);
        }

        var outcome = await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var user = await db.Users.FromSql($"SELECT * FROM users WHERE id = {userId} FOR UPDATE").SingleOrDefaultAsync(cancellationToken);
            if (user is null)
            {
                return (User: (User?)null, GoneKey: (string?)null);
            }

            if (displayName is not null && displayName != user.DisplayName)
            {
                user.DisplayName = displayName;
                await UserSearch.IndexAsync(db, user, cancellationToken);
            }

            user.Bio = bio ?? user.Bio;
            if (request.AvatarKey is not null && request.AvatarKey != user.AvatarKey)
            {
                // A new avatar may be an image the worker is deleting; the replaced one goes to the worker.
                if (newAvatar is not null && await ImageDeletionQueue.TakeBackAsync(db, [newAvatar], cancellationToken) is { } gone)
                {
                    return (null, gone);
                }

                if (user.AvatarKey is not null)
                {
                    ImageDeletionQueue.Enqueue(db, [user.AvatarKey], clock.GetUtcNow());
                }

                user.AvatarKey = newAvatar;
            }

            user.UpdatedAt = clock.GetUtcNow();
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return (user, null);
        });
        if (outcome.GoneKey is not null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["avatarKey"] = ["This upload has been deleted; upload the image again."] });
        }

        if (outcome.User is null)
        {
            return AuthApi.AccountGone();
        }

        await reads.MarkWriteAsync(userId);
        await feedCache.UsersChangedAsync(userId);
        return TypedResults.Ok(Profile.From(outcome.User, followedByMe: false, urls));
    }

    public static async Task<Results<Accepted, ValidationProblem, ProblemHttpResult>> DeleteMe(
        [Microsoft.AspNetCore.Mvc.FromBody] DeleteAccountRequest request, ClaimsPrincipal caller, FoodCommunityDbContext db, Passwords passwords, RefreshSessions sessions,
        AccessRevocation revocation, Feeds.FeedCache feedCache, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (request.Password is not { Length: > 0 and <= AccountRules.PasswordMaxLength })
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["password"] = ["Enter your password to delete your account."] });
        }

        var userId = caller.GetUserId();
        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == userId, cancellationToken);
        if (user is null)
        {
            return AuthApi.AccountGone();
        }

        if (passwords.Verify(user, request.Password) == Microsoft.AspNetCore.Identity.PasswordVerificationResult.Failed)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", detail: "The password is wrong; the account was not deleted.");
        }

        var now = clock.GetUtcNow();
        await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await db.Users.Where(u => u.Id == userId).ExecuteUpdateAsync(u => u.SetProperty(x => x.DeletedAt, now), cancellationToken);
            db.AccountErasures.Add(new AccountErasure { UserId = userId, RequestedAt = now, Step = AccountErasureWorker.FirstStep });
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        });
        // The profile card goes, and with it the user from every feed, list and search on every instance.
        await feedCache.UsersChangedAsync(userId);
        await sessions.RevokeAllAsync(userId);
        await revocation.RevokeAllAsync(userId);
        return TypedResults.Accepted((string?)null);
    }

    public static async Task<Results<Ok<Page<Profile>>, ValidationProblem>> SearchUsers(
        string? query, int? limit, string? cursor, ClaimsPrincipal caller, ReadDatabase reads, Cursors cursors, ProfileViews profileViews,
        BlockList blocks, CancellationToken cancellationToken)
    {
        if (PageRequest.Parse(limit, cursor, out var invalid) is not { } page)
        {
            return invalid!;
        }

        var folded = query is null || query.Length > TextRules.MaxDecompositionFactor * AccountRules.SearchQueryMaxLength ? null : AccountRules.FoldForSearch(query);
        if (folded is not { Length: > 0 } || folded.Length > AccountRules.SearchTermMaxLength)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["query"] = [$"Search for 1 to {AccountRules.SearchQueryMaxLength} characters."] });
        }

        (string, Guid)? after = null;
        if (page.Cursor is not null)
        {
            if (!cursors.TryReadTextAndId(page.Cursor, CursorKind.UserSearch, out var afterTerm, out var afterId))
            {
                return PageRequest.BadCursor();
            }

            after = (afterTerm, afterId);
        }

        var callerId = caller.FindUserId();
        var db = await reads.ForAsync(callerId);
        var rows = await UserSearch.FindAsync(db, folded, after, page.Limit + 1, cancellationToken);
        var hasMore = rows.Count > page.Limit;
        rows = rows.Take(page.Limit).ToList();
        var profiles = await profileViews.LoadAsync(rows.Select(r => r.UserId).Distinct().ToList(), callerId, await blocks.HiddenForAsync(callerId, cancellationToken), await reads.WroteRecentlyAsync(callerId), cancellationToken);
        // A user whose username matches is listed at that row only, so no page repeats anyone.
        var items = rows
            .Where(r => profiles.TryGetValue(r.UserId, out var profile) && (r.Term == profile.Username || !profile.Username.StartsWith(folded, StringComparison.Ordinal)))
            .Select(r => profiles[r.UserId])
            .ToList();
        var next = hasMore ? cursors.ForTextAndId(CursorKind.UserSearch, rows[^1].Term, rows[^1].UserId) : null;
        return TypedResults.Ok(new Page<Profile>(items, next));
    }

    public static async Task<Results<Ok<Profile>, NotFound>> GetByUsername(
        string username, ClaimsPrincipal caller, ReadDatabase reads, ProfileViews profileViews, BlockList blocks, CancellationToken cancellationToken)
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

        var profiles = await profileViews.LoadAsync([id], callerId, await blocks.HiddenForAsync(callerId, cancellationToken), await reads.WroteRecentlyAsync(callerId), cancellationToken);
        return profiles.TryGetValue(id, out var profile) ? TypedResults.Ok(profile) : TypedResults.NotFound();
    }
}

using System.Security.Claims;
using FoodCommunity.Api.Auth;
using FoodCommunity.Api.Feeds;
using FoodCommunity.Api.Infrastructure.Data;
using FoodCommunity.Api.Infrastructure.Http;
using FoodCommunity.Api.Infrastructure.Paging;
using FoodCommunity.Api.Posts;
using FoodCommunity.Domain.Posts;
using FoodCommunity.Domain.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace FoodCommunity.Api.Moderation;

public static class ModerationApi
{
    /// <summary>A suspension without an end lasts until an operator lifts it.</summary>
    public static readonly DateTimeOffset Indefinitely = new(9999, 12, 31, 0, 0, 0, TimeSpan.Zero);

    public static RouteGroupBuilder MapModerationApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/moderation").WithTags("Moderation").RequireModerateScope();
        group.MapGet("/reports", ListReports).WithName("ListReports")
            .WithSummary("Posts with open reports, most reported first.");
        group.MapPost("/posts/{postId:guid}/hide", HidePost).WithName("HidePost")
            .WithSummary("Hide a post from everyone but its author, and close its reports.");
        group.MapPost("/posts/{postId:guid}/dismiss", DismissReports).WithName("DismissReports")
            .WithSummary("Close a post's open reports; the post stays.");
        group.MapPost("/users/{userId:guid}/suspend", SuspendUser).WithName("SuspendUser")
            .WithSummary("End a user's sessions and refuse their sign-in until the suspension ends.");
        return group;
    }

    public static async Task<Results<Ok<Page<ReportedPost>>, ValidationProblem>> ListReports(
        int? limit, string? cursor, ClaimsPrincipal caller, FoodCommunityDbContext db, PostViews views, Cursors cursors,
        CancellationToken cancellationToken)
    {
        if (PageRequest.Parse(limit, cursor, out var invalid) is not { } page)
        {
            return invalid!;
        }

        var offset = 0;
        if (page.Cursor is not null && !cursors.TryReadSnapshot(page.Cursor, CursorKind.ModerationQueue, out _, out offset))
        {
            return PageRequest.BadCursor();
        }

        // The queue is small and moves as moderators work it: offset paging over a stable order is enough.
        var groups = await db.PostReports.AsNoTracking()
            .Where(r => r.ClosedAt == null)
            .GroupBy(r => r.PostId)
            .Select(g => new { PostId = g.Key, Count = g.Count(), First = g.Min(r => r.CreatedAt) })
            .OrderByDescending(g => g.Count).ThenBy(g => g.First).ThenBy(g => g.PostId)
            .Skip(offset).Take(page.Limit + 1)
            .ToListAsync(cancellationToken);
        var hasMore = groups.Count > page.Limit;
        groups = groups.Take(page.Limit).ToList();
        var ids = groups.Select(g => g.PostId).ToList();
        var reasons = (await db.PostReports.AsNoTracking()
                .Where(r => r.ClosedAt == null && ids.Contains(r.PostId))
                .OrderBy(r => r.CreatedAt)
                .Select(r => new { r.PostId, r.Reason })
                .ToListAsync(cancellationToken))
            .GroupBy(r => r.PostId)
            .ToDictionary(g => g.Key, g => g.Select(r => r.Reason).Distinct().Take(10).ToList());
        var posts = (await views.LoadAsync(ids, caller.GetUserId(), fresh: true, cancellationToken)).ToDictionary(p => Guid.Parse(p.Id));
        var items = groups.Where(g => posts.ContainsKey(g.PostId))
            .Select(g => new ReportedPost(posts[g.PostId], g.Count, reasons.GetValueOrDefault(g.PostId) ?? [], g.First))
            .ToList();
        var next = hasMore ? cursors.ForSnapshot(CursorKind.ModerationQueue, 0, offset + page.Limit) : null;
        return TypedResults.Ok(new Page<ReportedPost>(items, next));
    }

    public static async Task<Results<NoContent, NotFound, ValidationProblem>> HidePost(
        Guid postId, HidePostRequest request, ClaimsPrincipal caller, FoodCommunityDbContext db,
        FeedCache feedCache, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (ValidReason(request.Reason) is not { } reason)
        {
            return ReasonProblem();
        }

        var now = clock.GetUtcNow();
        var found = await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            if (await db.Posts.Where(p => p.Id == postId).ExecuteUpdateAsync(p => p.SetProperty(x => x.HiddenAt, now), cancellationToken) == 0)
            {
                return false;
            }

            await CloseReportsAsync(db, postId, now, cancellationToken);
            Record(db, caller, ModerationAction.HidePost, now, reason, postId: postId);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return true;
        });
        if (!found)
        {
            return TypedResults.NotFound();
        }

        // Out of every instance's cached card (which says hidden), the ranking and the like buffer.
        await feedCache.ForgetPostAsync(postId);
        return TypedResults.NoContent();
    }

    public static async Task<Results<NoContent, NotFound>> DismissReports(
        Guid postId, ClaimsPrincipal caller, FoodCommunityDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (!await db.Posts.AnyAsync(p => p.Id == postId, cancellationToken))
        {
            return TypedResults.NotFound();
        }

        var now = clock.GetUtcNow();
        await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await CloseReportsAsync(db, postId, now, cancellationToken);
            Record(db, caller, ModerationAction.DismissReports, now, "", postId: postId);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        });
        return TypedResults.NoContent();
    }

    public static async Task<Results<NoContent, NotFound, ValidationProblem>> SuspendUser(
        Guid userId, SuspendUserRequest request, ClaimsPrincipal caller, FoodCommunityDbContext db, RefreshSessions sessions,
        AccessRevocation revocation, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (ValidReason(request.Reason) is not { } reason)
        {
            return ReasonProblem();
        }

        if (request.Days is < 1 or > 3650)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["days"] = ["A suspension lasts 1 to 3650 days, or without end when days is absent."] });
        }

        var now = clock.GetUtcNow();
        var until = request.Days is { } days ? now.AddDays(days) : Indefinitely;
        if (await db.Users.Where(u => u.Id == userId).ExecuteUpdateAsync(u => u.SetProperty(x => x.SuspendedUntil, until), cancellationToken) == 0)
        {
            return TypedResults.NotFound();
        }

        Record(db, caller, ModerationAction.SuspendUser, now, reason, userId: userId);
        await db.SaveChangesAsync(cancellationToken);
        // After the commit: a sign-in racing this sees the suspension; one that finished before it is ended here.
        await sessions.RevokeAllAsync(userId);
        await revocation.RevokeAllAsync(userId);
        return TypedResults.NoContent();
    }

    private static Task CloseReportsAsync(FoodCommunityDbContext db, Guid postId, DateTimeOffset now, CancellationToken cancellationToken) =>
        db.PostReports.Where(r => r.PostId == postId && r.ClosedAt == null)
            .ExecuteUpdateAsync(r => r.SetProperty(x => x.ClosedAt, now), cancellationToken);

    private static void Record(FoodCommunityDbContext db, ClaimsPrincipal caller, string action, DateTimeOffset now, string reason, Guid? postId = null, Guid? userId = null) =>
        db.ModerationActions.Add(new ModerationAction
        {
            ModeratorId = caller.GetUserId(),
            Action = action,
            PostId = postId,
            UserId = userId,
            Reason = reason,
            CreatedAt = now,
        });

    private static string? ValidReason(string? raw) =>
        TextRules.Normalize(raw ?? "", PostRules.ReportReasonMaxLength) is { Length: > 0 } reason ? reason : null;

    private static ValidationProblem ReasonProblem() =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["reason"] = [$"A reason has 1 to {PostRules.ReportReasonMaxLength} characters."] });
}

using System.Security.Claims;
using FoodCommunity.Api.Auth;
using FoodCommunity.Api.Infrastructure.Data;
using FoodCommunity.Api.Infrastructure.Paging;
using FoodCommunity.Api.Infrastructure.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace FoodCommunity.Api.Users;

public static class BlocksApi
{
    public static RouteGroupBuilder MapBlocksApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1").WithTags("Blocks").RequireApiScope();
        group.MapPut("/users/{userId:guid}/block", BlockUser).WithName("BlockUser").RequireUserWriteLimit(UserWriteLimits.Follows)
            .WithSummary("Block a user: neither of you sees or reaches the other any more, and follows between you end both ways. Blocking again changes nothing.");
        group.MapDelete("/users/{userId:guid}/block", UnblockUser).WithName("UnblockUser").RequireUserWriteLimit(UserWriteLimits.Follows)
            .WithSummary("Unblock a user. Follows that the block ended are not restored.");
        group.MapGet("/me/blocks", ListBlocks).WithName("ListBlocks")
            .WithSummary("The users the caller blocks, most recent first.");
        return group;
    }

    public static async Task<Results<NoContent, NotFound, ValidationProblem>> BlockUser(
        Guid userId, ClaimsPrincipal caller, FoodCommunityDbContext db, BlockList blocks, ReadDatabase reads, Feeds.FeedCache feedCache,
        TimeProvider clock, CancellationToken cancellationToken)
    {
        var me = caller.GetUserId();
        if (me == userId)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["userId"] = ["You cannot block yourself."] });
        }

        if (!await db.Users.AnyAsync(u => u.Id == userId, cancellationToken))
        {
            return TypedResults.NotFound();
        }

        var now = clock.GetUtcNow();
        await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            // The same lock order as a follow, so a follow racing the block either lands first and is
            // ended here, or waits and then sees the block.
            await FollowsApi.LockPairAsync(db, me, userId, cancellationToken);
            await db.Database.ExecuteSqlAsync(
                $"INSERT IGNORE INTO blocks (blocker_id, blocked_id, created_at) VALUES ({me}, {userId}, {now})", cancellationToken);
            await FollowsApi.EndBothWaysAsync(db, me, userId, cancellationToken);

            await transaction.CommitAsync(cancellationToken);
        });
        await blocks.ChangedAsync(me, userId);
        // The block ended any follow between them, either way.
        await feedCache.FollowChangedAsync(me, userId);
        await feedCache.FollowChangedAsync(userId, me);
        await reads.MarkWriteAsync(me);
        return TypedResults.NoContent();
    }

    public static async Task<NoContent> UnblockUser(
        Guid userId, ClaimsPrincipal caller, FoodCommunityDbContext db, BlockList blocks, ReadDatabase reads, CancellationToken cancellationToken)
    {
        var me = caller.GetUserId();
        if (await db.Blocks.Where(b => b.BlockerId == me && b.BlockedId == userId).ExecuteDeleteAsync(cancellationToken) == 1)
        {
            await blocks.ChangedAsync(me, userId);
        }

        await reads.MarkWriteAsync(me);
        return TypedResults.NoContent();
    }

    public static async Task<Results<Ok<Page<Profile>>, ValidationProblem>> ListBlocks(
        int? limit, string? cursor, ClaimsPrincipal caller, ReadDatabase reads, Cursors cursors, ProfileViews profileViews, CancellationToken cancellationToken)
    {
        if (PageRequest.Parse(limit, cursor, out var invalid) is not { } page)
        {
            return invalid!;
        }

        DateTimeOffset? beforeTime = null;
        var beforeId = Guid.Empty;
        if (page.Cursor is not null)
        {
            if (!cursors.TryReadTimeAndId(page.Cursor, CursorKind.Blocks, out var time, out beforeId))
            {
                return PageRequest.BadCursor();
            }

            beforeTime = time;
        }

        var me = caller.GetUserId();
        var db = await reads.ForAsync(me);
        var rows = await db.Blocks.AsNoTracking()
            .Where(b => b.BlockerId == me)
            .Where(b => beforeTime == null || b.CreatedAt < beforeTime || (b.CreatedAt == beforeTime && b.BlockedId.CompareTo(beforeId) < 0))
            .OrderByDescending(b => b.CreatedAt).ThenByDescending(b => b.BlockedId)
            .Take(page.Limit + 1)
            .Select(b => new { b.CreatedAt, b.BlockedId })
            .ToListAsync(cancellationToken);
        var hasMore = rows.Count > page.Limit;
        rows = rows.Take(page.Limit).ToList();
        // The one list that shows blocked users: nothing is hidden from it.
        var profiles = await profileViews.LoadAsync(rows.Select(r => r.BlockedId).ToList(), me, BlockList.None, await reads.WroteRecentlyAsync(me), cancellationToken);
        var items = rows.Where(r => profiles.ContainsKey(r.BlockedId)).Select(r => profiles[r.BlockedId]).ToList();
        var next = hasMore ? cursors.ForTimeAndId(CursorKind.Blocks, rows[^1].CreatedAt, rows[^1].BlockedId) : null;
        return TypedResults.Ok(new Page<Profile>(items, next));
    }
}

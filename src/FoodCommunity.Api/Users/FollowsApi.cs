using System.Security.Claims;
using FoodCommunity.Api.Auth;
using FoodCommunity.Api.Infrastructure.Data;
using FoodCommunity.Api.Infrastructure.Paging;
using FoodCommunity.Api.Infrastructure.Storage;
using FoodCommunity.Domain.Accounts;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace FoodCommunity.Api.Users;

public static class FollowsApi
{
    public static RouteGroupBuilder MapFollowsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/users/{userId:guid}").WithTags("Follows");
        group.MapPut("/follow", FollowUser).WithName("FollowUser").RequireApiScope().RequireUserWriteLimit(UserWriteLimits.Follows)
            .WithSummary($"Follow a user. Following someone you already follow changes nothing; beyond {AccountRules.MaxFollowing} accounts followed, 409.")
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapDelete("/follow", UnfollowUser).WithName("UnfollowUser").RequireApiScope().RequireUserWriteLimit(UserWriteLimits.Follows)
            .WithSummary("Stop following a user. Unfollowing someone you do not follow changes nothing.");
        group.MapGet("/followers", ListFollowers).WithName("ListFollowers").AllowAnonymous()
            .WithSummary("Who follows the user, most recent first.");
        group.MapGet("/following", ListFollowing).WithName("ListFollowing").AllowAnonymous()
            .WithSummary("Whom the user follows, most recent first.");
        return group;
    }

    public static async Task<Results<NoContent, NotFound, ValidationProblem, ProblemHttpResult>> FollowUser(
        Guid userId, ClaimsPrincipal caller, FoodCommunityDbContext db, ReadDatabase reads, Notifications.Notifier notifier, Feeds.FeedCache feedCache,
        TimeProvider clock, CancellationToken cancellationToken)
    {
        var me = caller.GetUserId();
        if (me == userId)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["userId"] = ["You cannot follow yourself."] });
        }

        if (!await db.Users.AnyAsync(u => u.Id == userId, cancellationToken))
        {
            return TypedResults.NotFound();
        }

        var now = clock.GetUtcNow();
        var followed = await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await LockPairAsync(db, me, userId, cancellationToken);
            if (await BlockList.EitherBlocksAsync(db, me, userId, cancellationToken))
            {
                return FollowOutcome.NotFound;
            }

            // The counter is exact and its row locked: a burst of follows cannot pass the cap together.
            var following = await db.Users.Where(u => u.Id == me).Select(u => u.FollowingCount).SingleAsync(cancellationToken);
            if (following >= AccountRules.MaxFollowing
                && !await db.Follows.AnyAsync(f => f.FollowerId == me && f.FolloweeId == userId, cancellationToken))
            {
                return FollowOutcome.OverTheCap;
            }

            // A repeat (or a concurrent duplicate) inserts nothing, and then counts nothing.
            var inserted = await db.Database.ExecuteSqlAsync(
                $"INSERT IGNORE INTO follows (follower_id, followee_id, created_at) VALUES ({me}, {userId}, {now})", cancellationToken);
            if (inserted == 1)
            {
                await AdjustCountersAsync(db, me, userId, +1, cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
            return inserted == 1 ? FollowOutcome.Followed : FollowOutcome.AlreadyFollowing;
        });
        if (followed == FollowOutcome.NotFound)
        {
            return TypedResults.NotFound();
        }

        if (followed == FollowOutcome.OverTheCap)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Too many follows",
                detail: $"You follow {AccountRules.MaxFollowing} accounts, the most anyone may; unfollow one first.");
        }

        if (followed == FollowOutcome.Followed)
        {
            await feedCache.FollowChangedAsync(me, userId);
            await notifier.FollowedAsync(db, userId, me, cancellationToken);
        }

        await reads.MarkWriteAsync(me);
        return TypedResults.NoContent();
    }

    public static async Task<Results<NoContent, NotFound>> UnfollowUser(
        Guid userId, ClaimsPrincipal caller, FoodCommunityDbContext db, ReadDatabase reads, Feeds.FeedCache feedCache, CancellationToken cancellationToken)
    {
        var me = caller.GetUserId();
        if (!await db.Users.AnyAsync(u => u.Id == userId, cancellationToken))
        {
            return TypedResults.NotFound();
        }

        await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await LockPairAsync(db, me, userId, cancellationToken);
            var deleted = await db.Follows.Where(f => f.FollowerId == me && f.FolloweeId == userId).ExecuteDeleteAsync(cancellationToken);
            if (deleted == 1)
            {
                await AdjustCountersAsync(db, me, userId, -1, cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
        });
        await feedCache.FollowChangedAsync(me, userId);
        await reads.MarkWriteAsync(me);
        return TypedResults.NoContent();
    }

    public static Task<Results<Ok<Page<Profile>>, NotFound, ValidationProblem>> ListFollowers(
        Guid userId, int? limit, string? cursor, ClaimsPrincipal caller, ReadDatabase reads, Cursors cursors, ProfileViews profileViews,
        BlockList blocks, CancellationToken cancellationToken) =>
        ListAsync(userId, followers: true, limit, cursor, caller, reads, cursors, profileViews, blocks, cancellationToken);

    public static Task<Results<Ok<Page<Profile>>, NotFound, ValidationProblem>> ListFollowing(
        Guid userId, int? limit, string? cursor, ClaimsPrincipal caller, ReadDatabase reads, Cursors cursors, ProfileViews profileViews,
        BlockList blocks, CancellationToken cancellationToken) =>
        ListAsync(userId, followers: false, limit, cursor, caller, reads, cursors, profileViews, blocks, cancellationToken);

    private static async Task<Results<Ok<Page<Profile>>, NotFound, ValidationProblem>> ListAsync(
        Guid userId, bool followers, int? limit, string? cursor, ClaimsPrincipal caller, ReadDatabase reads, Cursors cursors,
        ProfileViews profileViews, BlockList blocks, CancellationToken cancellationToken)
    {
        if (PageRequest.Parse(limit, cursor, out var invalid) is not { } page)
        {
            return invalid!;
        }

        var kind = followers ? CursorKind.Followers : CursorKind.Following;
        DateTimeOffset? beforeTime = null;
        var beforeId = Guid.Empty;
        if (page.Cursor is not null)
        {
            if (!cursors.TryReadTimeAndId(page.Cursor, kind, out var time, out beforeId))
            {
                return PageRequest.BadCursor();
            }

            beforeTime = time;
        }

        var callerId = caller.FindUserId();
        var db = await reads.ForAsync(callerId);
        var hidden = await blocks.HiddenForAsync(callerId, cancellationToken);
        if (hidden.Contains(userId) || !await db.Users.AnyAsync(u => u.Id == userId, cancellationToken))
        {
            return TypedResults.NotFound();
        }

        // (created_at, other id) descending: a range of ix_follows_{followee|follower}_id_created_at_*.
        var rows = await (followers
                ? db.Follows.Where(f => f.FolloweeId == userId)
                    .Where(f => beforeTime == null || f.CreatedAt < beforeTime || (f.CreatedAt == beforeTime && f.FollowerId.CompareTo(beforeId) < 0))
                    .OrderByDescending(f => f.CreatedAt).ThenByDescending(f => f.FollowerId)
                    .Select(f => new { f.CreatedAt, Other = f.FollowerId })
                : db.Follows.Where(f => f.FollowerId == userId)
                    .Where(f => beforeTime == null || f.CreatedAt < beforeTime || (f.CreatedAt == beforeTime && f.FolloweeId.CompareTo(beforeId) < 0))
                    .OrderByDescending(f => f.CreatedAt).ThenByDescending(f => f.FolloweeId)
                    .Select(f => new { f.CreatedAt, Other = f.FolloweeId }))
            .Take(page.Limit + 1)
            .ToListAsync(cancellationToken);
        var hasMore = rows.Count > page.Limit;
        rows = rows.Take(page.Limit).ToList();
        var profiles = await profileViews.LoadAsync(rows.Select(r => r.Other).ToList(), callerId, hidden, await reads.WroteRecentlyAsync(callerId), cancellationToken);
        var items = rows.Where(r => profiles.ContainsKey(r.Other)).Select(r => profiles[r.Other]).ToList();
        var next = hasMore ? cursors.ForTimeAndId(kind, rows[^1].CreatedAt, rows[^1].Other) : null;
        return TypedResults.Ok(new Page<Profile>(items, next));
    }

    /// <summary>
    /// Locks both users' rows in id order before anything else. A following B while B follows A would
    /// otherwise deadlock: each insert's foreign-key check share-locks both rows, then each counter
    /// update waits for the other's share lock.
    /// </summary>
    internal static Task LockPairAsync(FoodCommunityDbContext db, Guid first, Guid second, CancellationToken cancellationToken) =>
        db.Database.SqlQuery<Guid>($"SELECT id AS Value FROM users WHERE id IN ({first}, {second}) ORDER BY id FOR UPDATE").ToListAsync(cancellationToken);

    /// <summary>Ends the follows between two users both ways, with the counters; the caller holds the pair's locks (<see cref="LockPairAsync"/>).</summary>
    internal static async Task EndBothWaysAsync(FoodCommunityDbContext db, Guid first, Guid second, CancellationToken cancellationToken)
    {
        foreach (var (follower, followee) in new[] { (first, second), (second, first) })
        {
            if (await db.Follows.Where(f => f.FollowerId == follower && f.FolloweeId == followee).ExecuteDeleteAsync(cancellationToken) == 1)
            {
                await AdjustCountersAsync(db, follower, followee, -1, cancellationToken);
            }
        }
    }

    internal static async Task AdjustCountersAsync(FoodCommunityDbContext db, Guid follower, Guid followee, int delta, CancellationToken cancellationToken)
    {
        await db.Users.Where(u => u.Id == follower)
            .ExecuteUpdateAsync(u => u.SetProperty(x => x.FollowingCount, x => x.FollowingCount + delta), cancellationToken);
        await db.Users.Where(u => u.Id == followee)
            .ExecuteUpdateAsync(u => u.SetProperty(x => x.FollowerCount, x => x.FollowerCount + delta), cancellationToken);
    }

    private enum FollowOutcome
    {
        Followed,
        AlreadyFollowing,
        NotFound,
        OverTheCap,
    }
}

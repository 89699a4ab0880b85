using System.Security.Claims;
using FoodCommunity.Api.Auth;
using FoodCommunity.Api.Infrastructure.Data;
using FoodCommunity.Api.Infrastructure.Paging;
using FoodCommunity.Api.Posts;
using FoodCommunity.Api.Users;
using FoodCommunity.Domain.Posts;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using StackExchange.Redis;

namespace FoodCommunity.Api.Feeds;

public static class FeedsApi
{
    public static RouteGroupBuilder MapFeedsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1").WithTags("Feeds");
        group.MapGet("/feed/latest", GetLatest).WithName("GetLatestFeed").WithSummary("All posts, newest first.");
        group.MapGet("/feed/home", GetHome).WithName("GetHomeFeed").RequireApiScope()
            .WithSummary("Posts of the people you follow, and your own, newest first.");
        group.MapGet("/feed/popular", GetPopular).WithName("GetPopularFeed")
            .WithSummary("The most liked posts of the last 24 hours. Pages come from one ranked snapshot, so nothing shifts while you scroll.");
        group.MapGet("/users/{userId:guid}/posts", GetUserPosts).WithName("GetUserPosts").WithSummary("A user's posts, newest first.");
        group.MapGet("/tags/{tag}/posts", GetTagPosts).WithName("GetTagPosts").WithSummary("Posts with the tag, newest first.");
        return group;
    }

    public static async Task<Results<Ok<Page<PostView>>, NotFound, ValidationProblem>> GetLatest(
        int? limit, string? cursor, ClaimsPrincipal caller, ReadDatabase reads, Cursors cursors, PostViews views, FeedLists lists,
        CancellationToken cancellationToken)
    {
        var callerId = caller.FindUserId();
        var fresh = await reads.WroteRecentlyAsync(callerId);
        return await ByIdAsync(CursorKind.LatestPosts, limit, cursor, callerId, fresh, reads, cursors, views,
            ct => lists.LatestAsync(fresh, ct), FeedQueries.Latest, cancellationToken);
    }

    public static async Task<Results<Ok<Page<PostView>>, NotFound, ValidationProblem>> GetHome(
        int? limit, string? cursor, ClaimsPrincipal caller, ReadDatabase reads, Cursors cursors, PostViews views, HomeTimeline home,
        CancellationToken cancellationToken)
    {
        var me = caller.GetUserId();
        var fresh = await reads.WroteRecentlyAsync(me);
        if (PageRequest.Parse(limit, cursor, out var invalid) is not { } page)
        {
            return invalid!;
        }

        var before = FeedQueries.Newest;
        if (page.Cursor is not null && !cursors.TryReadId(page.Cursor, CursorKind.HomeFeed, out before))
        {
            return PageRequest.BadCursor();
        }

        var ids = await home.PageAsync(me, before, page.Limit + 1, fresh, cancellationToken)
            ?? await Ids(await reads.ForAsync(me), FeedQueries.Home(me, before, page.Limit + 1), cancellationToken);
        return await PageOfAsync(CursorKind.HomeFeed, page, ids, me, fresh, cursors, views, cancellationToken);
    }

    public static async Task<Results<Ok<Page<PostView>>, NotFound, ValidationProblem>> GetUserPosts(
        Guid userId, int? limit, string? cursor, ClaimsPrincipal caller, ReadDatabase reads, Cursors cursors, PostViews views,
        ProfileCards profiles, FeedLists lists, CancellationToken cancellationToken)
    {
        var callerId = caller.FindUserId();
        var fresh = await reads.WroteRecentlyAsync(callerId);
        if ((await profiles.GetManyAsync([userId], fresh, cancellationToken)).Count == 0)
        {
            return TypedResults.NotFound();
        }

        return await ByIdAsync(CursorKind.UserPosts, limit, cursor, callerId, fresh, reads, cursors, views,
            async ct => await lists.ByAuthorAsync(userId, fresh, ct), (before, take) => FeedQueries.ByAuthor(userId, before, take), cancellationToken);
    }

    public static async Task<Results<Ok<Page<PostView>>, NotFound, ValidationProblem>> GetTagPosts(
        string tag, int? limit, string? cursor, ClaimsPrincipal caller, ReadDatabase reads, Cursors cursors, PostViews views,
        FeedLists lists, CancellationToken cancellationToken)
    {
        var name = PostRules.NormalizeTag(tag);
        if (name is null || !PostRules.IsValidTag(name))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["tag"] = [$"A tag has 1 to {PostRules.TagMaxLength} letters, digits or '_'."] });
        }

        var callerId = caller.FindUserId();
        var fresh = await reads.WroteRecentlyAsync(callerId);
        return await ByIdAsync(CursorKind.TagPosts, limit, cursor, callerId, fresh, reads, cursors, views,
            ct => lists.ByTagAsync(name, fresh, ct), (before, take) => FeedQueries.ByTagName(name, before, take), cancellationToken);
    }

    public static async Task<Results<Ok<Page<PostView>>, NotFound, ValidationProblem>> GetPopular(
        int? limit, string? cursor, ClaimsPrincipal caller, ReadDatabase reads, Cursors cursors, PostViews views,
        PopularRanking ranking, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (PageRequest.Parse(limit, cursor, out var invalid) is not { } page)
        {
            return invalid!;
        }

        try
        {
            return await GetRankedAsync(page, caller, reads, cursors, views, ranking, cancellationToken);
        }
        catch (Exception e) when (e is RedisException or RedisTimeoutException)
        {
            // The ranking lives in Redis. Without it, one page from MySQL (a day's posts by like_count)
            // beats an error; it has no next page, because it is no snapshot a cursor could name.
            var callerId = caller.FindUserId();
            var ids = await Ids(await reads.ForAsync(callerId), FeedQueries.MostLikedSince(clock.GetUtcNow().AddDays(-1), page.Limit), cancellationToken);
            return TypedResults.Ok(new Page<PostView>(await views.LoadAsync(ids, callerId, fresh: true, cancellationToken), null));
        }
    }

    private static async Task<Results<Ok<Page<PostView>>, NotFound, ValidationProblem>> GetRankedAsync(
        PageRequest page, ClaimsPrincipal caller, ReadDatabase reads, Cursors cursors, PostViews views,
        PopularRanking ranking, CancellationToken cancellationToken)
    {
        long snapshot;
        var offset = 0;
        if (page.Cursor is null)
        {
            snapshot = await ranking.CurrentSnapshotAsync();
        }
        else if (!cursors.TryReadSnapshot(page.Cursor, CursorKind.PopularFeed, out snapshot, out offset))
        {
            return PageRequest.BadCursor();
        }

        if (await ranking.ReadAsync(snapshot, offset, page.Limit) is not var (ids, hasMore))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["cursor"] = ["This ranking has expired; start again from the first page."] });
        }

        var callerId = caller.FindUserId();
        var items = await views.LoadAsync(ids, callerId, await reads.WroteRecentlyAsync(callerId), cancellationToken);
        var next = hasMore ? cursors.ForSnapshot(CursorKind.PopularFeed, snapshot, offset + page.Limit) : null;
        return TypedResults.Ok(new Page<PostView>(items, next));
    }

    /// <summary>
    /// The shape every id-keyset feed shares: read the cursor, take one id more than asked from the
    /// cached list, or from MySQL past the list's window, and load the views.
    /// </summary>
    private static async Task<Results<Ok<Page<PostView>>, NotFound, ValidationProblem>> ByIdAsync(
        CursorKind kind, int? limit, string? cursor, Guid? callerId, bool fresh, ReadDatabase reads, Cursors cursors, PostViews views,
        Func<CancellationToken, Task<IdList>> cached, Func<Guid, int, FormattableString> query, CancellationToken cancellationToken)
    {
        if (PageRequest.Parse(limit, cursor, out var invalid) is not { } page)
        {
            return invalid!;
        }

        var before = FeedQueries.Newest;
        if (page.Cursor is not null && !cursors.TryReadId(page.Cursor, kind, out before))
        {
            return PageRequest.BadCursor();
        }

        var ids = (await cached(cancellationToken)).Page(before, page.Limit + 1)
            ?? await Ids(await reads.ForAsync(callerId), query(before, page.Limit + 1), cancellationToken);
        return await PageOfAsync(kind, page, ids, callerId, fresh, cursors, views, cancellationToken);
    }

    /// <summary>The page of up to limit + 1 ids: the views of the first limit, and a cursor when there was one more.</summary>
    private static async Task<Results<Ok<Page<PostView>>, NotFound, ValidationProblem>> PageOfAsync(
        CursorKind kind, PageRequest page, IReadOnlyList<Guid> ids, Guid? callerId, bool fresh, Cursors cursors, PostViews views,
        CancellationToken cancellationToken)
    {
        var pageIds = ids.Take(page.Limit).ToList();
        var items = await views.LoadAsync(pageIds, callerId, fresh, cancellationToken);
        var next = ids.Count > page.Limit ? cursors.ForId(kind, pageIds[^1]) : null;
        return TypedResults.Ok(new Page<PostView>(items, next));
    }

    private static Task<List<Guid>> Ids(FoodCommunityDbContext db, FormattableString sql, CancellationToken cancellationToken) =>
        db.Database.SqlQuery<Guid>(sql).ToListAsync(cancellationToken);
}

using System.Security.Claims;
using FoodCommunity.Api.Auth;
using FoodCommunity.Api.Infrastructure.Data;
using FoodCommunity.Api.Infrastructure.Paging;
using FoodCommunity.Api.Posts;
using FoodCommunity.Domain.Posts;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Hybrid;
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

    /// <summary>The ids of the latest feed's first page, the most read list of all.</summary>
    public const string LatestFirstPageKey = "feed:latest:first";

    /// <summary>
    /// Short, and not in process memory: every instance sees the removal when a post is created or
    /// deleted, and the rest of the time one query per few seconds serves every reader.
    /// </summary>
    private static readonly HybridCacheEntryOptions FirstPageCaching = new()
    {
        Expiration = TimeSpan.FromSeconds(5),
        Flags = HybridCacheEntryFlags.DisableLocalCache,
    };

    public static async Task<Results<Ok<Page<PostView>>, NotFound, ValidationProblem>> GetLatest(
        int? limit, string? cursor, ClaimsPrincipal caller, ReadDatabase reads, Cursors cursors, PostViews views,
        HybridCache cache, IServiceScopeFactory scopes, CancellationToken cancellationToken)
    {
        var callerId = caller.FindUserId();
        // Readers who just wrote must see the primary, not a list filled from the replica.
        var cacheable = cursor is null && (limit ?? PageRequest.DefaultLimit) == PageRequest.DefaultLimit && !await reads.WroteRecentlyAsync(callerId);
        return await ByIdAsync(CursorKind.LatestPosts, limit, cursor, callerId, reads, cursors, views,
            (db, before, take) => cacheable
                ? cache.GetOrCreateAsync(LatestFirstPageKey, async ct =>
                {
                    // Its own scope: the cache may run this for several requests, outliving the one that started it.
                    await using var scope = scopes.CreateAsyncScope();
                    var shared = await scope.ServiceProvider.GetRequiredService<ReadDatabase>().ForAsync(callerId: null);
                    return await Ids(shared, FeedQueries.Latest(before, take), ct);
                }, FirstPageCaching, cancellationToken: cancellationToken).AsTask()
                : Ids(db, FeedQueries.Latest(before, take), cancellationToken),
            cancellationToken);
    }

    public static Task<Results<Ok<Page<PostView>>, NotFound, ValidationProblem>> GetHome(
        int? limit, string? cursor, ClaimsPrincipal caller, ReadDatabase reads, Cursors cursors, PostViews views,
        CancellationToken cancellationToken)
    {
        var me = caller.GetUserId();
        return ByIdAsync(CursorKind.HomeFeed, limit, cursor, me, reads, cursors, views,
            (db, before, take) => Ids(db, FeedQueries.Home(me, before, take), cancellationToken), cancellationToken);
    }

    public static async Task<Results<Ok<Page<PostView>>, NotFound, ValidationProblem>> GetUserPosts(
        Guid userId, int? limit, string? cursor, ClaimsPrincipal caller, ReadDatabase reads, Cursors cursors, PostViews views,
        CancellationToken cancellationToken)
    {
        var callerId = caller.FindUserId();
        if (!await (await reads.ForAsync(callerId)).Users.AnyAsync(u => u.Id == userId, cancellationToken))
        {
            return TypedResults.NotFound();
        }

        return await ByIdAsync(CursorKind.UserPosts, limit, cursor, callerId, reads, cursors, views,
            (db, before, take) => Ids(db, FeedQueries.ByAuthor(userId, before, take), cancellationToken), cancellationToken);
    }

    public static async Task<Results<Ok<Page<PostView>>, NotFound, ValidationProblem>> GetTagPosts(
        string tag, int? limit, string? cursor, ClaimsPrincipal caller, ReadDatabase reads, Cursors cursors, PostViews views,
        CancellationToken cancellationToken)
    {
        var name = PostRules.NormalizeTag(tag);
        if (name is null || !PostRules.IsValidTag(name))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["tag"] = [$"A tag has 1 to {PostRules.TagMaxLength} letters, digits or '_'."] });
        }

        var callerId = caller.FindUserId();
        var tagId = await (await reads.ForAsync(callerId)).Tags.Where(t => t.Name == name).Select(t => (long?)t.Id).SingleOrDefaultAsync(cancellationToken);
        return await ByIdAsync(CursorKind.TagPosts, limit, cursor, callerId, reads, cursors, views,
            (db, before, take) => tagId is { } id ? Ids(db, FeedQueries.ByTag(id, before, take), cancellationToken) : Task.FromResult(new List<Guid>()),
            cancellationToken);
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
            var db = await reads.ForAsync(callerId);
            var ids = await Ids(db, FeedQueries.MostLikedSince(clock.GetUtcNow().AddDays(-1), page.Limit), cancellationToken);
            return TypedResults.Ok(new Page<PostView>(await views.LoadAsync(db, ids, callerId, cancellationToken), null));
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
        var items = await views.LoadAsync(await reads.ForAsync(callerId), ids, callerId, cancellationToken);
        var next = hasMore ? cursors.ForSnapshot(CursorKind.PopularFeed, snapshot, offset + page.Limit) : null;
        return TypedResults.Ok(new Page<PostView>(items, next));
    }

    /// <summary>The shape every id-keyset feed shares: read the cursor, fetch one id more than asked, load the views.</summary>
    private static async Task<Results<Ok<Page<PostView>>, NotFound, ValidationProblem>> ByIdAsync(
        CursorKind kind, int? limit, string? cursor, Guid? callerId, ReadDatabase reads, Cursors cursors, PostViews views,
        Func<FoodCommunityDbContext, Guid, int, Task<List<Guid>>> query, CancellationToken cancellationToken)
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

        var db = await reads.ForAsync(callerId);
        var ids = await query(db, before, page.Limit + 1);
        var pageIds = ids.Take(page.Limit).ToList();
        var items = await views.LoadAsync(db, pageIds, callerId, cancellationToken);
        var next = ids.Count > page.Limit ? cursors.ForId(kind, pageIds[^1]) : null;
        return TypedResults.Ok(new Page<PostView>(items, next));
    }

    private static Task<List<Guid>> Ids(FoodCommunityDbContext db, FormattableString sql, CancellationToken cancellationToken) =>
        db.Database.SqlQuery<Guid>(sql).ToListAsync(cancellationToken);
}

using System.Security.Claims;
using FoodCommunity.Api.Auth;
using FoodCommunity.Api.Infrastructure.Data;
using FoodCommunity.Api.Infrastructure.Http;
using FoodCommunity.Api.Users;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace FoodCommunity.Api.Likes;

public sealed record LikeResponse(string PostId, bool Liked, long LikeCount);

public static class LikesApi
{
    public static RouteGroupBuilder MapLikesApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/posts/{postId:guid}/like").WithTags("Likes").RequireApiScope().RequireUserWriteLimit(UserWriteLimits.Likes);
        group.MapPut("/", Like).WithName("LikePost")
            .WithSummary("Like a post. Liking again changes nothing. Answers the live count; MySQL follows within seconds.");
        group.MapDelete("/", Unlike).WithName("UnlikePost")
            .WithSummary("Take a like back. Unliking a post you do not like changes nothing.");
        return group;
    }

    public static Task<Results<Ok<LikeResponse>, NotFound>> Like(
        Guid postId, ClaimsPrincipal caller, LikeStore likes, BlockList blocks, FoodCommunityDbContext db, CancellationToken cancellationToken) =>
        SetAsync(postId, liked: true, caller, likes, blocks, db, cancellationToken);

    public static Task<Results<Ok<LikeResponse>, NotFound>> Unlike(
        Guid postId, ClaimsPrincipal caller, LikeStore likes, BlockList blocks, FoodCommunityDbContext db, CancellationToken cancellationToken) =>
        SetAsync(postId, liked: false, caller, likes, blocks, db, cancellationToken);

    private static async Task<Results<Ok<LikeResponse>, NotFound>> SetAsync(
        Guid postId, bool liked, ClaimsPrincipal caller, LikeStore likes, BlockList blocks, FoodCommunityDbContext db, CancellationToken cancellationToken)
    {
        var me = caller.GetUserId();
        if (await IsAuthorHiddenAsync(postId, me, blocks, db, cancellationToken))
        {
            return TypedResults.NotFound();
        }

        return await likes.SetAsync(postId, me, liked, db, cancellationToken) switch
        {
            LikeOutcome.Done done => TypedResults.Ok(new LikeResponse(postId.ToString(), done.Liked, done.LikeCount)),
            _ => TypedResults.NotFound(),
        };
    }

    /// <summary>
    /// Whether the post's author blocks or is blocked by the caller. Most callers block nobody: then it
    /// costs one Redis read. Likes keep working while MySQL is down (they are written behind), so a
    /// block list that cannot be rebuilt then is not checked rather than failing the like.
    /// </summary>
    private static async Task<bool> IsAuthorHiddenAsync(Guid postId, Guid me, BlockList blocks, FoodCommunityDbContext db, CancellationToken cancellationToken)
    {
        try
        {
            var hidden = await blocks.HiddenForAsync(me, cancellationToken);
            return hidden.Count > 0
                && await db.Posts.Where(p => p.Id == postId).Select(p => (Guid?)p.AuthorId).SingleOrDefaultAsync(cancellationToken) is { } author
                && hidden.Contains(author);
        }
        catch (Exception e) when (UnexpectedExceptionHandler.IsDatabaseUnavailable(e))
        {
            return false;
        }
    }
}

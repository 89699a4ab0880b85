using System.Security.Claims;
using FoodCommunity.Api.Auth;
using FoodCommunity.Api.Infrastructure.Data;
using Microsoft.AspNetCore.Http.HttpResults;

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
        Guid postId, ClaimsPrincipal caller, LikeStore likes, FoodCommunityDbContext db, CancellationToken cancellationToken) =>
        SetAsync(postId, liked: true, caller, likes, db, cancellationToken);

    public static Task<Results<Ok<LikeResponse>, NotFound>> Unlike(
        Guid postId, ClaimsPrincipal caller, LikeStore likes, FoodCommunityDbContext db, CancellationToken cancellationToken) =>
        SetAsync(postId, liked: false, caller, likes, db, cancellationToken);

    private static async Task<Results<Ok<LikeResponse>, NotFound>> SetAsync(
        Guid postId, bool liked, ClaimsPrincipal caller, LikeStore likes, FoodCommunityDbContext db, CancellationToken cancellationToken) =>
        await likes.SetAsync(postId, caller.GetUserId(), liked, db, cancellationToken) switch
        {
            LikeOutcome.Done done => TypedResults.Ok(new LikeResponse(postId.ToString(), done.Liked, done.LikeCount)),
            _ => TypedResults.NotFound(),
        };
}

using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using FoodCommunity.Api.Auth;
using FoodCommunity.Api.Infrastructure.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace FoodCommunity.Api.Likes;

/// <summary>The "Benchmarks" section. Nothing here is on in production.</summary>
public sealed class BenchmarkOptions
{
    public const string SectionName = "Benchmarks";

    /// <summary>Maps the direct-to-MySQL like endpoint that scripts/bench compares the like buffer against.</summary>
    [Required]
    public bool EnableDirectLikeBaseline { get; set; }
}

/// <summary>
/// The design the like buffer replaces, kept only as the benchmark's baseline: each like is a MySQL
/// transaction that inserts the row and increments posts.like_count, so every like of a hot post
/// queues on that post's row lock. Mapped only when Benchmarks:EnableDirectLikeBaseline is true.
/// </summary>
public static class DirectLikeBaseline
{
    public static IEndpointRouteBuilder MapDirectLikeBaseline(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/benchmarks/direct-like/{postId:guid}").WithTags("Benchmarks")
            .RequireApiScope().ExcludeFromDescription();
        group.MapPut("/", (Guid postId, ClaimsPrincipal caller, FoodCommunityDbContext db, CancellationToken ct) => SetAsync(postId, true, caller, db, ct));
        group.MapDelete("/", (Guid postId, ClaimsPrincipal caller, FoodCommunityDbContext db, CancellationToken ct) => SetAsync(postId, false, caller, db, ct));
        return routes;
    }

    private static async Task<Results<Ok<LikeResponse>, NotFound>> SetAsync(Guid postId, bool liked, ClaimsPrincipal caller, FoodCommunityDbContext db, CancellationToken cancellationToken)
    {
        var userId = caller.GetUserId();
        var now = DateTimeOffset.UtcNow;
        var count = await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var changed = liked
                ? await db.Database.ExecuteSqlAsync($"INSERT IGNORE INTO post_likes (post_id, user_id, created_at) VALUES ({postId}, {userId}, {now})", cancellationToken)
                : await db.PostLikes.Where(l => l.PostId == postId && l.UserId == userId).ExecuteDeleteAsync(cancellationToken);
            if (changed == 1)
            {
                await db.Posts.Where(p => p.Id == postId)
                    .ExecuteUpdateAsync(p => p.SetProperty(x => x.LikeCount, x => x.LikeCount + (liked ? 1 : -1)), cancellationToken);
            }

            var current = await db.Posts.Where(p => p.Id == postId).Select(p => (long?)p.LikeCount).SingleOrDefaultAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return current;
        });
        return count is { } likeCount ? TypedResults.Ok(new LikeResponse(postId.ToString(), liked, likeCount)) : TypedResults.NotFound();
    }
}

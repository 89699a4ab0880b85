using System.Security.Claims;
using FoodCommunity.Api.Auth;
using FoodCommunity.Api.Feeds;
using FoodCommunity.Api.Infrastructure.Data;
using FoodCommunity.Api.Infrastructure.Storage;
using FoodCommunity.Domain.Posts;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using FoodCommunity.Api.Infrastructure.Http;

namespace FoodCommunity.Api.Posts;

public static class PostsApi
{
    public static RouteGroupBuilder MapPostsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/posts").WithTags("Posts");

        group.MapPost("/", CreatePost).WithName("CreatePost").RequireApiScope()
            .WithSummary("Publish a post of uploaded images. With an Idempotency-Key header, a retry within 24 hours returns the first post. " +
                "While an image is still being processed the answer is 409 with Retry-After.")
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapGet("/{postId:guid}", GetPost).WithName("GetPost").AllowAnonymous()
            .WithSummary("One post.");
        group.MapDelete("/{postId:guid}", DeletePost).WithName("DeletePost").RequireApiScope()
            .WithSummary("Delete one of your posts, with its comments, likes and images.");
        group.MapPost("/{postId:guid}/reports", ReportPost).WithName("ReportPost").RequireApiScope()
            .WithSummary("Report a post to the moderators. Reporting twice is accepted and counts once.");
        return group;
    }

    public static async Task<Results<Created<PostView>, ValidationProblem, ProblemHttpResult>> CreatePost(
        CreatePostRequest request,
        [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey,
        ClaimsPrincipal caller, PostWriter writer, PostViews views, UploadedImages images, PostIdempotency idempotency,
        ReadDatabase reads, FoodCommunityDbContext db, FeedCache feedCache, HttpResponse httpResponse, CancellationToken cancellationToken)
    {
        var userId = caller.GetUserId();
        var keys = request.ImageKeys ?? [];
        var caption = request.Caption ?? "";
        var errors = new Dictionary<string, string[]>();
        errors.AddIfAny("imageKeys", PostRules.DescribeImageCountProblem(keys.Count)
            ?? (keys.Distinct(StringComparer.Ordinal).Count() != keys.Count ? "An image may appear only once in a post." : null));
        errors.AddIfAny("caption", PostRules.DescribeCaptionProblem(caption));
        var (tags, tagProblem) = PostRules.CollectTags(request.Tags, caption);
        errors.AddIfAny("tags", tagProblem);
        if (idempotencyKey is not null && !PostIdempotency.IsValidKey(idempotencyKey))
        {
            errors.AddIfAny("Idempotency-Key", $"The Idempotency-Key header has 1 to {PostIdempotency.MaxKeyLength} visible ASCII characters.");
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (idempotencyKey is not null)
        {
            switch (await idempotency.ReserveAsync(userId, idempotencyKey))
            {
                case PostIdempotency.Reservation.AlreadyCreated created:
                    var first = await views.LoadAsync(db, [created.PostId], userId, cancellationToken);
                    return first.Count == 1
                        ? TypedResults.Created($"/api/v1/posts/{created.PostId}", first[0])
                        : TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict",
                            detail: "The post this Idempotency-Key created has since been deleted.");
                case PostIdempotency.Reservation.InProgress:
                    return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict",
                        detail: "A request with this Idempotency-Key is still in progress; retry in a moment.");
            }
        }

        var (post, processing) = await CreateCheckedAsync(userId, keys, caption, tags, writer, images, errors, cancellationToken);
        if (post is null)
        {
            if (idempotencyKey is not null)
            {
                await idempotency.ReleaseAsync(userId, idempotencyKey);
            }

            if (processing.Count > 0)
            {
                httpResponse.Headers.RetryAfter = UploadedImages.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict",
                    detail: $"Still being processed; retry in a moment: {string.Join(", ", processing)}");
            }

            return TypedResults.ValidationProblem(errors);
        }

        if (idempotencyKey is not null)
        {
            await idempotency.CompleteAsync(userId, idempotencyKey, post.Id);
        }

        await reads.MarkWriteAsync(userId);
        await feedCache.InvalidateLatestAsync();
        var view = await views.LoadAsync(db, [post.Id], userId, cancellationToken);
        return TypedResults.Created($"/api/v1/posts/{post.Id}", view[0]);
    }

    /// <summary>
    /// Checks every image's processing (in parallel), then writes. No post: with the errors filled when an image
    /// was refused, or with the keys still being processed.
    /// </summary>
    private static async Task<(Post? Post, IReadOnlyList<string> Processing)> CreateCheckedAsync(
        Guid userId, IReadOnlyList<string> keys, string caption, IReadOnlyList<string> tags,
        PostWriter writer, UploadedImages images, Dictionary<string, string[]> errors, CancellationToken cancellationToken)
    {
        var checks = await images.CheckAsync(keys, userId, cancellationToken);
        var refused = checks.OfType<ImageCheck.Refused>().Select(r => $"{r.Key}: {r.Problem}").ToArray();
        if (refused.Length > 0)
        {
            errors["imageKeys"] = refused;
            return (null, []);
        }

        var processing = checks.OfType<ImageCheck.Processing>().Select(p => p.Key).ToList();
        if (processing.Count > 0)
        {
            return (null, processing);
        }

        var ready = checks.Cast<ImageCheck.Ready>().Select(r => r.Image).ToList();
        await images.MarkAttachedAsync(ready, cancellationToken);
        var post = await writer.CreateAsync(userId, ready, caption, tags, cancellationToken);
        if (post is null)
        {
            errors["imageKeys"] = ["An image of this post is already part of another post; upload it again."];
        }

        return (post, []);
    }

    public static async Task<Results<Ok<PostView>, NotFound>> GetPost(
        Guid postId, ClaimsPrincipal caller, ReadDatabase reads, PostViews views, CancellationToken cancellationToken)
    {
        var callerId = caller.FindUserId();
        var found = await views.LoadAsync(await reads.ForAsync(callerId), [postId], callerId, cancellationToken);
        return found.Count == 1 ? TypedResults.Ok(found[0]) : TypedResults.NotFound();
    }

    public static async Task<Results<NoContent, NotFound, ProblemHttpResult>> DeletePost(
        Guid postId, ClaimsPrincipal caller, FoodCommunityDbContext db, PostWriter writer, ReadDatabase reads,
        FeedCache feedCache, CancellationToken cancellationToken)
    {
        var userId = caller.GetUserId();
        var post = await db.Posts.AsNoTracking().SingleOrDefaultAsync(p => p.Id == postId, cancellationToken);
        if (post is null)
        {
            return TypedResults.NotFound();
        }

        if (post.AuthorId != userId)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", detail: "Only the author may delete a post.");
        }

        await writer.DeleteAsync(post, cancellationToken);
        await reads.MarkWriteAsync(userId);
        await feedCache.ForgetPostAsync(postId);
        return TypedResults.NoContent();
    }

    public static async Task<Results<Accepted, NotFound, ValidationProblem>> ReportPost(
        Guid postId, ReportPostRequest request, ClaimsPrincipal caller, FoodCommunityDbContext db, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var reason = request.Reason?.Trim() ?? "";
        if (PostRules.DescribeReportReasonProblem(reason) is { } problem)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["reason"] = [problem] });
        }

        if (!await db.Posts.AnyAsync(p => p.Id == postId, cancellationToken))
        {
            return TypedResults.NotFound();
        }

        var reporterId = caller.GetUserId();
        var already = await db.PostReports.AnyAsync(r => r.PostId == postId && r.ReporterId == reporterId, cancellationToken);
        if (!already)
        {
            db.PostReports.Add(new PostReport { PostId = postId, ReporterId = reporterId, Reason = reason, CreatedAt = clock.GetUtcNow() });
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException e) when (e.InnerException is MySqlConnector.MySqlException { ErrorCode: MySqlConnector.MySqlErrorCode.DuplicateKeyEntry })
            {
                // The same user reported twice at once: one report stands, as intended.
            }
        }

        return TypedResults.Accepted((string?)null);
    }
}

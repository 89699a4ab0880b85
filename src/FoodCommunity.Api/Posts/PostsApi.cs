using System.Security.Claims;
using FoodCommunity.Api.Auth;
using FoodCommunity.Api.Feeds;
using FoodCommunity.Api.Infrastructure.Data;
using FoodCommunity.Api.Infrastructure.Storage;
using FoodCommunity.Domain.Posts;
using FoodCommunity.Domain.Text;
using FoodCommunity.Domain.Uploads;
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

        group.MapPost("/", CreatePost).WithName("CreatePost").RequireApiScope().RequireUserWriteLimit(UserWriteLimits.Posts)
            .WithSummary("Publish a post of uploaded images. With an Idempotency-Key header, a retry within 24 hours returns the first post. " +
                "While an image is still being processed the answer is 409 with Retry-After.")
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPatch("/{postId:guid}", EditPost).WithName("EditPost").RequireApiScope().RequireUserWriteLimit(UserWriteLimits.Posts)
            .WithSummary("Change a post's caption and tags (the author only); its images stay. The post's editedAt is set.");
        group.MapGet("/{postId:guid}", GetPost).WithName("GetPost").AllowAnonymous()
            .WithSummary("One post.");
        group.MapDelete("/{postId:guid}", DeletePost).WithName("DeletePost").RequireApiScope()
            .WithSummary("Delete one of your posts (a moderator may delete any), with its comments, likes and images.");
        group.MapPost("/{postId:guid}/reports", ReportPost).WithName("ReportPost").RequireApiScope().RequireUserWriteLimit(UserWriteLimits.Reports)
            .WithSummary("Report a post to the moderators. Reporting twice is accepted and counts once.");
        return group;
    }

    public static async Task<Results<Created<PostView>, ValidationProblem, ProblemHttpResult>> CreatePost(
        CreatePostRequest request,
        [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey,
        ClaimsPrincipal caller, [AsParameters] PostServices services, HttpResponse httpResponse, CancellationToken cancellationToken)
    {
        var userId = caller.GetUserId();
        var (draft, errors) = Validate(request, idempotencyKey);
        if (draft is null)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var keyHash = idempotencyKey is null ? null : PostIdempotency.Hash(idempotencyKey);
        if (keyHash is not null && await services.Idempotency.FindAsync(services.Db, userId, keyHash, cancellationToken) is { } earlier)
        {
            return await FirstPostAsync(earlier, userId, services, cancellationToken);
        }

        // Every image's processing is checked (in parallel) before anything is written.
        var checks = await services.Images.CheckAsync(draft.ImageKeys, userId, cancellationToken);
        var refused = checks.OfType<ImageCheck.Refused>().Select(r => $"{r.Key}: {r.Problem}").ToArray();
        if (refused.Length > 0)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["imageKeys"] = refused });
        }

        var processing = checks.OfType<ImageCheck.Processing>().Select(p => p.Key).ToList();
        if (processing.Count > 0)
        {
            httpResponse.Headers.RetryAfter = UploadedImages.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict",
                detail: $"Still being processed; retry in a moment: {string.Join(", ", processing)}");
        }

        var ready = checks.Cast<ImageCheck.Ready>().Select(r => r.Image).ToList();
        await services.Images.MarkAttachedAsync(ready, cancellationToken);
        switch (await services.Writer.CreateAsync(userId, ready, draft.Caption, draft.Tags, keyHash, cancellationToken))
        {
            case PostCreation.Created created:
                await services.Reads.MarkWriteAsync(userId);
                await services.FeedCache.PostPublishedAsync(created.Post.Id, userId, draft.Tags);
                await services.Notifier.CaptionMentionsAsync(services.Db, draft.Caption, previousCaption: null, created.Post.Id, userId, cancellationToken);
                var view = await services.Views.LoadAsync([created.Post.Id], userId, fresh: true, cancellationToken);
                return TypedResults.Created($"/api/v1/posts/{created.Post.Id}", view[0]);
            case PostCreation.AlreadyCreated first:
                return await FirstPostAsync(first.PostId, userId, services, cancellationToken);
            case PostCreation.ImageGone gone:
                return ImageProblem($"{gone.Key}: This upload has been deleted; upload the image again.");
            default:
                return ImageProblem("An image of this post is already part of another post; upload it again.");
        }
    }

    /// <summary>
    /// The request's fields, each bounded before it is parsed: counts and lengths first, then the
    /// caption is normalised and its tags collected (a set that stops at the limit). A null draft
    /// comes with the errors.
    /// </summary>
    private static (PostDraft? Draft, Dictionary<string, string[]> Errors) Validate(CreatePostRequest request, string? idempotencyKey)
    {
        var errors = new Dictionary<string, string[]>();
        var keys = request.ImageKeys ?? [];
        errors.AddIfAny("imageKeys", PostRules.DescribeImageCountProblem(keys.Count)
            ?? (keys.Any(k => k is null || k.Length > UploadKey.MaxLength) ? "An image key is one issued by the upload function." : null)
            ?? (keys.Distinct(StringComparer.Ordinal).Count() != keys.Count ? "An image may appear only once in a post." : null));
        var caption = TextRules.Normalize(request.Caption ?? "", PostRules.CaptionMaxLength);
        errors.AddIfAny("caption", PostRules.DescribeCaptionProblem(caption));
        var (tags, tagProblem) = caption is null ? ([], null) : PostRules.CollectTags(request.Tags, caption);
        errors.AddIfAny("tags", tagProblem);
        if (idempotencyKey is not null && !PostIdempotency.IsValidKey(idempotencyKey))
        {
            errors.AddIfAny("Idempotency-Key", $"The Idempotency-Key header has 1 to {PostIdempotency.MaxKeyLength} visible ASCII characters.");
        }

        return errors.Count > 0 || caption is null ? (null, errors) : (new PostDraft(keys!, caption, tags), errors);
    }

    private sealed record PostDraft(IReadOnlyList<string> ImageKeys, string Caption, IReadOnlyList<string> Tags);

    /// <summary>The post an Idempotency-Key created before; 409 if it has since been deleted.</summary>
    private static async Task<Results<Created<PostView>, ValidationProblem, ProblemHttpResult>> FirstPostAsync(
        Guid postId, Guid userId, PostServices services, CancellationToken cancellationToken)
    {
        var first = await services.Views.LoadAsync([postId], userId, fresh: true, cancellationToken);
        return first.Count == 1
            ? TypedResults.Created($"/api/v1/posts/{postId}", first[0])
            : TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict",
                detail: "The post this Idempotency-Key created has since been deleted.");
    }

    private static ValidationProblem ImageProblem(string problem) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["imageKeys"] = [problem] });

    public static async Task<Results<Ok<PostView>, NotFound, ValidationProblem, ProblemHttpResult>> EditPost(
        Guid postId, EditPostRequest request, ClaimsPrincipal caller, [AsParameters] PostServices services, CancellationToken cancellationToken)
    {
        var userId = caller.GetUserId();
        var post = await services.Db.Posts.AsNoTracking().Where(p => p.Id == postId)
            .Select(p => new { p.AuthorId, p.Caption, Tags = p.Tags.Select(t => t.Tag!.Name).ToList() })
            .SingleOrDefaultAsync(cancellationToken);
        if (post is null)
        {
            return TypedResults.NotFound();
        }

        if (post.AuthorId != userId)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", detail: "Only the author may edit a post.");
        }

        var caption = request.Caption is null ? post.Caption : TextRules.Normalize(request.Caption, PostRules.CaptionMaxLength);
        if (PostRules.DescribeCaptionProblem(caption) is { } captionProblem)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["caption"] = [captionProblem] });
        }

        // Without new explicit tags, those given before (the post's tags less its old caption's) stay.
        var explicitTags = request.Tags ?? post.Tags.Except(PostRules.CollectTags([], post.Caption).Tags, StringComparer.Ordinal).ToList<string?>();
        var (tags, tagProblem) = PostRules.CollectTags(explicitTags, caption!);
        if (tagProblem is not null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["tags"] = [tagProblem] });
        }

        if (!await services.Writer.EditAsync(postId, caption!, tags, cancellationToken))
        {
            return TypedResults.NotFound();
        }

        await services.Reads.MarkWriteAsync(userId);
        await services.FeedCache.PostChangedAsync(postId, post.Tags.Concat(tags));
        // Mentions the edit adds notify; those it removes do not un-notify.
        await services.Notifier.CaptionMentionsAsync(services.Db, caption!, post.Caption, postId, userId, cancellationToken);
        var view = await services.Views.LoadAsync([postId], userId, fresh: true, cancellationToken);
        return view.Count == 1 ? TypedResults.Ok(view[0]) : TypedResults.NotFound();
    }

    public static async Task<Results<Ok<PostView>, NotFound>> GetPost(
        Guid postId, ClaimsPrincipal caller, ReadDatabase reads, PostViews views, CancellationToken cancellationToken)
    {
        var callerId = caller.FindUserId();
        var found = await views.LoadAsync([postId], callerId, await reads.WroteRecentlyAsync(callerId), cancellationToken);
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

        if (post.AuthorId != userId && !caller.IsModerator())
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", detail: "Only the author (or a moderator) may delete a post.");
        }

        await writer.DeleteAsync(post, cancellationToken);
        await reads.MarkWriteAsync(post.AuthorId);
        await feedCache.ForgetPostAsync(postId, post.AuthorId);
        return TypedResults.NoContent();
    }

    public static async Task<Results<Accepted, NotFound, ValidationProblem>> ReportPost(
        Guid postId, ReportPostRequest request, ClaimsPrincipal caller, FoodCommunityDbContext db, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var reason = TextRules.Normalize(request.Reason ?? "", PostRules.ReportReasonMaxLength) ?? "";
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

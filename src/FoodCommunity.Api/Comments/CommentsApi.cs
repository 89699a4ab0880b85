using System.Security.Claims;
using FoodCommunity.Api.Auth;
using FoodCommunity.Api.Infrastructure.Data;
using FoodCommunity.Api.Infrastructure.Paging;
using FoodCommunity.Api.Infrastructure.Storage;
using FoodCommunity.Api.Users;
using FoodCommunity.Domain.Posts;
using FoodCommunity.Domain.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace FoodCommunity.Api.Comments;

public sealed record CreateCommentRequest(string? Text);

public sealed record CommentView(string Id, string PostId, Profile Author, string Text, DateTimeOffset CreatedAt);

public static class CommentsApi
{
    public static RouteGroupBuilder MapCommentsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1").WithTags("Comments");
        group.MapPost("/posts/{postId:guid}/comments", CreateComment).WithName("CreateComment").RequireApiScope().RequireUserWriteLimit(UserWriteLimits.Comments)
            .WithSummary("Comment on a post.");
        group.MapGet("/posts/{postId:guid}/comments", ListComments).WithName("ListComments").AllowAnonymous()
            .WithSummary("A post's comments, oldest first.");
        group.MapDelete("/comments/{commentId:guid}", DeleteComment).WithName("DeleteComment").RequireApiScope()
            .WithSummary("Delete a comment: its author or the post's author may.");
        return group;
    }

    public static async Task<Results<Created<CommentView>, NotFound, ValidationProblem>> CreateComment(
        Guid postId, CreateCommentRequest request, ClaimsPrincipal caller, FoodCommunityDbContext db, ReadDatabase reads,
        PublicUrls urls, BlockList blocks, Notifications.Notifier notifier, Feeds.FeedCache feedCache, TimeProvider clock, CancellationToken cancellationToken)
    {
        var text = TextRules.Normalize(request.Text ?? "", PostRules.CommentMaxLength) ?? "";
        if (PostRules.DescribeCommentProblem(text) is { } problem)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["text"] = [problem] });
        }

        var userId = caller.GetUserId();
        if (await VisibleAuthorAsync(db, postId, userId, await blocks.HiddenForAsync(userId, cancellationToken), cancellationToken) is not { } postAuthor)
        {
            return TypedResults.NotFound();
        }

        var comment = new Comment { PostId = postId, AuthorId = userId, Text = text, CreatedAt = clock.GetUtcNow() };
        var created = await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            // Counting on the post row also locks it, so a concurrent delete cannot orphan the comment.
            var counted = await db.Posts.Where(p => p.Id == postId)
                .ExecuteUpdateAsync(p => p.SetProperty(x => x.CommentCount, x => x.CommentCount + 1), cancellationToken);
            if (counted == 0)
            {
                return false;
            }

            db.Comments.Add(comment);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return true;
        });
        if (!created)
        {
            return TypedResults.NotFound();
        }

        await reads.MarkWriteAsync(userId);
        await feedCache.PostChangedAsync(postId);
        await notifier.CommentedAsync(db, postAuthor, postId, comment.Id, text, userId, cancellationToken);
        var author = await db.Users.AsNoTracking().SingleAsync(u => u.Id == userId, cancellationToken);
        return TypedResults.Created((string?)null, ToView(comment, Profile.From(author, followedByMe: false, urls)));
    }

    public static async Task<Results<Ok<Page<CommentView>>, NotFound, ValidationProblem>> ListComments(
        Guid postId, int? limit, string? cursor, ClaimsPrincipal caller, ReadDatabase reads, Cursors cursors,
        ProfileViews profileViews, BlockList blocks, CancellationToken cancellationToken)
    {
        if (PageRequest.Parse(limit, cursor, out var invalid) is not { } page)
        {
            return invalid!;
        }

        Guid? after = null;
        if (page.Cursor is not null)
        {
            if (!cursors.TryReadId(page.Cursor, CursorKind.Comments, out var id))
            {
                return PageRequest.BadCursor();
            }

            after = id;
        }

        var callerId = caller.FindUserId();
        var db = await reads.ForAsync(callerId);
        var hidden = await blocks.HiddenForAsync(callerId, cancellationToken);
        if (await VisibleAuthorAsync(db, postId, callerId, hidden, cancellationToken) is null)
        {
            return TypedResults.NotFound();
        }

        var comments = await (after is { } a
                ? db.Comments.FromSql($"SELECT * FROM comments WHERE post_id = {postId} AND id > {a} ORDER BY id LIMIT {page.Limit + 1}")
                : db.Comments.FromSql($"SELECT * FROM comments WHERE post_id = {postId} ORDER BY id LIMIT {page.Limit + 1}"))
            .AsNoTracking()
            .ToListAsync(cancellationToken);
        var hasMore = comments.Count > page.Limit;
        comments = comments.Take(page.Limit).ToList();
        var authorIds = comments.Select(c => c.AuthorId).Distinct().ToList();
        var profiles = await profileViews.LoadAsync(authorIds, callerId, hidden, await reads.WroteRecentlyAsync(callerId), cancellationToken);
        // Comments of users hidden from the caller are left out; the cursor still moves past them.
        var items = comments.Where(c => profiles.ContainsKey(c.AuthorId)).Select(c => ToView(c, profiles[c.AuthorId])).ToList();
        return TypedResults.Ok(new Page<CommentView>(items, hasMore ? cursors.ForId(CursorKind.Comments, comments[^1].Id) : null));
    }

    public static async Task<Results<NoContent, NotFound, ProblemHttpResult>> DeleteComment(
        Guid commentId, ClaimsPrincipal caller, FoodCommunityDbContext db, ReadDatabase reads, Feeds.FeedCache feedCache, CancellationToken cancellationToken)
    {
        var userId = caller.GetUserId();
        var found = await db.Comments.AsNoTracking()
            .Where(c => c.Id == commentId)
            .Select(c => new { c.PostId, c.AuthorId, PostAuthorId = db.Posts.Where(p => p.Id == c.PostId).Select(p => p.AuthorId).FirstOrDefault() })
            .SingleOrDefaultAsync(cancellationToken);
        if (found is null)
        {
            return TypedResults.NotFound();
        }

        if (found.AuthorId != userId && found.PostAuthorId != userId)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden",
                detail: "Only the comment's author or the post's author may delete it.");
        }

        await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var deleted = await db.Comments.Where(c => c.Id == commentId).ExecuteDeleteAsync(cancellationToken);
            if (deleted == 1)
            {
                await db.Posts.Where(p => p.Id == found.PostId)
                    .ExecuteUpdateAsync(p => p.SetProperty(x => x.CommentCount, x => x.CommentCount - 1), cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
        });
        await reads.MarkWriteAsync(userId);
        await feedCache.PostChangedAsync(found.PostId);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// The post's author, when the post exists, no moderator hid it (but for its author), and its
    /// author is not hidden from the caller; null otherwise.
    /// </summary>
    private static async Task<Guid?> VisibleAuthorAsync(
        FoodCommunityDbContext db, Guid postId, Guid? callerId, IReadOnlySet<Guid> hidden, CancellationToken cancellationToken)
    {
        var post = await db.Posts.AsNoTracking().Where(p => p.Id == postId).Select(p => new { p.AuthorId, p.HiddenAt }).SingleOrDefaultAsync(cancellationToken);
        return post is not null && !hidden.Contains(post.AuthorId) && (post.HiddenAt is null || post.AuthorId == callerId) ? post.AuthorId : null;
    }

    private static CommentView ToView(Comment comment, Profile author) =>
        new(comment.Id.ToString(), comment.PostId.ToString(), author, comment.Text, comment.CreatedAt);
}

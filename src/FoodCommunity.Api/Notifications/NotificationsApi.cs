using System.Globalization;
using System.Security.Claims;
using FoodCommunity.Api.Auth;
using FoodCommunity.Api.Infrastructure.Data;
using FoodCommunity.Api.Infrastructure.Paging;
using FoodCommunity.Api.Infrastructure.Storage;
using FoodCommunity.Api.Posts;
using FoodCommunity.Api.Users;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace FoodCommunity.Api.Notifications;

public sealed record NotificationPost(string Id, string? ImageUrl);

public sealed record NotificationComment(string Id, string Text);

public sealed record NotificationView(
    string Id, string Type, IReadOnlyList<Profile> Actors, long ActorCount, NotificationPost? Post, NotificationComment? Comment,
    DateTimeOffset CreatedAt, bool Read);

public sealed record UnreadCount(long Count);

/// <param name="UpTo">The id of the newest notification the client has shown.</param>
public sealed record MarkReadRequest(string? UpTo);

public static class NotificationsApi
{
    /// <summary>A grouped like shows this many of its likers; actorCount counts them all.</summary>
    private const int ActorsShown = 3;

    public static RouteGroupBuilder MapNotificationsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/notifications").WithTags("Notifications").RequireApiScope();
        group.MapGet("/", ListNotifications).WithName("ListNotifications")
            .WithSummary("The caller's notifications, newest first: likes grouped per post and day, comments, follows, mentions.");
        group.MapGet("/unread-count", GetUnreadCount).WithName("GetUnreadCount")
            .WithSummary("How many notifications the caller has not read.");
        group.MapPost("/read", MarkRead).WithName("MarkNotificationsRead")
            .WithSummary("Mark every notification up to this one (and older) read.");
        return group;
    }

    public static async Task<Results<Ok<Page<NotificationView>>, ValidationProblem>> ListNotifications(
        int? limit, string? cursor, ClaimsPrincipal caller, NotificationStore store, ReadDatabase reads, PostViews views, BlockList blocks,
        PublicUrls urls, ProfileViews profileViews, Cursors cursors, CancellationToken cancellationToken)
    {
        if (PageRequest.Parse(limit, cursor, out var invalid) is not { } page)
        {
            return invalid!;
        }

        (long, string)? before = null;
        if (page.Cursor is not null)
        {
            if (!cursors.TryReadTextAndId(page.Cursor, CursorKind.Notifications, out var position, out _)
                || position.Split(' ') is not [var score, var id] || !long.TryParse(score, NumberStyles.None, CultureInfo.InvariantCulture, out var s))
            {
                return PageRequest.BadCursor();
            }

            before = (s, id);
        }

        var me = caller.GetUserId();
        var stored = await store.ReadAsync(me, before, page.Limit + 1);
        var hasMore = stored.Count > page.Limit;
        stored = stored.Take(page.Limit).ToList();
        var db = await reads.ForAsync(me);
        // What no longer exists, or is hidden from the caller, leaves the notification (or takes it out).
        var posts = (await views.LoadAsync(stored.Where(n => n.Data.PostId is not null).Select(n => n.Data.PostId!.Value).Distinct().ToList(), me, await reads.WroteRecentlyAsync(me), cancellationToken))
            .ToDictionary(p => Guid.Parse(p.Id));
        var commentIds = stored.Where(n => n.Data.CommentId is not null).Select(n => n.Data.CommentId!.Value).Distinct().ToList();
        var comments = commentIds.Count == 0 ? [] : await db.Comments.AsNoTracking().Where(c => commentIds.Contains(c.Id)).Select(c => c.Id).ToListAsync(cancellationToken);
        var actorIds = stored.SelectMany(n => n.Data.ActorId is { } actor ? [actor] : n.Likers).Distinct().ToList();
        var profiles = await profileViews.LoadAsync(actorIds, me, await blocks.HiddenForAsync(me, cancellationToken), await reads.WroteRecentlyAsync(me), cancellationToken);
        var items = new List<NotificationView>(stored.Count);
        foreach (var n in stored)
        {
            var actors = (n.Data.ActorId is { } actor ? [actor] : n.Likers).Where(profiles.ContainsKey).Take(ActorsShown).Select(a => profiles[a]).ToList();
            var post = n.Data.PostId is { } postId ? posts.GetValueOrDefault(postId) : null;
            if (actors.Count == 0 || (n.Data.PostId is not null && post is null) || (n.Data.CommentId is { } c && !comments.Contains(c)))
            {
                continue;
            }

            items.Add(new NotificationView(
                n.Id,
                n.Data.Type,
                actors,
                n.Data.ActorId is null ? n.LikerCount : 1,
                post is null ? null : new NotificationPost(post.Id, post.Images.FirstOrDefault() is { } image ? image.Variants.FirstOrDefault()?.Url ?? image.Url : null),
                n.Data.CommentId is { } commentId ? new NotificationComment(commentId.ToString(), n.Data.CommentText ?? "") : null,
                DateTimeOffset.FromUnixTimeMilliseconds(n.Score),
                n.Read));
        }

        var next = hasMore ? cursors.ForTextAndId(CursorKind.Notifications, $"{stored[^1].Score} {stored[^1].Id}", Guid.Empty) : null;
        return TypedResults.Ok(new Page<NotificationView>(items, next));
    }

    public static async Task<Ok<UnreadCount>> GetUnreadCount(ClaimsPrincipal caller, NotificationStore store) =>
        TypedResults.Ok(new UnreadCount(await store.UnreadCountAsync(caller.GetUserId())));

    public static async Task<Results<NoContent, ValidationProblem>> MarkRead(MarkReadRequest request, ClaimsPrincipal caller, NotificationStore store)
    {
        if (request.UpTo is not { Length: > 0 and <= 100 } upTo || !await store.MarkReadAsync(caller.GetUserId(), upTo))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["upTo"] = ["upTo is the id of one of your notifications."] });
        }

        return TypedResults.NoContent();
    }
}

using FoodCommunity.Api.Infrastructure.Data;
using FoodCommunity.Api.Infrastructure.Storage;
using FoodCommunity.Api.Users;
using FoodCommunity.Api.Likes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Hybrid;

namespace FoodCommunity.Api.Posts;

/// <summary>A post as clients see it. <c>Hidden</c> is true only in the author's own view of a post a moderator hid; nobody else sees it.</summary>
public sealed record PostView(
    string Id,
    Profile Author,
    IReadOnlyList<ImageView> Images,
    string Caption,
    IReadOnlyList<string> Tags,
    long LikeCount,
    int CommentCount,
    bool LikedByMe,
    DateTimeOffset CreatedAt,
    DateTimeOffset? EditedAt,
    bool Hidden);

/// <summary>What never changes after a post is published, cached in memory and Redis.</summary>
public sealed record PostBody(string Caption, IReadOnlyList<ProcessedImage> Images, IReadOnlyList<string> Tags, DateTimeOffset CreatedAt);

/// <summary>
/// Turns post ids into the <see cref="PostView"/>s a client shows, in a fixed number of queries whatever
/// the page size: the posts' live rows (existence, author, counters), the bodies missing from the cache
/// (one split query), the authors' profiles, and the caller's likes; then one Redis round trip for the live like figures.
/// </summary>
public sealed class PostViews(PublicUrls urls, HybridCache cache, LikeStore likes, BlockList blocks)
{
    private static readonly HybridCacheEntryOptions ReadOnly = new() { Flags = HybridCacheEntryFlags.DisableUnderlyingData };

    /// <summary>
    /// The views of those ids the caller may see, in the order given: posts that exist, whose author
    /// neither blocks nor is blocked by the caller, and that no moderator hid (except to their author).
    /// </summary>
    public async Task<IReadOnlyList<PostView>> LoadAsync(
        FoodCommunityDbContext db, IReadOnlyList<Guid> ids, Guid? callerId, CancellationToken cancellationToken)
    {
        if (ids.Count == 0)
        {
            return [];
        }

        // Always from the database: a deleted or hidden post is gone at once, whatever the caches hold.
        var hidden = await blocks.HiddenForAsync(db, callerId, cancellationToken);
        var rows = (await db.Posts.AsNoTracking()
                .Where(p => ids.Contains(p.Id))
                .Select(p => new { p.Id, p.AuthorId, p.LikeCount, p.CommentCount, p.HiddenAt, p.EditedAt })
                .ToListAsync(cancellationToken))
            .Where(p => p.HiddenAt is null || p.AuthorId == callerId)
            .ToDictionary(p => p.Id);
        var bodies = await LoadBodiesAsync(db, rows.Values.Select(p => (p.Id, p.EditedAt)).ToList(), cancellationToken);
        var authors = await ProfileLoader.LoadAsync(db, rows.Values.Select(p => p.AuthorId).Distinct().ToList(), callerId, urls, hidden, cancellationToken);
        HashSet<Guid> liked = [];
        if (callerId is { } me)
        {
            var postIds = rows.Keys.ToList();
            liked = (await db.PostLikes.AsNoTracking()
                .Where(l => l.UserId == me && postIds.Contains(l.PostId))
                .Select(l => l.PostId)
                .ToListAsync(cancellationToken)).ToHashSet();
        }

        // Live like figures from Redis where the post's state is there; MySQL's (a flush behind) otherwise.
        var live = await likes.ReadAsync(rows.Keys, callerId);
        var views = new List<PostView>(rows.Count);
        foreach (var id in ids)
        {
            if (rows.TryGetValue(id, out var row) && bodies.TryGetValue(id, out var body) && authors.TryGetValue(row.AuthorId, out var author))
            {
                views.Add(new PostView(
                    id.ToString(),
                    author,
                    body.Images.Select(image => urls.Image(image.Key, image.Width, image.Height)).ToList(),
                    body.Caption,
                    body.Tags,
                    live.TryGetValue(id, out var figures) ? figures.Count : row.LikeCount,
                    row.CommentCount,
                    live.TryGetValue(id, out figures) ? figures.LikedByMe : liked.Contains(id),
                    body.CreatedAt,
                    row.EditedAt,
                    row.HiddenAt is not null));
            }
        }

        return views;
    }

    /// <summary>
    /// The bodies, from the cache where they are. The key carries the post's edit time, read from its
    /// row with every view: an edit makes every instance miss its cached body at once, with no message
    /// between instances, and the old bodies age out.
    /// </summary>
    private async Task<Dictionary<Guid, PostBody>> LoadBodiesAsync(FoodCommunityDbContext db, List<(Guid Id, DateTimeOffset? EditedAt)> posts, CancellationToken cancellationToken)
    {
        var bodies = new Dictionary<Guid, PostBody>(posts.Count);
        var versions = posts.ToDictionary(p => p.Id, p => p.EditedAt);
        foreach (var (id, editedAt) in posts)
        {
            if (await cache.GetOrCreateAsync<PostBody?>(Key(id, editedAt), static _ => ValueTask.FromResult<PostBody?>(null), ReadOnly, cancellationToken: cancellationToken) is { } cached)
            {
                bodies[id] = cached;
            }
        }

        var missing = versions.Keys.Where(id => !bodies.ContainsKey(id)).ToList();
        if (missing.Count == 0)
        {
            return bodies;
        }

        var loaded = await db.Posts.AsNoTracking()
            .Where(p => missing.Contains(p.Id))
            .Select(p => new
            {
                p.Id,
                p.Caption,
                p.CreatedAt,
                Images = p.Images.OrderBy(i => i.Position).Select(i => new ProcessedImage(i.ImageKey, i.Width, i.Height)).ToList(),
                Tags = p.Tags.Select(t => t.Tag!.Name).OrderBy(name => name).ToList(),
            })
            .AsSplitQuery()
            .ToListAsync(cancellationToken);
        foreach (var post in loaded)
        {
            var body = new PostBody(post.Caption, post.Images, post.Tags, post.CreatedAt);
            bodies[post.Id] = body;
            await cache.SetAsync(Key(post.Id, versions[post.Id]), body, cancellationToken: cancellationToken);
        }

        return bodies;
    }

    /// <summary>v2: bodies carry each image's size (v1 held keys only and must not be read back as v2); then the edit's time.</summary>
    private static string Key(Guid postId, DateTimeOffset? editedAt) => $"post:v2:{postId:N}:{editedAt?.UtcTicks ?? 0}";
}

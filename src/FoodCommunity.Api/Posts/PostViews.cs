using FoodCommunity.Api.Infrastructure.Data;
using FoodCommunity.Api.Infrastructure.Storage;
using FoodCommunity.Api.Users;
using Microsoft.EntityFrameworkCore;

namespace FoodCommunity.Api.Posts;

public sealed record ImageView(string Key, string Url);

public sealed record PostView(
    string Id,
    Profile Author,
    IReadOnlyList<ImageView> Images,
    string Caption,
    IReadOnlyList<string> Tags,
    long LikeCount,
    int CommentCount,
    bool LikedByMe,
    DateTimeOffset CreatedAt);

/// <summary>
/// Turns post ids into the <see cref="PostView"/>s a client shows, in a fixed number of queries
/// whatever the page size: posts, their images and tags (one split query each), their authors,
/// and for a signed-in caller which authors they follow and which posts they like.
/// </summary>
public sealed class PostViews(PublicUrls urls)
{
    /// <summary>The views of those ids that still exist, in the order given.</summary>
    public async Task<IReadOnlyList<PostView>> LoadAsync(
        FoodCommunityDbContext db, IReadOnlyList<Guid> ids, Guid? callerId, CancellationToken cancellationToken)
    {
        if (ids.Count == 0)
        {
            return [];
        }

        var posts = await db.Posts.AsNoTracking()
            .Where(p => ids.Contains(p.Id))
            .Include(p => p.Images)
            .Include(p => p.Tags).ThenInclude(t => t.Tag)
            .AsSplitQuery()
            .ToDictionaryAsync(p => p.Id, cancellationToken);
        var authorIds = posts.Values.Select(p => p.AuthorId).Distinct().ToList();
        var authors = await ProfileLoader.LoadAsync(db, authorIds, callerId, urls, cancellationToken);
        HashSet<Guid> liked = [];
        if (callerId is { } me)
        {
            var postIds = posts.Keys.ToList();
            liked = (await db.PostLikes.AsNoTracking()
                .Where(l => l.UserId == me && postIds.Contains(l.PostId))
                .Select(l => l.PostId)
                .ToListAsync(cancellationToken)).ToHashSet();
        }

        var views = new List<PostView>(posts.Count);
        foreach (var id in ids)
        {
            if (posts.TryGetValue(id, out var post) && authors.TryGetValue(post.AuthorId, out var author))
            {
                views.Add(ToView(post, author, liked.Contains(post.Id)));
            }
        }

        return views;
    }

    public PostView ToView(Post post, Profile author, bool likedByMe) => new(
        post.Id.ToString(),
        author,
        post.Images.OrderBy(i => i.Position).Select(i => new ImageView(i.ImageKey, urls.For(i.ImageKey))).ToList(),
        post.Caption,
        post.Tags.Select(t => t.Tag!.Name).Order(StringComparer.Ordinal).ToList(),
        post.LikeCount,
        post.CommentCount,
        likedByMe,
        post.CreatedAt);
}

using FoodCommunity.Api.Infrastructure.Caching;
using FoodCommunity.Api.Infrastructure.Data;
using FoodCommunity.Api.Infrastructure.Storage;
using Microsoft.EntityFrameworkCore;

namespace FoodCommunity.Api.Posts;

/// <summary>
/// What every viewer sees of a post, the same for all: cached per post. <c>LikeCount</c> is MySQL's
/// (a flush behind), used only while the post's live like state is not in Redis.
/// </summary>
public sealed record PostCard(
    Guid Id,
    Guid AuthorId,
    string Caption,
    IReadOnlyList<ProcessedImage> Images,
    IReadOnlyList<string> Tags,
    int CommentCount,
    int LikeCount,
    DateTimeOffset CreatedAt,
    DateTimeOffset? EditedAt,
    bool Hidden);

/// <summary>
/// Post cards by id (see <see cref="CardCache"/>), filled from the primary in one split query for a
/// whole page. Every write that changes what a card holds (edit, hide, delete, a comment) removes it
/// through <see cref="Feeds.FeedCache"/> after its commit.
/// </summary>
public sealed class PostCards(CardCache cards, IServiceScopeFactory scopes)
{
    public const string Prefix = "post:v3";

    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(6);

    public Task<Dictionary<Guid, PostCard>> GetManyAsync(IReadOnlyCollection<Guid> ids, bool fresh, CancellationToken cancellationToken) =>
        cards.GetManyAsync(Prefix, ids, fresh, Lifetime, LoadAsync, cancellationToken);

    public Task RemoveAsync(Guid postId) => cards.RemoveAsync(Prefix, postId);

    private async Task<Dictionary<Guid, PostCard>> LoadAsync(IReadOnlyList<Guid> ids, CancellationToken cancellationToken)
    {
        // Its own scope and the primary: a fill is shared by every reader, so it must not see a lagging replica.
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FoodCommunityDbContext>();
        var posts = await db.Posts.AsNoTracking()
            .Where(p => ids.Contains(p.Id))
            .Select(p => new
            {
                p.Id,
                p.AuthorId,
                p.Caption,
                p.CommentCount,
                p.LikeCount,
                p.CreatedAt,
                p.EditedAt,
                p.HiddenAt,
                Images = p.Images.OrderBy(i => i.Position).Select(i => new ProcessedImage(i.ImageKey, i.Width, i.Height)).ToList(),
                Tags = p.Tags.Select(t => t.Tag!.Name).OrderBy(name => name).ToList(),
            })
            .AsSplitQuery()
            .ToListAsync(cancellationToken);
        return posts.ToDictionary(p => p.Id, p => new PostCard(
            p.Id, p.AuthorId, p.Caption, p.Images, p.Tags, p.CommentCount, p.LikeCount, p.CreatedAt, p.EditedAt, p.HiddenAt is not null));
    }
}

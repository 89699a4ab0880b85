using Dapper;
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
/// Post cards by id (see <see cref="CardCache"/>), filled from the primary in one round trip for a
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

    // The posts, their images and their tags of a whole page in one round trip. Dapper, not EF: a fill's
    // IN list differs every time, and EF builds (and JIT-compiles the shaper of) every such query anew.
    private const string LoadSql = """
        SELECT id AS Id, author_id AS AuthorId, caption AS Caption, comment_count AS CommentCount, like_count AS LikeCount,
               created_at AS CreatedAt, edited_at AS EditedAt, hidden_at AS HiddenAt
          FROM posts WHERE id IN @ids;
        SELECT post_id AS PostId, image_key AS ImageKey, width AS Width, height AS Height
          FROM post_images WHERE post_id IN @ids ORDER BY post_id, position;
        SELECT pt.post_id AS PostId, t.name AS Name
          FROM post_tags pt JOIN tags t ON t.id = pt.tag_id WHERE pt.post_id IN @ids ORDER BY t.name;
        """;

    private async Task<Dictionary<Guid, PostCard>> LoadAsync(IReadOnlyList<Guid> ids, CancellationToken cancellationToken)
    {
        // Its own scope and the primary: a fill is shared by every reader, so it must not see a lagging replica.
        await using var scope = scopes.CreateAsyncScope();
        var connection = scope.ServiceProvider.GetRequiredService<FoodCommunityDbContext>().Database.GetDbConnection();
        using var results = await connection.QueryMultipleAsync(new CommandDefinition(LoadSql, new { ids }, cancellationToken: cancellationToken));
        var posts = (await results.ReadAsync<PostRow>()).ToList();
        var images = (await results.ReadAsync<ImageRow>()).ToLookup(image => image.PostId, image => new ProcessedImage(image.ImageKey, image.Width, image.Height));
        var tags = (await results.ReadAsync<TagRow>()).ToLookup(tag => tag.PostId, tag => tag.Name);
        return posts.ToDictionary(p => p.Id, p => new PostCard(
            p.Id, p.AuthorId, p.Caption, images[p.Id].ToList(), tags[p.Id].ToList(), p.CommentCount, p.LikeCount,
            Utc(p.CreatedAt), p.EditedAt is { } edited ? Utc(edited) : null, p.HiddenAt is not null));
    }

    /// <summary>Times are stored as UTC datetime(6) (as EF writes DateTimeOffset).</summary>
    private static DateTimeOffset Utc(DateTime stored) => new(DateTime.SpecifyKind(stored, DateTimeKind.Utc));

    private sealed class PostRow
    {
        public Guid Id { get; init; }

        public Guid AuthorId { get; init; }

        public string Caption { get; init; } = "";

        public int CommentCount { get; init; }

        public int LikeCount { get; init; }

        public DateTime CreatedAt { get; init; }

        public DateTime? EditedAt { get; init; }

        public DateTime? HiddenAt { get; init; }
    }

    private sealed record ImageRow(Guid PostId, string ImageKey, int Width, int Height);

    private sealed record TagRow(Guid PostId, string Name);
}

using FoodCommunity.Api.Infrastructure.Data;

namespace FoodCommunity.Api.Feeds;

/// <summary>
/// The id queries behind each feed: keyset pagination on time-ordered ids (UUIDv7 in BINARY(16)),
/// each a range scan of one index (the feeds' EXPLAIN test holds them to that). The first page uses
/// the largest possible id as its bound, so every page is the same query.
/// </summary>
public static class FeedQueries
{
    public static readonly Guid Newest = new(Enumerable.Repeat((byte)0xFF, 16).ToArray(), bigEndian: true);

    public static FormattableString Latest(Guid before, int take) =>
        $"SELECT id AS Value FROM posts WHERE id < {before} ORDER BY id DESC LIMIT {take}";

    public static FormattableString ByAuthor(Guid authorId, Guid before, int take) =>
        $"SELECT id AS Value FROM posts WHERE author_id = {authorId} AND id < {before} ORDER BY id DESC LIMIT {take}";

    public static FormattableString ByTag(long tagId, Guid before, int take) =>
        $"SELECT post_id AS Value FROM post_tags WHERE tag_id = {tagId} AND post_id < {before} ORDER BY post_id DESC LIMIT {take}";

    /// <summary>The tag's posts by the tag's name: the tags row, then a range of post_tags' primary key.</summary>
    public static FormattableString ByTagName(string tag, Guid before, int take) =>
        $"SELECT pt.post_id AS Value FROM tags t JOIN post_tags pt ON pt.tag_id = t.id WHERE t.name = {tag} AND pt.post_id < {before} ORDER BY pt.post_id DESC LIMIT {take}";

    /// <summary>
    /// The newest <paramref name="take"/> posts of each author older than <paramref name="before"/>, one
    /// limited range of ix_posts_author_id per author glued by UNION ALL (a single IN list would sort all
    /// of their posts).
    /// </summary>
    public static (string Sql, object[] Parameters) NewestOfAuthors(IReadOnlyList<Guid> authorIds, Guid before, int take)
    {
        // Only generated placeholders and an integer are spliced in; the ids are parameters.
        var sql = string.Join(" UNION ALL ", authorIds.Select((_, i) =>
            $"(SELECT author_id AS AuthorId, id AS Id FROM posts WHERE author_id = @a{i} AND id < @before ORDER BY id DESC LIMIT {take})"));
        return (sql, [new MySqlConnector.MySqlParameter("@before", before), .. authorIds.Select((id, i) => (object)new MySqlConnector.MySqlParameter($"@a{i}", id))]);
    }

    /// <summary>
    /// Only while Redis (and with it the like-event ranking) is down: the last day's posts by their
    /// like_count, a range of the primary key and a sort of one day's posts.
    /// </summary>
    public static FormattableString MostLikedSince(DateTimeOffset since, int take) =>
        $"SELECT id AS Value FROM posts WHERE id >= {UuidV7.FirstAt(since)} ORDER BY like_count DESC, id DESC LIMIT {take}";

    /// <summary>
    /// The caller's own posts and their followees' posts, merged. Each half is limited on its own, so
    /// the merge sorts at most 2 × take rows. Pull-on-read suits this size (most users follow tens to
    /// hundreds); fan-out-on-write timelines in Redis are the step after it.
    /// </summary>
    public static FormattableString Home(Guid userId, Guid before, int take) => $"""
        SELECT id AS Value FROM (
          (SELECT p.id FROM posts p WHERE p.author_id = {userId} AND p.id < {before} ORDER BY p.id DESC LIMIT {take})
          UNION ALL
          (SELECT p.id FROM follows f JOIN posts p ON p.author_id = f.followee_id
            WHERE f.follower_id = {userId} AND p.id < {before} ORDER BY p.id DESC LIMIT {take})
        ) AS home ORDER BY id DESC LIMIT {take}
        """;
}

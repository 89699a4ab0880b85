using Dapper;
using FoodCommunity.Api.Infrastructure.Data;
using FoodCommunity.Api.Infrastructure.Storage;
using FoodCommunity.Api.Likes;
using FoodCommunity.Api.Users;
using Microsoft.EntityFrameworkCore;

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

/// <summary>
/// Turns post ids into the <see cref="PostView"/>s a client shows, with no SQL once warm: the post and
/// author cards from the cache (memory, then Redis), and the caller's parts (blocks, whom they follow,
/// live like figures) from Redis, fetched concurrently so they share round trips. Only a post whose
/// like state is not in Redis costs one statement, for "liked by me", and its state is loaded behind.
/// </summary>
public sealed class PostViews(
    PostCards posts, ProfileViews profiles, BlockList blocks, LikeStore likes, LikeStateWarmer warmer, PublicUrls urls, IServiceScopeFactory scopes)
{
    /// <summary>
    /// The views of those ids the caller may see, in the order given: posts that exist, whose author
    /// neither blocks nor is blocked by the caller, and that no moderator hid (except to their author).
    /// </summary>
    /// <remarks><c>fresh</c>: The caller wrote a moment ago: read past this instance's memory (see <see cref="Infrastructure.Caching.CardCache"/>).</remarks>
    public async Task<IReadOnlyList<PostView>> LoadAsync(IReadOnlyList<Guid> ids, Guid? callerId, bool fresh, CancellationToken cancellationToken)
    {
        if (ids.Count == 0)
        {
            return [];
        }

        var hiddenRead = blocks.HiddenForAsync(callerId, cancellationToken);
        var liveRead = likes.ReadAsync(ids, callerId);
        var cards = await posts.GetManyAsync(ids, fresh, cancellationToken);
        var hidden = await hiddenRead;
        var visible = cards.Values.Where(c => (!c.Hidden || c.AuthorId == callerId) && !hidden.Contains(c.AuthorId)).ToDictionary(c => c.Id);
        var authors = await profiles.LoadAsync(visible.Values.Select(c => c.AuthorId).Distinct().ToList(), callerId, hidden, fresh, cancellationToken);
        var live = await liveRead;
        var notLive = visible.Keys.Where(id => !live.ContainsKey(id)).ToList();
        var likedFromMySql = callerId is { } me && notLive.Count > 0 ? await LikedInMySqlAsync(me, notLive, cancellationToken) : [];
        warmer.Request(notLive);

        var views = new List<PostView>(visible.Count);
        foreach (var id in ids)
        {
            if (visible.TryGetValue(id, out var card) && authors.TryGetValue(card.AuthorId, out var author))
            {
                var (likeCount, likedByMe) = live.TryGetValue(id, out var figures) ? figures : (card.LikeCount, likedFromMySql.Contains(id));
                views.Add(new PostView(
                    id.ToString(),
                    author,
                    card.Images.Select(image => urls.Image(image.Key, image.Width, image.Height)).ToList(),
                    card.Caption,
                    card.Tags,
                    likeCount,
                    card.CommentCount,
                    likedByMe,
                    card.CreatedAt,
                    card.EditedAt,
                    card.Hidden));
            }
        }

        return views;
    }

    private async Task<HashSet<Guid>> LikedInMySqlAsync(Guid userId, List<Guid> postIds, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var connection = scope.ServiceProvider.GetRequiredService<FoodCommunityDbContext>().Database.GetDbConnection();
        // Dapper, not EF: the IN list differs every time, and EF builds every such query anew.
        return (await connection.QueryAsync<Guid>(new CommandDefinition(
            "SELECT post_id FROM post_likes WHERE user_id = @userId AND post_id IN @postIds", new { userId, postIds }, cancellationToken: cancellationToken))).ToHashSet();
    }
}

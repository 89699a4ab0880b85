using System.Text.RegularExpressions;
using FoodCommunity.Api.Infrastructure.Data;
using FoodCommunity.Api.Users;
using Microsoft.EntityFrameworkCore;

namespace FoodCommunity.Api.Notifications;

/// <summary>
/// Tells users what others did to them: a comment on their post, a follow, an @mention. Nobody is
/// told of their own actions or of a user hidden from them (a block, either way). Called after the
/// action's commit; a notification lost to a Redis failure is not worth failing the action for.
/// </summary>
public sealed partial class Notifier(NotificationStore store, BlockList blocks, TimeProvider clock, ILogger<Notifier> logger)
{
    /// <summary>At most this many users are mentioned (and told) per caption or comment.</summary>
    public const int MaxMentions = 10;

    public Task CommentedAsync(FoodCommunityDbContext db, Guid postAuthor, Guid postId, Guid commentId, string text, Guid actor, CancellationToken cancellationToken) =>
        SafelyAsync(async () =>
        {
            if (await MayTellAsync(db, postAuthor, actor, cancellationToken))
            {
                await store.AddAsync(postAuthor, $"c:{commentId:N}", new NotificationData(NotificationStore.Comment, postId, commentId, Excerpt(text), actor), clock.GetUtcNow());
            }

            await MentionedAsync(db, text, postId, commentId, actor, except: [postAuthor], cancellationToken);
        });

    public Task FollowedAsync(FoodCommunityDbContext db, Guid followee, Guid actor, CancellationToken cancellationToken) =>
        SafelyAsync(async () =>
        {
            if (await MayTellAsync(db, followee, actor, cancellationToken))
            {
                await store.AddAsync(followee, $"f:{actor:N}", new NotificationData(NotificationStore.Follow, null, null, null, actor), clock.GetUtcNow());
            }
        });

    /// <summary>The @usernames of a caption: each mentioned user is told once per post (an edit adding one tells only the new one).</summary>
    public Task CaptionMentionsAsync(FoodCommunityDbContext db, string caption, string? previousCaption, Guid postId, Guid author, CancellationToken cancellationToken) =>
        SafelyAsync(async () =>
        {
            var before = previousCaption is null ? [] : Mentions(previousCaption);
            var added = string.Join(' ', Mentions(caption).Except(before).Select(name => "@" + name));
            await MentionedAsync(db, added, postId, commentId: null, author, except: [], cancellationToken);
        });

    private async Task MentionedAsync(FoodCommunityDbContext db, string text, Guid postId, Guid? commentId, Guid actor, Guid[] except, CancellationToken cancellationToken)
    {
        var names = Mentions(text);
        if (names.Count == 0)
        {
            return;
        }

        var mentioned = await db.Users.AsNoTracking().Where(u => names.Contains(u.Username)).Select(u => u.Id).ToListAsync(cancellationToken);
        foreach (var user in mentioned.Where(u => u != actor && !except.Contains(u)))
        {
            if (await MayTellAsync(db, user, actor, cancellationToken))
            {
                var id = commentId is { } comment ? $"m:{comment:N}" : $"m:{postId:N}";
                await store.AddAsync(user, id, new NotificationData(NotificationStore.Mention, postId, commentId, null, actor), clock.GetUtcNow());
            }
        }
    }

    private async Task<bool> MayTellAsync(FoodCommunityDbContext db, Guid recipient, Guid actor, CancellationToken cancellationToken) =>
        recipient != actor && !(await blocks.HiddenForAsync(recipient, cancellationToken)).Contains(actor);

    private static List<string> Mentions(string text) =>
        MentionPattern().Matches(text).Select(m => m.Groups[1].Value.ToLowerInvariant()).Distinct().Take(MaxMentions).ToList();

    private static string Excerpt(string text) => text.Length <= 100 ? text : text[..100] + "…";

    private async Task SafelyAsync(Func<Task> tell)
    {
        try
        {
            await tell();
        }
        catch (Exception e) when (e is StackExchange.Redis.RedisException or StackExchange.Redis.RedisTimeoutException or MySqlConnector.MySqlException)
        {
            LogLost(logger, e);
        }
    }

    [GeneratedRegex(@"(?<![\w@])@([A-Za-z0-9_.]{3,30})", RegexOptions.CultureInvariant)]
    private static partial Regex MentionPattern();

    [LoggerMessage(Level = LogLevel.Warning, Message = "A notification was not stored")]
    private static partial void LogLost(ILogger logger, Exception exception);
}

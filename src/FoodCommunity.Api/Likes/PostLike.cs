namespace FoodCommunity.Api.Likes;

/// <summary>One user's like of one post, as the write-behind flusher stores it.</summary>
public sealed class PostLike
{
    public Guid PostId { get; init; }

    public Guid UserId { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
}

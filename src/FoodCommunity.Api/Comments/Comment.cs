namespace FoodCommunity.Api.Comments;

public sealed class Comment
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public Guid PostId { get; init; }

    public Guid AuthorId { get; init; }

    public required string Text { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
}

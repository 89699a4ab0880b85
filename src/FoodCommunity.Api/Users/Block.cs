namespace FoodCommunity.Api.Users;

/// <summary>One user blocking another. Mutual in effect: neither sees nor reaches the other.</summary>
public sealed class Block
{
    public Guid BlockerId { get; init; }

    public Guid BlockedId { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
}

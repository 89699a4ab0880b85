namespace FoodCommunity.Api.Users;

public sealed class Follow
{
    public Guid FollowerId { get; init; }

    public Guid FolloweeId { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
}

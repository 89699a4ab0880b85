namespace FoodCommunity.Api.Users;

/// <summary>
/// One name a user can be found by (the username, the folded display name): people search is a prefix
/// range of this table's key, the same on MySQL 8 and MariaDB, with no scan of users.
/// </summary>
public sealed class UserSearchTerm
{
    public required string Term { get; init; }

    public Guid UserId { get; init; }
}

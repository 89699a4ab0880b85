using FoodCommunity.Api.Infrastructure.Data;
using FoodCommunity.Domain.Accounts;
using Microsoft.EntityFrameworkCore;

namespace FoodCommunity.Api.Users;

/// <summary>
/// People search: every user is findable by the prefixes of their username and of their folded
/// display name (<see cref="AccountRules.FoldForSearch"/>), kept as rows of user_search_terms that
/// the writers of names keep current in their own transactions.
/// </summary>
public static class UserSearch
{
    /// <summary>Replaces the user's terms (in the caller's unit of work): after a sign-up or a name change.</summary>
    public static async Task IndexAsync(FoodCommunityDbContext db, User user, CancellationToken cancellationToken)
    {
        await RemoveAsync(db, user.Id, cancellationToken);
        AddNew(db, user);
    }

    /// <summary>The terms of a user not yet saved (a sign-up): added to the same SaveChanges as the user.</summary>
    public static void AddNew(FoodCommunityDbContext db, User user) =>
        db.UserSearchTerms.AddRange(TermsOf(user).Select(term => new UserSearchTerm { Term = term, UserId = user.Id }));

    public static Task RemoveAsync(FoodCommunityDbContext db, Guid userId, CancellationToken cancellationToken) =>
        db.UserSearchTerms.Where(t => t.UserId == userId).ExecuteDeleteAsync(cancellationToken);

    /// <summary>
    /// One page of (term, user) pairs whose term starts with the folded query, after the given one:
    /// a range of the primary key, so the cost is the page, not the table (EXPLAIN test in FeedQueryTests).
    /// </summary>
    public static Task<List<UserSearchTerm>> FindAsync(
        FoodCommunityDbContext db, string foldedQuery, (string Term, Guid UserId)? after, int take, CancellationToken cancellationToken) =>
        db.UserSearchTerms.FromSql(Query(foldedQuery, after, take)).AsNoTracking().ToListAsync(cancellationToken);

    public static FormattableString Query(string foldedQuery, (string Term, Guid UserId)? after, int take)
    {
        // LIKE 'q%' with the query's own wildcards escaped: a prefix range of the binary-collated key.
        var pattern = foldedQuery.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal) + "%";
        var (afterTerm, afterId) = after ?? ("", Guid.Empty);
        return $"SELECT term, user_id FROM user_search_terms WHERE term LIKE {pattern} AND (term > {afterTerm} OR (term = {afterTerm} AND user_id > {afterId})) ORDER BY term, user_id LIMIT {take}";
    }

    private static IEnumerable<string> TermsOf(User user) =>
        new[] { user.Username, AccountRules.FoldForSearch(user.DisplayName) ?? "" }
            .Where(term => term.Length > 0)
            .Distinct(StringComparer.Ordinal);
}

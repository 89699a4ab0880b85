using Microsoft.AspNetCore.Http.HttpResults;

namespace FoodCommunity.Api.Infrastructure.Paging;

/// <summary>One page of a cursor-paginated list; nextCursor is null on the last page.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? NextCursor);

/// <summary>The limit and cursor of a list request, checked once for every list endpoint.</summary>
public readonly record struct PageRequest(int Limit, string? Cursor)
{
    public const int DefaultLimit = 20;
    public const int MaxLimit = 50;

    /// <summary>Null and a 400 when the limit is outside 1..50.</summary>
    public static PageRequest? Parse(int? limit, string? cursor, out ValidationProblem? problem)
    {
        problem = null;
        var value = limit ?? DefaultLimit;
        if (value is < 1 or > MaxLimit)
        {
            problem = TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = [$"limit is 1 to {MaxLimit}."] });
            return null;
        }

        return new PageRequest(value, string.IsNullOrEmpty(cursor) ? null : cursor);
    }

    public static ValidationProblem BadCursor() =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["cursor"] = ["The cursor is not one this list issued; start again without it."] });
}

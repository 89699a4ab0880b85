using FoodCommunity.Api.Infrastructure.Caching;
using FoodCommunity.Api.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using ZiggyCreatures.Caching.Fusion;

namespace FoodCommunity.Api.Feeds;

/// <summary>
/// The newest ids of a feed, newest first, as cached. <c>Complete</c>: the list holds every post there
/// is (fewer than its window), so paging past its end means the end of the feed, not the cache's.
/// </summary>
public sealed record IdList(IReadOnlyList<Guid> Ids, bool Complete)
{
    public static readonly IdList Empty = new([], true);

    /// <summary>
    /// Up to <paramref name="take"/> ids older than <paramref name="before"/>; null when the window ends
    /// first and the feed may go on (the caller reads that page from MySQL).
    /// </summary>
    public IReadOnlyList<Guid>? Page(Guid before, int take)
    {
        var start = FirstOlderThan(before);
        var available = Ids.Count - start;
        if (available >= take)
        {
            return Ids.Skip(start).Take(take).ToList();
        }

        return Complete ? Ids.Skip(start).ToList() : null;
    }

    /// <summary>The index of the first id older than <paramref name="before"/> (ids are descending).</summary>
    public int FirstOlderThan(Guid before)
    {
        int low = 0, high = Ids.Count;
        while (low < high)
        {
            var middle = (low + high) / 2;
            if (Ids[middle].CompareTo(before) < 0)
            {
                high = middle;
            }
            else
            {
                low = middle + 1;
            }
        }

        return low;
    }

    public static IdList Of(List<Guid> ids, int window) => new(ids, ids.Count < window);
}

/// <summary>
/// The id lists behind the feeds, cached (memory, Redis, and every instance told of a change): the
/// newest <see cref="LatestWindow"/> posts, and the newest <see cref="AuthorWindow"/> of each author and
/// <see cref="TagWindow"/> of each tag. Filled from the primary; removed by <see cref="FeedCache"/>
/// when a post is published, edited or deleted. Pages beyond a window come from MySQL.
/// </summary>
public sealed class FeedLists(IFusionCache cache, CardCache cards, IServiceScopeFactory scopes)
{
    public const int LatestWindow = 200;
    public const int AuthorWindow = 60;
    public const int TagWindow = 60;

    public const string LatestKey = "feed:latest:v1";
    public const string AuthorPrefix = "feed:author:v1";

    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);

    // Fills notify nobody (they change nothing); writers' removals do.
    private readonly FusionCacheEntryOptions _cached = cache.CreateEntryOptions(entry => entry.SkipBackplaneNotifications = true, Lifetime);
    private readonly FusionCacheEntryOptions _cachedPastMemory = cache.CreateEntryOptions(entry =>
    {
        entry.SkipBackplaneNotifications = true;
        entry.SkipMemoryCacheRead = true;
    }, Lifetime);

    public static string TagKey(string tag) => $"feed:tag:v1:{tag}";

    /// <remarks><c>fresh</c>: The caller wrote a moment ago: read past this instance's memory.</remarks>
    public async Task<IdList> LatestAsync(bool fresh, CancellationToken cancellationToken) =>
        await cache.GetOrSetAsync<IdList>(LatestKey, async (_, ct) =>
            IdList.Of(await QueryAsync(FeedQueries.Latest(FeedQueries.Newest, LatestWindow), ct), LatestWindow), fresh ? _cachedPastMemory : _cached, cancellationToken);

    public async Task<IdList> ByTagAsync(string tag, bool fresh, CancellationToken cancellationToken) =>
        await cache.GetOrSetAsync<IdList>(TagKey(tag), async (_, ct) =>
            IdList.Of(await QueryAsync(FeedQueries.ByTagName(tag, FeedQueries.Newest, TagWindow), ct), TagWindow), fresh ? _cachedPastMemory : _cached, cancellationToken);

    public async Task<IdList> ByAuthorAsync(Guid authorId, bool fresh, CancellationToken cancellationToken) =>
        (await ByAuthorsAsync([authorId], fresh, cancellationToken))[authorId];

    /// <summary>Many authors' lists at once (the home timeline): memory, then Redis in one batch, then one query for the rest.</summary>
    public Task<Dictionary<Guid, IdList>> ByAuthorsAsync(IReadOnlyCollection<Guid> authorIds, bool fresh, CancellationToken cancellationToken) =>
        cards.GetManyAsync(AuthorPrefix, authorIds, fresh, Lifetime, LoadAuthorsAsync, cancellationToken);

    public Task RemoveLatestAsync() => cache.RemoveAsync(LatestKey).AsTask();

    public Task RemoveTagAsync(string tag) => cache.RemoveAsync(TagKey(tag)).AsTask();

    public Task RemoveAuthorAsync(Guid authorId) => cards.RemoveAsync(AuthorPrefix, authorId);

    /// <summary>
    /// Each author's newest <paramref name="take"/> posts older than <paramref name="before"/>, from the
    /// primary, not cached: what the home timeline needs of authors whose cached window ends too early.
    /// </summary>
    public Task<Dictionary<Guid, IdList>> OlderOfAuthorsAsync(IReadOnlyList<Guid> authorIds, Guid before, int take, CancellationToken cancellationToken) =>
        QueryAuthorsAsync(authorIds, before, take, cancellationToken);

    private Task<Dictionary<Guid, IdList>> LoadAuthorsAsync(IReadOnlyList<Guid> authorIds, CancellationToken cancellationToken) =>
        QueryAuthorsAsync(authorIds, FeedQueries.Newest, AuthorWindow, cancellationToken);

    /// <summary>The authors' newest posts before a bound, in statements of at most 100 authors (each a range of the author's index).</summary>
    private async Task<Dictionary<Guid, IdList>> QueryAuthorsAsync(IReadOnlyList<Guid> authorIds, Guid before, int take, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FoodCommunityDbContext>();
        await db.Database.OpenConnectionAsync(cancellationToken);
        var lists = authorIds.ToDictionary(id => id, _ => new List<Guid>());
        foreach (var chunk in authorIds.Chunk(100))
        {
            // Plain ADO.NET: the statement's text depends on how many authors it has, and EF would build and
            // compile a query (and its materializer) for every new text.
            var (sql, parameters) = FeedQueries.NewestOfAuthors(chunk, before, take);
            await using var command = db.Database.GetDbConnection().CreateCommand();
            command.CommandText = sql;
            command.Parameters.AddRange(parameters);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                lists[reader.GetGuid(0)].Add(reader.GetGuid(1));
            }
        }

        return lists.ToDictionary(l => l.Key, l => IdList.Of(l.Value.OrderByDescending(id => id).ToList(), take));
    }

    private async Task<List<Guid>> QueryAsync(FormattableString sql, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FoodCommunityDbContext>();
        return await db.Database.SqlQuery<Guid>(sql).ToListAsync(cancellationToken);
    }
}

using FoodCommunity.Api.Users;

namespace FoodCommunity.Api.Feeds;

/// <summary>
/// The home timeline, merged when read from the cached newest-posts lists of the caller and everyone
/// they follow (nothing fanned out on write: a post costs the same whoever has many followers, and
/// Redis holds one list per author, not one per reader). A page is served from the lists only when it
/// is provably exact: every author whose list does not reach back past the page's oldest post has no
/// older posts. Otherwise the authors whose windows end too early are read from MySQL, a page each at
/// most; only for callers following more than <see cref="MaxMergedAuthors"/> does the page come from one
/// query over all their follows (<see cref="FeedQueries.Home"/>).
/// </summary>
public sealed class HomeTimeline(FollowingSet following, FeedLists lists)
{
    public const int MaxMergedAuthors = 1000;

    /// <summary>The page's ids, or null when it must come from MySQL.</summary>
    public async Task<IReadOnlyList<Guid>?> PageAsync(Guid userId, Guid before, int take, bool fresh, CancellationToken cancellationToken)
    {
        var followed = await following.OfAsync(userId, cancellationToken);
        if (followed.Count >= MaxMergedAuthors)
        {
            return null;
        }

        var authors = new List<Guid>(followed.Count + 1) { userId };
        authors.AddRange(followed.Where(id => id != userId));
        var byAuthor = await lists.ByAuthorsAsync(authors, fresh, cancellationToken);
        if (Merge(byAuthor.Values.ToList(), before, take) is { } page)
        {
            return page;
        }

        // Not provably exact: some prolific authors' cached windows end before the page does. Their posts
        // before the cursor come from MySQL, at most a page each (one short index range per author), and
        // with every list then holding all its author's candidates, the merge is exact.
        var deeper = byAuthor.Where(list => !list.Value.Complete).Select(list => list.Key).ToList();
        foreach (var (author, older) in await lists.OlderOfAuthorsAsync(deeper, before, take, cancellationToken))
        {
            byAuthor[author] = older;
        }

        return Merge(byAuthor.Values.ToList(), before, take);
    }

    /// <summary>A k-way merge of descending lists, taking <paramref name="take"/> ids older than <paramref name="before"/>; null when not provably exact.</summary>
    public static IReadOnlyList<Guid>? Merge(IReadOnlyList<IdList> authorLists, Guid before, int take)
    {
        var heads = new PriorityQueue<(IdList List, int Index), Guid>(authorLists.Count, Comparer<Guid>.Create((a, b) => b.CompareTo(a)));
        foreach (var list in authorLists)
        {
            var start = list.FirstOlderThan(before);
            if (start < list.Ids.Count)
            {
                heads.Enqueue((list, start), list.Ids[start]);
            }
        }

        var page = new List<Guid>(take);
        while (page.Count < take && heads.TryDequeue(out var head, out var id))
        {
            page.Add(id);
            if (head.Index + 1 < head.List.Ids.Count)
            {
                heads.Enqueue((head.List, head.Index + 1), head.List.Ids[head.Index + 1]);
            }
        }

        // A list that is not complete may have older posts than it holds: the page is exact only if each
        // such list reaches at least as far back as the page does (a short page reaches back forever).
        foreach (var list in authorLists)
        {
            if (!list.Complete && (page.Count < take || list.Ids[^1].CompareTo(page[^1]) > 0))
            {
                return null;
            }
        }

        return page;
    }
}

using FoodCommunity.Api.Feeds;

namespace FoodCommunity.Api.Tests.Feeds;

/// <summary>Paging through cached id lists, and when a merged home page may be served from them.</summary>
public sealed class CachedListPagingTests
{
    /// <summary>Time-ordered ids, newest first, like the lists hold.</summary>
    private static List<Guid> NewestFirst(int count)
    {
        var start = DateTimeOffset.UtcNow.AddDays(-1);
        return Enumerable.Range(0, count).Select(i => Guid.CreateVersion7(start.AddSeconds(i))).Reverse().ToList();
    }

    [Fact]
    public void APage_TakesTheIdsOlderThanTheCursor_InOrder()
    {
        var ids = NewestFirst(10);
        var list = IdList.Of(ids, window: 10);

        Assert.Equal(ids.Take(3), list.Page(FeedQueries.Newest, 3));
        Assert.Equal(ids.Skip(4).Take(3), list.Page(ids[3], 3));
    }

    [Fact]
    public void PastTheEndOfAFullWindow_ThePageIsLeftToMySql()
    {
        var ids = NewestFirst(10);
        var full = IdList.Of(ids, window: 10);
        var whole = IdList.Of(ids, window: 11);

        Assert.False(full.Complete);
        Assert.Null(full.Page(ids[7], 3));
        Assert.True(whole.Complete);
        Assert.Equal(ids.Skip(8), whole.Page(ids[7], 3));
        Assert.Empty(whole.Page(ids[^1], 3)!);
    }

    [Fact]
    public void AMergedPage_InterleavesTheAuthorsNewestFirst()
    {
        var ids = NewestFirst(12);
        var alice = IdList.Of(ids.Where((_, i) => i % 2 == 0).ToList(), window: 60);
        var bob = IdList.Of(ids.Where((_, i) => i % 2 == 1).ToList(), window: 60);

        Assert.Equal(ids.Take(5), HomeTimeline.Merge([alice, bob], FeedQueries.Newest, 5));
        Assert.Equal(ids.Skip(5).Take(5), HomeTimeline.Merge([alice, bob], ids[4], 5));
        Assert.Equal(ids.Skip(10), HomeTimeline.Merge([alice, bob], ids[9], 5));
    }

    [Fact]
    public void AMergedPage_ThatAFullListDoesNotReach_IsLeftToMySql()
    {
        var ids = NewestFirst(20);
        // Bob's list holds his newest 3 posts of more (full window): anything older than them is unknown.
        var bob = IdList.Of([ids[0], ids[1], ids[2]], window: 3);
        var alice = IdList.Of(ids.Skip(3).ToList(), window: 60);

        Assert.Equal(ids.Take(3), HomeTimeline.Merge([alice, bob], FeedQueries.Newest, 3));
        Assert.Null(HomeTimeline.Merge([alice, bob], FeedQueries.Newest, 4));
        Assert.Null(HomeTimeline.Merge([bob], ids[0], 5));
    }
}

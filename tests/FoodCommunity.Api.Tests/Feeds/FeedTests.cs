using System.Collections.Concurrent;
using System.Net;
using FoodCommunity.Api.Feeds;
using FoodCommunity.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace FoodCommunity.Api.Tests.Feeds;

public sealed class FeedTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private readonly HttpClient _client = api.CreateClient();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task LatestFeed_PagedWhileOthersPost_SkipsAndRepeatsNothing()
    {
        var author = await _client.RegisterAsync();
        var existing = new List<string>();
        for (var i = 0; i < 15; i++)
        {
            existing.Add(await _client.CreatePostAsync(api, author, $"existing {i}"));
        }

        var other = await _client.RegisterAsync();
        // Posts acknowledged before the first page was asked for: the feed must show every one of them.
        var before = new ConcurrentBag<string>();
        // Posts begun only after the first page was answered: newer than all it showed, so no page may show them.
        var during = new ConcurrentBag<string>();
        var pagingStarted = 0;
        var firstPageAnswered = 0;
        using var stop = new CancellationTokenSource();
        var landed = new SemaphoreSlim(0);
        var poster = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var begunAfterFirstPage = Volatile.Read(ref firstPageAnswered) == 1;
                var id = await _client.CreatePostAsync(api, other, "meanwhile");
                if (begunAfterFirstPage)
                {
                    during.Add(id);
                }
                else if (Volatile.Read(ref pagingStarted) == 0)
                {
                    before.Add(id);
                }

                landed.Release();
            }
        }, Ct);
        // The poster is running before the first page is read.
        Assert.True(await landed.WaitAsync(TimeSpan.FromSeconds(30), Ct), "the concurrent poster published nothing");

        var paged = new List<string>();
        var pagedAuthors = new Dictionary<string, string>();
        var pages = 0;
        string? cursor = null;
        Volatile.Write(ref pagingStarted, 1);
        do
        {
            using var response = await _client.GetAsync($"/api/v1/feed/latest?limit=4" + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}"), Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var page = await response.ReadJsonAsync();
            pages++;
            Volatile.Write(ref firstPageAnswered, 1);
            foreach (var item in page.GetProperty("items").EnumerateArray())
            {
                paged.Add(item.GetProperty("id").GetString()!);
                pagedAuthors[paged[^1]] = item.GetProperty("author").GetProperty("id").GetString()!;
            }

            cursor = page.GetProperty("nextCursor").GetString();
            if (cursor is not null)
            {
                // A scrolling user reads on while others publish: wait for a post begun after the first page to land.
                var target = pages;
                while (during.Count < target)
                {
                    Assert.True(await landed.WaitAsync(TimeSpan.FromSeconds(30), Ct), "no post landed between two pages");
                }
            }
        }
        while (cursor is not null);

        await stop.CancelAsync();
        await poster;

        // Posts did arrive while paging: at least one between every two pages.
        Assert.True(pages >= 4, $"{pages} pages");
        Assert.True(during.Count >= pages - 1, $"{during.Count} posts landed during {pages} pages");
        Assert.NotEmpty(before);
        // Nothing repeated, nothing skipped, nothing newer than the first page slipped in.
        Assert.Equal(paged.Count, paged.Distinct().Count());
        Assert.Superset(existing.ToHashSet(), paged.ToHashSet());
        Assert.Superset(before.ToHashSet(), paged.ToHashSet());
        Assert.Empty(paged.Intersect(during));
        // Other tests of this class post too; of the author's posts, only those that existed appear.
        Assert.All(paged.Where(id => pagedAuthors[id] == author.User.Id), id => Assert.Contains(id, existing));
        Assert.Equal(paged.OrderDescending(StringComparer.Ordinal), paged);
    }

    [Fact]
    public async Task HomeFeed_HasFollowedUsersAndOwnPosts_NewestFirst_AndNothingElse()
    {
        var me = await _client.RegisterAsync();
        var followed = await _client.RegisterAsync();
        var stranger = await _client.RegisterAsync();
        using (await _client.SendAsync(HttpMethod.Put, $"/api/v1/users/{followed.User.Id}/follow", me.AccessToken))
        {
        }

        var expected = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            expected.Add(await _client.CreatePostAsync(api, followed));
            await _client.CreatePostAsync(api, stranger);
            expected.Add(await _client.CreatePostAsync(api, me));
        }

        var home = await _client.ReadAllPagesAsync("/api/v1/feed/home", me.AccessToken, limit: 3);
        using var anonymous = await _client.GetAsync("/api/v1/feed/home", Ct);

        Assert.Equal(Enumerable.Reverse(expected), home);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    [Fact]
    public async Task HomeFeed_PagesPastAProlificAuthorsCachedWindow_SkippingAndRepeatingNothing()
    {
        var me = await _client.RegisterAsync();
        var prolific = await _client.RegisterAsync();
        var occasional = await _client.RegisterAsync();
        foreach (var followed in new[] { prolific, occasional })
        {
            using (await _client.SendAsync(HttpMethod.Put, $"/api/v1/users/{followed.User.Id}/follow", me.AccessToken))
            {
            }
        }

        // More posts than an author's cached window holds, with the occasional author's few spread among
        // them, written straight to MySQL (through the API this would take minutes).
        var expected = new List<Guid>();
        await using (var scope = api.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<FoodCommunity.Api.Infrastructure.Data.FoodCommunityDbContext>();
            var start = DateTimeOffset.UtcNow.AddHours(-2);
            for (var i = 0; i < FeedLists.AuthorWindow + 25; i++)
            {
                var author = i % 17 == 5 ? occasional : prolific;
                var at = start.AddSeconds(i);
                var post = new FoodCommunity.Api.Posts.Post
                {
                    Id = Guid.CreateVersion7(at),
                    AuthorId = Guid.Parse(author.User.Id),
                    Caption = $"post {i}",
                    CreatedAt = at,
                    Images = [new FoodCommunity.Api.Posts.PostImage { ImageKey = $"uploads/{author.User.Id}/2026/12/{Guid.NewGuid():N}.jpg", Width = 1, Height = 1 }],
                };
                db.Posts.Add(post);
                expected.Add(post.Id);
            }

            await db.SaveChangesAsync(Ct);
        }

        var home = await _client.ReadAllPagesAsync("/api/v1/feed/home", me.AccessToken, limit: 20);

        Assert.Equal(Enumerable.Reverse(expected).Select(id => id.ToString()), home);
    }

    [Fact]
    public async Task UserAndTagFeeds_ListExactlyTheirPosts_NewestFirst()
    {
        var author = await _client.RegisterAsync();
        var other = await _client.RegisterAsync();
        var tag = $"tag{Guid.NewGuid():N}"[..20];
        var byAuthor = new List<string>();
        var tagged = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var id = await _client.CreatePostAsync(api, author, i % 2 == 0 ? $"with #{tag.ToUpperInvariant()}" : "without");
            byAuthor.Add(id);
            if (i % 2 == 0)
            {
                tagged.Add(id);
            }

            tagged.Add(await _client.CreatePostAsync(api, other, "", [tag]));
        }

        Assert.Equal(Enumerable.Reverse(byAuthor), await _client.ReadAllPagesAsync($"/api/v1/users/{author.User.Id}/posts", limit: 2));
        Assert.Equal(Enumerable.Reverse(tagged), await _client.ReadAllPagesAsync($"/api/v1/tags/{tag}/posts", limit: 3));
        Assert.Empty(await _client.ReadAllPagesAsync("/api/v1/tags/nosuchtagatall/posts"));
        using var unknownUser = await _client.GetAsync($"/api/v1/users/{Guid.CreateVersion7()}/posts", Ct);
        Assert.Equal(HttpStatusCode.NotFound, unknownUser.StatusCode);
    }

    [Fact]
    public async Task Cursor_FromOneFeed_IsRefusedByAnother_AndATamperedOneIs400()
    {
        var author = await _client.RegisterAsync();
        for (var i = 0; i < 3; i++)
        {
            await _client.CreatePostAsync(api, author);
        }

        using var first = await _client.GetAsync("/api/v1/feed/latest?limit=1", Ct);
        var cursor = (await first.ReadJsonAsync()).GetProperty("nextCursor").GetString()!;
        var tampered = cursor[..^2] + (cursor[^2] == 'A' ? "B" : "A") + cursor[^1];

        using var elsewhere = await _client.GetAsync($"/api/v1/users/{author.User.Id}/posts?cursor={Uri.EscapeDataString(cursor)}", Ct);
        using var edited = await _client.GetAsync($"/api/v1/feed/latest?cursor={Uri.EscapeDataString(tampered)}", Ct);

        Assert.Equal(HttpStatusCode.BadRequest, elsewhere.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, edited.StatusCode);
        Assert.True((await edited.ReadJsonAsync()).GetProperty("errors").TryGetProperty("cursor", out _));
    }

    [Fact]
    public async Task Cursor_IssuedBeforeASigningKeyRotation_StillWorksAfterIt()
    {
        var author = await _client.RegisterAsync();
        for (var i = 0; i < 3; i++)
        {
            await _client.CreatePostAsync(api, author);
        }

        using var first = await _client.GetAsync("/api/v1/feed/latest?limit=1", Ct);
        var cursor = (await first.ReadJsonAsync()).GetProperty("nextCursor").GetString()!;
        using var newKey = System.Security.Cryptography.RSA.Create(2048);
        await using var rotated = await ApiFactory.SharingStateWithAsync(api, new Dictionary<string, string?>
        {
            ["Auth:SigningKeyPem"] = newKey.ExportPkcs8PrivateKeyPem(),
            ["Auth:PreviousSigningKeyPem"] = api.Isolation.SigningKeyPem,
        });

        using var next = await rotated.CreateClient().GetAsync($"/api/v1/feed/latest?limit=1&cursor={Uri.EscapeDataString(cursor)}", Ct);

        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }

    [Fact]
    public async Task PostView_InAFeed_ShowsFollowedByMeForTheAuthor()
    {
        var me = await _client.RegisterAsync();
        var chef = await _client.RegisterAsync();
        var stranger = await _client.RegisterAsync();
        var chefsPost = await _client.CreatePostAsync(api, chef);
        var strangersPost = await _client.CreatePostAsync(api, stranger);
        await _client.ExpectStatusAsync(HttpMethod.Put, $"/api/v1/users/{chef.User.Id}/follow", me, HttpStatusCode.NoContent);

        var followed = await FollowedByMeInLatestFeedAsync(me, chefsPost, strangersPost);
        await _client.ExpectStatusAsync(HttpMethod.Delete, $"/api/v1/users/{chef.User.Id}/follow", me, HttpStatusCode.NoContent);
        var unfollowed = await FollowedByMeInLatestFeedAsync(me, chefsPost, strangersPost);

        Assert.Equal(new[] { true, false }, followed);
        Assert.Equal(new[] { false, false }, unfollowed);
    }

    /// <summary>The author's followedByMe of each post as the latest feed shows it to the caller.</summary>
    private async Task<bool[]> FollowedByMeInLatestFeedAsync(FoodCommunity.Api.Auth.TokenResponse caller, params string[] postIds)
    {
        var found = new Dictionary<string, bool>();
        string? cursor = null;
        do
        {
            using var response = await _client.GetAsync("/api/v1/feed/latest?limit=50" + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}"), caller.AccessToken);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var page = await response.ReadJsonAsync();
            foreach (var item in page.GetProperty("items").EnumerateArray())
            {
                found[item.GetProperty("id").GetString()!] = item.GetProperty("author").GetProperty("followedByMe").GetBoolean();
            }

            cursor = postIds.All(found.ContainsKey) ? null : page.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);

        return [.. postIds.Select(id => found[id])];
    }
}

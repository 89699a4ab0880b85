using System.Collections.Concurrent;
using System.Net;
using FoodCommunity.Api.Tests.Infrastructure;

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

        var posted = new ConcurrentBag<string>();
        var other = await _client.RegisterAsync();
        using var stop = new CancellationTokenSource();
        var postingStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var poster = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                posted.Add(await _client.CreatePostAsync(api, other, "meanwhile"));
                postingStarted.TrySetResult();
            }
        }, Ct);
        // On a busy machine the poster may start late; paging must overlap its posts, not finish first.
        await postingStarted.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);

        var paged = new List<string>();
        var pagedAuthors = new Dictionary<string, string>();
        string? cursor = null;
        do
        {
            using var response = await _client.GetAsync($"/api/v1/feed/latest?limit=4" + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}"), Ct);
            var page = await response.ReadJsonAsync();
            foreach (var item in page.GetProperty("items").EnumerateArray())
            {
                paged.Add(item.GetProperty("id").GetString()!);
                pagedAuthors[paged[^1]] = item.GetProperty("author").GetProperty("id").GetString()!;
            }

            cursor = page.GetProperty("nextCursor").GetString();
            // Give the concurrent poster room between pages, as a scrolling user would.
            await Task.Delay(20, Ct);
        }
        while (cursor is not null);

        await stop.CancelAsync();
        await poster;

        Assert.Equal(paged.Count, paged.Distinct().Count());
        Assert.Superset(existing.ToHashSet(), paged.ToHashSet());
        // Other tests of this class post too; of this test's two authors, only their posts appear.
        Assert.All(paged.Where(id => pagedAuthors[id] == author.User.Id || pagedAuthors[id] == other.User.Id),
            id => Assert.True(existing.Contains(id) || posted.Contains(id)));
        Assert.Equal(paged.OrderDescending(StringComparer.Ordinal), paged);
        Assert.NotEmpty(posted);
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
        var postId = await _client.CreatePostAsync(api, chef);
        using (await _client.SendAsync(HttpMethod.Put, $"/api/v1/users/{chef.User.Id}/follow", me.AccessToken))
        {
        }

        using var response = await _client.GetAsync($"/api/v1/posts/{postId}", me.AccessToken);

        Assert.True((await response.ReadJsonAsync()).GetProperty("author").GetProperty("followedByMe").GetBoolean());
    }
}

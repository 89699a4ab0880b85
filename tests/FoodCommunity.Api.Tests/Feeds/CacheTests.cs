using System.Net;
using FoodCommunity.Api.Tests.Infrastructure;

namespace FoodCommunity.Api.Tests.Feeds;

public sealed class CacheTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private readonly HttpClient _client = api.CreateClient();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The promise for readers other than the writer (docs/caching.md): every instance within a second.</summary>
    [Fact]
    public async Task LatestFirstPage_ShowsANewPostAndDropsADeletedOne_OnAnotherInstance_WithinASecond()
    {
        await using var other = await ApiFactory.SharingStateWithAsync(api);
        using var otherClient = other.CreateClient();
        var author = await _client.RegisterAsync();
        await FirstPageAsync(otherClient); // warm the cached first page on the other instance

        var postId = await _client.CreatePostAsync(api, author);
        Assert.Contains(postId, await WithinASecondAsync(() => FirstPageAsync(otherClient), page => page.Contains(postId)));
        Assert.Equal(HttpStatusCode.OK, (await GetPostAsync(otherClient, postId)).StatusCode);

        using (var deleted = await _client.SendAsync(HttpMethod.Delete, $"/api/v1/posts/{postId}", author.AccessToken))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        Assert.DoesNotContain(postId, await WithinASecondAsync(() => FirstPageAsync(otherClient), page => !page.Contains(postId)));
        Assert.Equal(HttpStatusCode.NotFound, (await GetPostAsync(otherClient, postId)).StatusCode);
    }

    private static Task<T> WithinASecondAsync<T>(Func<Task<T>> read, Func<T, bool> done) =>
        Eventually.AnswerAsync(read, done, TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(50));

    [Fact]
    public async Task WithRedisDown_FeedsAndPostsAreStillReadFromMySql()
    {
        var author = await _client.RegisterAsync();
        var postId = await _client.CreatePostAsync(api, author, "cached once");
        await FirstPageAsync(_client);

        await using var redisDown = await ApiFactory.SharingStateWithAsync(api, new Dictionary<string, string?>
        {
            ["ConnectionStrings:Redis"] = "127.0.0.1:1,connectTimeout=200",
        });
        using var client = redisDown.CreateClient();

        Assert.Contains(postId, await FirstPageAsync(client));
        using var post = await GetPostAsync(client, postId);
        Assert.Equal(HttpStatusCode.OK, post.StatusCode);
        Assert.Equal("cached once", (await post.ReadJsonAsync()).GetProperty("caption").GetString());
        Assert.Contains(postId, await client.ReadAllPagesAsync($"/api/v1/users/{author.User.Id}/posts"));
        // The popular ranking lives in Redis: without it, a day's posts by like count, one page.
        using var popular = await client.GetAsync("/api/v1/feed/popular?limit=50", Ct);
        Assert.Equal(HttpStatusCode.OK, popular.StatusCode);
        var page = await popular.ReadJsonAsync();
        Assert.Contains(postId, page.GetProperty("items").EnumerateArray().Select(p => p.GetProperty("id").GetString()));
        Assert.Equal(System.Text.Json.JsonValueKind.Null, page.GetProperty("nextCursor").ValueKind);
    }

    private static async Task<List<string>> FirstPageAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/api/v1/feed/latest", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.ReadJsonAsync()).GetProperty("items").EnumerateArray().Select(p => p.GetProperty("id").GetString()!).ToList();
    }

    private static Task<HttpResponseMessage> GetPostAsync(HttpClient client, string postId) =>
        client.GetAsync($"/api/v1/posts/{postId}", Ct);
}

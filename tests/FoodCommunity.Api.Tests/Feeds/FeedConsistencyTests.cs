using System.Diagnostics;
using System.Net;
using System.Text.Json;
using FoodCommunity.Api.Auth;
using FoodCommunity.Api.Tests.Infrastructure;

namespace FoodCommunity.Api.Tests.Feeds;

/// <summary>
/// The consistency the read caches promise (docs/caching.md), with two API instances sharing MySQL and
/// Redis as behind the ALB, each with its own memory: a writer sees their change at once on either
/// instance; everyone else sees it on every instance within a second.
/// </summary>
public sealed class FeedConsistencyTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private static readonly TimeSpan Promise = TimeSpan.FromSeconds(1);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AWritersOwnChanges_ShowAtOnce_OnTheOtherInstance()
    {
        await using var second = await ApiFactory.SharingStateWithAsync(api);
        using var one = api.CreateClient();
        using var two = second.CreateClient();
        var writer = await one.RegisterAsync();
        var followee = await one.RegisterAsync();
        var followeePost = await one.CreatePostAsync(api, followee, "followee's dish");
        var post = await one.CreatePostAsync(api, writer, "first #kimchi");
        // The other instance has these pages in memory before the writer changes anything.
        await WarmAsync(two, writer, post);

        await one.ExpectStatusAsync(HttpMethod.Patch, $"/api/v1/posts/{post}", writer, HttpStatusCode.OK, new { caption = "edited #bibimbap" });
        await one.ExpectStatusAsync(HttpMethod.Post, $"/api/v1/posts/{post}/comments", writer, HttpStatusCode.Created, new { text = "mine" });
        await one.ExpectStatusAsync(HttpMethod.Put, $"/api/v1/posts/{post}/like", writer, HttpStatusCode.OK);
        await one.ExpectStatusAsync(HttpMethod.Put, $"/api/v1/users/{followee.User.Id}/follow", writer, HttpStatusCode.NoContent);
        var secondPost = await one.CreatePostAsync(api, writer, "second");

        var view = await ReadAsync(two, $"/api/v1/posts/{post}", writer);
        Assert.Equal("edited #bibimbap", view.GetProperty("caption").GetString());
        Assert.Equal(1, view.GetProperty("commentCount").GetInt32());
        Assert.True(view.GetProperty("likedByMe").GetBoolean());
        Assert.Equal(1, view.GetProperty("likeCount").GetInt64());
        Assert.Contains(post, Ids(await ReadAsync(two, "/api/v1/tags/bibimbap/posts", writer)));
        Assert.DoesNotContain(post, Ids(await ReadAsync(two, "/api/v1/tags/kimchi/posts", writer)));
        Assert.Equal([secondPost, post], Ids(await ReadAsync(two, $"/api/v1/users/{writer.User.Id}/posts", writer)));
        Assert.Equal([secondPost, post, followeePost], Ids(await ReadAsync(two, "/api/v1/feed/home", writer)));
        Assert.Equal(secondPost, Ids(await ReadAsync(two, "/api/v1/feed/latest", writer))[0]);
        var profile = await ReadAsync(two, $"/api/v1/users/{writer.User.Username}", writer);
        Assert.Equal(2, profile.GetProperty("postCount").GetInt32());
        Assert.Equal(1, profile.GetProperty("followingCount").GetInt32());
        Assert.True((await ReadAsync(two, $"/api/v1/users/{followee.User.Username}", writer)).GetProperty("followedByMe").GetBoolean());
    }

    [Fact]
    public async Task ChangesReachEveryReader_OnEveryInstance_WithinASecond()
    {
        await using var second = await ApiFactory.SharingStateWithAsync(api);
        using var one = api.CreateClient();
        using var two = second.CreateClient();
        var author = await one.RegisterAsync();
        var reader = await one.RegisterAsync();
        var moderator = await one.SignInAsModeratorAsync(api);
        var edited = await one.CreatePostAsync(api, author, "before #ramen");
        var deleted = await one.CreatePostAsync(api, author, "to be deleted");
        var hidden = await one.CreatePostAsync(api, author, "to be hidden");
        await one.ExpectStatusAsync(HttpMethod.Put, $"/api/v1/users/{author.User.Id}/follow", reader, HttpStatusCode.NoContent);
        // The reader is no writer for what follows: their reads may come from the instance's memory.
        await ForgetRecentWriteAsync(reader);
        await WarmAsync(two, reader, edited);

        await one.ExpectStatusAsync(HttpMethod.Patch, $"/api/v1/posts/{edited}", author, HttpStatusCode.OK, new { caption = "after #ramen" });
        await WithinPromiseAsync("an edit", async () =>
            (await ReadAsync(two, $"/api/v1/posts/{edited}", reader)).GetProperty("caption").GetString() == "after #ramen"
            && Items(await ReadAsync(two, "/api/v1/feed/latest", reader)).Any(p => p.GetProperty("caption").GetString() == "after #ramen"));

        await one.ExpectStatusAsync(HttpMethod.Delete, $"/api/v1/posts/{deleted}", author, HttpStatusCode.NoContent);
        await WithinPromiseAsync("a delete", async () =>
            !Ids(await ReadAsync(two, "/api/v1/feed/latest", reader)).Contains(deleted)
            && !Ids(await ReadAsync(two, "/api/v1/feed/home", reader)).Contains(deleted));

        await one.ExpectStatusAsync(HttpMethod.Post, $"/api/v1/moderation/posts/{hidden}/hide", moderator, HttpStatusCode.NoContent, new { reason = "spam" });
        await WithinPromiseAsync("a hide", async () =>
            !Ids(await ReadAsync(two, $"/api/v1/users/{author.User.Id}/posts", reader)).Contains(hidden)
            && !Ids(await ReadAsync(two, "/api/v1/feed/latest", null)).Contains(hidden));

        await one.ExpectStatusAsync(HttpMethod.Put, $"/api/v1/users/{reader.User.Id}/block", author, HttpStatusCode.NoContent);
        await WithinPromiseAsync("a block", async () =>
            !Ids(await ReadAsync(two, "/api/v1/feed/latest", reader)).Contains(edited)
            && Ids(await ReadAsync(two, "/api/v1/feed/home", reader)).Count == 0);

        // The author's account goes: their posts leave every feed for everyone.
        await one.ExpectStatusAsync(HttpMethod.Delete, "/api/v1/me", author, HttpStatusCode.Accepted, new { password = ApiClient.Password });
        await WithinPromiseAsync("an account deletion", async () =>
            !Ids(await ReadAsync(two, "/api/v1/feed/latest", null)).Contains(edited)
            && !Ids(await ReadAsync(two, "/api/v1/tags/ramen/posts", null)).Contains(edited));
    }

    private async Task ForgetRecentWriteAsync(TokenResponse user)
    {
        var keys = api.GetService<FoodCommunity.Api.Infrastructure.Redis.RedisKeys>();
        await api.GetService<StackExchange.Redis.IConnectionMultiplexer>().GetDatabase().KeyDeleteAsync(keys.RecentWriter(Guid.Parse(user.User.Id)));
    }

    /// <summary>Every kind of page the reader might have in the instance's memory.</summary>
    private static async Task WarmAsync(HttpClient client, TokenResponse reader, string postId)
    {
        string[] paths = ["/api/v1/feed/latest", "/api/v1/feed/home", $"/api/v1/posts/{postId}", "/api/v1/tags/kimchi/posts", "/api/v1/tags/ramen/posts"];
        foreach (var path in paths)
        {
            await ReadAsync(client, path, reader);
            if (!path.EndsWith("/home", StringComparison.Ordinal))
            {
                await ReadAsync(client, path, null);
            }
        }
    }

    private static async Task WithinPromiseAsync(string change, Func<Task<bool>> seen)
    {
        var clock = Stopwatch.StartNew();
        while (!await seen())
        {
            Assert.True(clock.Elapsed < Promise, $"{change} was not seen on the other instance within {Promise.TotalSeconds} s");
            await Task.Delay(50, Ct);
        }
    }

    private static async Task<JsonElement> ReadAsync(HttpClient client, string path, TokenResponse? caller)
    {
        using var response = caller is null ? await client.GetAsync(path, Ct) : await client.GetAsync(path, caller.AccessToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}: {(int)response.StatusCode}");
        return await response.ReadJsonAsync();
    }

    private static List<JsonElement> Items(JsonElement page) => page.GetProperty("items").EnumerateArray().ToList();

    private static List<string> Ids(JsonElement page) => Items(page).Select(p => p.GetProperty("id").GetString()!).ToList();
}

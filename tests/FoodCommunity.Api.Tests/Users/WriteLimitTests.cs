using System.Net;
using FoodCommunity.Api.Tests.Infrastructure;
using FoodCommunity.Domain.Accounts;

namespace FoodCommunity.Api.Tests.Users;

/// <summary>Per-user budgets for every kind of write, counted in Redis and shared by all instances.</summary>
public sealed class WriteLimitTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string> Writes => ["PostsPerUser", "CommentsPerUser", "LikesPerUser", "FollowsPerUser", "ReportsPerUser", "ProfileEditsPerUser"];

    [Theory]
    [MemberData(nameof(Writes))]
    public async Task EachKindOfWrite_PastItsBudget_Answers429WithRetryAfter_AcrossInstances_ForThatUserOnly(string rule)
    {
        const int limit = 2;
        var settings = new Dictionary<string, string?>
        {
            [$"RateLimits:{rule}:PermitLimit"] = $"{limit}",
            [$"RateLimits:{rule}:WindowSeconds"] = "120",
        };
        await using var first = ApiFactory.WithOwnState(settings);
        await first.InitializeAsync();
        await using var second = await ApiFactory.SharingStateWithAsync(first, settings);
        using var a = first.CreateClient();
        using var b = second.CreateClient();
        var writer = await a.RegisterAsync();
        var other = await a.RegisterAsync();
        var target = await a.RegisterAsync();
        var postId = await a.CreatePostAsync(first, target);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i <= limit; i++)
        {
            statuses.Add(await WriteAsync(i % 2 == 0 ? a : b, first, rule, writer, target, postId, i));
        }

        var someoneElse = await WriteAsync(a, first, rule, other, target, postId, 0);

        Assert.Equal([.. Enumerable.Repeat(true, limit), false], statuses.Select(s => s != HttpStatusCode.TooManyRequests));
        Assert.All(statuses.Take(limit), s => Assert.True((int)s < 300, $"{rule}: {s}"));
        Assert.NotEqual(HttpStatusCode.TooManyRequests, someoneElse);
    }

    [Fact]
    public async Task Follow_PastTheMaximumOfAccountsFollowed_Answers409_AndChangesNothing()
    {
        await using var api = ApiFactory.WithOwnState();
        await api.InitializeAsync();
        using var client = api.CreateClient();
        var me = await client.RegisterAsync();
        var followed = await client.RegisterAsync();
        var next = await client.RegisterAsync();
        using (var first = await client.SendAsync(HttpMethod.Put, $"/api/v1/users/{followed.User.Id}/follow", me.AccessToken))
        {
            Assert.Equal(HttpStatusCode.NoContent, first.StatusCode);
        }

        // As if the user followed the maximum: the counter is what the cap reads, under the row lock.
        await api.ExecuteSqlAsync($"UPDATE users SET following_count = {AccountRules.MaxFollowing} WHERE username = '{me.User.Username}'");

        using var overCap = await client.SendAsync(HttpMethod.Put, $"/api/v1/users/{next.User.Id}/follow", me.AccessToken);
        using var repeat = await client.SendAsync(HttpMethod.Put, $"/api/v1/users/{followed.User.Id}/follow", me.AccessToken);

        Assert.Equal(HttpStatusCode.Conflict, overCap.StatusCode);
        Assert.Equal("application/problem+json", overCap.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NoContent, repeat.StatusCode);
        Assert.Equal(0L, await api.ScalarAsync($"SELECT follower_count FROM users WHERE username = '{next.User.Username}'"));
    }

    private static async Task<HttpStatusCode> WriteAsync(HttpClient client, ApiFactory api, string rule, FoodCommunity.Api.Auth.TokenResponse writer,
        FoodCommunity.Api.Auth.TokenResponse target, string postId, int i)
    {
        if (rule == "PostsPerUser")
        {
            var key = await TestImages.UploadAsync(api, writer.User.Id);
            using var post = await client.TryCreatePostAsync(writer.AccessToken, new { imageKeys = new[] { key } });
            return post.StatusCode;
        }

        var (method, path, body) = rule switch
        {
            "CommentsPerUser" => (HttpMethod.Post, $"/api/v1/posts/{postId}/comments", (object?)new { text = $"comment {i}" }),
            "LikesPerUser" => (i % 2 == 0 ? HttpMethod.Put : HttpMethod.Delete, $"/api/v1/posts/{postId}/like", null),
            "FollowsPerUser" => (i % 2 == 0 ? HttpMethod.Put : HttpMethod.Delete, $"/api/v1/users/{target.User.Id}/follow", null),
            "ReportsPerUser" => (HttpMethod.Post, $"/api/v1/posts/{postId}/reports", new { reason = $"spam {i}" }),
            _ => (HttpMethod.Patch, "/api/v1/me", new { bio = $"bio {i}" }),
        };
        using var response = await client.SendAsync(method, path, writer.AccessToken, body);
        return response.StatusCode;
    }
}

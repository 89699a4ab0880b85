using System.Net;
using System.Net.Http.Json;
using FoodCommunity.Api.Tests.Infrastructure;

namespace FoodCommunity.Api.Tests.Posts;

/// <summary>Every mutation, tried by a caller without a token and by a user it does not belong to: refused, and nothing changes.</summary>
public sealed class AuthorizationMatrixTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task EveryMutation_WithoutAToken_Is401_AndOfSomeoneElsesThing_Is403_AndChangesNothing()
    {
        using var client = api.CreateClient();
        var owner = await client.RegisterAsync(displayName: "Owner");
        var other = await client.RegisterAsync();
        var postId = await client.CreatePostAsync(api, owner, "owned #mine");
        using (var created = await client.SendAsync(HttpMethod.Post, $"/api/v1/posts/{postId}/comments", owner.AccessToken, new { text = "first" }))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        var commentId = (await client.ReadAllPagesAsync($"/api/v1/posts/{postId}/comments")).Single();
        var imageKey = await TestImages.UploadAsync(api, owner.User.Id);
        var before = await SnapshotAsync(client, postId, owner);

        var anonymous = new (HttpMethod Method, string Path, object? Body)[]
        {
            (HttpMethod.Post, "/api/v1/posts", new { imageKeys = new[] { imageKey } }),
            (HttpMethod.Delete, $"/api/v1/posts/{postId}", null),
            (HttpMethod.Post, $"/api/v1/posts/{postId}/comments", new { text = "anonymous" }),
            (HttpMethod.Delete, $"/api/v1/comments/{commentId}", null),
            (HttpMethod.Post, $"/api/v1/posts/{postId}/reports", new { reason = "spam" }),
            (HttpMethod.Put, $"/api/v1/posts/{postId}/like", null),
            (HttpMethod.Delete, $"/api/v1/posts/{postId}/like", null),
            (HttpMethod.Put, $"/api/v1/users/{owner.User.Id}/follow", null),
            (HttpMethod.Delete, $"/api/v1/users/{owner.User.Id}/follow", null),
            (HttpMethod.Patch, "/api/v1/me", new { displayName = "Hijacked" }),
        };
        foreach (var (method, path, body) in anonymous)
        {
            using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
            using var response = await client.SendAsync(request, Ct);
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{method} {path} without a token answered {response.StatusCode}");
        }

        var someoneElse = new (HttpMethod Method, string Path, object? Body, HttpStatusCode Expected)[]
        {
            (HttpMethod.Delete, $"/api/v1/posts/{postId}", null, HttpStatusCode.Forbidden),
            (HttpMethod.Delete, $"/api/v1/comments/{commentId}", null, HttpStatusCode.Forbidden),
            // Another user's upload in one's own post is refused as input (400), not as a permission.
            (HttpMethod.Post, "/api/v1/posts", new { imageKeys = new[] { imageKey } }, HttpStatusCode.BadRequest),
        };
        foreach (var (method, path, body, expected) in someoneElse)
        {
            await client.ExpectStatusAsync(method, path, other, expected, body);
        }

        Assert.Equal(before, await SnapshotAsync(client, postId, owner));
    }

    /// <summary>What the owner would notice changing: their profile, the post, its comments, the latest feed.</summary>
    private static async Task<string> SnapshotAsync(HttpClient client, string postId, FoodCommunity.Api.Auth.TokenResponse owner)
    {
        using var me = await client.GetAsync("/api/v1/me", owner.AccessToken);
        using var post = await client.GetAsync($"/api/v1/posts/{postId}", owner.AccessToken);
        var comments = await client.ReadAllPagesAsync($"/api/v1/posts/{postId}/comments");
        var latest = await client.ReadAllPagesAsync("/api/v1/feed/latest");
        return string.Join("\n", await me.Content.ReadAsStringAsync(Ct), await post.Content.ReadAsStringAsync(Ct),
            string.Join(",", comments), string.Join(",", latest));
    }
}

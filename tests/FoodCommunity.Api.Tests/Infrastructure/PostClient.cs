using System.Net;
using System.Net.Http.Json;
using FoodCommunity.Api.Auth;

namespace FoodCommunity.Api.Tests.Infrastructure;

/// <summary>Publishing and reading posts the way a client does.</summary>
public static class PostClient
{
    public static async Task<HttpResponseMessage> TryCreatePostAsync(this HttpClient client, string accessToken, object body, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/posts") { Content = JsonContent.Create(body) }.WithBearer(accessToken);
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return await client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    /// <summary>Uploads one image as the user and publishes a post with it; returns the post id.</summary>
    public static async Task<string> CreatePostAsync(this HttpClient client, ApiFactory api, TokenResponse author, string caption = "", string[]? tags = null)
    {
        var key = await TestImages.UploadAsync(api, author.User.Id);
        using var response = await client.TryCreatePostAsync(author.AccessToken, new { imageKeys = new[] { key }, caption, tags = tags ?? [] });
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        return (await response.ReadJsonAsync()).GetProperty("id").GetString()!;
    }

    public static Task<HttpResponseMessage> SendAsync(this HttpClient client, HttpMethod method, string path, string accessToken, object? body = null)
    {
        var request = new HttpRequestMessage(method, path).WithBearer(accessToken);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    /// <summary>Every page of a list, following nextCursor; the ids in order.</summary>
    public static async Task<List<string>> ReadAllPagesAsync(this HttpClient client, string path, string? accessToken = null, int limit = 7)
    {
        var ids = new List<string>();
        string? cursor = null;
        do
        {
            var separator = path.Contains('?', StringComparison.Ordinal) ? '&' : '?';
            var url = $"{path}{separator}limit={limit}" + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}");
            using var response = accessToken is null
                ? await client.GetAsync(url, TestContext.Current.CancellationToken)
                : await client.GetAsync(url, accessToken);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var page = await response.ReadJsonAsync();
            ids.AddRange(page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()!));
            cursor = page.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);

        return ids;
    }
}

using System.Net;
using FoodCommunity.Api.Tests.Infrastructure;

namespace FoodCommunity.Api.Tests.Likes;

/// <summary>The benchmark's baseline endpoint exists only when switched on, and then writes straight to MySQL.</summary>
public sealed class DirectLikeBaselineTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Baseline_IsAbsentByDefault_AndWhenEnabledWritesRowAndCounterAtOnce()
    {
        using var client = api.CreateClient();
        var author = await client.RegisterAsync();
        var fan = await client.RegisterAsync();
        var postId = await client.CreatePostAsync(api, author);

        using var absent = await client.SendAsync(HttpMethod.Put, $"/benchmarks/direct-like/{postId}", fan.AccessToken);
        await using var enabled = await ApiFactory.SharingStateWithAsync(api, new Dictionary<string, string?> { ["Benchmarks:EnableDirectLikeBaseline"] = "true" });
        using var enabledClient = enabled.CreateClient();
        using var liked = await enabledClient.SendAsync(HttpMethod.Put, $"/benchmarks/direct-like/{postId}", fan.AccessToken);
        using var again = await enabledClient.SendAsync(HttpMethod.Put, $"/benchmarks/direct-like/{postId}", fan.AccessToken);

        Assert.Equal(HttpStatusCode.NotFound, absent.StatusCode);
        Assert.Equal(HttpStatusCode.OK, liked.StatusCode);
        Assert.Equal(1, (await again.ReadJsonAsync()).GetProperty("likeCount").GetInt64());
        var (likers, count) = await LikeTestData.ReadMySqlAsync(api, Guid.Parse(postId));
        Assert.Equal([Guid.Parse(fan.User.Id)], likers);
        Assert.Equal(1, count);
    }
}

using System.Net;
using System.Net.Http.Json;
using FoodCommunity.Api.Tests.Infrastructure;
using FoodCommunity.Domain.Uploads;

namespace FoodCommunity.Api.Tests.Users;

public sealed class ProfileTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private readonly HttpClient _client = api.CreateClient();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task UpdateMe_ChangesOnlyTheFieldsSent()
    {
        var me = await _client.RegisterAsync(displayName: "Before");

        using var bio = await PatchAsync(me.AccessToken, new { bio = "Kimchi stew every Friday." });
        using var name = await PatchAsync(me.AccessToken, new { displayName = "After" });

        Assert.Equal(HttpStatusCode.OK, bio.StatusCode);
        var profile = await name.ReadJsonAsync();
        Assert.Equal("After", profile.GetProperty("displayName").GetString());
        Assert.Equal("Kimchi stew every Friday.", profile.GetProperty("bio").GetString());
    }

    [Fact]
    public async Task UpdateMe_WithInvalidFields_Answers400_AndChangesNothing()
    {
        var me = await _client.RegisterAsync(displayName: "Unchanged");

        using var response = await PatchAsync(me.AccessToken, new { displayName = "   ", bio = new string('b', 301) });
        using var after = await _client.GetAsync("/api/v1/me", me.AccessToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.ReadJsonAsync()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("displayName", out _));
        Assert.True(errors.TryGetProperty("bio", out _));
        Assert.Equal("Unchanged", (await after.ReadJsonAsync()).GetProperty("displayName").GetString());
    }

    [Fact]
    public async Task UpdateMe_WithoutAToken_Answers401()
    {
        using var response = await _client.PatchAsJsonAsync("/api/v1/me", new { displayName = "x" }, Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task UpdateMe_WithTheCallersUploadedImage_SetsTheAvatarUrl_AndEmptyKeyRemovesIt()
    {
        var me = await _client.RegisterAsync();
        var key = await TestImages.UploadAsync(api, me.User.Id);

        using var set = await PatchAsync(me.AccessToken, new { avatarKey = key });
        using var removed = await PatchAsync(me.AccessToken, new { avatarKey = "" });

        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        // The smallest rendition, never the upload itself.
        Assert.True(UploadKey.TryParse(key, out var upload));
        Assert.Equal($"{api.Endpoints.S3ServiceUrl}/{api.Isolation.BucketName}/{ImageRenditions.RenditionKey(upload, 320)}", (await set.ReadJsonAsync()).GetProperty("avatarUrl").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, (await removed.ReadJsonAsync()).GetProperty("avatarUrl").ValueKind);
    }

    public enum BadImage
    {
        AnotherUsersKey,
        MissingObject,
        NotAnImage,
        DeclaredTypeDiffersFromBytes,
        Empty,
        Oversized,
        NotAnUploadKey,
    }

    [Theory]
    [InlineData(BadImage.AnotherUsersKey)]
    [InlineData(BadImage.MissingObject)]
    [InlineData(BadImage.NotAnImage)]
    [InlineData(BadImage.DeclaredTypeDiffersFromBytes)]
    [InlineData(BadImage.Empty)]
    [InlineData(BadImage.Oversized)]
    [InlineData(BadImage.NotAnUploadKey)]
    public async Task UpdateMe_WithAnUnacceptableAvatarKey_Answers400NamingTheField_AndKeepsTheOldAvatar(BadImage bad)
    {
        var me = await _client.RegisterAsync();
        var good = await TestImages.UploadAsync(api, me.User.Id);
        using (var first = await PatchAsync(me.AccessToken, new { avatarKey = good }))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        var key = bad switch
        {
            BadImage.AnotherUsersKey => await TestImages.UploadAsync(api, (await _client.RegisterAsync()).User.Id),
            BadImage.MissingObject => UploadKey.CreateNew(me.User.Id, UploadPolicy.Jpeg, DateTimeOffset.UtcNow).Value,
            BadImage.NotAnImage => await TestImages.UploadAsync(api, me.User.Id, "<html>not a photo</html>"u8.ToArray()),
            BadImage.DeclaredTypeDiffersFromBytes => await TestImages.UploadAsync(api, me.User.Id,
                key: UploadKey.CreateNew(me.User.Id, UploadPolicy.Png, DateTimeOffset.UtcNow).Value, contentType: "image/png"),
            BadImage.Empty => await TestImages.UploadAsync(api, me.User.Id, []),
            BadImage.Oversized => await TestImages.UploadAsync(api, me.User.Id, TestImages.Jpeg((int)UploadPolicy.MaxBytes + 1)),
            _ => "../../etc/passwd",
        };

        using var response = await PatchAsync(me.AccessToken, new { avatarKey = key });
        using var after = await _client.GetAsync("/api/v1/me", me.AccessToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.ReadJsonAsync()).GetProperty("errors").TryGetProperty("avatarKey", out _));
        Assert.True(UploadKey.TryParse(good, out var kept));
        Assert.EndsWith(ImageRenditions.RenditionKey(kept, 320), (await after.ReadJsonAsync()).GetProperty("avatarUrl").GetString(), StringComparison.Ordinal);
    }

    private Task<HttpResponseMessage> PatchAsync(string accessToken, object body) =>
        _client.SendAsync(new HttpRequestMessage(HttpMethod.Patch, "/api/v1/me") { Content = JsonContent.Create(body) }.WithBearer(accessToken), Ct);

    [Fact]
    public async Task Names_WithBidiOrFormattingControls_AreRefused_AndTextIsStoredNfc()
    {
        var user = await _client.RegisterAsync();
        var decomposedKimchi = "\u1100\u1175\u11B7\u110E\u1175";

        using var spoofed = await _client.SendAsync(HttpMethod.Patch, "/api/v1/me", user.AccessToken, new { displayName = "admin\u202Elivae" });
        using var signUp = await _client.PostJsonAsync("/api/v1/auth/register",
            new { username = ApiClient.NewUsername(), email = $"{Guid.NewGuid():N}@example.com", password = ApiClient.Password, displayName = "\u2066official\u2069" });
        using var updated = await _client.SendAsync(HttpMethod.Patch, "/api/v1/me", user.AccessToken, new { displayName = decomposedKimchi, bio = $"I love {decomposedKimchi}" });

        Assert.Equal(HttpStatusCode.BadRequest, spoofed.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, signUp.StatusCode);
        var profile = await updated.ReadJsonAsync();
        Assert.Equal("김치", profile.GetProperty("displayName").GetString());
        Assert.Equal("I love 김치", profile.GetProperty("bio").GetString());
    }
}

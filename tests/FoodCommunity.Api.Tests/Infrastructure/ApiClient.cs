using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using FoodCommunity.Api.Auth;

namespace FoodCommunity.Api.Tests.Infrastructure;

/// <summary>What a mobile client does, as helpers: register, log in, call with a bearer token.</summary>
public static class ApiClient
{
    public const string Password = "correct horse battery";

    public static string NewUsername(string stem = "user") => $"{stem}_{Guid.NewGuid():N}"[..24];

    public static async Task<TokenResponse> RegisterAsync(this HttpClient client, string? username = null, string? displayName = null)
    {
        username ??= NewUsername();
        using var response = await client.PostAsJsonAsync("/api/v1/auth/register",
            new { username, email = $"{username}@example.com", password = Password, displayName },
            TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        return (await response.Content.ReadFromJsonAsync<TokenResponse>(TestContext.Current.CancellationToken))!;
    }

    public static HttpRequestMessage WithBearer(this HttpRequestMessage request, string accessToken)
    {
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return request;
    }

    public static Task<HttpResponseMessage> GetAsync(this HttpClient client, string path, string accessToken) =>
        client.SendAsync(new HttpRequestMessage(HttpMethod.Get, path).WithBearer(accessToken), TestContext.Current.CancellationToken);

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string path, object body) =>
        client.PostAsJsonAsync(path, body, TestContext.Current.CancellationToken);

    public static async Task<System.Text.Json.JsonElement> ReadJsonAsync(this HttpResponseMessage response)
    {
        using var document = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        return document.RootElement.Clone();
    }

    /// <summary>Sends a request as the caller and asserts the status, naming the request when it differs.</summary>
    public static async Task ExpectStatusAsync(this HttpClient client, HttpMethod method, string path, TokenResponse caller, HttpStatusCode expected, object? body = null)
    {
        using var response = await client.SendAsync(method, path, caller.AccessToken, body);
        Assert.True(response.StatusCode == expected, $"{method} {path} as {caller.User.Username}: {(int)response.StatusCode}, expected {(int)expected}");
    }

    /// <summary>A user granted the moderator role (as the operator command does) signs in: the new token carries the scope.</summary>
    public static async Task<TokenResponse> SignInAsModeratorAsync(this HttpClient client, ApiFactory api)
    {
        var user = await client.RegisterAsync();
        await api.ExecuteSqlAsync($"UPDATE users SET is_moderator = 1 WHERE username = '{user.User.Username}'");

        using var login = await client.PostJsonAsync("/api/v1/auth/login", new { login = user.User.Username, password = Password });
        return (await login.Content.ReadFromJsonAsync<TokenResponse>(TestContext.Current.CancellationToken))!;
    }
}

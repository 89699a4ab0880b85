using System.Net;
using System.Text.Json;

namespace FoodCommunity.Api.Tests.Infrastructure;

public sealed class HealthTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Live_Answers200_WithoutTouchingDependencies()
    {
        using var client = api.CreateClient();

        using var response = await client.GetAsync("/health/live", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Ready_WithEveryDependencyUp_Answers200_AndListsEachCheck()
    {
        // More objects than the check lists: the endpoint must page (s3rver once failed exactly there).
        for (var i = 0; i < 3; i++)
        {
            await TestImages.UploadAsync(api, Guid.CreateVersion7().ToString());
        }

        using var client = api.CreateClient();

        var (status, checks) = await ReadyAsync(client, expected: HttpStatusCode.OK);

        Assert.Equal(HttpStatusCode.OK, status);
        foreach (var name in new[] { "mysql", "redis", "s3" })
        {
            Assert.Equal("Healthy", checks[name]);
        }
    }

    public static TheoryData<string, string, string> DownDependencies => new()
    {
        // A closed loopback port is what a stopped service looks like to the API.
        { "mysql", "ConnectionStrings:MySql", "Server=127.0.0.1;Port=1;Database=foodcommunity;User ID=x;Password=x" },
        { "redis", "ConnectionStrings:Redis", "127.0.0.1:1,connectTimeout=500" },
        { "s3", "Storage:ServiceUrl", "http://127.0.0.1:1" },
    };

    [Theory]
    [MemberData(nameof(DownDependencies))]
    public async Task Ready_WithOneDependencyDown_Answers503_NamingIt(string check, string setting, string value)
    {
        await using var broken = await ApiFactory.SharingStateWithAsync(api, new Dictionary<string, string?> { [setting] = value });
        using var client = broken.CreateClient();

        using var live = await client.GetAsync("/health/live", TestContext.Current.CancellationToken);
        var (status, checks) = await ReadyAsync(client, expected: HttpStatusCode.ServiceUnavailable,
            settled: c => c.Where(kv => kv.Key != check).All(kv => kv.Value == "Healthy"));

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("Unhealthy", checks[check]);
        Assert.All(checks.Where(c => c.Key != check), c => Assert.Equal("Healthy", c.Value));
    }

    /// <summary>
    /// Asks until the answer is the expected one (or 15 s have passed): a healthy dependency's first
    /// check on a fresh host (SDK warm-up, connection set-up) can overrun the check timeout on a
    /// loaded test machine, as it can on a booting instance, which the ALB asks again.
    /// </summary>
    private static Task<(HttpStatusCode Status, Dictionary<string, string> Checks)> ReadyAsync(
        HttpClient client, HttpStatusCode expected, Func<Dictionary<string, string>, bool>? settled = null) =>
        Eventually.AnswerAsync(async () =>
        {
            using var ready = await client.GetAsync("/health/ready", TestContext.Current.CancellationToken);
            return (ready.StatusCode, await ReadChecksAsync(ready));
        }, answer => answer.StatusCode == expected && (settled?.Invoke(answer.Item2) ?? true), TimeSpan.FromSeconds(15), TimeSpan.FromMilliseconds(500));

    private static async Task<Dictionary<string, string>> ReadChecksAsync(HttpResponseMessage response)
    {
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        return json.RootElement.GetProperty("checks").EnumerateObject()
            .ToDictionary(c => c.Name, c => c.Value.GetProperty("status").GetString()!);
    }
}

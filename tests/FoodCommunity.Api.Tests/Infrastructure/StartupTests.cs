using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Options;
using MySqlConnector;

namespace FoodCommunity.Api.Tests.Infrastructure;

public sealed class StartupTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    public static TheoryData<string, string, string> BadSettings => new()
    {
        { "ConnectionStrings:MySql", "", "ConnectionStrings:MySql is required" },
        { "ConnectionStrings:MySql", "Server=127.0.0.1;Nonsense Option=1", "ConnectionStrings:MySql is malformed" },
        { "ConnectionStrings:MySql", "Server=127.0.0.1", "ConnectionStrings:MySql is malformed: it names no Database" },
        { "ConnectionStrings:Redis", "", "ConnectionStrings:Redis is required" },
        { "ConnectionStrings:Redis", "127.0.0.1:6379,notAnOption=1", "ConnectionStrings:Redis is malformed" },
        { "Database:ServerVersion", "eight", "Database:ServerVersion must look like" },
        { "Storage:BucketName", "", "Storage:BucketName is required" },
        { "Storage:PublicBaseUrl", "cdn.example.com", "Storage:PublicBaseUrl must be an absolute http(s) URL" },
        { "Http:TrustedProxyNetworks:0", "10.0.0.0/99", "Http:TrustedProxyNetworks:0 ('10.0.0.0/99') is not a network in CIDR notation" },
        { "Observability:ManagementPort", "70000", "ManagementPort must be between 1 and 65535" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public async Task Start_WithAMissingOrMalformedSetting_FailsWithAMessageNamingIt(string setting, string value, string expected)
    {
        await using var misconfigured = await ApiFactory.SharingStateWithAsync(api, new Dictionary<string, string?> { [setting] = value });

        var error = Assert.Throws<OptionsValidationException>(() => misconfigured.CreateClient());

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_InProductionWithoutTrustedProxyNetworks_FailsNamingTheSetting()
    {
        // Behind the ALB, without its networks every client would share one address and one rate limit.
        await using var production = await ApiFactory.SharingStateWithAsync(api, new Dictionary<string, string?> { ["environment"] = "Production" });

        var error = Assert.Throws<OptionsValidationException>(() => production.CreateClient());

        Assert.Contains("Http:TrustedProxyNetworks is required in Production", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_InProductionWithTrustedProxyNetworks_Serves()
    {
        await using var production = await ApiFactory.SharingStateWithAsync(api, new Dictionary<string, string?>
        {
            ["environment"] = "Production",
            ["Http:TrustedProxyNetworks:0"] = "10.0.0.0/16",
        });
        using var client = production.CreateClient();

        using var response = await client.GetAsync("/health/live", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task UnknownRoute_AnswersProblemDetails_WithTraceIdAndDetail()
    {
        using var client = api.CreateClient();

        using var response = await client.GetAsync("/api/v1/no-such-thing", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(404, problem.RootElement.GetProperty("status").GetInt32());
        foreach (var field in new[] { "type", "title", "detail", "traceId" })
        {
            Assert.False(string.IsNullOrWhiteSpace(problem.RootElement.GetProperty(field).GetString()), field);
        }
    }

    [Fact]
    public async Task JsonResponses_AreCompressedWhenAsked_ExceptSignInAnswers()
    {
        using var client = api.CreateClient();
        var tokens = await client.RegisterAsync();

        using var feed = new HttpRequestMessage(HttpMethod.Get, "/api/v1/feed/latest");
        feed.Headers.AcceptEncoding.ParseAdd("br, gzip");
        using var feedResponse = await client.SendAsync(feed, TestContext.Current.CancellationToken);
        using var login = new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/login")
        {
            Content = System.Net.Http.Json.JsonContent.Create(new { login = tokens.User.Username, password = ApiClient.Password }),
        };
        login.Headers.AcceptEncoding.ParseAdd("br, gzip");
        using var loginResponse = await client.SendAsync(login, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, feedResponse.StatusCode);
        Assert.Equal("br", Assert.Single(feedResponse.Content.Headers.ContentEncoding));
        Assert.Equal(HttpStatusCode.OK, loginResponse.StatusCode);
        Assert.Empty(loginResponse.Content.Headers.ContentEncoding);
    }

    [Fact]
    public async Task OpenApiDocument_IsServed()
    {
        using var client = api.CreateClient();

        using var response = await client.GetAsync("/openapi/v1.json", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var root = document.RootElement;
        Assert.StartsWith("3.", root.GetProperty("openapi").GetString(), StringComparison.Ordinal);
        Assert.Equal("bearer", root.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer").GetProperty("scheme").GetString());
        var me = root.GetProperty("paths").GetProperty("/api/v1/me").GetProperty("get");
        Assert.True(me.GetProperty("security")[0].TryGetProperty("Bearer", out _));
        Assert.True(me.GetProperty("responses").TryGetProperty("401", out _));
        // Anonymous by declaration: an empty list, not a missing one.
        Assert.Equal(0, root.GetProperty("paths").GetProperty("/api/v1/feed/latest").GetProperty("get").GetProperty("security").GetArrayLength());
        foreach (var path in new[] { "/api/v1/auth/register", "/api/v1/posts", "/api/v1/feed/popular", "/api/v1/posts/{postId}/like", "/.well-known/jwks.json" })
        {
            Assert.True(root.GetProperty("paths").TryGetProperty(path, out _), path);
        }
    }

    [Fact]
    public async Task Metrics_AreServedInPrometheusTextFormat_IncludingRequestDurations()
    {
        using var client = api.CreateClient();
        using (await client.GetAsync("/health/live", TestContext.Current.CancellationToken))
        {
        }

        // The exporter caches a scrape briefly; poll until the request above is in it.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        string body;
        do
        {
            body = await client.GetStringAsync("/metrics", TestContext.Current.CancellationToken);
        }
        while (!body.Contains("http_server_request_duration_seconds", StringComparison.Ordinal) && DateTime.UtcNow < deadline);

        Assert.Contains("# TYPE http_server_request_duration_seconds histogram", body, StringComparison.Ordinal);
        Assert.Contains("dotnet_gc_", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MigrateCommand_AppliesEveryMigrationToAnEmptyDatabase_AndExitsZero()
    {
        var database = $"fc_migrate_{Guid.NewGuid():N}"[..30];
        await ExecuteAsync(api.Endpoints.MySqlServer, $"CREATE DATABASE `{database}`");
        var connectionString = new MySqlConnectionStringBuilder(api.Endpoints.MySqlServer) { Database = database }.ConnectionString;

        var (exitCode, output) = await RunApiAsync(["migrate"], new() { ["ConnectionStrings__MySql"] = connectionString });

        Assert.True(exitCode == 0, output);
        Assert.Contains("Database is up to date", output, StringComparison.Ordinal);
        await using var connection = new MySqlConnection(connectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var count = new MySqlCommand("SELECT COUNT(*) FROM users", connection);
        Assert.Equal(0L, Convert.ToInt64(await count.ExecuteScalarAsync(TestContext.Current.CancellationToken), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task ModeratorCommand_GrantsAndRevokesTheRole_WhichTheNextTokenCarries_AndRecordsBoth()
    {
        using var client = api.CreateClient();
        var user = await client.RegisterAsync();
        var environment = new Dictionary<string, string> { ["ConnectionStrings__MySql"] = api.MySqlConnectionString };

        var grant = await RunApiAsync(["moderator", "grant", user.User.Username.ToUpperInvariant()], environment);
        using var login = await client.PostJsonAsync("/api/v1/auth/login", new { login = user.User.Username, password = ApiClient.Password });
        var scope = new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken((await login.ReadJsonAsync()).GetProperty("accessToken").GetString()).GetClaim("scope").Value;
        var revoke = await RunApiAsync(["moderator", "revoke", user.User.Username], environment);
        var unknown = await RunApiAsync(["moderator", "grant", "nobody_by_this_name"], environment);

        Assert.True(grant.ExitCode == 0, grant.Output);
        Assert.Contains("moderate", scope.Split(' '));
        Assert.True(revoke.ExitCode == 0, revoke.Output);
        Assert.NotEqual(0, unknown.ExitCode);
        await using var connection = new MySqlConnection(api.MySqlConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var actions = new MySqlCommand(
            $"SELECT GROUP_CONCAT(a.action ORDER BY a.id) FROM moderation_actions a JOIN users u ON u.id = a.user_id WHERE u.username = '{user.User.Username}'", connection);
        Assert.Equal("grant-moderator,revoke-moderator", await actions.ExecuteScalarAsync(TestContext.Current.CancellationToken));
        await using var flag = new MySqlCommand($"SELECT is_moderator FROM users WHERE username = '{user.User.Username}'", connection);
        Assert.Equal(0, Convert.ToInt32(await flag.ExecuteScalarAsync(TestContext.Current.CancellationToken), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task MigrateCommand_WithAMalformedConnectionString_ExitsNonZero_NamingTheSetting()
    {
        var (exitCode, output) = await RunApiAsync(["migrate"], new() { ["ConnectionStrings__MySql"] = "Server=127.0.0.1" });

        Assert.NotEqual(0, exitCode);
        Assert.Contains("ConnectionStrings:MySql is malformed", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SeedDemoCommand_CreatesUsersPostsAndRealImages_AndASecondRunChangesNothing()
    {
        var database = $"fc_demo_{Guid.NewGuid():N}"[..30];
        await ExecuteAsync(api.Endpoints.MySqlServer, $"CREATE DATABASE `{database}`");
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["ConnectionStrings__MySql"] = new MySqlConnectionStringBuilder(api.Endpoints.MySqlServer) { Database = database }.ConnectionString,
            ["Redis__KeyPrefix"] = $"demo:{Guid.NewGuid():N}:",
        };

        var migrate = await RunApiAsync(["migrate"], environment);
        var seed = await RunApiAsync(["seed-demo"], environment);
        var again = await RunApiAsync(["seed-demo"], environment);

        Assert.True(migrate.ExitCode == 0, migrate.Output);
        Assert.True(seed.ExitCode == 0, seed.Output);
        Assert.True(again.ExitCode == 0, again.Output);
        Assert.Contains("nothing to do", again.Output, StringComparison.Ordinal);
        await using var connection = new MySqlConnection(environment["ConnectionStrings__MySql"] + ";GuidFormat=Binary16");
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var keys = new MySqlCommand("SELECT image_key FROM post_images", connection);
        var imageKeys = new List<string>();
        await using (var reader = await keys.ExecuteReaderAsync(TestContext.Current.CancellationToken))
        {
            while (await reader.ReadAsync(TestContext.Current.CancellationToken))
            {
                imageKeys.Add(reader.GetString(0));
            }
        }

        Assert.Equal(5, imageKeys.Count);
        var images = api.GetService<FoodCommunity.Api.Infrastructure.Storage.UploadedImages>();
        foreach (var key in imageKeys)
        {
            var owner = FoodCommunity.Domain.Uploads.UploadKey.TryParse(key, out var upload) ? Guid.Parse(upload.OwnerId) : Guid.Empty;
            // Processed by the image function running beside the API (see ApiFactory), as scripts/dev.sh --demo runs it.
            Assert.IsType<FoodCommunity.Api.Infrastructure.Storage.ImageCheck.Ready>(await images.CheckAsync(key, owner, TestContext.Current.CancellationToken));
        }
    }

    [Fact]
    public async Task SeedDemoCommand_OutsideDevelopment_ExitsNonZero_AndCreatesNoUser()
    {
        var database = $"fc_demo_{Guid.NewGuid():N}"[..30];
        await ExecuteAsync(api.Endpoints.MySqlServer, $"CREATE DATABASE `{database}`");
        var connectionString = new MySqlConnectionStringBuilder(api.Endpoints.MySqlServer) { Database = database }.ConnectionString;
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__MySql"] = connectionString,
            ["Redis__KeyPrefix"] = $"demo:{Guid.NewGuid():N}:",
        };

        var migrate = await RunApiAsync(["migrate"], environment);
        var seed = await RunApiAsync(["seed-demo"], environment);

        Assert.True(migrate.ExitCode == 0, migrate.Output);
        Assert.NotEqual(0, seed.ExitCode);
        Assert.Contains("seed-demo runs only in Development", seed.Output, StringComparison.Ordinal);
        await using var connection = new MySqlConnection(connectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var count = new MySqlCommand("SELECT COUNT(*) FROM users", connection);
        Assert.Equal(0L, Convert.ToInt64(await count.ExecuteScalarAsync(TestContext.Current.CancellationToken), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task OnKestrel_ABodyOverTheLimit_Answers413ProblemDetails()
    {
        var port = ApiProcess.FreePort();
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__MySql"] = api.MySqlConnectionString,
            ["Auth__Issuer"] = ApiFactory.TestIssuer,
            ["Auth__SigningKeyPem"] = api.Isolation.SigningKeyPem,
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
        };
        using var server = StartApi(environment);
        // Drained, so a full pipe never blocks the server's logging.
        var output = Task.WhenAll(server.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken), server.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken));
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            await ApiProcess.WaitUntilLiveAsync(http);

            using var tooLarge = await http.PostAsync("/api/v1/auth/register",
                new StringContent($"{{\"username\":\"{new string('a', 2 * 1024 * 1024)}\"}}", System.Text.Encoding.UTF8, "application/json"),
                TestContext.Current.CancellationToken);

            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
            Assert.Equal("application/problem+json", tooLarge.Content.Headers.ContentType?.MediaType);
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync(TestContext.Current.CancellationToken);
            await output;
        }
    }

    [Fact]
    public async Task OnKestrel_WithAManagementPort_MetricsAnswerThereAndNotOnThePublicPort()
    {
        var (publicPort, managementPort) = (ApiProcess.FreePort(), ApiProcess.FreePort());
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__MySql"] = api.MySqlConnectionString,
            ["Auth__Issuer"] = ApiFactory.TestIssuer,
            ["Auth__SigningKeyPem"] = api.Isolation.SigningKeyPem,
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{publicPort}",
            ["Observability__ManagementPort"] = $"{managementPort}",
        };
        using var server = StartApi(environment);
        var output = Task.WhenAll(server.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken), server.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken));
        try
        {
            using var publicHttp = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{publicPort}") };
            using var managementHttp = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{managementPort}") };
            await ApiProcess.WaitUntilLiveAsync(publicHttp);

            using var onPublic = await publicHttp.GetAsync("/metrics", TestContext.Current.CancellationToken);
            // Through the ALB a client picks the Host header; naming the management port in it must not help.
            using var spoofed = new HttpRequestMessage(HttpMethod.Get, "/metrics");
            spoofed.Headers.Host = $"127.0.0.1:{managementPort}";
            using var onPublicSpoofed = await publicHttp.SendAsync(spoofed, TestContext.Current.CancellationToken);
            using var onManagement = await managementHttp.GetAsync("/metrics", TestContext.Current.CancellationToken);

            Assert.Equal(HttpStatusCode.NotFound, onPublic.StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, onPublicSpoofed.StatusCode);
            Assert.Equal(HttpStatusCode.OK, onManagement.StatusCode);
            Assert.Contains("# TYPE ", await onManagement.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync(TestContext.Current.CancellationToken);
            await output;
        }
    }

    /// <summary>Runs the real API assembly as a separate process, as a deployment would.</summary>
    private async Task<(int ExitCode, string Output)> RunApiAsync(string[] args, Dictionary<string, string> environment)
    {
        using var process = StartApi(environment, args);
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    private Process StartApi(Dictionary<string, string> environment, string[]? args = null) => ApiProcess.Start(api, environment, args);

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new MySqlConnection(connectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new MySqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }
}

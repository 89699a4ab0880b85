using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using FoodCommunity.Api.Feeds;
using FoodCommunity.Api.Infrastructure.Data;
using FoodCommunity.Api.Tests.Infrastructure;
using MySqlConnector;

namespace FoodCommunity.Api.Tests.Feeds;

/// <summary>How the feeds use the database: index range scans only, and a fixed number of round trips per page.</summary>
public sealed class FeedQueryTests(ApiFactory api) : IClassFixture<ApiFactory>, IDisposable
{
    private readonly HttpClient _client = api.CreateClient();
    private readonly ConcurrentDictionary<ActivityTraceId, int> _commandsByTrace = new();
    private ActivityListener? _listener;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task EveryFeedQuery_IsAnIndexRangeScan()
    {
        var (me, _, tagId, tag, followed) = await SeedAsync(posts: 30);
        await using var connection = new MySqlConnection(DataSetup.NormalizeConnectionString(api.MySqlConnectionString, new DatabaseOptions()));
        await connection.OpenAsync(Ct);
        await ExecuteAsync(connection, "ANALYZE TABLE posts, follows, post_tags, tags, user_search_terms");

        var queries = new Dictionary<string, FormattableString>
        {
            ["latest"] = FeedQueries.Latest(FeedQueries.Newest, 21),
            ["latest, later page"] = FeedQueries.Latest(Guid.CreateVersion7(), 21),
            ["user"] = FeedQueries.ByAuthor(me, FeedQueries.Newest, 21),
            ["tag"] = FeedQueries.ByTag(tagId, FeedQueries.Newest, 21),
            ["tag by name"] = FeedQueries.ByTagName(tag, FeedQueries.Newest, 61),
            ["home"] = FeedQueries.Home(me, FeedQueries.Newest, 21),
            ["popular without Redis"] = FeedQueries.MostLikedSince(DateTimeOffset.UtcNow.AddDays(-1), 21),
            ["people search"] = FoodCommunity.Api.Users.UserSearch.Query("user", null, 21),
            ["people search, later page"] = FoodCommunity.Api.Users.UserSearch.Query("user", ("user_5", Guid.CreateVersion7()), 21),
        };
        var (authorsSql, authorsParameters) = FeedQueries.NewestOfAuthors([me, followed], FeedQueries.Newest, 60);
        AssertIndexRangesOnly("newest of authors", await ExplainAsync(connection, authorsSql, authorsParameters));
        var (olderSql, olderParameters) = FeedQueries.NewestOfAuthors([me, followed], Guid.CreateVersion7(), 21);
        AssertIndexRangesOnly("newest of authors before a cursor", await ExplainAsync(connection, olderSql, olderParameters));
        foreach (var (name, query) in queries)
        {
            AssertIndexRangesOnly(name, await ExplainAsync(connection, query));
        }
    }

    private static void AssertIndexRangesOnly(string name, List<Dictionary<string, string>> plan)
    {
        // Rows of derived tables and unions (<derived2>, <union1,2>) are the merge of already limited parts.
        foreach (var row in plan.Where(r => !r["table"].StartsWith('<')))
        {
            Assert.True(row["type"] is "range" or "ref" or "eq_ref" or "const",
                $"{name}: {row["table"]} is read with type={row["type"]} ({string.Join(", ", row.Select(kv => $"{kv.Key}={kv.Value}"))})");
            Assert.False(string.IsNullOrEmpty(row["key"]), $"{name}: {row["table"]} uses no index");
        }
    }

    [Fact]
    public async Task AWarmFeedPage_SendsNoStatementToMySql_WhateverItsSize()
    {
        var (_, token, _, _, _) = await SeedAsync(posts: 25);
        // The writes' second removals (a second after each) have run; then every list and card is filled once.
        await Task.Delay(FeedCache.SecondRemoval + TimeSpan.FromMilliseconds(500), Ct);
        string[] paths = ["/api/v1/feed/latest?limit=2", "/api/v1/feed/latest?limit=25", "/api/v1/feed/home?limit=25"];
        foreach (var path in paths)
        {
            await CountCommandsAsync(path, token);
        }

        StartCountingCommands();
        var small = await CountCommandsAsync(paths[0], token);
        var large = await CountCommandsAsync(paths[1], token);
        var home = await CountCommandsAsync(paths[2], token);
        var anonymous = await CountCommandsAsync(paths[1], null);

        Assert.Equal([0, 0, 0, 0], [small, large, home, anonymous]);
    }

    [Fact]
    public async Task AColdFeedPage_CostsAFixedNumberOfStatements_WhateverItsSize()
    {
        var (_, token, _, _, _) = await SeedAsync(posts: 25);
        await Task.Delay(FeedCache.SecondRemoval + TimeSpan.FromMilliseconds(500), Ct);
        StartCountingCommands();

        // Nothing of these pages is cached yet: the list, then every card and author in one batch each.
        var large = await CountCommandsAsync("/api/v1/feed/latest?limit=25", token);
        var home = await CountCommandsAsync("/api/v1/feed/home?limit=25", token);

        Assert.InRange(large, 1, 8);
        Assert.InRange(home, 1, 8);
    }

    private async Task<int> CountCommandsAsync(string path, string? token)
    {
        var traceId = ActivityTraceId.CreateRandom();
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");
        if (token is not null)
        {
            request.WithBearer(token);
        }

        using var response = await _client.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return _commandsByTrace.GetValueOrDefault(traceId);
    }

    private void StartCountingCommands()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is "MySqlConnector" or "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                // One activity per command executed (connection opens are not round trips of the page's queries).
                if (activity.Source.Name == "MySqlConnector" && activity.OperationName != "Open")
                {
                    _commandsByTrace.AddOrUpdate(activity.TraceId, 1, (_, n) => n + 1);
                }
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public void Dispose() => _listener?.Dispose();

    /// <summary>Two followed authors, the caller's own posts, one tag: enough rows that plans are real.</summary>
    private async Task<(Guid Me, string Token, long TagId, string Tag, Guid Followed)> SeedAsync(int posts)
    {
        var me = await _client.RegisterAsync();
        var followed = await _client.RegisterAsync();
        using (await _client.SendAsync(HttpMethod.Put, $"/api/v1/users/{followed.User.Id}/follow", me.AccessToken))
        {
        }

        var tag = $"plan{Guid.NewGuid():N}"[..16];
        for (var i = 0; i < posts; i++)
        {
            await _client.CreatePostAsync(api, i % 3 == 0 ? me : followed, $"#{tag} {i}");
        }

        await using var connection = new MySqlConnection(api.MySqlConnectionString);
        await connection.OpenAsync(Ct);
        await using var command = new MySqlCommand("SELECT id FROM tags WHERE name = @name", connection);
        command.Parameters.AddWithValue("@name", tag);
        var tagId = Convert.ToInt64(await command.ExecuteScalarAsync(Ct), System.Globalization.CultureInfo.InvariantCulture);
        return (Guid.Parse(me.User.Id), me.AccessToken, tagId, tag, Guid.Parse(followed.User.Id));
    }

    private static Task<List<Dictionary<string, string>>> ExplainAsync(MySqlConnection connection, FormattableString query)
    {
        var placeholders = Enumerable.Range(0, query.ArgumentCount).Select(i => (object)$"@p{i}").ToArray();
        var parameters = Enumerable.Range(0, query.ArgumentCount).Select(i => (object)new MySqlParameter($"@p{i}", query.GetArgument(i))).ToArray();
        return ExplainAsync(connection, string.Format(System.Globalization.CultureInfo.InvariantCulture, query.Format, placeholders), parameters);
    }

    private static async Task<List<Dictionary<string, string>>> ExplainAsync(MySqlConnection connection, string sql, object[] parameters)
    {
        await using var command = new MySqlCommand("EXPLAIN " + sql, connection);
        command.Parameters.AddRange(parameters);

        var rows = new List<Dictionary<string, string>>();
        await using var reader = await command.ExecuteReaderAsync(Ct);
        while (await reader.ReadAsync(Ct))
        {
            rows.Add(Enumerable.Range(0, reader.FieldCount).ToDictionary(reader.GetName, i => reader.IsDBNull(i) ? "" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)!));
        }

        return rows;
    }

    private static async Task ExecuteAsync(MySqlConnection connection, string sql)
    {
        await using var command = new MySqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync(Ct);
    }
}

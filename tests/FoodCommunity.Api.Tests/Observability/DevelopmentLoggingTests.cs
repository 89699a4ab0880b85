using System.Collections.Concurrent;
using System.Data.Common;
using System.Diagnostics;
using FoodCommunity.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Core;
using Serilog.Events;

namespace FoodCommunity.Api.Tests.Observability;

/// <summary>
/// What a developer's terminal shows while the API runs in Development. Run alone, after the parallel
/// tests: each host's AddSerilog sets the process-wide static Log.Logger, so SQL of another test's requests
/// (with their RequestId) could reach this host's sink while it idles; a full CI run once failed so.
/// </summary>
[Collection(nameof(RunAlone))]
public sealed class DevelopmentLoggingTests
{
    private const string SqlCommandCategory = "Microsoft.EntityFrameworkCore.Database.Command";

    [Fact]
    public async Task InDevelopment_IdleBackgroundPolling_LogsNoSql_WhileARequestsSqlIsShown()
    {
        await using var api = await StartAsync(sqlLogging: null);
        using var client = api.Host.CreateClient();
        using var background = new ExecutedSqlCounter(api.Database);

        // The like flusher and its backlog metric query MySQL every couple of seconds while nothing happens.
        var polled = await Eventually.AnswerAsync(() => Task.FromResult(background.Count), count => count >= 3, TimeSpan.FromSeconds(20));
        var loggedWhileIdle = api.Sink.Events.Where(IsSqlCommand).ToList();
        await client.RegisterAsync();

        Assert.True(polled >= 3, $"only {polled} background SQL commands ran");
        // Named when it fails (seen once on a loaded CI machine): which statement, in which request scope.
        Assert.True(loggedWhileIdle.Count == 0, "SQL logged while idle: " + string.Join(" | ", loggedWhileIdle.Select(e =>
            $"{(e.Properties.TryGetValue("RequestPath", out var path) ? path : "no path")}: {e.RenderMessage(null)}")));
        Assert.Contains(api.Sink.Events, e => IsSqlCommand(e) && e.RenderMessage(null).Contains("INSERT INTO `users`", StringComparison.Ordinal));
    }

    [Fact]
    public async Task InDevelopment_SqlLoggingAll_ShowsTheBackgroundSqlToo()
    {
        await using var api = await StartAsync(sqlLogging: "All");
        using var client = api.Host.CreateClient();

        var logged = await Eventually.AnswerAsync(() => Task.FromResult(api.Sink.Events.Count(IsSqlCommand)), count => count >= 1, TimeSpan.FromSeconds(20));

        Assert.True(logged >= 1, "no background SQL was logged");
    }

    private static bool IsSqlCommand(LogEvent e) =>
        e.Properties.TryGetValue("SourceContext", out var source) && source is ScalarValue { Value: SqlCommandCategory };

    private static async Task<DevelopmentApi> StartAsync(string? sqlLogging)
    {
        var overrides = new Dictionary<string, string?> { ["environment"] = "Development" };
        if (sqlLogging is not null)
        {
            overrides["Observability:SqlLogging"] = sqlLogging;
        }

        var factory = ApiFactory.WithOwnState(overrides);
        await factory.InitializeAsync();
        var sink = new CapturingSink();
        var host = factory.WithWebHostBuilder(builder => builder.ConfigureServices(services => services.AddSingleton<ILogEventSink>(sink)));
        return new DevelopmentApi(factory, host, sink, factory.Isolation.DatabaseName);
    }

    private sealed record DevelopmentApi(ApiFactory Factory, Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> Host, CapturingSink Sink, string Database)
        : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Host.DisposeAsync();
            await Factory.DisposeAsync();
        }
    }

    private sealed class CapturingSink : ILogEventSink
    {
        private readonly ConcurrentQueue<LogEvent> _events = new();

        public IReadOnlyCollection<LogEvent> Events => _events;

        public void Emit(LogEvent logEvent) => _events.Enqueue(logEvent);
    }

    /// <summary>Counts the SQL commands EF Core runs against one database, whether or not anything logs them.</summary>
    private sealed class ExecutedSqlCounter : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
    {
        private readonly string _database;
        private readonly IDisposable _listeners;
        private readonly ConcurrentBag<IDisposable> _subscriptions = [];
        private int _count;

        public ExecutedSqlCounter(string database)
        {
            _database = database;
            _listeners = DiagnosticListener.AllListeners.Subscribe(this);
        }

        public int Count => Volatile.Read(ref _count);

        public void OnNext(DiagnosticListener value)
        {
            if (value.Name == "Microsoft.EntityFrameworkCore")
            {
                _subscriptions.Add(value.Subscribe(this));
            }
        }

        public void OnNext(KeyValuePair<string, object?> value)
        {
            if (value.Key == $"{SqlCommandCategory}.CommandExecuted"
                && value.Value is Microsoft.EntityFrameworkCore.Diagnostics.CommandExecutedEventData { Command: DbCommand command }
                && command.Connection?.Database == _database)
            {
                Interlocked.Increment(ref _count);
            }
        }

        public void OnCompleted()
        {
        }

        public void OnError(Exception error)
        {
        }

        public void Dispose()
        {
            _listeners.Dispose();
            foreach (var subscription in _subscriptions)
            {
                subscription.Dispose();
            }
        }
    }
}

/// <summary>Test classes that must not share the process with others running at the same time.</summary>
[CollectionDefinition(nameof(RunAlone), DisableParallelization = true)]
public sealed class RunAlone;

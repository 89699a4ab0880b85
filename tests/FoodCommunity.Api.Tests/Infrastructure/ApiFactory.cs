using Amazon.S3;
using Amazon.S3.Model;
using FoodCommunity.Api.Infrastructure.Data;
using FoodCommunity.Api.Infrastructure.Storage;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using MySqlConnector;

namespace FoodCommunity.Api.Tests.Infrastructure;

/// <summary>
/// The API on its real dependencies, isolated per test class: a fresh database (migrated with the real
/// migrations), a fresh Redis key prefix and a fresh bucket. Two factories built with the same
/// <see cref="ApiIsolation"/> are two API instances sharing state, as behind the ALB. The factory that
/// owns the bucket also runs the image function's local host on it (as scripts/dev.sh does), so uploads
/// are processed by the real function, not a stand-in.
/// </summary>
public class ApiFactory : WebApplicationFactory<Program>, IAsyncLifetime
{
    private readonly Dictionary<string, string?> _overrides = [];
    private readonly CancellationTokenSource _stopProcessing = new();
    private readonly bool _ownsIsolation;
    private readonly bool _processImages;
    private readonly string? _mySqlServer;
    private readonly bool _flushLikes;
    private Task _processing = Task.CompletedTask;

    public ApiFactory() : this(ApiIsolation.CreateNew(), ownsIsolation: true)
    {
    }

    private ApiFactory(ApiIsolation isolation, bool ownsIsolation, IReadOnlyDictionary<string, string?>? overrides = null, bool processImages = true,
        string? mySqlServer = null, bool flushLikes = true)
    {
        Isolation = isolation;
        _mySqlServer = mySqlServer;
        _flushLikes = flushLikes;
        _ownsIsolation = ownsIsolation;
        _processImages = processImages;
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            _overrides[key] = value;
        }
    }

    public const string TestIssuer = "https://api.foodcommunity.test";

    /// <summary>Every rule of the RateLimits section.</summary>
    public static readonly string[] RateLimitRules =
    [
        "RegisterPerIp", "RegisterPerUsername", "LoginPerIp", "LoginFailuresPerAccountNetwork", "LoginFailuresPerAccount",
        "RefreshPerIp", "RefreshPerSession", "PostsPerUser", "CommentsPerUser", "LikesPerUser", "FollowsPerUser",
        "ReportsPerUser", "ProfileEditsPerUser", "PasswordResetPerIp", "PasswordResetPerAddress",
    ];

    public ApiIsolation Isolation { get; }

    /// <summary>An API with a database, key prefix and bucket of its own (call InitializeAsync), for tests that need them to themselves.</summary>
    public static ApiFactory WithOwnState(IReadOnlyDictionary<string, string?>? overrides = null) => new(ApiIsolation.CreateNew(), ownsIsolation: true, overrides);

    /// <summary>
    /// An API with state of its own on a MySQL server other than the run's (a <see cref="ScratchMariaDb"/> a test may
    /// crash and restart without disturbing the classes running beside it); Redis and S3 are the run's. Call InitializeAsync.
    /// </summary>
    public static ApiFactory OnMySqlServer(string serverConnectionString, IReadOnlyDictionary<string, string?>? overrides = null) =>
        new(ApiIsolation.CreateNew(), ownsIsolation: true, overrides, mySqlServer: serverConnectionString);

    /// <summary>
    /// An API with state of its own that serves likes but runs no <see cref="FoodCommunity.Api.Likes.LikeFlusher"/>: the like events are
    /// written behind by other instances only (say, <see cref="ApiProcess"/>es a test kills). Call InitializeAsync.
    /// </summary>
    public static ApiFactory WithOwnStateNotFlushingLikes(IReadOnlyDictionary<string, string?>? overrides = null) =>
        new(ApiIsolation.CreateNew(), ownsIsolation: true, overrides, flushLikes: false);

    /// <summary>An API with state of its own whose uploads stay unprocessed until <see cref="StartProcessingImages"/>.</summary>
    public static ApiFactory WithImageProcessingHeld() => new(ApiIsolation.CreateNew(), ownsIsolation: true, processImages: false);

    /// <summary>A new API instance taking over a stopped one's database, key prefix and bucket, image processing included (call InitializeAsync).</summary>
    public static ApiFactory SharingState(ApiIsolation isolation, IReadOnlyDictionary<string, string?>? overrides = null) => new(isolation, ownsIsolation: true, overrides);

    /// <summary>Another API instance on the same database, key prefix and bucket, with some settings changed.</summary>
    public static async Task<ApiFactory> SharingStateWithAsync(ApiFactory other, IReadOnlyDictionary<string, string?>? overrides = null)
    {
        var factory = new ApiFactory(other.Isolation, ownsIsolation: false, overrides);
        await factory.InitializeAsync();
        return factory;
    }

    public ServiceEndpoints Endpoints { get; private set; } = null!;

    public string MySqlConnectionString { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        Endpoints = await TestServices.GetAsync();
        if (_mySqlServer is not null)
        {
            Endpoints = Endpoints with { MySqlServer = _mySqlServer, MySqlReplicaServer = null };
        }

        MySqlConnectionString = new MySqlConnectionStringBuilder(Endpoints.MySqlServer) { Database = Isolation.DatabaseName }.ConnectionString;
        await Isolation.EnsureCreatedAsync(Endpoints);
        if (_ownsIsolation && _processImages)
        {
            StartProcessingImages();
        }
    }

    /// <summary>Runs the image function's local host on this bucket until the factory is disposed.</summary>
    public void StartProcessingImages()
    {
        var poller = FoodCommunity.Images.Lambda.ImagesComposition.CreateLocalPoller(ImageFunctionSetting, TimeSpan.FromMilliseconds(100));
        _processing = Task.Run(() => poller.RunAsync(_stopProcessing.Token));
    }

    /// <summary>For a failure message: whether this factory's image poller is still running, or how it ended.</summary>
    public string ImageProcessingState => _processing.Status switch
    {
        TaskStatus.RanToCompletion when !_stopProcessing.IsCancellationRequested => "the image poller is not running",
        TaskStatus.Faulted => $"the image poller died: {_processing.Exception?.GetBaseException().Message}",
        var status => $"the image poller is {status}",
    };

    /// <summary>The image function's settings: this class's bucket on the run's S3 endpoint.</summary>
    private string? ImageFunctionSetting(string name) => name switch
    {
        "Storage__BucketName" => Isolation.BucketName,
        "Storage__ServiceUrl" => Endpoints.S3ServiceUrl,
        "Storage__ForcePathStyle" => "true",
        _ => Environment.GetEnvironmentVariable(name),
    };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:MySql"] = MySqlConnectionString,
            // No replica unless a test asks for one (services.sh exports the local replica for dev.sh).
            ["ConnectionStrings:MySqlReplica"] = "",
            ["ConnectionStrings:Redis"] = Endpoints.Redis,
            ["Database:ServerVersion"] = Endpoints.ServerVersion,
            ["Redis:KeyPrefix"] = Isolation.RedisKeyPrefix,
            ["Storage:ServiceUrl"] = Endpoints.S3ServiceUrl,
            ["Storage:BucketName"] = Isolation.BucketName,
            ["Storage:ForcePathStyle"] = "true",
            ["Storage:PublicBaseUrl"] = $"{Endpoints.S3ServiceUrl}/{Isolation.BucketName}",
            ["Auth:Issuer"] = TestIssuer,
            ["Auth:SigningKeyPem"] = Isolation.SigningKeyPem,
            ["Storage:ImageDeletionIntervalSeconds"] = "1",
            ["Storage:ImageDeletionDelaySeconds"] = "3",
        };
        // Test classes share one client address and drive some users hard; the rate-limit tests set their own small limits.
        foreach (var rule in RateLimitRules)
        {
            settings[$"RateLimits:{rule}:PermitLimit"] = "100000";
        }

        foreach (var (key, value) in _overrides)
        {
            settings[key] = value;
        }

        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }

        if (!_flushLikes)
        {
            builder.ConfigureTestServices(services =>
            {
                foreach (var flusher in services.Where(d => !d.IsKeyedService && d.ImplementationType == typeof(FoodCommunity.Api.Likes.LikeFlusher)).ToList())
                {
                    services.Remove(flusher);
                }
            });
        }
    }

    public override async ValueTask DisposeAsync()
    {
        // Disposed twice by some tests (await using, then the fixture); cancelling again is harmless, disposing the source is not.
        await _stopProcessing.CancelAsync();
        await _processing;
        await base.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    public T GetService<T>() where T : notnull => Services.GetRequiredService<T>();

    /// <summary>Runs SQL on this class's database, for a state a test needs and no endpoint makes.</summary>
    public async Task ExecuteSqlAsync(string sql)
    {
        await using var connection = new MySqlConnection(MySqlConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new MySqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>One text value from this class's database.</summary>
    public async Task<string> ScalarTextAsync(string sql)
    {
        await using var connection = new MySqlConnection(MySqlConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new MySqlCommand(sql, connection);
        return Convert.ToString(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken), System.Globalization.CultureInfo.InvariantCulture)!;
    }

    /// <summary>One number from this class's database (a count, a counter).</summary>
    public async Task<long> ScalarAsync(string sql)
    {
        await using var connection = new MySqlConnection(MySqlConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new MySqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }
}

/// <summary>The state one test class owns: database, Redis key prefix and bucket, created once.</summary>
public sealed class ApiIsolation
{
    private readonly SemaphoreSlim _created = new(1, 1);
    private bool _isCreated;

    private ApiIsolation(string id)
    {
        DatabaseName = $"fc_test_{id}";
        RedisKeyPrefix = $"test:{id}:";
        BucketName = $"fc-test-{id}";
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        SigningKeyPem = rsa.ExportPkcs8PrivateKeyPem();
    }

    /// <summary>The signing key every API instance of this class shares, as instances behind the ALB would.</summary>
    public string SigningKeyPem { get; }

    public string DatabaseName { get; }

    public string RedisKeyPrefix { get; }

    public string BucketName { get; }

    public static ApiIsolation CreateNew() => new(Guid.NewGuid().ToString("N")[..16]);

    public async Task EnsureCreatedAsync(ServiceEndpoints endpoints)
    {
        await _created.WaitAsync();
        try
        {
            if (_isCreated)
            {
                return;
            }

            await using (var connection = new MySqlConnection(endpoints.MySqlServer))
            {
                await connection.OpenAsync();
                await using var command = new MySqlCommand(
                    $"CREATE DATABASE `{DatabaseName}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci", connection);
                await command.ExecuteNonQueryAsync();
            }

            await MigrateAsync(endpoints);
            using var s3 = CreateS3Client(endpoints);
            await s3.PutBucketAsync(new PutBucketRequest { BucketName = BucketName });
            _isCreated = true;
        }
        finally
        {
            _created.Release();
        }
    }

    /// <summary>
    /// A second, migrated database standing in for a read replica that lags without end: nothing is
    /// ever replicated into it, so a read that lands there cannot see what was written to the primary.
    /// </summary>
    public async Task<string> CreateLaggingReplicaAsync(ServiceEndpoints endpoints)
    {
        var name = $"{DatabaseName}_replica";
        await using (var connection = new MySqlConnection(endpoints.MySqlServer))
        {
            await connection.OpenAsync();
            await using var command = new MySqlCommand($"CREATE DATABASE IF NOT EXISTS `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci", connection);
            await command.ExecuteNonQueryAsync();
        }

        await MigrateAsync(endpoints, name);
        return new MySqlConnectionStringBuilder(endpoints.MySqlServer) { Database = name }.ConnectionString;
    }

    /// <summary>The same migration path as `FoodCommunity.Api migrate`, on this class's database.</summary>
    private async Task MigrateAsync(ServiceEndpoints endpoints, string? database = null)
    {
        var connectionString = new MySqlConnectionStringBuilder(endpoints.MySqlServer) { Database = database ?? DatabaseName }.ConnectionString;
        var options = new Microsoft.EntityFrameworkCore.DbContextOptionsBuilder<FoodCommunityDbContext>();
        DataSetup.Configure(options, connectionString, new DatabaseOptions { ServerVersion = endpoints.ServerVersion });
        await using var db = new FoodCommunityDbContext(options.Options);
        await MigrationCommand.MigrateAsync(db, CancellationToken.None);
    }

    public static AmazonS3Client CreateS3Client(ServiceEndpoints endpoints) =>
        StorageSetup.CreateClient(new StorageOptions { ServiceUrl = endpoints.S3ServiceUrl, ForcePathStyle = true, BucketName = "unused", PublicBaseUrl = endpoints.S3ServiceUrl });
}

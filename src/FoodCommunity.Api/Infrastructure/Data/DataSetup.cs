using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using MySqlConnector;

namespace FoodCommunity.Api.Infrastructure.Data;

internal static class DataSetup
{
    public static WebApplicationBuilder AddFoodCommunityData(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ConnectionStringsOptions>()
            .BindConfiguration(ConnectionStringsOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddOptions<DatabaseOptions>()
            .BindConfiguration(DatabaseOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        builder.Services.AddDbContextPool<FoodCommunityDbContext>((services, options) =>
        {
            var connectionStrings = services.GetRequiredService<IOptions<ConnectionStringsOptions>>().Value;
            var database = services.GetRequiredService<IOptions<DatabaseOptions>>().Value;
            Configure(options, connectionStrings.MySql, database);
        });
        builder.Services.AddDbContextPool<ReplicaDbContext>((services, options) =>
        {
            var connectionStrings = services.GetRequiredService<IOptions<ConnectionStringsOptions>>().Value;
            var database = services.GetRequiredService<IOptions<DatabaseOptions>>().Value;
            Configure(options, string.IsNullOrWhiteSpace(connectionStrings.MySqlReplica) ? connectionStrings.MySql : connectionStrings.MySqlReplica, database);
            options.UseQueryTrackingBehavior(QueryTrackingBehavior.NoTracking);
        });
        builder.Services.AddScoped<ReadDatabase>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ReplicaMonitor>();
        builder.Services.AddHostedService(services => services.GetRequiredService<ReplicaMonitor>());
        return builder;
    }

    /// <summary>Shared by the API, the design-time factory and the test fixtures, so all three speak to MySQL the same way.</summary>
    public static void Configure(DbContextOptionsBuilder options, string connectionString, DatabaseOptions database)
    {
        options.UseMySql(
            NormalizeConnectionString(connectionString, database),
            ServerVersion.Parse(database.ServerVersion),
            mysql =>
            {
                mysql.EnableRetryOnFailure(maxRetryCount: 3);
                // IN (...) lists, not JSON_TABLE: both MySQL 8 and MariaDB use the index for them.
                mysql.TranslateParameterizedCollectionsToConstants();
                mysql.CommandTimeout(database.CommandTimeoutSeconds);
                mysql.MigrationsHistoryTable("__ef_migrations_history");
            });
    }

    /// <summary>
    /// Settings the schema depends on are forced here rather than trusted to each deployment's
    /// connection string: ids are UUIDv7 stored as BINARY(16) in RFC 4122 byte order, so they sort by time.
    /// </summary>
    public static string NormalizeConnectionString(string connectionString, DatabaseOptions database)
    {
        var builder = new MySqlConnectionStringBuilder(connectionString)
        {
            GuidFormat = MySqlGuidFormat.Binary16,
            MaximumPoolSize = (uint)database.MaxPoolSize,
            ConnectionTimeout = Math.Min(new MySqlConnectionStringBuilder(connectionString).ConnectionTimeout, 5u),
        };
        return builder.ConnectionString;
    }
}

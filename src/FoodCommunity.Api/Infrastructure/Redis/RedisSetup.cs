using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace FoodCommunity.Api.Infrastructure.Redis;

internal static class RedisSetup
{
    public static WebApplicationBuilder AddFoodCommunityRedis(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<RedisOptions>()
            .BindConfiguration(RedisOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        // One multiplexer per process: it pipelines every caller over a single connection.
        builder.Services.AddSingleton<RedisKeys>();
        builder.Services.AddSingleton<IConnectionMultiplexer>(services =>
        {
            var connectionString = services.GetRequiredService<IOptions<ConnectionStringsOptions>>().Value.Redis;
            return ConnectionMultiplexer.Connect(CreateConfiguration(connectionString));
        });
        return builder;
    }

    public static ConfigurationOptions CreateConfiguration(string connectionString)
    {
        var configuration = ConfigurationOptions.Parse(connectionString);
        // Start (and report not ready) while Redis is down, and keep reconnecting in the background.
        configuration.AbortOnConnectFail = false;
        // While disconnected, fail commands at once instead of queueing them: callers answer 503 quickly.
        configuration.BacklogPolicy = BacklogPolicy.FailFast;
        // How soon a replica promoted under the API (a failover) is found to be the primary: writes that
        // demand a primary fail until then. At most every 5 s (one INFO per node), not the default minute.
        configuration.ConfigCheckSeconds = Math.Min(configuration.ConfigCheckSeconds, 5);
        configuration.ClientName ??= $"foodcommunity-api:{Environment.MachineName}";
        return configuration;
    }
}

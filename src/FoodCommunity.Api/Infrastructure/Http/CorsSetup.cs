using Microsoft.Extensions.Options;

namespace FoodCommunity.Api.Infrastructure.Http;

/// <summary>
/// Browser origins allowed to call the API from another origin; the "Cors" configuration section.
/// Empty (the default): no CORS answers at all, which is right when the client is served from the
/// API's own origin (Development) or CloudFront puts <c>/api/*</c> on the client's origin.
/// </summary>
public sealed class ClientCorsOptions
{
    public const string SectionName = "Cors";

    /// <summary>Exact origins (<c>https://app.example.com</c>), as a list or one comma-separated string.</summary>
    public IReadOnlyList<string> AllowedOrigins { get; set; } = [];

    /// <summary>Response headers the web client reads: a 429's or a processing 409's wait, a created post's address.</summary>
    public static readonly string[] ExposedHeaders = ["Retry-After", "Location"];

    /// <summary>Request headers the web client sends besides the CORS-safelisted ones.</summary>
    public static readonly string[] AllowedHeaders = ["Authorization", "Content-Type", "Idempotency-Key"];

    public static readonly string[] AllowedMethods = ["GET", "POST", "PUT", "PATCH", "DELETE"];

    /// <summary>The origins from configuration: a list (<c>Cors__AllowedOrigins__0</c>) or a comma-separated value (<c>Cors__AllowedOrigins</c>).</summary>
    public static IReadOnlyList<string> Read(IConfiguration configuration)
    {
        var section = configuration.GetSection(SectionName).GetSection(nameof(AllowedOrigins));
        var values = section.GetChildren().Any() ? section.GetChildren().Select(c => c.Value ?? "") : [section.Value ?? ""];
        return values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).Distinct(StringComparer.Ordinal).ToList();
    }
}

internal sealed class ClientCorsOptionsValidator : IValidateOptions<ClientCorsOptions>
{
    public ValidateOptionsResult Validate(string? name, ClientCorsOptions options)
    {
        var wrong = options.AllowedOrigins
            .Where(o => !Uri.TryCreate(o, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http")
                || uri.GetLeftPart(UriPartial.Authority) != o.TrimEnd('/') || o.EndsWith('/'))
            .ToList();
        return wrong.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"Cors:AllowedOrigins takes origins such as https://app.example.com (scheme, host, port; no path, no '*'); not: {string.Join(", ", wrong)}");
    }
}

internal static class CorsSetup
{
    public static WebApplicationBuilder AddFoodCommunityCors(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ClientCorsOptions>()
            .Configure<IConfiguration>((options, configuration) => options.AllowedOrigins = ClientCorsOptions.Read(configuration))
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ClientCorsOptions>, ClientCorsOptionsValidator>();
        builder.Services.AddCors();
        builder.Services.AddOptions<Microsoft.AspNetCore.Cors.Infrastructure.CorsOptions>()
            .Configure<IOptions<ClientCorsOptions>>((cors, client) => cors.AddDefaultPolicy(policy => policy
                .WithOrigins([.. client.Value.AllowedOrigins])
                .WithMethods(ClientCorsOptions.AllowedMethods)
                .WithHeaders(ClientCorsOptions.AllowedHeaders)
                .WithExposedHeaders(ClientCorsOptions.ExposedHeaders)
                // Tokens travel in the Authorization header, never in cookies: no credentials mode.
                .SetPreflightMaxAge(TimeSpan.FromMinutes(10))));
        return builder;
    }

    /// <summary>Before authentication and rate limiting, so a 401 or a 429 still carries its CORS headers (and Retry-After is readable).</summary>
    public static WebApplication UseFoodCommunityCors(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<ClientCorsOptions>>().Value.AllowedOrigins.Count > 0)
        {
            app.UseCors();
        }

        return app;
    }
}

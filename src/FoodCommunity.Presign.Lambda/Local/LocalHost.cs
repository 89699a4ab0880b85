using FoodCommunity.Presign.Lambda.Events;
using FoodCommunity.Presign.Lambda.Uploads;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace FoodCommunity.Presign.Lambda.Local;

/// <summary>
/// The function outside Lambda (docker compose, the native dev script, tests): Kestrel serves <c>POST /uploads</c>,
/// does the JWT authorizer's checks itself, and hands the same payload format 2.0 event to the same function.
/// </summary>
public static class LocalHost
{
    private const int DefaultPort = 8081;

    /// <summary>The body is two small fields; anything bigger is not a presign request.</summary>
    private const long MaxBodyBytes = 16 * 1024;

    /// <summary>
    /// <c>Cors__AllowedOrigins</c> (comma-separated): browser origins allowed to call <c>POST /uploads</c>, as the
    /// HTTP API's CorsConfiguration allows them in the deployment (deploy/template.yaml). Empty: no CORS answers.
    /// </summary>
    public const string AllowedOriginsKey = "Cors:AllowedOrigins";

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        if (string.IsNullOrEmpty(builder.Configuration["HTTP_PORTS"]) && string.IsNullOrEmpty(builder.Configuration["URLS"]))
        {
            builder.WebHost.UseUrls($"http://*:{DefaultPort}");
        }

        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = MaxBodyBytes);
        configure?.Invoke(builder);

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(services => LocalAuthSettings.FromConfiguration(services.GetRequiredService<IConfiguration>()));
        builder.Services.AddHttpClient(nameof(JwksCache), http => http.Timeout = TimeSpan.FromSeconds(5));
        builder.Services.AddSingleton(services => new JwksCache(
            services.GetRequiredService<IHttpClientFactory>().CreateClient(nameof(JwksCache)),
            services.GetRequiredService<LocalAuthSettings>().JwksUrl,
            services.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton<JwtAuthorizer>();
        var origins = (builder.Configuration[AllowedOriginsKey] ?? "")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        builder.Services.AddCors(cors => cors.AddDefaultPolicy(policy => policy
            .WithOrigins(origins).WithMethods("POST").WithHeaders("authorization", "content-type")
            .SetPreflightMaxAge(TimeSpan.FromMinutes(10))));
        builder.Services.AddSingleton(services => PresignComposition.CreateFunction(
            services.GetRequiredService<IConfiguration>(),
            services.GetRequiredService<TimeProvider>()));

        var app = builder.Build();
        // Resolve now, so that missing settings stop the host at start with their message, not at the first request.
        _ = app.Services.GetRequiredService<JwtAuthorizer>();
        _ = app.Services.GetRequiredService<PresignFunction>();
        if (origins.Length > 0)
        {
            app.UseCors();
        }

        app.MapUploads();
        return app;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        await using var app = Build(args);
        await app.RunAsync();
        return 0;
    }

    public static RouteHandlerBuilder MapUploads(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapPost("/uploads", IssueUploadFormAsync).WithName("IssueUploadForm");

    /// <summary>Authorizes like API Gateway, then answers exactly what the function answers.</summary>
    private static async Task<ContentHttpResult> IssueUploadFormAsync(
        HttpContext context,
        JwtAuthorizer authorizer,
        PresignFunction function,
        CancellationToken cancellationToken)
    {
        var traceId = context.TraceIdentifier;
        AuthorizerOutcome outcome;
        try
        {
            outcome = await authorizer.AuthorizeAsync(context.Request.Headers.Authorization, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            return Send(context, Problems.ServiceUnavailable($"The issuer's signing keys are unavailable: {e.Message}", traceId));
        }

        if (!outcome.Succeeded)
        {
            return Send(context, outcome.Status == 403
                ? Problems.Forbidden(outcome.Detail!, traceId, PresignHandler.RequiredScope)
                : Problems.Unauthorized(outcome.Detail!, traceId));
        }

        string body;
        using (var reader = new StreamReader(context.Request.Body))
        {
            body = await reader.ReadToEndAsync(cancellationToken);
        }

        var request = new ApiGatewayHttpRequest(
            Version: "2.0",
            RouteKey: "POST /uploads",
            RawPath: context.Request.Path,
            Headers: context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString(), StringComparer.Ordinal),
            RequestContext: new ApiGatewayRequestContext(
                traceId,
                new ApiGatewayAuthorizer(outcome.Context),
                new ApiGatewayHttpDescription("POST", context.Request.Path, context.Connection.RemoteIpAddress?.ToString(), context.Request.Headers.UserAgent)),
            Body: body,
            IsBase64Encoded: false);
        return Send(context, await function.HandleAsync(request, cancellationToken));
    }

    private static ContentHttpResult Send(HttpContext context, ApiGatewayHttpResponse response)
    {
        foreach (var (name, value) in response.Headers)
        {
            if (!string.Equals(name, "Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                context.Response.Headers[name] = value;
            }
        }

        return TypedResults.Content(response.Body, response.Headers.GetValueOrDefault("Content-Type"), statusCode: response.StatusCode);
    }
}

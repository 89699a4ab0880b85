using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.ResponseCompression;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace FoodCommunity.Api.Infrastructure.Http;

internal static class HttpSetup
{
    public static WebApplicationBuilder AddFoodCommunityHttp(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<HttpOptions>()
            .BindConfiguration(HttpOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<HttpOptions>, HttpOptionsValidator>();

        builder.Services.AddOptions<KestrelServerOptions>()
            .Configure<IOptions<HttpOptions>>((kestrel, http) =>
            {
                var limits = http.Value;
                kestrel.AddServerHeader = false;
                kestrel.Limits.MaxRequestBodySize = limits.MaxRequestBodyBytes;
                kestrel.Limits.MaxRequestHeadersTotalSize = limits.MaxRequestHeadersTotalBytes;
                kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(limits.RequestHeadersTimeoutSeconds);
                kestrel.Limits.KeepAliveTimeout = TimeSpan.FromSeconds(limits.KeepAliveTimeoutSeconds);
            });
        builder.Services.AddOptions<ForwardedHeadersOptions>()
            .Configure<IOptions<HttpOptions>>((forwarded, http) =>
            {
                // The ALB appends the address it saw to X-Forwarded-For; with the default ForwardLimit of 1 only
                // that last entry is taken, and only from a trusted network, so RemoteIpAddress is the client's.
                forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
                foreach (var network in http.Value.TrustedProxyNetworks)
                {
                    forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
                }
            });
        builder.Services.AddOptions<HostOptions>()
            .Configure<IOptions<HttpOptions>>((host, http) =>
                host.ShutdownTimeout = TimeSpan.FromSeconds(http.Value.ShutdownTimeoutSeconds));

        // JSON feeds shrink 5-8x: at the fleet's volume that is most of the API's data-transfer bill.
        builder.Services.AddResponseCompression(compression =>
        {
            compression.Providers.Add<BrotliCompressionProvider>();
            compression.Providers.Add<GzipCompressionProvider>();
            compression.MimeTypes = ResponseCompressionDefaults.MimeTypes.Append("application/problem+json");
        });
        builder.Services.Configure<BrotliCompressionProviderOptions>(brotli => brotli.Level = System.IO.Compression.CompressionLevel.Fastest);
        builder.Services.Configure<GzipCompressionProviderOptions>(gzip => gzip.Level = System.IO.Compression.CompressionLevel.Fastest);
        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, ApiJsonContext.Default));
        builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = ProblemDetailsDefaults.Complete);
        builder.Services.AddExceptionHandler<UnexpectedExceptionHandler>();
        return builder;
    }

    public static WebApplication UseFoodCommunityHttp(this WebApplication app)
    {
        app.UseForwardedHeaders();
        // Not for sign-in answers: tokens next to client-chosen text are what compression side channels (BREACH) need.
        app.UseWhen(context => !context.Request.Path.StartsWithSegments("/api/v1/auth", StringComparison.OrdinalIgnoreCase),
            branch => branch.UseResponseCompression());
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        return app;
    }
}

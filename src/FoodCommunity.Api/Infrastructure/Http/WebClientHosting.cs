using Microsoft.Extensions.FileProviders;

namespace FoodCommunity.Api.Infrastructure.Http;

/// <summary>
/// In Development the API serves the web client's build at <c>/</c>, so that one process on one origin is
/// the whole product for a developer. Production serves those files from S3 behind CloudFront, never from here.
/// </summary>
internal static class WebClientHosting
{
    /// <summary><c>Web:RootPath</c>: the built client, relative to the content root (the project folder under <c>dotnet run</c>).</summary>
    public const string RootPathKey = "Web:RootPath";

    private const string DefaultRootPath = "../../web/dist";

    public static WebApplication UseWebClientInDevelopment(this WebApplication app)
    {
        var root = Path.GetFullPath(app.Configuration[RootPathKey] ?? DefaultRootPath, app.Environment.ContentRootPath);
        if (!app.Environment.IsDevelopment() || !Directory.Exists(root))
        {
            return app;
        }

        var files = new PhysicalFileProvider(root);
        var options = new StaticFileOptions
        {
            FileProvider = files,
            // index.html and config.json change with every build and setting; the hashed assets never do.
            OnPrepareResponse = context => context.Context.Response.Headers.CacheControl =
                context.File.Name.EndsWith(".html", StringComparison.Ordinal) || context.File.Name == "config.json"
                    ? "no-cache"
                    : "public, max-age=31536000, immutable",
        };
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        app.UseStaticFiles(options);
        // The one path route of the client: the password-reset mail links to /reset-password?token=...
        // (Mail:PasswordResetUrl), which is no file; the client reads the token from it.
        app.MapFallbackToFile("/reset-password", "index.html", options);
        return app;
    }
}

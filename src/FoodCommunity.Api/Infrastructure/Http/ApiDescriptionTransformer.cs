using FoodCommunity.Api.Auth;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace FoodCommunity.Api.Infrastructure.Http;

/// <summary>
/// What the generated document leaves out and client generators, API portals and Redocly's recommended rules
/// expect: a title and licence, the public base URL (not the host the document was fetched through), a
/// description per tag, and the problem details every operation can answer with.
/// </summary>
internal sealed class ApiDescriptionTransformer(IOptions<AuthOptions> auth) : IOpenApiDocumentTransformer, IOpenApiOperationTransformer
{
    /// <summary>One line per feature's tag; a tag without one fails the OpenAPI lint (OpenApiLintTests).</summary>
    private static readonly Dictionary<string, string> TagDescriptions = new(StringComparer.Ordinal)
    {
        ["Identity"] = "OIDC discovery and the public keys that verify access tokens (for API Gateway's JWT authorizer).",
        ["Auth"] = "Accounts and sessions: register, sign in, refresh and sign out.",
        ["Users"] = "Profiles: the caller's own and anyone's by username.",
        ["Follows"] = "Following people, and who follows whom.",
        ["Blocks"] = "Blocking people: mutual in effect, neither sees nor reaches the other.",
        ["Posts"] = "Photo posts: publish, read, delete, report.",
        ["Comments"] = "Comments on posts.",
        ["Likes"] = "Liking and unliking posts; the caller sees their own like at once.",
        ["Feeds"] = "Lists of posts: latest, home (people followed), popular, by author, by tag.",
        ["Notifications"] = "What happened to the caller's posts and account: likes, comments, follows, mentions.",
        ["Moderation"] = "The report queue and its decisions, for accounts with the moderator role.",
        ["Benchmarks"] = "The direct-to-MySQL like baseline the benchmark compares against; never mapped in production.",
    };

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info.Title = "FoodCommunity API";
        document.Info.Description = "The HTTP API of the FoodCommunity food-photo app. Errors are RFC 9457 problem details.";
        // Not open source; an SPDX LicenseRef says so in a form tools can read.
        document.Info.License = new OpenApiLicense { Name = "Proprietary", Identifier = "LicenseRef-Proprietary" };
        // The issuer is the API's public base URL; the host a document was fetched through may be an instance's own.
        document.Servers = [new OpenApiServer { Url = auth.Value.Issuer.TrimEnd('/') }];
        foreach (var tag in document.Tags ?? Enumerable.Empty<OpenApiTag>())
        {
            if (tag.Name is { } name && TagDescriptions.TryGetValue(name, out var description))
            {
                tag.Description ??= description;
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>An operation that declares no client error still has them (404 for a mistyped path, 429, 413...): as problem details.</summary>
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        operation.Responses ??= [];
        if (!operation.Responses.Keys.Any(status => status.StartsWith('4')))
        {
            operation.Responses["4XX"] = new OpenApiResponse
            {
                Description = "A client error, as problem details.",
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference("ProblemDetails", context.Document) },
                },
            };
        }

        return Task.CompletedTask;
    }
}

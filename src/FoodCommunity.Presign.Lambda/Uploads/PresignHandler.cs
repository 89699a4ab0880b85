using System.Globalization;
using System.Text.Json;
using FoodCommunity.Domain.Uploads;
using FoodCommunity.Presign.Lambda.Events;

namespace FoodCommunity.Presign.Lambda.Uploads;

/// <summary>
/// <c>POST /uploads</c>: the caller's verified claims and the request body in, the HTTP response out. The API
/// Gateway JWT authorizer has already checked the token; the claim checks here are defence in depth, so a
/// misconfigured route cannot hand out forms for nobody or for the wrong user.
/// </summary>
public sealed class PresignHandler(IUploadFormSigner signer, TimeProvider time)
{
    public const string RequiredScope = "uploads";

    private static readonly string AllowedTypesText = string.Join(", ", UploadPolicy.AllowedTypes.Select(t => t.ContentType));

    public async Task<ApiGatewayHttpResponse> HandleAsync(
        JwtAuthorizerContext? authorizer,
        string? body,
        string? traceId,
        CancellationToken cancellationToken)
    {
        var claims = authorizer?.Claims;
        if (claims is null || claims.Count == 0)
        {
            return Problems.Unauthorized("The request carries no verified token.", traceId);
        }

        if (!claims.TryGetValue("sub", out var userId) || string.IsNullOrWhiteSpace(userId))
        {
            return Problems.Unauthorized("The token names no subject.", traceId);
        }

        if (!HasScope(authorizer!, RequiredScope))
        {
            return Problems.Forbidden($"The token lacks the '{RequiredScope}' scope.", traceId, insufficientScope: RequiredScope);
        }

        if (!UploadKey.IsValidOwnerId(userId))
        {
            return Problems.Forbidden("The token's subject cannot own uploads.", traceId);
        }

        var (request, problem) = ReadRequest(body, traceId);
        if (problem is not null)
        {
            return problem;
        }

        var errors = new Dictionary<string, string[]>();
        var type = UploadPolicy.FindByContentType(request!.ContentType);
        if (request.ContentType is null)
        {
            errors["contentType"] = ["The content type is required."];
        }
        else if (type is null)
        {
            errors["contentType"] = [$"The content type must be one of {AllowedTypesText}."];
        }

        if (request.ContentLength is not { } length)
        {
            errors["contentLength"] = ["The content length is required."];
        }
        else if (!UploadPolicy.IsAllowedLength(length))
        {
            errors["contentLength"] = [string.Create(
                CultureInfo.InvariantCulture,
                $"The content length must be between 1 and {UploadPolicy.MaxBytes} bytes (15 MiB).")];
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(errors, traceId);
        }

        var now = time.GetUtcNow();
        // Whole seconds, so that expiresAt is exactly the expiration the signed policy states.
        var expiresAt = new DateTime((now + UploadPolicy.FormLifetime).UtcTicks / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond, DateTimeKind.Utc);
        var key = UploadKey.CreateNew(userId, type!, now);
        var form = await signer.SignAsync(key, expiresAt, cancellationToken);

        var upload = new PresignedUpload(key.Value, form.Url, "POST", form.Fields, expiresAt, UploadPolicy.MaxBytes);
        return Problems.Json(200, upload, PresignJsonContext.Default.PresignedUpload, "application/json");
    }

    /// <summary>
    /// The JWT authorizer passes the token's scopes both as the <c>scope</c> (or Azure-style <c>scp</c>) claim, one
    /// space-separated string, and as the <c>scopes</c> list; either is enough.
    /// </summary>
    private static bool HasScope(JwtAuthorizerContext authorizer, string scope)
    {
        if (authorizer.Scopes?.Contains(scope, StringComparer.Ordinal) == true)
        {
            return true;
        }

        foreach (var name in (ReadOnlySpan<string>)["scope", "scp"])
        {
            // Array claims reach Lambda as "[a b]".
            if (authorizer.Claims!.TryGetValue(name, out var value)
                && value.Trim('[', ']').Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains(scope, StringComparer.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static (PresignUploadRequest? Request, ApiGatewayHttpResponse? Problem) ReadRequest(string? body, string? traceId)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return (null, Problems.BadRequest("The request needs a JSON body with contentType and contentLength.", traceId));
        }

        // Syntax first, so that a type mismatch in valid JSON can be reported against its field.
        try
        {
            using var _ = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            return (null, Problems.BadRequest("The request body is not valid JSON.", traceId));
        }

        try
        {
            var request = JsonSerializer.Deserialize(body, PresignJsonContext.Default.PresignUploadRequest);
            return request is null
                ? (null, Problems.BadRequest("The request body must be a JSON object.", traceId))
                : (request, null);
        }
        catch (JsonException e)
        {
            return e.Path switch
            {
                "$.contentType" => (null, Problems.Validation(new() { ["contentType"] = ["The content type must be a string."] }, traceId)),
                "$.contentLength" => (null, Problems.Validation(new() { ["contentLength"] = ["The content length must be a whole number of bytes."] }, traceId)),
                _ => (null, Problems.BadRequest("The request body must be a JSON object.", traceId)),
            };
        }
    }
}

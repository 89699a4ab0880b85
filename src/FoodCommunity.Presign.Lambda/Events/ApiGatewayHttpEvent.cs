using System.Text.Json.Serialization;

namespace FoodCommunity.Presign.Lambda.Events;

/// <summary>
/// The parts of an API Gateway event this function reads: an HTTP API event (payload format 2.0), and the same
/// fields of a REST API event (1.0). Everything else in the event is ignored when deserializing.
/// </summary>
public sealed record ApiGatewayHttpRequest(
    string? Version,
    string? RouteKey,
    string? RawPath,
    IReadOnlyDictionary<string, string>? Headers,
    ApiGatewayRequestContext? RequestContext,
    string? Body,
    bool IsBase64Encoded);

public sealed record ApiGatewayRequestContext(
    string? RequestId,
    ApiGatewayAuthorizer? Authorizer,
    ApiGatewayHttpDescription? Http);

public sealed record ApiGatewayHttpDescription(string? Method, string? Path, string? SourceIp, string? UserAgent);

/// <summary>
/// Where API Gateway puts the verified token's claims: an HTTP API JWT authorizer under <c>jwt.claims</c>, a REST
/// API (Cognito user pool authorizer, or a Lambda authorizer returning them) directly under <c>claims</c>.
/// </summary>
public sealed record ApiGatewayAuthorizer(
    JwtAuthorizerContext? Jwt,
    [property: JsonConverter(typeof(ClaimValuesConverter))] IReadOnlyDictionary<string, string>? Claims = null)
{
    /// <summary>The caller's claims (and scopes, where given) in whichever shape they came; null when there are none.</summary>
    [JsonIgnore]
    public JwtAuthorizerContext? Caller =>
        Jwt is { Claims.Count: > 0 } ? Jwt
        : Claims is { Count: > 0 } claims ? new JwtAuthorizerContext(claims, null)
        : Jwt;
}

/// <summary>What the JWT authorizer passes on: every claim as a string, and the token's scopes.</summary>
public sealed record JwtAuthorizerContext(
    [property: JsonConverter(typeof(ClaimValuesConverter))] IReadOnlyDictionary<string, string>? Claims,
    IReadOnlyList<string>? Scopes);

/// <summary>The payload format 2.0 response; API Gateway turns it into the HTTP response.</summary>
public sealed record ApiGatewayHttpResponse(
    int StatusCode,
    IReadOnlyDictionary<string, string> Headers,
    string Body,
    bool IsBase64Encoded = false);

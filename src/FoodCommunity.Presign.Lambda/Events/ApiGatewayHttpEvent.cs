namespace FoodCommunity.Presign.Lambda.Events;

/// <summary>
/// The parts of an API Gateway HTTP API (payload format 2.0) event this function reads. Everything else in the
/// event is ignored when deserializing.
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

public sealed record ApiGatewayAuthorizer(JwtAuthorizerContext? Jwt);

/// <summary>What the JWT authorizer passes on: every claim as a string, and the token's scopes.</summary>
public sealed record JwtAuthorizerContext(
    IReadOnlyDictionary<string, string>? Claims,
    IReadOnlyList<string>? Scopes);

/// <summary>The payload format 2.0 response; API Gateway turns it into the HTTP response.</summary>
public sealed record ApiGatewayHttpResponse(
    int StatusCode,
    IReadOnlyDictionary<string, string> Headers,
    string Body,
    bool IsBase64Encoded = false);

using System.Text.Json.Nodes;

namespace FoodCommunity.Infrastructure.Tests;

internal static class TemplateText
{
    /// <summary>
    /// The literal text of a value that CloudFormation assembles with Fn::Join (user data, dashboard bodies):
    /// the string parts concatenated, each token written as {token}.
    /// </summary>
    public static string Flatten(JsonNode? node) => node switch
    {
        JsonValue value when value.TryGetValue<string>(out var text) => text,
        JsonObject obj when obj["Fn::Join"] is JsonArray join => string.Join((string?)join[0] ?? "", join[1]!.AsArray().Select(Flatten)),
        JsonObject obj when obj["Fn::Base64"] is { } inner => Flatten(inner),
        JsonObject => "{token}",
        JsonArray array => string.Concat(array.Select(Flatten)),
        _ => node?.ToJsonString() ?? "",
    };

    public static IEnumerable<JsonNode?> AsList(JsonNode? node) => node switch
    {
        JsonArray array => array.ToArray(),
        null => [],
        _ => new[] { node },
    };
}

using System.Text.Json;
using System.Text.Json.Serialization;

namespace FoodCommunity.Presign.Lambda.Events;

/// <summary>
/// Claims as strings, whatever JSON they arrive as. The HTTP API JWT authorizer sends every claim as a string
/// (arrays as "[a b]"); a REST API's authorizer context may carry numbers and booleans (<c>exp</c>,
/// <c>email_verified</c>), and test tools send arrays. Refusing those would refuse a valid caller.
/// </summary>
internal sealed class ClaimValuesConverter : JsonConverter<IReadOnlyDictionary<string, string>>
{
    public override IReadOnlyDictionary<string, string> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw new JsonException("The authorizer's claims are not a JSON object.");
        }

        var claims = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var claim in document.RootElement.EnumerateObject())
        {
            if (claim.Value.ValueKind != JsonValueKind.Null)
            {
                claims[claim.Name] = claim.Value.ValueKind == JsonValueKind.Array
                    ? $"[{string.Join(' ', claim.Value.EnumerateArray().Select(Text))}]"
                    : Text(claim.Value);
            }
        }

        return claims;
    }

    public override void Write(Utf8JsonWriter writer, IReadOnlyDictionary<string, string> value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        foreach (var (name, claim) in value)
        {
            writer.WriteString(name, claim);
        }

        writer.WriteEndObject();
    }

    private static string Text(JsonElement value) =>
        value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
}

using System.Text.Json;
using System.Text.Json.Serialization;
using FoodCommunity.Presign.Lambda.Events;
using FoodCommunity.Presign.Lambda.Hosting;
using FoodCommunity.Presign.Lambda.Uploads;

namespace FoodCommunity.Presign.Lambda;

/// <summary>Every payload the function reads or writes; generated at build time because the function is Native AOT.</summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    // Web defaults read "15" as a number; a string where the contract says number is a client bug worth a 400.
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(ApiGatewayHttpRequest))]
[JsonSerializable(typeof(ApiGatewayHttpResponse))]
[JsonSerializable(typeof(PresignUploadRequest))]
[JsonSerializable(typeof(PresignedUpload))]
[JsonSerializable(typeof(ProblemBody))]
[JsonSerializable(typeof(RuntimeErrorBody))]
internal sealed partial class PresignJsonContext : JsonSerializerContext;

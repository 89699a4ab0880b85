using System.Text.Json;
using System.Text.Json.Serialization;
using FoodCommunity.Domain.Uploads;
using FoodCommunity.Images.Lambda.Events;
using FoodCommunity.Images.Lambda.Hosting;

namespace FoodCommunity.Images.Lambda;

/// <summary>Every payload the function reads or writes; generated at build time because the function is Native AOT.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(SqsEvent))]
[JsonSerializable(typeof(SqsBatchResponse))]
[JsonSerializable(typeof(S3Event))]
[JsonSerializable(typeof(ImageManifest))]
[JsonSerializable(typeof(RuntimeErrorBody))]
internal sealed partial class ImagesJsonContext : JsonSerializerContext;

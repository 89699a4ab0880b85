using System.Text.Json;
using System.Text.Json.Serialization;
using FoodCommunity.Domain.Uploads;

namespace FoodCommunity.Api.Infrastructure.Storage;

/// <summary>The manifest the image function writes (camelCase, as its own context writes it).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ImageManifest))]
internal sealed partial class StorageJsonContext : JsonSerializerContext;

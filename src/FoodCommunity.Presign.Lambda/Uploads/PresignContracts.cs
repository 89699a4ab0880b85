namespace FoodCommunity.Presign.Lambda.Uploads;

/// <summary>The body of <c>POST /uploads</c>. Both members are nullable so that "missing" can be told apart from "wrong".</summary>
public sealed record PresignUploadRequest(string? ContentType, long? ContentLength);

/// <summary>A signed form: POST every field to <see cref="Url"/>, then the file as <c>file</c>.</summary>
public sealed record PresignedUpload(
    string Key,
    string Url,
    string Method,
    IReadOnlyDictionary<string, string> Fields,
    DateTime ExpiresAt,
    long MaxBytes);

/// <summary>RFC 9457 problem details, as every FoodCommunity error is shaped.</summary>
public sealed record ProblemBody(
    string Type,
    string Title,
    int Status,
    string Detail,
    string? TraceId,
    IReadOnlyDictionary<string, string[]>? Errors = null);

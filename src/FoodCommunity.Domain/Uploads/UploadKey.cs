using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace FoodCommunity.Domain.Uploads;

/// <summary>
/// An object key of the form <c>uploads/{ownerId}/{yyyy}/{MM}/{id}.{ext}</c>. The owner segment is what lets the
/// API refuse a post that names someone else's upload, so parsing is strict: anything we would not have issued
/// (other prefixes, "..", upper-case ids, unknown extensions, extra segments) is rejected.
/// </summary>
public sealed record UploadKey
{
    public const string Prefix = "uploads";

    /// <summary>No key of ours is longer (a 64-character owner id makes about 120); the database columns hold this many.</summary>
    public const int MaxLength = 200;

    private const int MaxOwnerIdLength = 64;
    private const int IdLength = 32;

    private UploadKey(string ownerId, int year, int month, string id, AllowedImageType type)
    {
        OwnerId = ownerId;
        Year = year;
        Month = month;
        Id = id;
        Type = type;
    }

    public string OwnerId { get; }

    public int Year { get; }

    public int Month { get; }

    /// <summary>32 lower-case hex digits (a UUIDv7): unique, and sortable by when the form was issued.</summary>
    public string Id { get; }

    public AllowedImageType Type { get; }

    public string Value => string.Create(
        CultureInfo.InvariantCulture,
        $"{Prefix}/{OwnerId}/{Year:D4}/{Month:D2}/{Id}.{Type.Extension}");

    /// <summary>A fresh key; never the same twice, because the id is a new UUIDv7 (48 bits of time, 74 random).</summary>
    public static UploadKey CreateNew(string ownerId, AllowedImageType type, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (!IsValidOwnerId(ownerId))
        {
            throw new ArgumentException("The owner id cannot be used as a key segment.", nameof(ownerId));
        }

        if (UploadPolicy.FindByExtension(type.Extension) is null)
        {
            throw new ArgumentException($"'{type.ContentType}' is not an allowed upload type.", nameof(type));
        }

        var utc = now.UtcDateTime;
        return new UploadKey(ownerId, utc.Year, utc.Month, Guid.CreateVersion7(now).ToString("N"), type);
    }

    /// <summary>
    /// User ids are UUID strings; letters, digits, '-' and '_' cover them (and ULIDs, Snowflakes) while keeping
    /// '/', '.', spaces and URL-special characters, which could change the key's meaning, out.
    /// </summary>
    public static bool IsValidOwnerId([NotNullWhen(true)] string? ownerId) =>
        !string.IsNullOrEmpty(ownerId)
        && ownerId.Length <= MaxOwnerIdLength
        && ownerId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    public static bool TryParse([NotNullWhen(true)] string? key, [NotNullWhen(true)] out UploadKey? uploadKey)
    {
        uploadKey = null;
        if (key is null || key.Length > MaxLength)
        {
            return false;
        }

        var segments = key.Split('/');
        if (segments is not [Prefix, var ownerId, var year, var month, var file]
            || !IsValidOwnerId(ownerId)
            || !TryParseNumber(year, 4, 1, 9999, out var yearNumber)
            || !TryParseNumber(month, 2, 1, 12, out var monthNumber))
        {
            return false;
        }

        var dot = file.IndexOf('.', StringComparison.Ordinal);
        if (dot != IdLength || !IsLowerHex(file.AsSpan(0, dot)))
        {
            return false;
        }

        var type = UploadPolicy.FindByExtension(file[(dot + 1)..]);
        if (type is null)
        {
            return false;
        }

        uploadKey = new UploadKey(ownerId, yearNumber, monthNumber, file[..dot], type);
        return true;
    }

    /// <summary>True when <paramref name="key"/> is a well-formed upload key issued to <paramref name="userId"/>.</summary>
    public static bool IsOwnedBy(string? key, string userId) =>
        TryParse(key, out var parsed) && string.Equals(parsed.OwnerId, userId, StringComparison.Ordinal);

    public override string ToString() => Value;

    private static bool TryParseNumber(string text, int digits, int min, int max, out int value)
    {
        value = 0;
        return text.Length == digits
            && text.All(char.IsAsciiDigit)
            && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value)
            && value >= min
            && value <= max;
    }

    private static bool IsLowerHex(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiHexDigitLower(c))
            {
                return false;
            }
        }

        return true;
    }
}

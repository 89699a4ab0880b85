using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using FoodCommunity.Api.Auth;

namespace FoodCommunity.Api.Infrastructure.Paging;

/// <summary>
/// Opaque, tamper-evident page cursors: base64url(kind ‖ payload ‖ HMAC). A cursor from another list,
/// a truncated one or an edited one fails the check and the client gets a 400, never a 500. The HMAC
/// key is derived from the token signing key, so every instance agrees without another secret.
/// </summary>
public sealed class Cursors
{
    private const int TagLength = 16;

    /// <summary>The first key seals; all of them open, so cursors survive a signing-key rotation.</summary>
    private readonly byte[][] _keys;

    public Cursors(SigningKeys keys)
    {
        _keys = keys.PrivateKeys
            .Select(rsa => HKDF.DeriveKey(HashAlgorithmName.SHA256, rsa.ExportPkcs8PrivateKey(), 32, info: "foodcommunity-cursor-v1"u8.ToArray()))
            .ToArray();
    }

    /// <summary>A position in a list ordered by a time-ordered id (newest or oldest first).</summary>
    public string ForId(CursorKind kind, Guid id)
    {
        Span<byte> payload = stackalloc byte[16];
        id.TryWriteBytes(payload, bigEndian: true, out _);
        return Seal(kind, payload);
    }

    /// <summary>A position in a list ordered by (time, id), such as followers newest first.</summary>
    public string ForTimeAndId(CursorKind kind, DateTimeOffset time, Guid id)
    {
        Span<byte> payload = stackalloc byte[24];
        BinaryPrimitives.WriteInt64BigEndian(payload, time.UtcTicks);
        id.TryWriteBytes(payload[8..], bigEndian: true, out _);
        return Seal(kind, payload);
    }

    /// <summary>Longest text a cursor carries (a search term).</summary>
    public const int MaxTextBytes = 800;

    /// <summary>A position in a list ordered by (text, id), such as people search by name.</summary>
    public string ForTextAndId(CursorKind kind, string text, Guid id)
    {
        var textBytes = System.Text.Encoding.UTF8.GetBytes(text);
        if (textBytes.Length > MaxTextBytes)
        {
            throw new ArgumentException("The text is too long for a cursor.", nameof(text));
        }

        var payload = new byte[16 + textBytes.Length];
        id.TryWriteBytes(payload, bigEndian: true, out _);
        textBytes.CopyTo(payload, 16);
        return Seal(kind, payload);
    }

    public bool TryReadTextAndId(string cursor, CursorKind kind, out string text, out Guid id)
    {
        text = "";
        id = Guid.Empty;
        // The payload is as long as the cursor says, within the bound: the length is checked before anything is decoded.
        if (cursor.Length > Base64Url.GetEncodedLength(1 + 16 + MaxTextBytes + TagLength))
        {
            return false;
        }

        // Unpadded base64url: n characters carry floor(6n / 8) bytes; TryOpen checks the length exactly.
        var payloadLength = cursor.Length * 6 / 8 - 1 - TagLength;
        if (payloadLength < 16 || !TryOpen(cursor, kind, payloadLength, out var payload))
        {
            return false;
        }

        id = new Guid(payload.AsSpan(0, 16), bigEndian: true);
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(payload, 16, payload.Length - 16);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    /// <summary>A position in a ranked snapshot: which snapshot, and how far in.</summary>
    public string ForSnapshot(CursorKind kind, long snapshot, int offset)
    {
        Span<byte> payload = stackalloc byte[12];
        BinaryPrimitives.WriteInt64BigEndian(payload, snapshot);
        BinaryPrimitives.WriteInt32BigEndian(payload[8..], offset);
        return Seal(kind, payload);
    }

    public bool TryReadId(string cursor, CursorKind kind, out Guid id)
    {
        id = Guid.Empty;
        if (!TryOpen(cursor, kind, 16, out var payload))
        {
            return false;
        }

        id = new Guid(payload, bigEndian: true);
        return true;
    }

    public bool TryReadTimeAndId(string cursor, CursorKind kind, out DateTimeOffset time, out Guid id)
    {
        time = default;
        id = Guid.Empty;
        if (!TryOpen(cursor, kind, 24, out var payload))
        {
            return false;
        }

        var ticks = BinaryPrimitives.ReadInt64BigEndian(payload);
        if (ticks < DateTimeOffset.MinValue.UtcTicks || ticks > DateTimeOffset.MaxValue.UtcTicks)
        {
            return false;
        }

        time = new DateTimeOffset(ticks, TimeSpan.Zero);
        id = new Guid(payload.AsSpan(8), bigEndian: true);
        return true;
    }

    public bool TryReadSnapshot(string cursor, CursorKind kind, out long snapshot, out int offset)
    {
        snapshot = 0;
        offset = 0;
        if (!TryOpen(cursor, kind, 12, out var payload))
        {
            return false;
        }

        snapshot = BinaryPrimitives.ReadInt64BigEndian(payload);
        offset = BinaryPrimitives.ReadInt32BigEndian(payload.AsSpan(8));
        return offset >= 0;
    }

    private string Seal(CursorKind kind, ReadOnlySpan<byte> payload)
    {
        Span<byte> sealedBytes = stackalloc byte[1 + payload.Length + TagLength];
        sealedBytes[0] = (byte)kind;
        payload.CopyTo(sealedBytes[1..]);
        Span<byte> tag = stackalloc byte[32];
        HMACSHA256.HashData(_keys[0], sealedBytes[..(1 + payload.Length)], tag);
        tag[..TagLength].CopyTo(sealedBytes[(1 + payload.Length)..]);
        return Base64Url.EncodeToString(sealedBytes);
    }

    private bool TryOpen(string cursor, CursorKind kind, int payloadLength, out byte[] payload)
    {
        payload = [];
        var expectedLength = 1 + payloadLength + TagLength;
        if (cursor.Length != Base64Url.GetEncodedLength(expectedLength))
        {
            return false;
        }

        var sealedBytes = new byte[expectedLength];
        if (!Base64Url.TryDecodeFromChars(cursor, sealedBytes, out var written) || written != expectedLength || sealedBytes[0] != (byte)kind)
        {
            return false;
        }

        Span<byte> tag = stackalloc byte[32];
        var authentic = false;
        foreach (var key in _keys)
        {
            HMACSHA256.HashData(key, sealedBytes.AsSpan(0, 1 + payloadLength), tag);
            authentic |= CryptographicOperations.FixedTimeEquals(tag[..TagLength], sealedBytes.AsSpan(1 + payloadLength));
        }

        if (!authentic)
        {
            return false;
        }

        payload = sealedBytes[1..(1 + payloadLength)];
        return true;
    }
}

/// <summary>Which list a cursor belongs to; a cursor of one list is refused by every other.</summary>
public enum CursorKind : byte
{
    LatestPosts = 1,
    UserPosts = 2,
    TagPosts = 3,
    HomeFeed = 4,
    PopularFeed = 5,
    Comments = 6,
    Followers = 7,
    Following = 8,
    Blocks = 9,
    ModerationQueue = 10,
    UserSearch = 11,
    Notifications = 12,
}

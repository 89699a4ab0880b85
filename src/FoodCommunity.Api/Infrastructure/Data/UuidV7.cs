using System.Buffers.Binary;

namespace FoodCommunity.Api.Infrastructure.Data;

/// <summary>
/// The time inside a UUIDv7 (RFC 9562: the first 48 bits, big-endian, are Unix milliseconds), which
/// is what makes the ids sort by time.
/// </summary>
public static class UuidV7
{
    /// <summary>The smallest UUIDv7 of a given millisecond: a lower bound for ids created from then on.</summary>
    public static Guid FirstAt(DateTimeOffset time)
    {
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteInt64BigEndian(bytes[..8], time.ToUnixTimeMilliseconds() << 16);
        bytes[6] = 0x70;
        return new Guid(bytes, bigEndian: true);
    }

    /// <summary>When the id was made; false for an id that is no UUIDv7 of a representable time.</summary>
    public static bool TryGetTime(Guid id, out DateTimeOffset time)
    {
        time = default;
        Span<byte> bytes = stackalloc byte[16];
        id.TryWriteBytes(bytes, bigEndian: true, out _);
        var milliseconds = (long)(BinaryPrimitives.ReadUInt64BigEndian(bytes) >> 16);
        if (id.Version != 7 || milliseconds > DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
        {
            return false;
        }

        time = DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);
        return true;
    }
}
